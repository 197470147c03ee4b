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
//!    wrong in the same way" fails too, and is one the OpenAPI document
//!    declares (see [`crate::contract`]).
//!
//! This module holds the table's vocabulary and the runner; `expect` holds
//! what "right" means for one answer.

use serde_json::Value;
use shared_handlers::AppConfig;
use shared_handlers::chain::Chain;

mod expect;

pub use expect::{check_expected, check_expected_under, check_expected_with, parse_json};

use crate::compare::{decode_gzip, disagreements};
use crate::contract::check_against_document;
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

    /// `METHOD target`, for failure messages.
    pub fn label(&self) -> String {
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
    let chain = config.middleware;
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
            if let Err(failure) = check_expected_under(chain, case, &observed) {
                failures.push(format!(
                    "{} on {}: {failure}",
                    case.label(),
                    target.kind.label()
                ));
            }
            // The document describes the servers as shipped: a chain
            // shortened by `--middleware` leaves out headers it promises.
            if chain == Chain::FULL
                && let Err(failure) = check_against_document(case.method, case.target, &observed)
            {
                failures.push(format!(
                    "{} on {}: against the OpenAPI document: {failure}",
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
pub(crate) async fn fetch_raw(
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
