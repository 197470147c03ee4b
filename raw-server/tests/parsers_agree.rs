//! Property tests: raw-server's hand-written request parsing never panics
//! and agrees with the crates axum uses for the same job.
//!
//! | raw-server                     | compared with                                   |
//! |--------------------------------|-------------------------------------------------|
//! | `extract::query_params`        | `serde_urlencoded`, what axum's `Query` calls    |
//! | `extract::cookie`              | axum-extra's `CookieJar`                         |
//! | `router::route` + `path_param` | an axum `Router` with a `Path<String>` route     |
//! | `middleware::accepts_gzip`     | tower-http's `CompressionLayer`, through framework-server |
//!
//! tower-http has no public `Accept-Encoding` parser, so that comparison
//! asks framework-server itself: does it gzip `/openapi.json` (large
//! enough to compress) for this header?

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, COOKIE, HOST};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use raw_server::extract::{cookie, path_param, query_params};
use raw_server::middleware::accepts_gzip;
use raw_server::router::{Routed, route};
use serde::Deserialize;
use shared_handlers::{AppState, Error};
use tower::ServiceExt;

/// The head of a `GET` for `target` with these headers, or `None` when
/// `http` refuses the target (hyper would never hand it to a server).
fn parts(target: &str, headers: &[(http::HeaderName, HeaderValue)]) -> Option<Parts> {
    let mut builder = Request::get(target);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(()).ok().map(|request| request.into_parts().0)
}

fn pieces(table: &[&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(table.to_vec()), 0..max)
        .prop_map(|pieces| pieces.concat())
}

/// The fields raw-server looks for, as axum's `Query` would see them.
#[derive(Debug, Deserialize)]
struct TwoFields {
    a: Option<String>,
    b: Option<String>,
}

const QUERY_PIECES: &[&str] = &[
    "a", "b", "%61", "%62", "=", "&", "1", "%", "%zz", "+", "%2B", "%FF", "é", ";", "c", "%26",
    "%3D", "%00", "a=", "b=2",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    // ANCHOR: query_property
    #[test]
    fn query_parameters_are_read_exactly_as_serde_urlencoded_reads_them(
        query in pieces(QUERY_PIECES, 14),
    ) {
        let Some(parts) = parts(&format!("/q?{query}"), &[]) else {
            return Ok(());
        };

        let raw = query_params(&parts, ["a", "b"]);
        let axum = serde_urlencoded::from_str::<TwoFields>(parts.uri.query().unwrap_or(""));

        match (raw, axum) {
            (Ok([a, b]), Ok(fields)) => {
                prop_assert_eq!((a, b), (fields.a, fields.b), "{:?}", query);
            }
            (Err(Error::InvalidQuery(message)), Err(error)) => {
                prop_assert_eq!(message, format!("Failed to deserialize query string: {error}"));
            }
            (raw, axum) => prop_assert!(false, "{query:?}: raw {raw:?}, serde {axum:?}"),
        }
    }
    // ANCHOR_END: query_property

    #[test]
    fn the_cookie_read_is_the_one_axum_extras_jar_keeps(
        first in cookie_header(),
        second in prop::option::of(cookie_header()),
    ) {
        let mut headers = Vec::new();
        for value in std::iter::once(first).chain(second) {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.push((COOKIE, value));
            }
        }
        let parts = parts("/visits", &headers).expect("a plain target");

        let raw = cookie(&parts, "visits");
        let jar = CookieJar::from_headers(&parts.headers);
        let axum = jar.get("visits").map(|cookie| cookie.value().to_owned());

        prop_assert_eq!(raw, axum, "{:?}", parts.headers);
    }

    #[test]
    fn accept_encoding_of_any_text_is_read_without_panicking(
        value in "\\PC*",
    ) {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(ACCEPT_ENCODING, value);
        }

        let accepted = accepts_gzip(&headers);

        prop_assert!(!accepted || headers.contains_key(ACCEPT_ENCODING));
    }
}

/// One `Cookie` header: pairs with odd names and values, odd separators,
/// and stray junk, so the same name often comes more than once.
fn cookie_header() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "visits", "visits", "other", " visits", "visits ", "", "v",
    ]);
    let value = prop::sample::select(vec![
        "1",
        "2",
        "%33",
        "%zz",
        "%FF",
        "\"4\"",
        "",
        " 5 ",
        "a=b",
        "é",
        "9999999999999999999999",
    ]);
    let pair = prop_oneof![
        4 => (name, value).prop_map(|(name, value)| format!("{name}={value}")),
        1 => prop::sample::select(vec!["visits", "=", "==", " ", "junk"]).prop_map(str::to_owned),
    ];
    let separator = prop::sample::select(vec![";", "; ", ";;", ",", " ; "]);
    prop::collection::vec((pair, separator), 0..5).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(pair, separator)| format!("{pair}{separator}"))
            .collect()
    })
}

const SEGMENT_PIECES: &[&str] = &[
    "4", "2", "%34", "%32", "%2F", "/", "%FF", "%C3%A9", "é", "%", "%zz", "%00", "%20", "+", ".",
    "..", "a", "-", "%2",
];

/// A current-thread runtime for the tests that call a `Router`.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Drives `router` with one request and returns the status and the body.
async fn call(router: &Router, request: Request<Full<Bytes>>) -> (StatusCode, HeaderMap, Bytes) {
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .expect("in-memory bodies do not fail")
        .to_bytes();
    (parts.status, parts.headers, bytes)
}

#[test]
fn path_parameters_match_and_decode_as_axums_path_does() {
    // The catalogue's `/users/{id}` route, with a handler that only echoes
    // what `Path` decoded: routing and decoding are axum's, nothing else.
    let router = Router::new().route(
        "/users/{id}",
        get(|Path(id): Path<String>| async move { id }),
    );
    let runtime = runtime();
    let mut runner = TestRunner::new(Config::with_cases(2_000));

    let result = runner.run(&pieces(SEGMENT_PIECES, 8), |segment| {
        let target = format!("/users/{segment}");
        let Ok(request) = Request::get(target.as_str()).body(Full::new(Bytes::new())) else {
            return Ok(());
        };
        let path = request.uri().path().to_owned();

        let raw = match route(&Method::GET, &path) {
            Routed::Found(endpoint, params) if endpoint.name == "users-show" => {
                Some(path_param::<String>(&params, "id").ok())
            }
            _ => None,
        };
        let (status, _, body) = runtime.block_on(call(&router, request));
        let axum = match status {
            StatusCode::OK => Some(Some(String::from_utf8_lossy(&body).into_owned())),
            StatusCode::BAD_REQUEST => Some(None),
            _ => None,
        };

        prop_assert_eq!(raw, axum, "{}", target);
        Ok(())
    });

    result.unwrap_or_else(|failure| panic!("{failure}"));
}

/// One state for every gzip comparison: opening seeds a database.
fn state() -> &'static (AppState, tempfile::TempDir) {
    static STATE: OnceLock<(AppState, tempfile::TempDir)> = OnceLock::new();
    STATE.get_or_init(|| {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let state = AppState::open(&folder.path().join("gzip.sqlite3")).expect("the state opens");
        (state, folder)
    })
}

/// One `Accept-Encoding` value: offers of known and unknown codings, each
/// with a well-formed, odd or broken weight, between odd separators.
fn accept_encoding() -> impl Strategy<Value = String> {
    let coding = prop::sample::select(vec![
        "gzip", "x-gzip", "GZIP", "identity", "IDENTITY", "br", "*", "deflate", "", "gzip ",
    ]);
    let weight = prop::sample::select(vec![
        "",
        ";q=0",
        ";q=1",
        ";q=0.5",
        ";q=0.6",
        ";q=1.0",
        ";q=1.000",
        ";q=0.001",
        ";q=1.5",
        ";q=0.1234",
        ";q=.5",
        ";q=0.",
        ";q=",
        ";Q=0.5",
        "; q=0.5",
        " ;q=0.5",
        ";level=1",
        ";q=abc",
        ";q=0;q=1",
    ]);
    let separator = prop::sample::select(vec![",", ", ", " ,", ",,"]);
    prop::collection::vec((coding, weight, separator), 0..4).prop_map(|offers| {
        offers
            .into_iter()
            .map(|(coding, weight, separator)| format!("{coding}{weight}{separator}"))
            .collect()
    })
}

#[test]
fn gzip_is_chosen_exactly_when_tower_http_chooses_it() {
    let router = framework_server::router(state().0.clone());
    let runtime = runtime();
    let mut runner = TestRunner::new(Config::with_cases(1_500));
    let values = prop::collection::vec(accept_encoding(), 0..3);

    let result = runner.run(&values, |values| {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("localhost"));
        for value in &values {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.append(ACCEPT_ENCODING, value);
            }
        }
        let mut request = Request::get("/openapi.json")
            .body(Full::new(Bytes::new()))
            .expect("a plain request");
        *request.headers_mut() = headers.clone();

        let raw = accepts_gzip(&headers);
        let (status, answer, _) = runtime.block_on(call(&router, request));
        let tower_http = answer.get(CONTENT_ENCODING).is_some_and(|v| v == "gzip");

        prop_assert_eq!(status, StatusCode::OK);
        prop_assert_eq!(raw, tower_http, "{:?}", values);
        Ok(())
    });

    result.unwrap_or_else(|failure| panic!("{failure}"));
}
