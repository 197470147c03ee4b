//! Which answers are compressed: never those of the seven benchmark
//! endpoints (TechEmpower's rules forbid it, and its verifier sends
//! `Accept-Encoding: gzip, deflate`), always the application endpoints'
//! answers of 1 KiB or more when the client accepts gzip — identically on
//! every server.

use conformance::cases::{Body::*, Case, HTML, JSON, TEXT, get, parse_json, request, run_cases};
use shared_handlers::catalogue::ENDPOINTS;

/// What a browser sends, and more than TechEmpower's verifier does.
const EVERY_ENCODING: &str = "gzip, deflate, br";

/// The `/fortunes` page, byte for byte (see `endpoints.rs`).
const FORTUNES_PAGE: &str = include_str!("fixtures/fortunes.html");

/// The benchmark endpoints at their largest answers (500 rows where there
/// is a count), each asked for with every encoding.
#[rustfmt::skip]
fn benchmark_cases() -> Vec<Case> {
    let asked = |case: Case| case.header("accept-encoding", EVERY_ENCODING);
    let identity = |case: Case| case.without("content-encoding").without("vary");
    vec![
        identity(asked(get("/plaintext")).expect(200, TEXT, Exact("Hello, World!"))),
        identity(asked(get("/json")).expect(200, JSON, Exact(r#"{"message":"Hello, World!"}"#))),
        identity(asked(get("/db")).expect(200, JSON, World)),
        identity(asked(get("/queries?queries=500")).expect(200, JSON, Worlds(500))),
        identity(asked(get("/updates?queries=500")).expect(200, JSON, Worlds(500))),
        identity(asked(get("/cached-queries?count=500")).expect(200, JSON, Worlds(500))),
        identity(asked(get("/fortunes")).expect(200, HTML, Exact(FORTUNES_PAGE))),
        identity(asked(request("HEAD", "/fortunes")).expect(200, HTML, Empty)),
        // The verifier's exact header.
        identity(get("/queries?queries=500").header("accept-encoding", "gzip, deflate").expect(200, JSON, Worlds(500))),
    ]
}

fn is_html_page(body: &[u8]) -> Result<(), String> {
    body.starts_with(b"<!DOCTYPE html>")
        .then_some(())
        .ok_or_else(|| "not an HTML page".to_owned())
}

fn is_openapi(body: &[u8]) -> Result<(), String> {
    let doc = parse_json(body)?;
    (doc["openapi"] == "3.1.0")
        .then_some(())
        .ok_or_else(|| "not an OpenAPI 3.1 document".to_owned())
}

fn is_css(body: &[u8]) -> Result<(), String> {
    let expected = std::fs::read(shared_handlers::config::default_static_dir().join("style.css"))
        .map_err(|e| e.to_string())?;
    (body == expected.as_slice())
        .then_some(())
        .ok_or_else(|| "not the stylesheet".to_owned())
}

/// Application endpoints of 1 KiB or more: gzip, as before.
#[rustfmt::skip]
fn application_cases() -> Vec<Case> {
    let gzipped = |case: Case| {
        case.header("accept-encoding", EVERY_ENCODING)
            .with("content-encoding", "gzip")
            .with("vary", "accept-encoding")
            .without("content-length")
    };
    vec![
        gzipped(get("/").expect(200, HTML, Check { check: is_html_page, random: false })),
        gzipped(get("/openapi.json").expect(200, JSON, Check { check: is_openapi, random: false })),
        gzipped(get("/static/style.css").expect(200, "text/css", Check { check: is_css, random: false })),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn benchmark_endpoints_answer_uncompressed_even_when_every_encoding_is_accepted() {
    let count = run_cases(&benchmark_cases()).await;
    println!("{count} benchmark compression cases passed on every server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_endpoints_of_a_kibibyte_or_more_are_gzipped() {
    let count = run_cases(&application_cases()).await;
    println!("{count} application compression cases passed on every server");
}

#[test]
fn the_benchmark_cases_cover_every_benchmark_endpoint_of_the_catalogue() {
    let cases = benchmark_cases();
    for endpoint in ENDPOINTS.iter().filter(|endpoint| endpoint.benchmark) {
        let covered = cases.iter().any(|case| {
            case.method == "GET" && case.target.split('?').next() == Some(endpoint.path)
        });
        assert!(covered, "no compression case for {}", endpoint.name);
    }
}
