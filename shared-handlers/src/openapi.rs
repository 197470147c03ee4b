//! The OpenAPI 3.1 document, generated from the endpoint catalogue.
//!
//! Nobody maintains an OpenAPI file by hand here: [`document`] walks
//! [`crate::catalogue::ENDPOINTS`] and builds the JSON with `serde_json`, so
//! the document lists exactly the endpoints the servers route. Both servers
//! serialize the same [`Value`] with `serde_json::to_vec` (compact), so
//! they agree byte for byte.
//!
//! What the catalogue knows becomes the document:
//!
//! - `path`: `{id}` becomes a required path parameter; axum's wildcard
//!   `{*path}` becomes `{path}`, because OpenAPI has no wildcard syntax (its
//!   path parameters, strictly read, cannot contain `/`; the description says
//!   that this one can);
//! - `example`: its query string names the query parameters, each optional,
//!   with the example's value as the parameter's example. This is a
//!   simplification: a parameter the example leaves out is not documented;
//! - `content_type`: the success response's media type (`*/*` for the
//!   wildcard static-file path, which answers with each file's own type);
//! - every operation may also fail with an RFC 9457 problem document.
//!
//! Like the home page, the document is built on every request: it is cheap,
//! it is not a benchmark endpoint, and there is no global state to manage.

use serde_json::{Map, Value, json};

use crate::catalogue::{ENDPOINTS, Endpoint, content_type};

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
                            generated from the endpoint catalogue in shared-handlers.",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details, the body of every error response.",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": { "type": "string", "format": "uri" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                    },
                },
            },
        },
    })
}

/// One operation object: summary, parameters, responses.
fn operation(endpoint: &Endpoint) -> Value {
    let mut parameters: Vec<Value> = path_parameters(endpoint.path)
        .map(|(name, wildcard)| {
            let description = if wildcard {
                "The rest of the path below this prefix; may contain `/`."
            } else {
                "One path segment."
            };
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "description": description,
                "schema": { "type": "string" },
            })
        })
        .collect();
    let query = endpoint
        .example
        .split_once('?')
        .map_or("", |(_, query)| query);
    parameters.extend(
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, example)| {
                json!({
                    "name": name,
                    "in": "query",
                    "required": false,
                    "schema": { "type": "string" },
                    "example": example,
                })
            }),
    );
    let media_type = if endpoint.path.contains("{*") {
        "*/*"
    } else {
        endpoint.content_type
    };
    json!({
        "operationId": endpoint.name.replace('-', "_"),
        "summary": endpoint.summary,
        "tags": [if endpoint.benchmark { "benchmark" } else { "application" }],
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "Success.",
                "content": { media_type: {} },
            },
            "default": {
                "description": "An error, described by a problem document.",
                "content": {
                    content_type::PROBLEM_JSON: {
                        "schema": { "$ref": "#/components/schemas/Problem" },
                    },
                },
            },
        },
    })
}
// ANCHOR_END: openapi

/// `/users/{id}` → `/users/{id}`; `/static/{*path}` → `/static/{path}`.
fn openapi_path(path: &str) -> String {
    path.replace("{*", "{")
}

/// The parameters of a path pattern: `(name, is_wildcard)`.
fn path_parameters(path: &'static str) -> impl Iterator<Item = (&'static str, bool)> {
    path.split('/').filter_map(|segment| {
        let name = segment.strip_prefix('{')?.strip_suffix('}')?;
        Some(match name.strip_prefix('*') {
            Some(name) => (name, true),
            None => (name, false),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_become_plain_openapi_parameters() {
        assert_eq!(openapi_path("/static/{*path}"), "/static/{path}");
        let params: Vec<_> = path_parameters("/users/{id}/files/{*rest}").collect();
        assert_eq!(params, vec![("id", false), ("rest", true)]);
    }

    #[test]
    fn query_parameters_come_from_the_example() {
        let doc = document();
        let queries = &doc["paths"]["/queries"]["get"]["parameters"];
        assert_eq!(queries[0]["name"], "queries");
        assert_eq!(queries[0]["in"], "query");
        assert_eq!(queries[0]["example"], "20");
    }
}
