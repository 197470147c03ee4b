//! The home page's and the OpenAPI document's case table: both must
//! describe the catalogue, every endpoint with its method, nothing more.

use serde_json::Value;
use shared_handlers::catalogue::{ENDPOINTS, Method};

use crate::cases::{Body::*, Case, HTML, JSON, PROBLEM, get, not_allowed, not_found, request};

/// The home page lists every endpoint, links exactly the `GET` ones to their
/// example, and has one table row per endpoint.
fn home_lists_the_catalogue(body: &[u8]) -> Result<(), String> {
    let page = std::str::from_utf8(body).map_err(|e| format!("not UTF-8: {e}"))?;
    if !page.starts_with("<!DOCTYPE html>") {
        return Err("not an HTML document".into());
    }
    let rows = page.matches("<tr>").count();
    if rows != ENDPOINTS.len() + 1 {
        return Err(format!(
            "{rows} table rows for {} endpoints plus a header",
            ENDPOINTS.len()
        ));
    }
    for endpoint in ENDPOINTS {
        let cell = format!("<code>{}</code>", endpoint.path);
        let link = format!("href=\"{}\"", endpoint.example.replace('&', "&#38;"));
        if !page.contains(&cell) {
            return Err(format!("{} is not listed", endpoint.path));
        }
        if endpoint.method == Method::Get && !page.contains(&link) {
            return Err(format!("{}: a GET endpoint without a link", endpoint.name));
        }
    }
    // A non-GET endpoint may share its example with a GET one (`PUT
    // /users/1`), so count links instead of looking for each one's absence.
    let gets = ENDPOINTS.iter().filter(|e| e.method == Method::Get).count();
    let links = page.matches("<td><a href=").count();
    if links != gets {
        return Err(format!("{links} endpoint links for {gets} GET endpoints"));
    }
    Ok(())
}

/// Structural validation: OpenAPI 3.1, every catalogue endpoint under its
/// path with its method, and every `{param}` of a path declared as a
/// required path parameter.
fn openapi_describes_the_catalogue(body: &[u8]) -> Result<(), String> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    if doc["openapi"] != "3.1.0" {
        return Err(format!("openapi is {}", doc["openapi"]));
    }
    if !doc["info"]["title"].is_string() || !doc["info"]["version"].is_string() {
        return Err("info needs a title and a version".into());
    }
    let paths = doc["paths"].as_object().ok_or("no paths object")?;
    let operations: usize = paths
        .values()
        .filter_map(Value::as_object)
        .map(|item| item.len())
        .sum();
    if operations != ENDPOINTS.len() {
        return Err(format!(
            "{operations} operations for {} endpoints",
            ENDPOINTS.len()
        ));
    }
    for endpoint in ENDPOINTS {
        let path = endpoint.path.replace("{*", "{");
        let method = endpoint.method.as_str().to_ascii_lowercase();
        let operation = &paths.get(&path).ok_or_else(|| format!("{path} missing"))?[&method];
        // The endpoint's own first outcome is its usual answer (200, 201,
        // 204; 500 for the panic endpoint).
        let usual = endpoint.outcomes[0].status.to_string();
        if !operation.is_object() || !operation["responses"][&usual].is_object() {
            return Err(format!(
                "{method} {path}: no operation with a {usual} response"
            ));
        }
        let parameters = operation["parameters"].as_array().ok_or("no parameters")?;
        for name in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            let declared = parameters
                .iter()
                .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true);
            if !declared {
                return Err(format!("{path}: path parameter {name} not declared"));
            }
        }
    }
    Ok(())
}

#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        // --- the home page
        get("/").expect(200, HTML, Check { check: home_lists_the_catalogue, random: false }),
        get("/?utm_source=workshop").expect(200, HTML, Check { check: home_lists_the_catalogue, random: false }),
        request("HEAD", "/").expect(200, HTML, Empty),
        not_allowed("POST", "/", "GET,HEAD"),
        not_allowed("DELETE", "/", "GET,HEAD"),
        not_found("GET", "/index.html"),
        not_found("GET", "//"),
        // --- the OpenAPI document
        get("/openapi.json").expect(200, JSON, Check { check: openapi_describes_the_catalogue, random: false }),
        request("HEAD", "/openapi.json").expect(200, JSON, Empty),
        not_allowed("POST", "/openapi.json", "GET,HEAD"),
        not_allowed("PUT", "/openapi.json", "GET,HEAD"),
        not_found("GET", "/openapi.json/"),
        not_found("GET", "/openapi.yaml"),
        not_found("GET", "/OPENAPI.JSON"),
        get("/nope").expect(404, PROBLEM, ProblemMentioning("not-found", "/nope")),
    ]
}
