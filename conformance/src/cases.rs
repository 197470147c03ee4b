//! The case-table machinery every conformance test file shares.
//!
//! A [`Case`] is one request plus what a correct answer looks like. A test
//! file builds a table of them (one line each) and hands it to [`run_cases`],
//! which sends every case to every target and checks two things:
//!
//! 1. **agreement** — all servers answer with the same status, the same
//!    headers (except `Date`, and `Content-Length` where the body is random)
//!    and the same body bytes (for deterministic bodies);
//! 2. **correctness** — each answer matches the case's expectation, so "both
//!    wrong in the same way" fails too.

use serde_json::Value;
use shared_handlers::{AppConfig, request_id};

use crate::compare::{check_world, decode_gzip, disagreements, shown};
use crate::{Observed, Target, client, fetch, raw_exchange, start_all_with};

pub const TEXT: &str = "text/plain; charset=utf-8";
pub const JSON: &str = "application/json";
pub const HTML: &str = "text/html; charset=utf-8";
pub const PROBLEM: &str = "application/problem+json";
pub const FORM: &str = "application/x-www-form-urlencoded";

/// What a correct body looks like.
#[derive(Debug, Clone)]
pub enum Body {
    /// Exactly these bytes.
    Exact(&'static str),
    /// Exactly these bytes (for non-UTF-8 or computed bodies).
    Bytes(Vec<u8>),
    /// One `{"id":N,"randomNumber":M}` object with both in 1..=10000.
    World,
    /// A JSON array of exactly this many `World` objects.
    Worlds(usize),
    /// A problem document with `type` `urn:frameworth:problem:<this>`, the
    /// status repeated in the body, and a non-empty title and detail.
    Problem(&'static str),
    /// A problem document whose `detail` also contains this text.
    ProblemMentioning(&'static str, &'static str),
    /// A problem document whose `errors` member names exactly these fields,
    /// in this order, each with a non-empty message (the `422` answers).
    ProblemFields(&'static str, &'static [&'static str]),
    /// No body at all (HEAD, 204, 304).
    Empty,
    /// No body, answering HEAD for an endpoint whose GET body is random (so
    /// its `Content-Length` differs between servers).
    EmptyOfRandomLength,
    /// A JSON body equal to this value (key order ignored).
    JsonEq(Value),
    /// A body checked by a function; `random` says whether servers may differ.
    Check {
        check: fn(&[u8]) -> Result<(), String>,
        random: bool,
    },
}

impl Body {
    /// Whether servers' bodies (and so their `Content-Length`) must be equal.
    pub fn deterministic(&self) -> bool {
        match self {
            Body::World | Body::Worlds(_) | Body::EmptyOfRandomLength => false,
            Body::Check { random, .. } => !random,
            _ => true,
        }
    }
}

/// One row of a table: a request and the answer it must get.
#[derive(Debug, Clone)]
pub struct Case {
    pub method: &'static str,
    pub target: &'static str,
    pub request_headers: Vec<(&'static str, String)>,
    pub request_body: Option<Vec<u8>>,
    pub status: u16,
    /// Expected `Content-Type`; `None` means the response must have none.
    pub content_type: Option<&'static str>,
    pub body: Body,
    /// Headers the answer must carry with exactly these values.
    pub headers: Vec<(&'static str, String)>,
    /// Headers the answer must not carry.
    pub absent: Vec<&'static str>,
    /// Send the request over a raw socket, byte for byte, instead of with
    /// reqwest (see [`Case::raw_socket`]).
    pub raw_socket: bool,
}

/// Starts a case with any method. Finish it with [`Case::expect`].
pub fn request(method: &'static str, target: &'static str) -> Case {
    Case {
        method,
        target,
        request_headers: Vec::new(),
        request_body: None,
        status: 0,
        content_type: None,
        body: Body::Empty,
        headers: Vec::new(),
        absent: Vec::new(),
        raw_socket: false,
    }
}

/// Starts a `GET` case.
pub fn get(target: &'static str) -> Case {
    request("GET", target)
}

impl Case {
    /// Adds a request header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Case {
        self.request_headers.push((name, value.into()));
        self
    }

    /// Sets the request body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Case {
        self.request_body = Some(body.into());
        self
    }

    /// Sets a JSON request body with `Content-Type: application/json`.
    pub fn json(self, body: impl Into<Vec<u8>>) -> Case {
        self.header("content-type", JSON).body(body)
    }

    /// Sets an urlencoded form body with its `Content-Type`.
    pub fn form(self, body: impl Into<Vec<u8>>) -> Case {
        self.header("content-type", FORM).body(body)
    }

    /// The expected status, content type and body.
    pub fn expect(mut self, status: u16, content_type: &'static str, body: Body) -> Case {
        self.status = status;
        self.content_type = Some(content_type);
        self.body = body;
        self
    }

    /// The expected status for an answer with no body and no content type.
    pub fn expect_empty(mut self, status: u16) -> Case {
        self.status = status;
        self.content_type = None;
        self.body = Body::Empty;
        self
    }

    /// A header the answer must carry with exactly this value.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Case {
        self.headers.push((name, value.into()));
        self
    }

    /// A header the answer must not carry.
    pub fn without(mut self, name: &'static str) -> Case {
        self.absent.push(name);
        self
    }

    /// Sends the request target exactly as written, over a raw socket.
    ///
    /// reqwest parses targets as WHATWG URLs, which resolves `..` and `%2e%2e`
    /// segments and turns `\` into `/` before anything is sent, so a
    /// traversal attempt would never reach the server. Not for `HEAD`: the
    /// raw reader frames a body by `Content-Length`, which a `HEAD` answer
    /// announces without sending.
    pub fn raw_socket(mut self) -> Case {
        assert_ne!(self.method, "HEAD", "raw-socket cases cannot be HEAD");
        self.raw_socket = true;
        self
    }

    fn label(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

/// `404` in the problem format (no body for `HEAD`).
pub fn not_found(method: &'static str, target: &'static str) -> Case {
    if method == "HEAD" {
        request(method, target).expect(404, PROBLEM, Body::Empty)
    } else {
        request(method, target).expect(404, PROBLEM, Body::Problem("not-found"))
    }
}

/// `405` in the problem format with this `Allow` list.
pub fn not_allowed(method: &'static str, target: &'static str, allow: &'static str) -> Case {
    request(method, target)
        .expect(405, PROBLEM, Body::Problem("method-not-allowed"))
        .with("allow", allow)
}

/// Sends every case to every target (see [`crate::start_all`]) and panics with
/// the list of every disagreement and every wrong answer. Returns the number
/// of cases run.
pub async fn run_cases(cases: &[Case]) -> usize {
    run_cases_with(AppConfig::default(), cases).await
}

/// Like [`run_cases`], on servers started with these settings.
pub async fn run_cases_with(config: AppConfig, cases: &[Case]) -> usize {
    let targets: Vec<Target> = start_all_with(config).await.expect("servers start");
    let client = client();
    let mut failures = Vec::new();

    for case in cases {
        let mut answers = Vec::new();
        for target in &targets {
            let headers: Vec<(&str, &str)> = case
                .request_headers
                .iter()
                .map(|(n, v)| (*n, v.as_str()))
                .collect();
            let observed = if case.raw_socket {
                fetch_raw(target.addr, case, &headers).await
            } else {
                fetch(
                    &client,
                    case.method,
                    &target.url(case.target),
                    &headers,
                    case.request_body.as_deref(),
                )
                .await
            }
            .unwrap_or_else(|e| panic!("{} on {}: {e}", case.label(), target.kind.label()));
            let observed = match decode_gzip(observed) {
                Ok(observed) => observed,
                Err(failure) => {
                    failures.push(format!(
                        "{} on {}: {failure}",
                        case.label(),
                        target.kind.label()
                    ));
                    continue;
                }
            };
            if let Err(failure) = check_expected(case, &observed) {
                failures.push(format!(
                    "{} on {}: {failure}",
                    case.label(),
                    target.kind.label()
                ));
            }
            answers.push((target.kind.label(), observed));
        }
        failures.extend(check_agreement(case, &answers));
    }

    let targets_count = targets.len();
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!(
        "conformance: {} cases agreed and were right on {} servers",
        cases.len(),
        targets_count
    );
    cases.len()
}

/// Sends `case` as raw bytes (one request, then `Connection: close`) and
/// reduces the answer to an [`Observed`], like [`fetch`] does.
async fn fetch_raw(
    addr: std::net::SocketAddr,
    case: &Case,
    headers: &[(&str, &str)],
) -> anyhow::Result<Observed> {
    let mut request = format!(
        "{} {} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n",
        case.method, case.target
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = case.request_body.as_deref().unwrap_or_default();
    if case.request_body.is_some() {
        request.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    let (mut responses, _) =
        raw_exchange(addr, &bytes, 1, std::time::Duration::from_secs(10)).await?;
    let response = responses
        .pop()
        .ok_or_else(|| anyhow::anyhow!("the server closed the connection without answering"))?;
    let mut headers = response.headers;
    headers.sort();
    Ok(Observed {
        status: response.status,
        headers,
        body: response.body,
    })
}

/// All servers must answer alike (see [`crate::compare`]).
fn check_agreement(case: &Case, answers: &[(&str, Observed)]) -> Vec<String> {
    let Some(((first_label, first), others)) = answers.split_first() else {
        return Vec::new();
    };
    others
        .iter()
        .flat_map(|(label, other)| {
            disagreements(
                (first_label, first),
                (label, other),
                case.body.deterministic(),
            )
        })
        .map(|failure| format!("{}: {failure}", case.label()))
        .collect()
}

/// Checks one server's answer against the case's expectation.
pub fn check_expected(case: &Case, observed: &Observed) -> Result<(), String> {
    if observed.status != case.status {
        return Err(format!(
            "status {} instead of {} (body {})",
            observed.status,
            case.status,
            shown(&observed.body)
        ));
    }
    if observed.header("content-type") != case.content_type {
        return Err(format!(
            "content-type {:?} instead of {:?}",
            observed.header("content-type"),
            case.content_type
        ));
    }
    if observed.header_all("content-type").len() > 1 {
        return Err("more than one content-type".into());
    }
    if observed.header("server") != Some("frameworth") {
        return Err("missing `server: frameworth`".into());
    }
    let date = observed.header("date").ok_or("no Date header")?;
    check_date(date)?;
    check_request_id(case, observed)?;
    for (name, value) in &case.headers {
        if observed.header(name) != Some(value.as_str()) {
            return Err(format!(
                "header {name} is {:?}, expected {value:?}",
                observed.header(name)
            ));
        }
    }
    for name in &case.absent {
        if let Some(value) = observed.header(name) {
            return Err(format!("header {name} should be absent, is {value:?}"));
        }
    }
    let gzip = observed.header("content-encoding") == Some("gzip");
    if case.method != "HEAD" && observed.header("transfer-encoding").is_none() && !gzip {
        let length = observed
            .header("content-length")
            .and_then(|v| v.parse::<usize>().ok());
        let no_length_allowed = observed.body.is_empty() && matches!(observed.status, 204 | 304);
        if length != Some(observed.body.len()) && !no_length_allowed {
            return Err(format!(
                "content-length {length:?} but the body has {} bytes",
                observed.body.len()
            ));
        }
    }
    check_body(&case.body, case.status, &observed.body)
}

/// Every answer carries `x-request-id`: the one the case sent when it is
/// sane, a fresh UUID otherwise.
fn check_request_id(case: &Case, observed: &Observed) -> Result<(), String> {
    let answered = observed
        .header(request_id::HEADER)
        .ok_or("no x-request-id on the answer")?;
    let sent = case
        .request_headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(request_id::HEADER))
        .map(|(_, value)| value.as_str());
    match sent {
        Some(sent) if request_id::is_sane(sent.as_bytes()) => {
            if answered != sent {
                return Err(format!(
                    "x-request-id {answered:?} does not echo the sane {sent:?}"
                ));
            }
        }
        _ => {
            if uuid::Uuid::parse_str(answered).map(|id| id.get_version_num()) != Ok(4) {
                return Err(format!("x-request-id {answered:?} is not a fresh UUID v4"));
            }
        }
    }
    Ok(())
}

fn check_body(expected: &Body, status: u16, body: &[u8]) -> Result<(), String> {
    match expected {
        Body::Exact(text) => {
            if body != text.as_bytes() {
                return Err(format!(
                    "body {} instead of {}",
                    shown(body),
                    shown(text.as_bytes())
                ));
            }
        }
        Body::Bytes(bytes) => {
            if body != bytes.as_slice() {
                return Err(format!(
                    "body of {} bytes differs from the expected {} bytes",
                    body.len(),
                    bytes.len()
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
        Body::Problem(kind) => check_problem(body, kind, status, None)?,
        Body::ProblemMentioning(kind, text) => check_problem(body, kind, status, Some(text))?,
        Body::ProblemFields(kind, fields) => {
            check_problem(body, kind, status, None)?;
            check_field_errors(&parse_json(body)?, fields)?;
        }
        Body::JsonEq(expected) => {
            let value = parse_json(body)?;
            if &value != expected {
                return Err(format!("JSON {value} instead of {expected}"));
            }
        }
        Body::Check { check, .. } => check(body)?,
    }
    Ok(())
}

fn check_problem(
    body: &[u8],
    kind: &str,
    status: u16,
    mentioning: Option<&str>,
) -> Result<(), String> {
    let value = parse_json(body)?;
    let expected_type = format!("urn:frameworth:problem:{kind}");
    if value["type"] != expected_type.as_str() {
        return Err(format!(
            "problem type {} instead of {expected_type}",
            value["type"]
        ));
    }
    if value["status"] != status {
        return Err(format!(
            "problem status {} instead of {status}",
            value["status"]
        ));
    }
    let text = |field: &str| value[field].as_str().unwrap_or_default().to_owned();
    if text("title").is_empty() || text("detail").is_empty() {
        return Err(format!("incomplete problem document {value}"));
    }
    if let Some(needle) = mentioning
        && !text("detail").contains(needle)
    {
        return Err(format!(
            "problem detail {:?} does not mention {needle:?}",
            text("detail")
        ));
    }
    Ok(())
}

/// The `errors` member lists exactly `fields`, each with a message.
fn check_field_errors(problem: &Value, fields: &[&str]) -> Result<(), String> {
    let errors = problem["errors"]
        .as_array()
        .ok_or_else(|| format!("no `errors` list in {problem}"))?;
    let named: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default())
        .collect();
    if named != fields {
        return Err(format!(
            "errors name {named:?} instead of {fields:?}: {problem}"
        ));
    }
    if errors
        .iter()
        .any(|e| e["message"].as_str().is_none_or(str::is_empty))
    {
        return Err(format!("a field error without a message: {problem}"));
    }
    Ok(())
}

/// Parses a body as JSON, or explains why it is not.
pub fn parse_json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON ({e}): {}", shown(body)))
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
