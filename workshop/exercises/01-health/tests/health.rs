//! `GET /health` on both small servers, as frameworth's conformance cases
//! describe it, and the endpoints that were there before still right.

use conformance::cases::{Body::*, Case, TEXT, get, not_allowed, not_found, request};
use conformance::groups::benchmark;
use conformance::remote::Remote;

/// Runs `cases` against the raw and the axum server; returns every failure.
async fn failures(cases: &[Case]) -> Vec<String> {
    let raw = workshop_health::start_raw()
        .await
        .expect("raw server starts");
    let axum = workshop_health::start_axum()
        .await
        .expect("axum server starts");
    let mut failures = Vec::new();
    for (name, base) in [("raw", raw), ("axum", axum)] {
        let remote = Remote::connect(&base).await.expect("server reachable");
        for outcome in remote.run("health", cases).await {
            if let Some(failure) = outcome.failure {
                failures.push(format!("{name}: {}: {failure}", outcome.label));
            }
        }
    }
    failures
}

#[tokio::test]
async fn get_health_answers_ok_as_plain_text_on_both_servers() {
    let cases = [
        get("/health")
            .expect(200, TEXT, Exact("ok"))
            .with("content-length", "2"),
        request("HEAD", "/health").expect(200, TEXT, Empty),
    ];

    let failures = failures(&cases).await;

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn health_with_another_method_is_405_with_allow_on_both_servers() {
    let cases = [
        not_allowed("POST", "/health", "GET,HEAD"),
        not_allowed("DELETE", "/health", "GET,HEAD"),
        not_found("GET", "/health/extra"),
    ];

    let failures = failures(&cases).await;

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn the_hello_world_pair_and_the_error_answers_still_pass() {
    let failures = failures(&benchmark::hello_cases()).await;

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn health_is_in_the_catalogue_once() {
    let entries = workshop_health::CATALOGUE
        .iter()
        .filter(|(_, path)| *path == "/health")
        .count();

    assert_eq!(entries, 1, "the catalogue lists /health {entries} times");
}
