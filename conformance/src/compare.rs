//! How two answers are compared: the one definition of "the servers agree",
//! shared by the case tables ([`crate::cases`]) and the differential fuzzer
//! ([`crate::fuzz`]).
//!
//! Two answers agree when they have the same status, the same headers
//! (except `Date`, which ticks, and `x-request-id`, which is fresh on each
//! side unless the client sent a sane one) and the same body bytes, after
//! gzip bodies are decoded. For an endpoint whose body is random (`/db`,
//! `/queries`...), the body and so `Content-Length` may differ; each body is
//! then checked for its shape instead.

use std::io::Read;

use serde_json::Value;
use shared_handlers::request_id;

use crate::Observed;

/// A gzip-encoded body, decoded: two gzip encoders may produce different
/// bytes for the same content, so servers are compared on what the client
/// reads after decoding (and on the `Content-Encoding` header itself).
pub fn decode_gzip(mut observed: Observed) -> Result<Observed, String> {
    if observed.header("content-encoding") == Some("gzip") && !observed.body.is_empty() {
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(observed.body.as_slice())
            .read_to_end(&mut decoded)
            .map_err(|e| format!("the gzip body does not decode: {e}"))?;
        observed.body = decoded;
    }
    Ok(observed)
}

/// The headers that never take part in the comparison: `Date` always,
/// `x-request-id` (checked on its own), and `Content-Length` when the body
/// is random.
pub fn skipped_headers(deterministic: bool) -> &'static [&'static str] {
    if deterministic {
        &["date", request_id::HEADER]
    } else {
        &["date", request_id::HEADER, "content-length"]
    }
}

// ANCHOR: disagreements
/// Every way `other` differs from `first`, one line each; empty when they
/// agree. With `deterministic` false, bodies are not compared.
pub fn disagreements(
    (first_label, first): (&str, &Observed),
    (label, other): (&str, &Observed),
    deterministic: bool,
) -> Vec<String> {
    let skip = skipped_headers(deterministic);
    let mut failures = Vec::new();
    if first.status != other.status || first.headers_except(skip) != other.headers_except(skip) {
        failures.push(format!(
            "{first_label} and {label} differ:\n  {:?}\n  {:?}",
            (first.status, first.headers_except(skip)),
            (other.status, other.headers_except(skip)),
        ));
    }
    if deterministic && first.body != other.body {
        failures.push(format!(
            "bodies differ between {first_label} and {label}:\n  {}\n  {}",
            shown(&first.body),
            shown(&other.body),
        ));
    }
    failures
}
// ANCHOR_END: disagreements

/// A body for a failure message: at most 300 characters of it.
pub fn shown(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], body.len()),
        None => format!("{text:?}"),
    }
}

/// `{"id":N,"randomNumber":M}`, both integers in 1..=10000, nothing else.
pub fn check_world(value: &Value) -> Result<(), String> {
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
