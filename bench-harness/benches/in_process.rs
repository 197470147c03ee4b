//! # in_process: what the framework costs when there are no sockets at all
//!
//! For every catalogue endpoint worth timing, one criterion group
//! `in_process/<endpoint>` with two functions, so criterion prints them one
//! under the other:
//!
//! - `raw`: `raw_server::handle(request, &state)`, the very function
//!   raw-server's `service_fn` calls for each request (after cloning the
//!   state, as that closure does);
//! - `framework`: `router.clone().oneshot(request)`, which is exactly what
//!   hyper-util's `TowerToHyperService` does for each request when
//!   framework-server is served (clone the `Router`, call it once).
//!
//! Both sides get the same `http::Request<Full<Bytes>>`, run their whole
//! middleware chain (request id, `Host` check, timeout, compression check,
//! panic catcher, counters, admin token) and the same shared business logic.
//! What differs is the request layer: routing, extraction and response
//! building by hand, or by axum and tower: the pure cost of the
//! framework's glue, with no socket in the way (`docs/src/criterion.md`).
//!
//! ## What one iteration does, on both sides alike
//!
//! 1. Build the request from a template made once: method, URI and body
//!    are reference-counted clones, the header map one small copy (the
//!    harness's `PreparedRequest::build`, the same code its load generator
//!    uses). The request is HTTP/1.1 (`http`'s default) with a `Host`
//!    header, so both servers' `Host` check (RFC 9112: exactly one `Host`
//!    on HTTP/1.1) lets it through instead of answering `400`.
//! 2. Call the server and await the response.
//! 3. Collect the response body into `Bytes`. A response is not done until
//!    its body exists: axum's body may be a lazy stream, raw-server's is
//!    built up front, so collecting on both sides makes both do all their
//!    work inside the measured time. (Compression never kicks in: the
//!    request sends no `Accept-Encoding`.)
//!
//! One current-thread tokio runtime drives both sides, and one
//! [`AppState`] (one temporary SQLite database, one cache) serves both, so
//! the database work is the same too. No tracing subscriber is installed,
//! so the access-log step is off on both sides, as in a server started
//! without `RUST_LOG`.
//!
//! ## Run it
//!
//! ```text
//! cargo bench -p bench-harness --bench in_process              # every group
//! cargo bench -p bench-harness --bench in_process -- json      # groups matching `json`
//! cargo bench -p bench-harness --bench in_process -- --save-baseline before
//! cargo bench -p bench-harness --bench in_process -- --baseline before
//! ```
//!
//! Results land in `target/criterion/in_process_<endpoint>/{raw,framework}/`;
//! `bench_harness::schema::criterion` reads them back for the report.

use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Body;
use shared_handlers::catalogue::{ENDPOINTS, Endpoint};
use shared_handlers::{AppState, auth};
use tokio::runtime::Runtime;
use tower::ServiceExt;

use loadgen::request::{PreparedRequest, RequestSpec};

/// Catalogue endpoints left out, each with the reason. Every other
/// catalogue entry is benchmarked, so a new endpoint gets a group without
/// anyone editing this file.
const LEFT_OUT: &[(&str, &str)] = &[
    (
        "users-create",
        "each call inserts a user (a repeated email is a conflict), so the table grows and no two iterations do the same work",
    ),
    (
        "users-delete",
        "only the first call deletes user 1; every later one would time a 404",
    ),
    (
        "delay-show",
        "it sleeps by design: the timer would be measured, not the framework",
    ),
    (
        "upstream-show",
        "it calls an upstream service over a socket (and has none here): the network would be measured, not the framework",
    ),
    (
        "admin-panic",
        "it panics on purpose: the unwinder and the panic hook (a line on stderr per call) would dominate",
    ),
];

/// The `Host` every request names. Any value does: neither server routes on it.
const HOST: &str = "localhost";

/// One endpoint to benchmark: the catalogue row and its request template.
struct Case {
    endpoint: &'static Endpoint,
    request: PreparedRequest,
}

/// The catalogue's example request for `endpoint`, with the headers it
/// needs to succeed: the body's `Content-Type`, and the admin token for
/// `/admin/...`.
fn case(endpoint: &'static Endpoint, state: &AppState) -> Case {
    let mut spec = RequestSpec::get(HOST, endpoint.example);
    spec.method = Method::from_bytes(endpoint.method.as_str().as_bytes())
        .expect("catalogue methods are valid HTTP methods");
    if let Some(body) = endpoint.request_body {
        spec.headers
            .push((CONTENT_TYPE, HeaderValue::from_static(body.content_type)));
        spec.body = Bytes::from_static(body.example.as_bytes());
    }
    if auth::is_admin_path(endpoint.path) {
        let token = format!("Bearer {}", state.config().admin_token);
        spec.headers.push((
            AUTHORIZATION,
            HeaderValue::from_str(&token).expect("the admin token is a valid header value"),
        ));
    }
    let request = spec
        .prepare()
        .expect("catalogue examples are valid request targets");
    Case { endpoint, request }
}

/// Awaits the whole body: the work a server still owes after returning
/// the response head. Returns what a client would look at, for `black_box`.
async fn finish<B>(response: Response<B>) -> (StatusCode, Bytes)
where
    B: Body<Data = Bytes>,
    B::Error: std::fmt::Debug,
{
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .expect("in-memory response bodies do not fail")
        .to_bytes();
    (parts.status, bytes)
}

// ANCHOR: two_calls
/// One request through raw-server, as its `service_fn` makes it.
async fn call_raw(
    request: http::Request<http_body_util::Full<Bytes>>,
    state: AppState,
) -> (StatusCode, Bytes) {
    finish(raw_server::handle(request, &state).await).await
}

/// One request through framework-server's router, as `TowerToHyperService`
/// makes it: a clone of the router, called once.
async fn call_framework(
    request: http::Request<http_body_util::Full<Bytes>>,
    router: axum::Router,
) -> (StatusCode, Bytes) {
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    finish(response).await
}
// ANCHOR_END: two_calls

/// Before timing anything: both servers must answer the request with the
/// same successful status and content type. A benchmark of two different
/// answers (a 404 on one side, say) would be a number about nothing.
fn check_both_succeed(runtime: &Runtime, case: &Case, state: &AppState, router: &axum::Router) {
    let name = case.endpoint.name;
    let raw = runtime.block_on(raw_server::handle(case.request.build(), state));
    let framework = runtime
        .block_on(router.clone().oneshot(case.request.build()))
        .unwrap_or_else(|never| match never {});
    let content_type = |headers: &http::HeaderMap| headers.get(CONTENT_TYPE).cloned();
    assert!(
        raw.status().is_success() && raw.status() == framework.status(),
        "{name}: raw answers {}, framework {}; fix the request before timing it",
        raw.status(),
        framework.status()
    );
    assert_eq!(
        content_type(raw.headers()),
        content_type(framework.headers()),
        "{name}: the two servers answer with different content types"
    );
}

fn in_process(c: &mut Criterion) {
    // One database for both sides, created and seeded once; dropped (and
    // deleted) when the last group is done.
    let folder = tempfile::tempdir().expect("a temporary folder for the database");
    let state = AppState::open(&folder.path().join("bench.sqlite3"))
        .expect("the benchmark database opens and seeds");
    let router = framework_server::router(state.clone());
    // Current-thread, like a pinned one-worker server: both sides run on
    // the thread criterion measures (database calls still go to tokio's
    // blocking pool, on both sides alike).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");

    for (name, reason) in LEFT_OUT {
        eprintln!("in_process: leaving out {name}: {reason}");
    }
    let cases: Vec<Case> = ENDPOINTS
        .iter()
        .filter(|endpoint| LEFT_OUT.iter().all(|(name, _)| *name != endpoint.name))
        .map(|endpoint| case(endpoint, &state))
        .collect();

    for case in &cases {
        check_both_succeed(&runtime, case, &state, &router);
        let mut group = c.benchmark_group(format!("in_process/{}", case.endpoint.name));
        group.bench_function("raw", |b| {
            b.to_async(&runtime)
                .iter(|| call_raw(case.request.build(), state.clone()));
        });
        group.bench_function("framework", |b| {
            b.to_async(&runtime)
                .iter(|| call_framework(case.request.build(), router.clone()));
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // 16 endpoints x 2 functions x (1 s warm-up + 2 s measurement) is about
    // two minutes. The command line overrides these (`--measurement-time`,
    // `--sample-size`, `--warm-up-time`).
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = in_process
}
criterion_main!(benches);
