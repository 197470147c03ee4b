//! The JSON Schemas of the bodies the endpoints read and write, stated with
//! the constants the parsers enforce.
//!
//! The request schemas are exact, not merely plausible: a property-based
//! tester generates bodies from them and expects every valid one accepted
//! and every invalid one refused. The parsers trim names, emails and
//! messages before checking them, so the patterns allow the whitespace Rust's
//! `str::trim` removes around the value, and state the rules for what is left.

use serde_json::{Value, json};

use crate::contact::MESSAGE_MAX_CHARS;
use crate::contract::Shape;
use crate::db::WORLD_ROWS;
use crate::delay::MAX_DELAY_MS;
use crate::model::user::{EMAIL_LOCAL_MAX_BYTES, EMAIL_MAX_BYTES, MAX_LIMIT, NAME_MAX_CHARS};
use crate::params::MAX_QUERIES;

/// What `str::trim` removes: Unicode's `White_Space`, as a regex class body.
const WHITESPACE: &str =
    r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// The ASCII part of [`WHITESPACE`].
const ASCII_WHITESPACE: &str = r"\t\n\x0B\x0C\r ";
/// What `char::is_control` refuses: the C0 and C1 control characters.
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";

/// A trimmed name: 1..=64 characters, none of them control characters, with
/// any whitespace around it.
fn name_pattern() -> String {
    let inner = NAME_MAX_CHARS - 2;
    format!(
        "^[{WHITESPACE}]*[^{WHITESPACE}{CONTROL}](?:[^{CONTROL}]{{0,{inner}}}[^{WHITESPACE}{CONTROL}])?[{WHITESPACE}]*$"
    )
}

/// A trimmed email: printable ASCII without spaces, one `@`, a local part
/// of 1..=64 characters, and a domain of dot-separated non-empty labels,
/// with ASCII whitespace around it (the parser limits the value as sent to
/// ASCII and 254 bytes, so `maxLength` counts the same).
fn email_pattern() -> String {
    // `[!-?A-~]` is printable ASCII without `@`; the labels also lack `.`.
    format!(
        "^[{ASCII_WHITESPACE}]*[!-?A-~]{{1,{EMAIL_LOCAL_MAX_BYTES}}}@[!-\\-/-?A-~]+(?:\\.[!-\\-/-?A-~]+)+[{ASCII_WHITESPACE}]*$"
    )
}

/// A trimmed message: 1..=2000 characters, any of them, with any
/// whitespace around it.
fn message_pattern() -> String {
    let inner = MESSAGE_MAX_CHARS - 2;
    format!(
        "^[{WHITESPACE}]*[^{WHITESPACE}](?:[\\s\\S]{{0,{inner}}}[^{WHITESPACE}])?[{WHITESPACE}]*$"
    )
}

/// The shared component schemas.
pub(super) fn components() -> Value {
    json!({
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details, the body of every error response.",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": { "type": "string", "pattern": "^urn:frameworth:problem:[a-z-]+$" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": {
                            "field": { "type": "string" },
                            "message": { "type": "string" },
                        },
                    },
                },
            },
        },
        "World": {
            "type": "object",
            "required": ["id", "randomNumber"],
            "properties": {
                "id": { "type": "integer", "minimum": 1, "maximum": WORLD_ROWS },
                "randomNumber": { "type": "integer", "minimum": 1, "maximum": WORLD_ROWS },
            },
        },
        "User": {
            "type": "object",
            "required": ["id", "name", "email"],
            "properties": {
                "id": { "type": "integer", "format": "int64" },
                "name": { "type": "string", "minLength": 1, "maxLength": NAME_MAX_CHARS },
                "email": { "type": "string", "minLength": 3, "maxLength": EMAIL_MAX_BYTES },
            },
        },
    })
}

/// The schema of a problem document of one status and one of `kinds`.
pub(super) fn problem_of(status: u16, kinds: &[&str]) -> Value {
    let mut urns: Vec<String> = kinds
        .iter()
        .map(|kind| format!("urn:frameworth:problem:{kind}"))
        .collect();
    urns.dedup();
    json!({
        "allOf": [
            { "$ref": "#/components/schemas/Problem" },
            { "properties": { "type": { "enum": urns }, "status": { "const": status } } },
        ],
    })
}

/// The schema of a body of the given shape.
pub(super) fn of(shape: Shape) -> Value {
    let world = json!({ "$ref": "#/components/schemas/World" });
    let user = json!({ "$ref": "#/components/schemas/User" });
    let count = |name: &str, min: u64, max: u64| {
        json!({
            "type": "object",
            "required": [name],
            "properties": { name: { "type": "integer", "minimum": min, "maximum": max } },
        })
    };
    match shape {
        Shape::Text | Shape::Html => json!({ "type": "string" }),
        Shape::File | Shape::Empty => json!({}),
        Shape::Message => json!({
            "type": "object",
            "required": ["message"],
            "properties": { "message": { "const": "Hello, World!" } },
        }),
        Shape::World => world,
        Shape::Worlds => json!({
            "type": "array", "items": world, "minItems": 1, "maxItems": MAX_QUERIES,
        }),
        Shape::User => user,
        Shape::Users => json!({ "type": "array", "items": user, "maxItems": MAX_LIMIT }),
        Shape::NewUser => json!({
            "type": "object",
            "required": ["name", "email"],
            "properties": { "name": name_schema(), "email": email_schema() },
        }),
        Shape::Contact => json!({
            "type": "object",
            "required": ["name", "email", "message"],
            "properties": {
                "name": name_schema(),
                "email": email_schema(),
                "message": { "type": "string", "pattern": message_pattern() },
            },
        }),
        Shape::Visits => count("visits", 1, u64::MAX),
        Shape::Delayed => count("delayed_ms", 0, MAX_DELAY_MS),
        Shape::Upstreamed => count("upstream_delayed_ms", 0, MAX_DELAY_MS),
        Shape::Stats => stats(),
        Shape::Document => json!({ "type": "object", "required": ["openapi", "info", "paths"] }),
        Shape::Problem => json!({ "$ref": "#/components/schemas/Problem" }),
    }
}

fn name_schema() -> Value {
    json!({ "type": "string", "pattern": name_pattern() })
}

fn email_schema() -> Value {
    json!({ "type": "string", "maxLength": EMAIL_MAX_BYTES, "pattern": email_pattern() })
}

fn stats() -> Value {
    json!({
        "type": "object",
        "required": ["total", "unmatched", "endpoints"],
        "properties": {
            "total": { "type": "integer", "minimum": 0 },
            "unmatched": { "type": "integer", "minimum": 0 },
            "endpoints": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "method", "path", "requests"],
                    "properties": {
                        "name": { "type": "string" },
                        "method": { "type": "string" },
                        "path": { "type": "string" },
                        "requests": { "type": "integer", "minimum": 0 },
                    },
                },
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patterns_state_the_limits_the_parsers_enforce() {
        assert!(name_pattern().contains("{0,62}"), "{}", name_pattern());
        assert!(email_pattern().contains("{1,64}@"), "{}", email_pattern());
    }
}
