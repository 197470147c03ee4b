//! The benchmark endpoints' case table, after the TechEmpower Framework
//! Benchmarks rules (see `shared_handlers::benchmark`): `/plaintext`, `/json`,
//! `/db`, `/queries`, `/updates`, `/cached-queries`, `/fortunes`, with their
//! parameter clamping, `HEAD`, `404` and `405`. Adding a case is one line;
//! the machinery lives in [`crate::cases`].

use crate::cases::{
    Body::*, Case, HTML, JSON, PROBLEM, TEXT, get, not_allowed, not_found, request,
};

/// The `/fortunes` page exactly as the benchmark rules describe it, with the
/// five HTML specials written as askama writes them (decimal references).
const FORTUNES_PAGE: &str = include_str!("../../tests/fixtures/fortunes.html");

/// Every case, one line each.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        // --- happy paths, exact bytes where the rules fix them
        get("/plaintext").expect(200, TEXT, Exact("Hello, World!")).with("content-length", "13"),
        get("/json").expect(200, JSON, Exact(r#"{"message":"Hello, World!"}"#)).with("content-length", "27"),
        get("/db").expect(200, JSON, World),
        get("/queries?queries=20").expect(200, JSON, Worlds(20)),
        get("/updates?queries=20").expect(200, JSON, Worlds(20)),
        get("/cached-queries?count=20").expect(200, JSON, Worlds(20)),
        get("/fortunes").expect(200, HTML, Exact(FORTUNES_PAGE)),
        // --- query parameters are ignored where an endpoint takes none
        get("/plaintext?queries=5").expect(200, TEXT, Exact("Hello, World!")),
        get("/json?x=%ZZ").expect(200, JSON, Exact(r#"{"message":"Hello, World!"}"#)),
        // --- /queries count clamping: missing, non-integer or < 1 → 1; > 500 → 500
        get("/queries?queries=2").expect(200, JSON, Worlds(2)),
        get("/queries").expect(200, JSON, Worlds(1)),
        get("/queries?queries=").expect(200, JSON, Worlds(1)),
        get("/queries?queries").expect(200, JSON, Worlds(1)),
        get("/queries?queries=0").expect(200, JSON, Worlds(1)),
        get("/queries?queries=-1").expect(200, JSON, Worlds(1)),
        get("/queries?queries=foo").expect(200, JSON, Worlds(1)),
        get("/queries?queries=2.5").expect(200, JSON, Worlds(1)),
        get("/queries?queries=1e3").expect(200, JSON, Worlds(1)),
        get("/queries?queries=500").expect(200, JSON, Worlds(500)),
        get("/queries?queries=501").expect(200, JSON, Worlds(500)),
        get("/queries?queries=99999999999").expect(200, JSON, Worlds(500)),
        get("/queries?queries=99999999999999999999999999").expect(200, JSON, Worlds(500)),
        get("/queries?queries=-99999999999999999999999999").expect(200, JSON, Worlds(1)),
        get("/queries?queries=%32%30").expect(200, JSON, Worlds(20)),
        get("/queries?queries=+5").expect(200, JSON, Worlds(1)),
        get("/queries?queries=%ZZ").expect(200, JSON, Worlds(1)),
        get("/queries?queries=%FF%FE").expect(200, JSON, Worlds(1)),
        get("/queries?other=7&queries=3").expect(200, JSON, Worlds(3)),
        get("/queries?queries=3&").expect(200, JSON, Worlds(3)),
        get("/queries?queries=2&queries=3").expect(400, PROBLEM, ProblemMentioning("invalid-query", "duplicate field `queries`")),
        get("/queries?queries=2&queries=2").expect(400, PROBLEM, Problem("invalid-query")),
        // --- /updates: same parsing
        get("/updates?queries=2").expect(200, JSON, Worlds(2)),
        get("/updates").expect(200, JSON, Worlds(1)),
        get("/updates?queries=0").expect(200, JSON, Worlds(1)),
        get("/updates?queries=foo").expect(200, JSON, Worlds(1)),
        get("/updates?queries=501").expect(200, JSON, Worlds(500)),
        get("/updates?queries=1&queries=1").expect(400, PROBLEM, Problem("invalid-query")),
        // --- /cached-queries reads `count`, not `queries`
        get("/cached-queries?count=2").expect(200, JSON, Worlds(2)),
        get("/cached-queries").expect(200, JSON, Worlds(1)),
        get("/cached-queries?count=").expect(200, JSON, Worlds(1)),
        get("/cached-queries?count=-1").expect(200, JSON, Worlds(1)),
        get("/cached-queries?count=foo").expect(200, JSON, Worlds(1)),
        get("/cached-queries?count=2.5").expect(200, JSON, Worlds(1)),
        get("/cached-queries?count=501").expect(200, JSON, Worlds(500)),
        get("/cached-queries?count=99999999999").expect(200, JSON, Worlds(500)),
        get("/cached-queries?queries=5").expect(200, JSON, Worlds(1)),
        get("/cached-queries?count=1&count=2").expect(400, PROBLEM, ProblemMentioning("invalid-query", "duplicate field `count`")),
        // --- HEAD: GET's headers (Content-Length included), no body
        request("HEAD", "/plaintext").expect(200, TEXT, Empty).with("content-length", "13"),
        request("HEAD", "/json").expect(200, JSON, Empty).with("content-length", "27"),
        request("HEAD", "/fortunes").expect(200, HTML, Empty),
        request("HEAD", "/queries?queries=3").expect(200, JSON, EmptyOfRandomLength),
        request("HEAD", "/db").expect(200, JSON, EmptyOfRandomLength),
        not_found("HEAD", "/nope"),
        // --- unknown paths: 404 in the problem format
        not_found("GET", "/nope"),
        not_found("GET", "/plaintext/"),
        not_found("GET", "//plaintext"),
        not_found("GET", "/PLAINTEXT"),
        not_found("GET", "/plain%74ext"),
        not_found("GET", "/plaintext/extra"),
        not_found("GET", "/%FF%FE"),
        not_found("POST", "/nope"),
        // --- known paths, wrong method: 405 with Allow
        not_allowed("POST", "/plaintext", "GET,HEAD"),
        not_allowed("PUT", "/json", "GET,HEAD"),
        not_allowed("DELETE", "/db", "GET,HEAD"),
        not_allowed("PATCH", "/queries?queries=2", "GET,HEAD"),
        not_allowed("POST", "/updates", "GET,HEAD"),
        not_allowed("OPTIONS", "/fortunes", "GET,HEAD"),
        not_allowed("POST", "/cached-queries", "GET,HEAD"),
    ]
}

/// The "Hello, World" pair's share of the table: every case except those
/// of the five database and template endpoints, so `/plaintext`, `/json`,
/// their `HEAD`, `404` and `405` answers. What a guest server in any
/// language can pass with two endpoints.
pub fn hello_cases() -> Vec<Case> {
    const OTHERS: [&str; 5] = [
        "/db",
        "/queries",
        "/updates",
        "/cached-queries",
        "/fortunes",
    ];
    cases()
        .into_iter()
        .filter(|case| {
            let path = case.target.split('?').next().unwrap_or_default();
            !OTHERS.contains(&path)
        })
        .collect()
}
