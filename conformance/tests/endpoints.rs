//! The conformance table: every case sent to every server, compared, and
//! checked against its expected outcome.
//!
//! Adding a case is one line in [`cases`]. A case names the request and what
//! a correct answer looks like; the harness at the bottom does the rest:
//! servers must agree with each other (status, headers except `Date`, body)
//! and each must match the expectation.

use conformance::{Observed, Target, client, fetch, start_all};
use serde_json::Value;

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";
const PROBLEM: &str = "application/problem+json";

/// The `/fortunes` page exactly as the benchmark rules describe it, with the
/// five HTML specials written as askama writes them (decimal references).
const FORTUNES_PAGE: &str = concat!(
    "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>",
    "<tr><th>id</th><th>message</th></tr>",
    "<tr><td>11</td><td>&#60;script&#62;alert(&#34;This should not be displayed in a browser alert box.&#34;);&#60;/script&#62;</td></tr>",
    "<tr><td>4</td><td>A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1</td></tr>",
    "<tr><td>5</td><td>A computer program does what you tell it to do, not what you want it to do.</td></tr>",
    "<tr><td>2</td><td>A computer scientist is someone who fixes things that aren&#39;t broken.</td></tr>",
    "<tr><td>8</td><td>A list is only as strong as its weakest link. \u{2014} Donald Knuth</td></tr>",
    "<tr><td>0</td><td>Additional fortune added at request time.</td></tr>",
    "<tr><td>3</td><td>After enough decimal places, nobody gives a damn.</td></tr>",
    "<tr><td>7</td><td>Any program that runs right is obsolete.</td></tr>",
    "<tr><td>10</td><td>Computers make very fast, very accurate mistakes.</td></tr>",
    "<tr><td>6</td><td>Emacs is a nice operating system, but I prefer UNIX. \u{2014} Tom Christaensen</td></tr>",
    "<tr><td>9</td><td>Feature: A bug with seniority.</td></tr>",
    "<tr><td>1</td><td>fortune: No such file or directory</td></tr>",
    "<tr><td>12</td><td>フレームワークのベンチマーク</td></tr>",
    "</table></body></html>",
);

/// What a correct body looks like.
#[derive(Debug, Clone)]
enum Body {
    /// Exactly these bytes.
    Exact(&'static str),
    /// One `{"id":N,"randomNumber":M}` object with both in 1..=10000.
    World,
    /// A JSON array of exactly this many `World` objects.
    Worlds(usize),
    /// A problem document with this `type` suffix and a non-empty detail.
    Problem(&'static str),
    /// No body at all (HEAD).
    Empty,
    /// No body, answering HEAD for an endpoint whose GET body is random (so
    /// its `Content-Length` differs between servers).
    EmptyOfRandomLength,
}

impl Body {
    /// Whether two servers' bodies must be byte-identical.
    fn deterministic(&self) -> bool {
        !matches!(self, Body::World | Body::Worlds(_) | Body::EmptyOfRandomLength)
    }
}

/// One row of the table.
#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    target: &'static str,
    status: u16,
    content_type: &'static str,
    body: Body,
    /// Headers the answer must carry with exactly these values.
    headers: Vec<(&'static str, &'static str)>,
}

fn case(
    method: &'static str,
    target: &'static str,
    status: u16,
    content_type: &'static str,
    body: Body,
) -> Case {
    Case {
        method,
        target,
        status,
        content_type,
        body,
        headers: Vec::new(),
    }
}

fn get(target: &'static str, status: u16, content_type: &'static str, body: Body) -> Case {
    case("GET", target, status, content_type, body)
}

fn with_header(mut case: Case, name: &'static str, value: &'static str) -> Case {
    case.headers.push((name, value));
    case
}

fn not_found(method: &'static str, target: &'static str) -> Case {
    let body = if method == "HEAD" {
        Body::Empty
    } else {
        Body::Problem("not-found")
    };
    case(method, target, 404, PROBLEM, body)
}

fn not_allowed(method: &'static str, target: &'static str) -> Case {
    with_header(
        case(
            method,
            target,
            405,
            PROBLEM,
            Body::Problem("method-not-allowed"),
        ),
        "allow",
        "GET,HEAD",
    )
}

/// Every case, one line each.
fn cases() -> Vec<Case> {
    use Body::*;
    vec![
        // --- happy paths, exact bytes where the rules fix them
        with_header(
            get("/plaintext", 200, TEXT, Exact("Hello, World!")),
            "content-length",
            "13",
        ),
        with_header(
            get("/json", 200, JSON, Exact(r#"{"message":"Hello, World!"}"#)),
            "content-length",
            "27",
        ),
        get("/db", 200, JSON, World),
        get("/queries?queries=20", 200, JSON, Worlds(20)),
        get("/updates?queries=20", 200, JSON, Worlds(20)),
        get("/cached-queries?count=20", 200, JSON, Worlds(20)),
        get("/fortunes", 200, HTML, Exact(FORTUNES_PAGE)),
        // --- query parameters are ignored where an endpoint takes none
        get("/plaintext?queries=5", 200, TEXT, Exact("Hello, World!")),
        get(
            "/json?x=%ZZ",
            200,
            JSON,
            Exact(r#"{"message":"Hello, World!"}"#),
        ),
        // --- /queries count clamping: missing, non-integer or < 1 → 1; > 500 → 500
        get("/queries?queries=2", 200, JSON, Worlds(2)),
        get("/queries", 200, JSON, Worlds(1)),
        get("/queries?queries=", 200, JSON, Worlds(1)),
        get("/queries?queries", 200, JSON, Worlds(1)),
        get("/queries?queries=0", 200, JSON, Worlds(1)),
        get("/queries?queries=-1", 200, JSON, Worlds(1)),
        get("/queries?queries=foo", 200, JSON, Worlds(1)),
        get("/queries?queries=2.5", 200, JSON, Worlds(1)),
        get("/queries?queries=1e3", 200, JSON, Worlds(1)),
        get("/queries?queries=500", 200, JSON, Worlds(500)),
        get("/queries?queries=501", 200, JSON, Worlds(500)),
        get("/queries?queries=99999999999", 200, JSON, Worlds(500)),
        get(
            "/queries?queries=99999999999999999999999999",
            200,
            JSON,
            Worlds(500),
        ),
        get(
            "/queries?queries=-99999999999999999999999999",
            200,
            JSON,
            Worlds(1),
        ),
        get("/queries?queries=%32%30", 200, JSON, Worlds(20)),
        get("/queries?queries=+5", 200, JSON, Worlds(1)),
        get("/queries?queries=%ZZ", 200, JSON, Worlds(1)),
        get("/queries?queries=%FF%FE", 200, JSON, Worlds(1)),
        get("/queries?other=7&queries=3", 200, JSON, Worlds(3)),
        get("/queries?queries=3&", 200, JSON, Worlds(3)),
        get(
            "/queries?queries=2&queries=3",
            400,
            PROBLEM,
            Problem("invalid-query"),
        ),
        get(
            "/queries?queries=2&queries=2",
            400,
            PROBLEM,
            Problem("invalid-query"),
        ),
        // --- /updates: same parsing
        get("/updates?queries=2", 200, JSON, Worlds(2)),
        get("/updates", 200, JSON, Worlds(1)),
        get("/updates?queries=0", 200, JSON, Worlds(1)),
        get("/updates?queries=foo", 200, JSON, Worlds(1)),
        get("/updates?queries=501", 200, JSON, Worlds(500)),
        get(
            "/updates?queries=1&queries=1",
            400,
            PROBLEM,
            Problem("invalid-query"),
        ),
        // --- /cached-queries reads `count`, not `queries`
        get("/cached-queries?count=2", 200, JSON, Worlds(2)),
        get("/cached-queries", 200, JSON, Worlds(1)),
        get("/cached-queries?count=", 200, JSON, Worlds(1)),
        get("/cached-queries?count=-1", 200, JSON, Worlds(1)),
        get("/cached-queries?count=foo", 200, JSON, Worlds(1)),
        get("/cached-queries?count=2.5", 200, JSON, Worlds(1)),
        get("/cached-queries?count=501", 200, JSON, Worlds(500)),
        get("/cached-queries?count=99999999999", 200, JSON, Worlds(500)),
        get("/cached-queries?queries=5", 200, JSON, Worlds(1)),
        get(
            "/cached-queries?count=1&count=2",
            400,
            PROBLEM,
            Problem("invalid-query"),
        ),
        // --- HEAD: GET's headers (Content-Length included), no body
        with_header(
            case("HEAD", "/plaintext", 200, TEXT, Empty),
            "content-length",
            "13",
        ),
        with_header(
            case("HEAD", "/json", 200, JSON, Empty),
            "content-length",
            "27",
        ),
        case("HEAD", "/fortunes", 200, HTML, Empty),
        case("HEAD", "/queries?queries=3", 200, JSON, EmptyOfRandomLength),
        case("HEAD", "/db", 200, JSON, EmptyOfRandomLength),
        not_found("HEAD", "/nope"),
        // --- unknown paths: 404 in the problem format
        not_found("GET", "/nope"),
        not_found("GET", "/"),
        not_found("GET", "/plaintext/"),
        not_found("GET", "//plaintext"),
        not_found("GET", "/PLAINTEXT"),
        not_found("GET", "/plain%74ext"),
        not_found("GET", "/plaintext/extra"),
        not_found("GET", "/%FF%FE"),
        not_found("POST", "/nope"),
        // --- known paths, wrong method: 405 with Allow
        not_allowed("POST", "/plaintext"),
        not_allowed("PUT", "/json"),
        not_allowed("DELETE", "/db"),
        not_allowed("PATCH", "/queries?queries=2"),
        not_allowed("POST", "/updates"),
        not_allowed("OPTIONS", "/fortunes"),
        not_allowed("POST", "/cached-queries"),
    ]
}

/// Checks one server's answer against the case's expectation.
fn check_expected(case: &Case, server: &str, observed: &Observed) -> Result<(), String> {
    let context = format!("{} {} on {server}", case.method, case.target);
    if observed.status != case.status {
        return Err(format!(
            "{context}: status {} instead of {}",
            observed.status, case.status
        ));
    }
    if observed.header("content-type") != Some(case.content_type) {
        return Err(format!(
            "{context}: content-type {:?} instead of {:?}",
            observed.header("content-type"),
            case.content_type
        ));
    }
    if observed.header("server") != Some("frameworth") {
        return Err(format!("{context}: missing `server: frameworth`"));
    }
    let date = observed
        .header("date")
        .ok_or_else(|| format!("{context}: no Date header"))?;
    check_date(date).map_err(|e| format!("{context}: {e}"))?;
    if observed.header_all("content-type").len() != 1 {
        return Err(format!("{context}: more than one content-type"));
    }
    for (name, value) in &case.headers {
        if observed.header(name) != Some(value) {
            return Err(format!(
                "{context}: header {name} is {:?}, expected {value:?}",
                observed.header(name)
            ));
        }
    }
    if case.method != "HEAD" {
        let length = observed
            .header("content-length")
            .and_then(|v| v.parse::<usize>().ok());
        if length != Some(observed.body.len()) {
            return Err(format!(
                "{context}: content-length {length:?} but body has {} bytes",
                observed.body.len()
            ));
        }
    }
    check_body(&case.body, &observed.body).map_err(|e| format!("{context}: {e}"))
}

fn check_body(expected: &Body, body: &[u8]) -> Result<(), String> {
    match expected {
        Body::Exact(text) => {
            if body != text.as_bytes() {
                return Err(format!(
                    "body {:?} instead of {text:?}",
                    String::from_utf8_lossy(body)
                ));
            }
        }
        Body::Empty | Body::EmptyOfRandomLength => {
            if !body.is_empty() {
                return Err(format!("expected no body, got {} bytes", body.len()));
            }
        }
        Body::World => check_world(&parse_json(body)?)?,
        Body::Worlds(count) => {
            let value = parse_json(body)?;
            let rows = value.as_array().ok_or("expected a JSON array")?;
            if rows.len() != *count {
                return Err(format!("{} rows instead of {count}", rows.len()));
            }
            rows.iter().try_for_each(check_world)?;
        }
        Body::Problem(kind) => {
            let value = parse_json(body)?;
            let expected_type = format!("urn:frameworth:problem:{kind}");
            if value["type"] != expected_type.as_str() {
                return Err(format!(
                    "problem type {} instead of {expected_type}",
                    value["type"]
                ));
            }
            let has_text = |field: &str| value[field].as_str().is_some_and(|s| !s.is_empty());
            if !has_text("title") || !has_text("detail") || !value["status"].is_u64() {
                return Err(format!("incomplete problem document {value}"));
            }
        }
    }
    Ok(())
}

fn parse_json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body)
        .map_err(|e| format!("invalid JSON ({e}): {:?}", String::from_utf8_lossy(body)))
}

/// `{"id":N,"randomNumber":M}`, both integers in 1..=10000, nothing else.
fn check_world(value: &Value) -> Result<(), String> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("{value} is not an object"))?;
    let in_range = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_i64)
            .is_some_and(|n| (1..=10_000).contains(&n))
    };
    if object.len() != 2 || !in_range("id") || !in_range("randomNumber") {
        return Err(format!("{value} is not a World row"));
    }
    Ok(())
}

/// An IMF-fixdate (`Wed, 25 Nov 2026 15:35:25 GMT`) within a minute of now.
fn check_date(date: &str) -> Result<(), String> {
    let parsed = httpdate::parse_http_date(date)
        .map_err(|e| format!("Date {date:?} is not an HTTP date: {e}"))?;
    let now = std::time::SystemTime::now();
    let skew = now.duration_since(parsed).unwrap_or_else(|e| e.duration());
    if skew > std::time::Duration::from_secs(60) {
        return Err(format!("Date {date:?} is {skew:?} away from now"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_gets_the_same_correct_answer_from_every_server() {
    let targets: Vec<Target> = start_all().await.expect("servers start");
    let client = client();
    let cases = cases();
    let mut failures = Vec::new();

    for case in &cases {
        let mut answers = Vec::new();
        for target in &targets {
            let observed = fetch(&client, case.method, &target.url(case.target), &[], None)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "{} {} on {}: {e}",
                        case.method,
                        case.target,
                        target.kind.label()
                    )
                });
            if let Err(failure) = check_expected(case, target.kind.label(), &observed) {
                failures.push(failure);
            }
            answers.push((target.kind.label(), observed));
        }
        // Servers must agree. Random rows differ in value, and so in length.
        let skip: &[&str] = if case.body.deterministic() {
            &["date"]
        } else {
            &["date", "content-length"]
        };
        let (first_label, first) = &answers[0];
        for (label, other) in &answers[1..] {
            if first.status != other.status
                || first.headers_except(skip) != other.headers_except(skip)
            {
                failures.push(format!(
                    "{} {}: {first_label} and {label} differ:\n  {:?}\n  {:?}",
                    case.method,
                    case.target,
                    (first.status, first.headers_except(skip)),
                    (other.status, other.headers_except(skip)),
                ));
            }
            if case.body.deterministic() && first.body != other.body {
                failures.push(format!(
                    "{} {}: bodies differ between {first_label} and {label}:\n  {:?}\n  {:?}",
                    case.method,
                    case.target,
                    String::from_utf8_lossy(&first.body),
                    String::from_utf8_lossy(&other.body),
                ));
            }
        }
    }

    println!("{} cases x {} servers", cases.len(), targets.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
}
