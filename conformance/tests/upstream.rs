//! `/upstream`, the real outbound call, on every server: a live upstream
//! over loopback, one slower than the timeout, one that is down, one that
//! answers an error, and none at all. Each failure is the same problem on
//! every server, and names no address.

use std::time::Duration;

use conformance::cases::{Body::*, JSON, PROBLEM, get, request, run_cases_with};
use conformance::upstream;
use shared_handlers::AppConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_upstream_s_answer_is_passed_on_by_every_server() {
    let live = upstream::start_live().await.expect("the upstream starts");
    #[rustfmt::skip]
    let cases = vec![
        get("/upstream?ms=0").expect(200, JSON, Exact(r#"{"upstream_delayed_ms":0}"#)),
        get("/upstream?ms=15").expect(200, JSON, Exact(r#"{"upstream_delayed_ms":15}"#)),
        // `ms` is checked before any call, with `/delay`'s words.
        get("/upstream").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`ms` is required")),
        get("/upstream?ms=x").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`ms` must be")),
        // HEAD goes upstream too, and answers the headers of the GET.
        request("HEAD", "/upstream?ms=0").expect(200, JSON, Empty),
    ];
    run_cases_with(upstream::config_calling(&live.base), &cases).await;
    live.stop().await.expect("the upstream stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_slower_than_the_timeout_gets_504_and_a_quick_one_still_200() {
    let live = upstream::start_live().await.expect("the upstream starts");
    let config = AppConfig {
        upstream_timeout: Duration::from_millis(200),
        ..upstream::config_calling(&live.base)
    };
    #[rustfmt::skip]
    let cases = vec![
        get("/upstream?ms=1500").expect(504, PROBLEM, ProblemMentioning("gateway-timeout", "within 200 ms")),
        get("/upstream?ms=0").expect(200, JSON, Exact(r#"{"upstream_delayed_ms":0}"#)),
    ];
    run_cases_with(config, &cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_is_down_gets_502_without_its_address() {
    let down = upstream::unreachable_url().expect("a free port");
    #[rustfmt::skip]
    let cases = vec![
        get("/upstream?ms=0").expect(502, PROBLEM, ProblemMentioning("bad-gateway", "could not be reached")),
        // The rest of the server is unaffected.
        get("/delay?ms=0").expect(200, JSON, Exact(r#"{"delayed_ms":0}"#)),
    ];
    run_cases_with(upstream::config_calling(&down), &cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_answers_an_error_gets_502() {
    let live = upstream::start_live().await.expect("the upstream starts");
    // A base URL under which the upstream has no `/delay`: it answers 404,
    // a failure of the upstream, not of the client's request.
    let wrong_base = format!("{}/nowhere", live.base);
    #[rustfmt::skip]
    let cases = vec![
        get("/upstream?ms=0").expect(502, PROBLEM, ProblemMentioning("bad-gateway", "could not be used")),
    ];
    run_cases_with(upstream::config_calling(&wrong_base), &cases).await;
    live.stop().await.expect("the upstream stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_upstream_the_endpoint_answers_503_naming_the_flag() {
    #[rustfmt::skip]
    let cases = vec![
        get("/upstream?ms=0").expect(503, PROBLEM, ProblemMentioning("unavailable", "--upstream")),
    ];
    run_cases_with(AppConfig::default(), &cases).await;
}
