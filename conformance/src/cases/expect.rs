//! What "right" means for one answer: the checks [`super::run_cases`] runs
//! on every server's response against its case's expectation: status,
//! content type, the headers every answer carries (`Server`, `Date`,
//! `x-request-id`), framing, and the body.

use serde_json::Value;
use shared_handlers::chain::{Chain, Step};
use shared_handlers::request_id;

use super::{Body, Case};
use crate::Observed;
use crate::compare::{check_world, shown};

/// Checks one server's answer against the case's expectation.
pub fn check_expected(case: &Case, observed: &Observed) -> Result<(), String> {
    check_expected_with(case, observed, true)
}

/// [`check_expected`] for servers running `chain` (`--middleware`): an
/// answer carries `x-request-id` exactly when the chain runs that step.
pub fn check_expected_under(chain: Chain, case: &Case, observed: &Observed) -> Result<(), String> {
    let runs = chain.runs(Step::RequestId);
    if !runs && let Some(id) = observed.header(request_id::HEADER) {
        return Err(format!("x-request-id {id:?} without the request-id step"));
    }
    check_expected_with(case, observed, runs)
}

/// Like [`check_expected`]; with `request_id` false, the answer is not asked
/// for an `x-request-id` (for servers that do not implement that header,
/// see `crate::guests`).
pub fn check_expected_with(
    case: &Case,
    observed: &Observed,
    request_id: bool,
) -> Result<(), String> {
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
    if request_id {
        check_request_id(case, observed)?;
    }
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
