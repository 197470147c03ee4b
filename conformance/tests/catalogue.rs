//! The catalogue is the truth: every entry is served by both servers with
//! its method, its content type, and `405` + `Allow` for other methods.
//!
//! Examples are sent in catalogue order to a fresh database, with the
//! catalogue's example body where the endpoint reads one; the catalogue
//! promises that every one of them then succeeds (`POST /users` stores a
//! user, `DELETE /users/1` comes after the reads and the replace of user 1),
//! given an upstream for `/upstream` to call.

use conformance::{client, fetch, start_all, start_all_with, upstream};
use shared_handlers::auth;
use shared_handlers::catalogue::{self, ENDPOINTS, Endpoint, EndpointId};
use shared_handlers::config::DEFAULT_ADMIN_TOKEN;

/// The headers a request to `endpoint` needs: the admin token under `/admin/`.
fn headers_for(endpoint: &Endpoint) -> Vec<(&'static str, String)> {
    if auth::is_admin_path(endpoint.path) {
        vec![("authorization", format!("Bearer {DEFAULT_ADMIN_TOKEN}"))]
    } else {
        Vec::new()
    }
}

/// The status an endpoint's example answers: 2xx, except the endpoint that
/// exists to show a caught panic.
fn status_is_expected(endpoint: &Endpoint, status: u16) -> bool {
    match endpoint.id {
        EndpointId::AdminPanic => status == 500,
        _ => (200..300).contains(&status),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalogue_endpoint_is_served_with_its_method_and_content_type() {
    let live = upstream::start_live().await.expect("the upstream starts");
    let targets = start_all_with(upstream::config_calling(&live.base))
        .await
        .expect("servers start");
    let client = client();
    for endpoint in ENDPOINTS {
        let mut headers = headers_for(endpoint);
        headers.extend(
            endpoint
                .request_body
                .iter()
                .map(|body| ("content-type", body.content_type.to_owned())),
        );
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let body = endpoint.request_body.map(|body| body.example.as_bytes());
        for target in &targets {
            let observed = fetch(
                &client,
                endpoint.method.as_str(),
                &target.url(endpoint.example),
                &headers,
                body,
            )
            .await
            .expect("request succeeds");
            assert!(
                status_is_expected(endpoint, observed.status),
                "{} {} on {}: status {}",
                endpoint.method.as_str(),
                endpoint.example,
                target.kind.label(),
                observed.status
            );
            // `content_type::NONE` (a `204`) means: no `Content-Type` at all.
            let expected = Some(endpoint.content_type).filter(|t| !t.is_empty());
            assert_eq!(
                observed.header("content-type"),
                expected,
                "{} on {}",
                endpoint.name,
                target.kind.label()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_the_catalogue_lacks_gets_405_with_the_catalogue_allow_list() {
    let targets = start_all().await.expect("servers start");
    let client = client();
    for endpoint in ENDPOINTS {
        let allow = catalogue::allow_header(endpoint.path);
        let unused = ["GET", "POST", "PUT", "DELETE", "PATCH"]
            .into_iter()
            .find(|method| !allow.split(',').any(|m| m == *method))
            .expect("no path allows every method");
        for target in &targets {
            let headers = headers_for(endpoint);
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let observed = fetch(
                &client,
                unused,
                &target.url(endpoint.example),
                &headers,
                None,
            )
            .await
            .expect("request succeeds");
            assert_eq!(
                observed.status,
                405,
                "{unused} {} on {}",
                endpoint.example,
                target.kind.label()
            );
            assert_eq!(
                observed.header("allow"),
                Some(allow.as_str()),
                "{}",
                target.kind.label()
            );
        }
    }
}
