//! Every answer the suite sees, held against the OpenAPI document: the
//! status must be one the document declares for the operation, the media
//! type one it declares for that status, an error's problem type one of
//! those listed there, and the headers it marks required must be present.
//!
//! [`crate::cases::run_cases`] calls [`check_against_document`] on every
//! answer of every case, so every table in the suite doubles as a test of
//! the document. Requests that reach no operation (an unknown path, a
//! method a path lacks, or no valid `Host`, which fails before routing) are
//! not the document's business and pass unchecked.
//!
//! Simplification on purpose: bodies are checked for their problem type and
//! status only, not against the full JSON Schemas; the property-based tester
//! in `.ci/contract` (Schemathesis) validates every body against them.

use std::sync::OnceLock;

use http::Method;
use raw_server::router::{self, Routed};
use serde_json::Value;
use shared_handlers::openapi;

use crate::Observed;

/// The document, built once per test process.
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(openapi::document)
}

/// Checks one answer to `method target` against the document.
pub fn check_against_document(
    method: &str,
    target: &str,
    observed: &Observed,
) -> Result<(), String> {
    let Ok(parsed) = Method::from_bytes(method.as_bytes()) else {
        return Ok(());
    };
    let path = target.split('?').next().unwrap_or(target);
    let Routed::Found(endpoint, _) = router::route(&parsed, path) else {
        return Ok(());
    };
    let operation_path = endpoint.path.replace("{*", "{");
    let verb = endpoint.method.as_str().to_ascii_lowercase();
    let operation = &document()["paths"][&operation_path][&verb];
    let status = observed.status.to_string();
    let Some(response) = operation["responses"].get(&status) else {
        let declared: Vec<&String> = operation["responses"]
            .as_object()
            .map(|r| r.keys().collect())
            .unwrap_or_default();
        return Err(format!(
            "the document declares {declared:?} for {} {operation_path}, not {status}",
            endpoint.method.as_str()
        ));
    };
    check_headers(response, observed)?;
    check_content(response, method, observed)
}

fn check_headers(response: &Value, observed: &Observed) -> Result<(), String> {
    let Some(headers) = response["headers"].as_object() else {
        return Ok(());
    };
    for (name, header) in headers {
        let lowercase = name.to_ascii_lowercase();
        let present = observed.header(&lowercase);
        if header["required"] == true && present.is_none() {
            return Err(format!("the document requires a {name} header"));
        }
        if let (Some(value), Some(expected)) = (present, header["schema"]["const"].as_str())
            && value != expected
        {
            return Err(format!(
                "{name} is {value:?}; the document says {expected:?}"
            ));
        }
    }
    Ok(())
}

fn check_content(response: &Value, method: &str, observed: &Observed) -> Result<(), String> {
    let content_type = observed.header("content-type");
    let Some(content) = response["content"].as_object() else {
        return match content_type {
            None => Ok(()),
            Some(found) => Err(format!("the document declares no body, got {found}")),
        };
    };
    let Some(found) = content_type else {
        return Err("no content type; the document declares a body".into());
    };
    let media = found.split(';').next().unwrap_or(found).trim();
    let Some(declared) = content.get(media).or_else(|| content.get("*/*")) else {
        let keys: Vec<&String> = content.keys().collect();
        return Err(format!(
            "content type {media}; the document declares {keys:?}"
        ));
    };
    if media != "application/problem+json" || method == "HEAD" || observed.body.is_empty() {
        return Ok(());
    }
    let problem: Value = serde_json::from_slice(&observed.body)
        .map_err(|e| format!("the problem document is not JSON: {e}"))?;
    let constraints = &declared["schema"]["allOf"][1]["properties"];
    let kinds = constraints["type"]["enum"].as_array();
    if let Some(kinds) = kinds
        && !kinds.contains(&problem["type"])
    {
        return Err(format!(
            "problem type {} is not among those the document lists: {kinds:?}",
            problem["type"]
        ));
    }
    if constraints["status"]["const"] != problem["status"] {
        return Err(format!(
            "the problem's status {} is not the document's {}",
            problem["status"], constraints["status"]["const"]
        ));
    }
    Ok(())
}
