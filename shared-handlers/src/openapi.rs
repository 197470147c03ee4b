//! The OpenAPI 3.1 document, generated from the endpoint catalogue.
//!
//! Nobody maintains an OpenAPI file by hand here: [`document`] walks
//! [`crate::catalogue::ENDPOINTS`] and turns each row's contract (see
//! [`crate::contract`]) into an operation, so the document lists exactly the
//! endpoints the servers route, with the rules their parsers enforce. Both
//! servers send the same bytes, [`document_bytes`], with the same `ETag`.
//!
//! What the catalogue knows becomes the document:
//!
//! - `params`: each parameter with its location, whether it is required,
//!   and its type and bounds; axum's wildcard `{*path}` becomes `{path}`,
//!   because OpenAPI has no wildcard syntax (its path parameters, strictly
//!   read, cannot contain `/`; the description says this one can);
//! - `request_body`: a required body of the one media type the endpoint
//!   reads, with a schema stating every field rule ([`schemas`]);
//! - `outcomes` plus [`crate::contract::ANY_ENDPOINT`]: one response per
//!   status, errors with the problem types they carry;
//! - `/admin/` paths: the bearer-token security scheme;
//! - `cache`: the `Cache-Control` (and `ETag`) header every own answer carries.
//!
//! The JSON Schemas are written here, from the same constants the parsers
//! use, rather than derived from the Rust types by a crate such as
//! `schemars`: the wire types are deliberately loose (every field optional,
//! so one answer can list every wrong field), and the rules that matter —
//! trimmed lengths, the email's shape, the clamped counts — live in parsers,
//! where no derive can see them.

mod schemas;

use serde_json::{Map, Value, json};

use crate::auth;
use crate::catalogue::{ENDPOINTS, Endpoint, content_type};
use crate::contract::{ANY_ENDPOINT, CachePolicy, Location, Outcome, Param, ParamRule, Shape};

// ANCHOR: openapi
/// The OpenAPI 3.1 document describing every catalogue endpoint.
pub fn document() -> Value {
    let mut paths = Map::new();
    for endpoint in ENDPOINTS {
        let item = paths
            .entry(openapi_path(endpoint.path))
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(
                endpoint.method.as_str().to_ascii_lowercase(),
                operation(endpoint),
            );
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "frameworth",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The same API served by a bare-hyper server and an axum server; \
                            generated from the endpoint catalogue in shared-handlers. \
                            Every request below `/admin/` needs the admin token before \
                            anything else is looked at: without it, any method on any \
                            path there is answered `401`, never `404` or `405`.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas::components(),
            "securitySchemes": {
                "adminToken": { "type": "http", "scheme": "bearer" },
            },
        },
    })
}

/// One operation object: summary, parameters, body, responses, security.
fn operation(endpoint: &Endpoint) -> Value {
    let mut operation = json!({
        "operationId": endpoint.name.replace('-', "_"),
        "summary": endpoint.summary,
        "tags": [if endpoint.benchmark { "benchmark" } else { "application" }],
        "parameters": endpoint.params.iter().map(|p| parameter(endpoint, p)).collect::<Vec<_>>(),
        "responses": responses(endpoint),
    });
    if let Some(body) = endpoint.request_body {
        operation["requestBody"] = json!({
            "required": true,
            "content": { media_type(body.content_type): {
                "schema": schemas::of(body.shape),
                "example": example_body(body.content_type, body.example),
            } },
        });
    }
    if auth::is_admin_path(endpoint.path) {
        operation["security"] = json!([{ "adminToken": [] }]);
    }
    operation
}
// ANCHOR_END: openapi

/// The document, serialized compactly: what both servers send.
pub fn document_bytes() -> Vec<u8> {
    serde_json::to_vec(&document()).expect("a serde_json::Value always serializes")
}

fn parameter(endpoint: &Endpoint, param: &Param) -> Value {
    let schema = match param.rule {
        ParamRule::Integer { min, max } => {
            let mut schema = json!({ "type": "integer", "minimum": min, "maximum": max });
            if min == i64::MIN && max == i64::MAX {
                schema["format"] = json!("int64");
            }
            schema
        }
        ParamRule::AnyText | ParamRule::RestOfPath => json!({ "type": "string" }),
    };
    let mut parameter = json!({
        "name": param.name,
        "in": match param.location { Location::Query => "query", Location::Path => "path" },
        "required": param.required,
        "description": param.description,
        "schema": schema,
    });
    if let Some(example) = example_value(endpoint, param) {
        parameter["example"] = example;
    }
    parameter
}

/// The parameter's value in the catalogue's example request, so that a
/// tester reaches a resource that exists (`/users/1`, `/static/index.html`).
fn example_value(endpoint: &Endpoint, param: &Param) -> Option<Value> {
    let (path, query) = endpoint
        .example
        .split_once('?')
        .unwrap_or((endpoint.example, ""));
    let value = match param.location {
        Location::Query => form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == param.name)
            .map(|(_, value)| value.into_owned())?,
        Location::Path => {
            let position = endpoint.path.split('/').position(|segment| {
                segment.trim_start_matches("{*").trim_start_matches('{')
                    == format!("{}}}", param.name)
            })?;
            let rest: Vec<&str> = path.split('/').skip(position).collect();
            match param.rule {
                ParamRule::RestOfPath => rest.join("/"),
                _ => (*rest.first()?).to_owned(),
            }
        }
    };
    Some(match (param.rule, value.parse::<i64>()) {
        (ParamRule::Integer { .. }, Ok(number)) => json!(number),
        _ => json!(value),
    })
}

/// One response per status: the endpoint's own outcomes, then those of any
/// endpoint; outcomes sharing a status (two kinds of `400`) are merged.
fn responses(endpoint: &Endpoint) -> Value {
    let own = endpoint.outcomes.iter().map(|o| (o, true));
    let mut merged: Vec<(&Outcome, bool)> = Vec::new();
    for (outcome, is_own) in own.chain(ANY_ENDPOINT.iter().map(|o| (o, false))) {
        // The first description of a status wins; problems merge below.
        if !merged.iter().any(|(o, _)| o.status == outcome.status) {
            merged.push((outcome, is_own));
        }
    }
    let mut responses = Map::new();
    for (outcome, is_own) in merged {
        let same_status = |o: &&Outcome| o.status == outcome.status;
        let problems: Vec<&str> = endpoint
            .outcomes
            .iter()
            .chain(ANY_ENDPOINT)
            .filter(same_status)
            .flat_map(|o| o.problems.iter().copied())
            .collect();
        let mut response = json!({ "description": outcome.description });
        if let Some(content) = content(endpoint, outcome, &problems) {
            response["content"] = content;
        }
        if is_own {
            // A status any endpoint may give is sometimes given before
            // routing (a refused `Host`, a timeout), without these headers.
            let always = !ANY_ENDPOINT.iter().any(|o| same_status(&o));
            response["headers"] = headers(endpoint, outcome.status, always);
        }
        responses.insert(outcome.status.to_string(), response);
    }
    Value::Object(responses)
}

/// The body of one response: a problem of the listed types, the endpoint's
/// success shape, or none.
fn content(endpoint: &Endpoint, outcome: &Outcome, problems: &[&str]) -> Option<Value> {
    if !problems.is_empty() {
        let schema = schemas::problem_of(outcome.status, problems);
        return Some(json!({ content_type::PROBLEM_JSON: { "schema": schema } }));
    }
    let shape = match outcome.status {
        200 | 201 => endpoint.shape,
        206 => Shape::File,
        _ => Shape::Empty,
    };
    if shape == Shape::Empty {
        return None;
    }
    let media = if endpoint.path.contains("{*") {
        "*/*"
    } else {
        media_type(endpoint.content_type)
    };
    Some(json!({ media: { "schema": schemas::of(shape) } }))
}

/// The headers the endpoint's own answers carry.
fn headers(endpoint: &Endpoint, status: u16, required: bool) -> Value {
    let mut headers = Map::new();
    let string = |description: &str| json!({ "required": required, "description": description, "schema": { "type": "string" } });
    headers.insert(
        "Cache-Control".into(),
        json!({
            "required": required,
            "description": "How caches may keep this answer.",
            "schema": { "const": endpoint.cache.cache_control() },
        }),
    );
    if endpoint.cache == CachePolicy::Revalidate && matches!(status, 200 | 304) {
        headers.insert("ETag".into(), string("Send it back in `If-None-Match`."));
    }
    if status == 201 {
        headers.insert("Location".into(), string("Where the new resource lives."));
    }
    if status == 401 {
        headers.insert("WWW-Authenticate".into(), string("`Bearer`."));
    }
    Value::Object(headers)
}

/// A media type without its parameters (`text/html; charset=utf-8` →
/// `text/html`): OpenAPI's content keys name types; the charset is ours.
fn media_type(content_type: &'static str) -> &'static str {
    content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .trim()
}

/// The catalogue's example body as the document shows it: JSON bodies as
/// JSON, a form as the object it encodes.
fn example_body(content_type: &str, example: &str) -> Value {
    if content_type == content_type::JSON {
        return serde_json::from_str(example).unwrap_or(Value::Null);
    }
    let fields: Map<String, Value> = form_urlencoded::parse(example.as_bytes())
        .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
        .collect();
    Value::Object(fields)
}

/// `/users/{id}` → `/users/{id}`; `/static/{*path}` → `/static/{path}`.
fn openapi_path(path: &str) -> String {
    path.replace("{*", "{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_become_plain_openapi_parameters() {
        assert_eq!(openapi_path("/static/{*path}"), "/static/{path}");
        let doc = document();
        let param = &doc["paths"]["/static/{path}"]["get"]["parameters"][0];
        assert_eq!(param["name"], "path");
        assert_eq!(param["in"], "path");
    }

    #[test]
    fn bounded_parameters_carry_their_bounds_and_required_flag() {
        let doc = document();
        let ms = &doc["paths"]["/delay"]["get"]["parameters"][0];
        assert_eq!(ms["required"], true);
        assert_eq!(ms["schema"]["maximum"], crate::delay::MAX_DELAY_MS);
        let id = &doc["paths"]["/users/{id}"]["get"]["parameters"][0];
        assert_eq!(id["schema"]["type"], "integer");
        assert_eq!(id["schema"]["format"], "int64");
    }

    #[test]
    fn bodies_are_required_and_admin_paths_need_the_token() {
        let doc = document();
        let body = &doc["paths"]["/contact"]["post"]["requestBody"];
        assert_eq!(body["required"], true);
        let form = &body["content"][content_type::FORM];
        assert_eq!(form["example"]["email"], "ada@example.com");
        let panic = &doc["paths"]["/admin/panic"]["get"];
        assert_eq!(panic["security"][0]["adminToken"], json!([]));
        assert!(panic["responses"]["500"].is_object());
        assert!(doc["paths"]["/plaintext"]["get"].get("security").is_none());
    }

    #[test]
    fn statuses_shared_by_two_causes_list_both_problem_types() {
        let doc = document();
        let bad = &doc["paths"]["/users/{id}"]["put"]["responses"]["400"];
        let kinds = &bad["content"][content_type::PROBLEM_JSON]["schema"]["allOf"][1]["properties"]
            ["type"]["enum"];
        let kinds: Vec<&str> = kinds
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            kinds.contains(&"urn:frameworth:problem:invalid-path-parameter"),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&"urn:frameworth:problem:bad-host"),
            "{kinds:?}"
        );
    }
}
