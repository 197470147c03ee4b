//! The middleware chain, checked from outside: request ids, compression,
//! the admin token, the panic catcher, request counters, the `Host` rule and
//! the timeout — the same answers from every server.

use std::time::Duration;

use conformance::cases::{
    Body::*, Case, HTML, JSON, PROBLEM, TEXT, get, not_found, parse_json, request, run_cases,
    run_cases_with,
};
use conformance::{ConnectionOutcome, Kind, Target, raw_exchange};
use shared_handlers::AppConfig;
use shared_handlers::config::DEFAULT_ADMIN_TOKEN;

const HELLO: &str = "Hello, World!";

fn bearer() -> String {
    format!("Bearer {DEFAULT_ADMIN_TOKEN}")
}

/// `/admin/stats` answers counters for every endpoint, and the panic
/// earlier in the table was counted.
fn stats_after_one_panic(body: &[u8]) -> Result<(), String> {
    let stats = parse_json(body)?;
    let endpoints = stats["endpoints"].as_array().ok_or("no endpoints array")?;
    let count = |name: &str| {
        endpoints
            .iter()
            .find(|e| e["name"] == name)
            .and_then(|e| e["requests"].as_u64())
    };
    if count("admin-panic") != Some(1) || count("plaintext").is_none_or(|n| n < 2) {
        return Err(format!("unexpected counters {stats}"));
    }
    if stats["total"].as_u64().is_none_or(|t| t < 10) || !stats["unmatched"].is_u64() {
        return Err(format!("unexpected totals {stats}"));
    }
    Ok(())
}

fn is_css(body: &[u8]) -> Result<(), String> {
    let expected = std::fs::read(shared_handlers::config::default_static_dir().join("style.css"))
        .map_err(|e| e.to_string())?;
    (body == expected.as_slice())
        .then_some(())
        .ok_or_else(|| "not the stylesheet".to_owned())
}

fn is_css_prefix(body: &[u8]) -> Result<(), String> {
    let expected = std::fs::read(shared_handlers::config::default_static_dir().join("style.css"))
        .map_err(|e| e.to_string())?;
    (body == &expected[..1100])
        .then_some(())
        .ok_or_else(|| "not the first 1100 bytes of the stylesheet".to_owned())
}

fn is_png(body: &[u8]) -> Result<(), String> {
    body.starts_with(b"\x89PNG")
        .then_some(())
        .ok_or_else(|| "not a PNG".to_owned())
}

/// Every case, one line each; sent in order, so the counters at the end see
/// everything before them.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    vec![
        // --- request ids: a sane one is echoed, anything else replaced by a fresh UUID
        get("/plaintext").header("x-request-id", "abc-123").expect(200, TEXT, Exact(HELLO)).with("x-request-id", "abc-123"),
        get("/plaintext").header("x-request-id", "trace:1.2_3").expect(200, TEXT, Exact(HELLO)).with("x-request-id", "trace:1.2_3"),
        get("/plaintext").header("x-request-id", "x".repeat(128)).expect(200, TEXT, Exact(HELLO)).with("x-request-id", "x".repeat(128)),
        get("/plaintext").header("x-request-id", "x".repeat(129)).expect(200, TEXT, Exact(HELLO)),
        get("/plaintext").header("x-request-id", "has space").expect(200, TEXT, Exact(HELLO)),
        get("/plaintext").header("x-request-id", "").expect(200, TEXT, Exact(HELLO)),
        get("/plaintext").header("x-request-id", "semi;colon").expect(200, TEXT, Exact(HELLO)),
        get("/plaintext").expect(200, TEXT, Exact(HELLO)),
        not_found("GET", "/nope").header("x-request-id", "lost-1"),
        // --- compression: gzip for bodies of 1 KiB or more when the client asks (on
        // application endpoints; the benchmark endpoints never: compression.rs)
        get("/").header("accept-encoding", "gzip").expect(200, HTML, HOME_PAGE).with("content-encoding", "gzip").with("vary", "accept-encoding").without("content-length"),
        get("/").expect(200, HTML, HOME_PAGE).with("vary", "accept-encoding").without("content-encoding"),
        get("/").header("accept-encoding", "gzip;q=0").expect(200, HTML, HOME_PAGE).with("vary", "accept-encoding").without("content-encoding"),
        get("/").header("accept-encoding", "br").expect(200, HTML, HOME_PAGE).without("content-encoding"),
        get("/").header("accept-encoding", "identity;q=1, gzip;q=0.5").expect(200, HTML, HOME_PAGE).without("content-encoding"),
        get("/").header("accept-encoding", "gzip;q=0.5, identity;q=0.5").expect(200, HTML, HOME_PAGE).with("content-encoding", "gzip"),
        get("/").header("accept-encoding", "deflate, x-gzip").expect(200, HTML, HOME_PAGE).with("content-encoding", "gzip"),
        get("/").header("accept-encoding", "GZIP").expect(200, HTML, HOME_PAGE).with("content-encoding", "gzip"),
        get("/").header("accept-encoding", "gzip;q=2").expect(200, HTML, HOME_PAGE).without("content-encoding"),
        get("/").header("accept-encoding", "*").expect(200, HTML, HOME_PAGE).without("content-encoding"),
        get("/plaintext").header("accept-encoding", "gzip").expect(200, TEXT, Exact(HELLO)).without("content-encoding").without("vary"),
        get("/json").header("accept-encoding", "gzip").expect(200, JSON, Exact(r#"{"message":"Hello, World!"}"#)).without("vary"),
        request("HEAD", "/").header("accept-encoding", "gzip").expect(200, HTML, Empty).with("content-encoding", "gzip"),
        // static files go through the same chain: gzip drops Accept-Ranges,
        // and a byte range (Content-Range) is never compressed
        get("/static/style.css").header("accept-encoding", "gzip").expect(200, "text/css", Check { check: is_css, random: false }).with("content-encoding", "gzip").without("accept-ranges").with("vary", "accept-encoding"),
        get("/static/style.css").expect(200, "text/css", Check { check: is_css, random: false }).with("accept-ranges", "bytes").with("vary", "accept-encoding"),
        get("/static/style.css").header("accept-encoding", "gzip").header("range", "bytes=0-1099").expect(206, "text/css", Check { check: is_css_prefix, random: false }).without("content-encoding").with("content-range", "bytes 0-1099/1283"),
        get("/static/pixel.png").header("accept-encoding", "gzip").expect(200, "image/png", Check { check: is_png, random: false }).without("content-encoding").without("vary"),
        // --- the admin token
        get("/admin/stats").expect(401, PROBLEM, ProblemMentioning("unauthorized", "Authorization: Bearer")).with("www-authenticate", "Bearer"),
        get("/admin/stats").header("authorization", "Bearer wrong").expect(401, PROBLEM, ProblemMentioning("unauthorized", "not valid")).with("www-authenticate", "Bearer"),
        get("/admin/stats").header("authorization", format!("Bearer {DEFAULT_ADMIN_TOKEN}x")).expect(401, PROBLEM, Problem("unauthorized")),
        get("/admin/stats").header("authorization", "Basic Zm9vOmJhcg==").expect(401, PROBLEM, ProblemMentioning("unauthorized", "Bearer scheme")),
        get("/admin/stats").header("authorization", "Bearer").expect(401, PROBLEM, Problem("unauthorized")),
        get("/admin/stats").header("authorization", DEFAULT_ADMIN_TOKEN).expect(401, PROBLEM, Problem("unauthorized")),
        get("/admin/nope").expect(401, PROBLEM, Problem("unauthorized")),
        request("POST", "/admin/stats").expect(401, PROBLEM, Problem("unauthorized")),
        get("/admin/nope").header("authorization", bearer()).expect(404, PROBLEM, Problem("not-found")),
        request("POST", "/admin/stats").header("authorization", bearer()).expect(405, PROBLEM, Problem("method-not-allowed")).with("allow", "GET,HEAD"),
        not_found("GET", "/admin"),
        not_found("GET", "/administrator"),
        // --- a panicking handler is a 500, and the server keeps serving
        get("/admin/panic").header("authorization", bearer()).expect(500, PROBLEM, Problem("internal")),
        get("/plaintext").expect(200, TEXT, Exact(HELLO)),
        // --- the counters saw all of the above, identically on every server
        get("/admin/stats").header("authorization", format!("bearer {DEFAULT_ADMIN_TOKEN}")).expect(200, JSON, Check { check: stats_after_one_panic, random: false }),
    ]
}

/// The home page (its contents are checked in `pages.rs`).
fn is_html_page(body: &[u8]) -> Result<(), String> {
    body.starts_with(b"<!DOCTYPE html>")
        .then_some(())
        .ok_or_else(|| "not an HTML page".to_owned())
}

const HOME_PAGE: conformance::cases::Body = Check {
    check: is_html_page,
    random: false,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_middleware_case_gets_the_same_correct_answer_from_every_server() {
    let count = run_cases(&cases()).await;
    println!("{count} middleware cases passed on every server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_timeout_gets_503_and_a_quicker_one_does_not() {
    let config = AppConfig {
        request_timeout: Duration::from_millis(300),
        ..AppConfig::default()
    };
    #[rustfmt::skip]
    let cases = vec![
        get("/delay?ms=2000").expect(503, PROBLEM, ProblemMentioning("timeout", "timeout of 300 ms")),
        get("/delay?ms=0").expect(200, JSON, Exact(r#"{"delayed_ms":0}"#)),
        get("/plaintext").expect(200, TEXT, Exact(HELLO)),
    ];
    run_cases_with(config, &cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_body_limit_applies_and_is_named_in_the_413() {
    let config = AppConfig {
        body_limit: 64,
        ..AppConfig::default()
    };
    let fits = format!(
        r#"{{"name":"Lim","email":"lim@example.com","pad":"{}"}}"#,
        "x".repeat(10)
    );
    let too_big = format!(
        r#"{{"name":"Lim","email":"lim@example.com","pad":"{}"}}"#,
        "x".repeat(60)
    );
    #[rustfmt::skip]
    let cases = vec![
        request("POST", "/users").json(fits).expect(201, JSON, Check { check: is_json_object, random: false }),
        request("POST", "/users").json(too_big.clone()).expect(413, PROBLEM, ProblemMentioning("payload-too-large", "limit of 64 bytes")),
        // Extractors run in axum's order on both servers: the content type
        // is checked before the body is read, the path before the body.
        request("POST", "/users").header("content-type", "text/plain").body(too_big.clone()).expect(415, PROBLEM, Problem("unsupported-media-type")),
        request("PUT", "/users/abc").json(too_big).expect(400, PROBLEM, Problem("invalid-path-parameter")),
        request("POST", "/contact").form("x".repeat(65)).expect(413, PROBLEM, ProblemMentioning("payload-too-large", "64")),
    ];
    run_cases_with(config, &cases).await;
}

fn is_json_object(body: &[u8]) -> Result<(), String> {
    parse_json(body)?
        .as_object()
        .map(|_| ())
        .ok_or_else(|| "not a JSON object".to_owned())
}

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_rule_of_rfc_9112_is_enforced_identically() {
    let (raw, framework) =
        tokio::try_join!(Target::start(Kind::Raw), Target::start(Kind::Framework))
            .expect("servers start");
    let cases: &[(&str, u16)] = &[
        ("GET /plaintext HTTP/1.1\r\n\r\n", 400),
        ("GET /plaintext HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET /plaintext HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400),
        ("GET /plaintext HTTP/1.1\r\nHost:\r\n\r\n", 200),
        ("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n", 200),
        ("GET /plaintext HTTP/1.0\r\n\r\n", 200),
        ("GET /plaintext HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ];
    for (request, status) in cases {
        let mut answers = Vec::new();
        for target in [&raw, &framework] {
            let (responses, _) = raw_exchange(target.addr, request.as_bytes(), 1, WAIT)
                .await
                .expect("an answer");
            let response = responses
                .first()
                .unwrap_or_else(|| panic!("no answer to {request:?}"));
            assert_eq!(
                response.status,
                *status,
                "{request:?} on {}",
                target.kind.label()
            );
            if *status == 400 {
                let problem = parse_json(&response.body).expect("a problem document");
                assert_eq!(problem["type"], "urn:frameworth:problem:bad-host");
            }
            answers.push((response.status, response.body.clone()));
        }
        assert_eq!(answers[0], answers[1], "{request:?}");
    }
}

/// Found by the differential fuzzer: axum routes before the `Host` check
/// runs, so its `400` for a path that exists with other methods carries
/// that path's `Allow` list; raw-server must send the same headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_host_on_a_path_with_other_methods_names_them_in_allow() {
    let (raw, framework) =
        tokio::try_join!(Target::start(Kind::Raw), Target::start(Kind::Framework))
            .expect("servers start");
    let cases: &[(&str, Option<&str>)] = &[
        ("POST /json HTTP/1.1\r\n\r\n", Some("GET,HEAD")),
        (
            "PROPFIND / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            Some("GET,HEAD"),
        ),
        (
            "PATCH /users/1 HTTP/1.1\r\n\r\n",
            Some("GET,HEAD,PUT,DELETE"),
        ),
        ("GET /json HTTP/1.1\r\n\r\n", None),
        ("POST /nope HTTP/1.1\r\n\r\n", None),
        // The static files are a nested service in axum, not a route.
        ("POST /static HTTP/1.1\r\n\r\n", None),
        ("PUT /static/index.html HTTP/1.1\r\n\r\n", None),
    ];
    for (request, allow) in cases {
        let mut answers = Vec::new();
        for target in [&raw, &framework] {
            let (responses, _) = raw_exchange(target.addr, request.as_bytes(), 1, WAIT)
                .await
                .expect("an answer");
            let response = responses
                .first()
                .unwrap_or_else(|| panic!("no answer to {request:?}"));
            let allowed = response
                .headers
                .iter()
                .find(|(name, _)| name == "allow")
                .map(|(_, value)| value.as_str());
            let label = target.kind.label();
            assert_eq!(response.status, 400, "{request:?} on {label}");
            assert_eq!(allowed, *allow, "{request:?} on {label}");
            let mut headers: Vec<(String, String)> = response
                .headers
                .iter()
                .filter(|(name, _)| name != "date" && name != "x-request-id")
                .cloned()
                .collect();
            headers.sort();
            answers.push((headers, response.body.clone()));
        }
        assert_eq!(answers[0], answers[1], "{request:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_host_keeps_the_connection_usable() {
    let (raw, framework) =
        tokio::try_join!(Target::start(Kind::Raw), Target::start(Kind::Framework))
            .expect("servers start");
    let requests = "GET /plaintext HTTP/1.1\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n";
    for target in [&raw, &framework] {
        let (responses, outcome) = raw_exchange(target.addr, requests.as_bytes(), 2, WAIT)
            .await
            .expect("answers");
        let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [400, 200], "{}", target.kind.label());
        assert_eq!(outcome, ConnectionOutcome::Open);
    }
}
