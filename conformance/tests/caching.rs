//! HTTP caching, the same on both servers: every answer of a catalogue
//! endpoint carries the `Cache-Control` of the endpoint's cache policy;
//! the stable pages (`/`, `/openapi.json`) carry a strong `ETag` (weak once
//! gzipped) and answer a matching `If-None-Match` with `304`; static files
//! keep their dates and get `no-cache`; answers of no endpoint (`404`,
//! `405`) state nothing.
//!
//! The expected tags are computed from the same shared code the servers
//! call (`pages::home`, `openapi::document_bytes`), so a change to the page
//! changes the expectation with it.

use conformance::cases::{Body, Case, HTML, JSON, PROBLEM, TEXT, get, request, run_cases};
use shared_handlers::catalogue::{ENDPOINTS, Method};
use shared_handlers::contract::CachePolicy;
use shared_handlers::{caching, openapi, pages};

/// Any body: these cases are about headers; the bodies have tables of their own.
fn any_body(random: bool) -> Body {
    Body::Check {
        check: |_| Ok(()),
        random,
    }
}

fn home_etag() -> String {
    caching::etag(pages::home().expect("the home page renders").as_bytes())
}

fn openapi_etag() -> String {
    caching::etag(&openapi::document_bytes())
}

/// A `304` for a stable page: no body, no content type, the tag and policy.
fn not_modified(case: Case, etag: String) -> Case {
    case.expect_empty(304)
        .with("etag", etag)
        .with("cache-control", "no-cache")
}

fn no_store(case: Case, status: u16, content_type: &'static str, random: bool) -> Case {
    case.expect(status, content_type, any_body(random))
        .with("cache-control", "no-store")
        .without("etag")
}

#[rustfmt::skip]
fn revalidated_cases() -> Vec<Case> {
    let home = home_etag();
    let doc = openapi_etag();
    let weak_home = caching::weakened(&home);
    vec![
        get("/").expect(200, HTML, any_body(false)).with("etag", home.clone()).with("cache-control", "no-cache"),
        request("HEAD", "/").expect(200, HTML, Body::Empty).with("etag", home.clone()),
        not_modified(get("/").header("if-none-match", home.clone()), home.clone()),
        not_modified(request("HEAD", "/").header("if-none-match", home.clone()), home.clone()),
        not_modified(get("/").header("if-none-match", weak_home.clone()), home.clone()),
        not_modified(get("/").header("if-none-match", format!("\"x\", {home}")), home.clone()),
        not_modified(get("/").header("if-none-match", "*"), home.clone()),
        get("/").header("if-none-match", "\"not-this-one\"").expect(200, HTML, any_body(false)).with("etag", home.clone()),
        get("/").header("if-none-match", "").expect(200, HTML, any_body(false)).with("etag", home.clone()),
        // Gzipped, the tag turns weak (the bytes differ, the content does not)
        // and a 304 keeps the `Vary` that the full answer would carry.
        get("/").header("accept-encoding", "gzip").expect(200, HTML, any_body(false))
            .with("etag", weak_home.clone()).with("content-encoding", "gzip").with("vary", "accept-encoding"),
        not_modified(get("/").header("accept-encoding", "gzip").header("if-none-match", weak_home.clone()), weak_home.clone())
            .with("vary", "accept-encoding"),
        not_modified(get("/").header("accept-encoding", "gzip").header("if-none-match", home.clone()), weak_home),
        get("/openapi.json").expect(200, JSON, any_body(false)).with("etag", doc.clone()).with("cache-control", "no-cache"),
        not_modified(get("/openapi.json").header("if-none-match", doc.clone()), doc),
        // A validator is only honoured where the endpoint has one.
        no_store(get("/json").header("if-none-match", "*"), 200, JSON, false),
    ]
}

#[rustfmt::skip]
fn policy_cases() -> Vec<Case> {
    vec![
        no_store(get("/plaintext"), 200, TEXT, false),
        no_store(get("/json"), 200, JSON, false),
        no_store(get("/db"), 200, JSON, true),
        no_store(get("/queries?queries=2"), 200, JSON, true),
        no_store(get("/updates?queries=2"), 200, JSON, true),
        no_store(get("/cached-queries?count=2"), 200, JSON, true),
        no_store(get("/fortunes"), 200, HTML, false),
        no_store(get("/users?limit=1"), 200, JSON, false),
        no_store(get("/users/1"), 200, JSON, false),
        no_store(get("/visits"), 200, JSON, false),
        no_store(get("/delay?ms=0"), 200, JSON, false),
        // Errors of an endpoint are its answers too.
        no_store(get("/users/abc"), 400, PROBLEM, false),
        no_store(get("/users/99999"), 404, PROBLEM, false),
        no_store(get("/delay"), 400, PROBLEM, false),
        no_store(request("POST", "/contact").form("name=Ada"), 422, PROBLEM, false),
        no_store(get("/admin/stats"), 401, PROBLEM, false),
        // Static files: revalidate by date, as before; no entity tag.
        get("/static/index.html").expect(200, "text/html", any_body(false))
            .with("cache-control", "no-cache").without("etag"),
        get("/static/index.html").header("if-none-match", "*").expect(200, "text/html", any_body(false))
            .with("cache-control", "no-cache"),
        // No endpoint, no policy.
        get("/nowhere").expect(404, PROBLEM, Body::Problem("not-found")).without("cache-control"),
        request("POST", "/json").expect(405, PROBLEM, Body::Problem("method-not-allowed"))
            .without("cache-control"),
    ]
}

#[tokio::test]
async fn stable_pages_carry_an_etag_and_answer_a_matching_if_none_match_with_304() {
    run_cases(&revalidated_cases()).await;
}

#[tokio::test]
async fn every_endpoint_states_its_cache_policy_and_unrouted_answers_state_none() {
    run_cases(&policy_cases()).await;
}

#[test]
fn the_catalogue_keeps_requester_dependent_and_changing_answers_out_of_caches() {
    for endpoint in ENDPOINTS {
        let expected = match endpoint.name {
            "home" | "openapi" => CachePolicy::Revalidate,
            "static" => CachePolicy::Files,
            _ => CachePolicy::NoStore,
        };
        assert_eq!(endpoint.cache, expected, "{}", endpoint.name);
        if endpoint.method != Method::Get {
            assert_eq!(endpoint.cache, CachePolicy::NoStore, "{}", endpoint.name);
        }
    }
}
