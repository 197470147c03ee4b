//! The home page and the OpenAPI document: both servers must send the same
//! bytes, and those bytes must describe the catalogue — every endpoint,
//! with its method, nothing more.

use conformance::cases::run_cases;
use conformance::groups::pages::cases;
use conformance::{client, fetch, start_all};
use shared_handlers::catalogue::{ENDPOINTS, Method};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_and_openapi_cases_get_the_same_correct_answer_from_every_server() {
    let count = run_cases(&cases()).await;
    println!("{count} home-page and OpenAPI cases passed on every server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_openapi_document_parses_as_openapi_3_1_with_every_operation() {
    let targets = start_all().await.expect("servers start");
    let client = client();
    for target in &targets {
        let observed = fetch(&client, "GET", &target.url("/openapi.json"), &[], None)
            .await
            .expect("request succeeds");
        let text = String::from_utf8(observed.body).expect("the document is UTF-8");
        let spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
        spec.validate_version()
            .expect("an OpenAPI version oas3 supports");
        assert_eq!(
            spec.operations().count(),
            ENDPOINTS.len(),
            "{}",
            target.kind.label()
        );
        for endpoint in ENDPOINTS {
            let method = http_method(endpoint.method);
            let path = endpoint.path.replace("{*", "{");
            assert!(
                spec.operation(&method, &path).is_some(),
                "{} {path} on {}",
                endpoint.method.as_str(),
                target.kind.label()
            );
        }
    }
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
}

fn http_method(method: Method) -> http::Method {
    http::Method::from_bytes(method.as_str().as_bytes()).expect("catalogue methods are valid")
}
