//! Hand-written routing: which catalogue endpoint does `(method, path)` name?
//!
//! A framework's router is a fast lookup structure (axum uses `matchit`, a
//! radix tree). Ours is a loop over the catalogue comparing path segments:
//! with a handful of endpoints that is both fast enough and easy to read.
//! What a router must also get right, and what is easy to forget by hand:
//!
//! - a path that exists with another method is `405` with an `Allow` header,
//!   not `404` (RFC 9110 section 15.5.6);
//! - `HEAD` is allowed wherever `GET` is;
//! - matching happens on the path *as sent* (still percent-encoded), so
//!   `/plain%74ext` is not `/plaintext` — exactly as axum does.

use http::Method;
use shared_handlers::catalogue::{self, ENDPOINTS, Endpoint};

/// The outcome of routing one request.
#[derive(Debug)]
pub enum Routed {
    /// This endpoint answers the request.
    Found(&'static Endpoint),
    /// The path exists, but not with this method; `allow` lists those that do.
    MethodNotAllowed { allow: String },
    /// No endpoint has this path.
    NotFound,
}

// ANCHOR: routing
/// Finds the endpoint for `method` and `path` in the catalogue.
pub fn route(method: &Method, path: &str) -> Routed {
    let mut allowed_elsewhere: Option<&'static str> = None;
    for endpoint in ENDPOINTS {
        if !path_matches(endpoint.path, path) {
            continue;
        }
        if method_matches(endpoint, method) {
            return Routed::Found(endpoint);
        }
        allowed_elsewhere = Some(endpoint.path);
    }
    match allowed_elsewhere {
        Some(pattern) => Routed::MethodNotAllowed {
            allow: catalogue::allow_header(pattern),
        },
        None => Routed::NotFound,
    }
}

/// `GET` endpoints answer `HEAD` too.
fn method_matches(endpoint: &Endpoint, method: &Method) -> bool {
    let wanted = endpoint.method.as_str();
    method.as_str() == wanted || (*method == Method::HEAD && wanted == "GET")
}

/// Compares a pattern like `/users/{id}` with a request path segment by
/// segment. `{name}` matches one non-empty segment.
fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pattern_segments = pattern.split('/');
    let mut path_segments = path.split('/');
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) if p.starts_with('{') && p.ends_with('}') => {
                if s.is_empty() {
                    return false;
                }
            }
            (Some(p), Some(s)) if p == s => {}
            _ => return false,
        }
    }
}
// ANCHOR_END: routing

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_paths_match_exactly() {
        assert!(path_matches("/plaintext", "/plaintext"));
        assert!(!path_matches("/plaintext", "/plaintext/"));
        assert!(!path_matches("/plaintext", "//plaintext"));
        assert!(!path_matches("/plaintext", "/plain%74ext"));
        assert!(!path_matches("/plaintext", "/"));
    }

    #[test]
    fn parameters_match_one_non_empty_segment() {
        assert!(path_matches("/users/{id}", "/users/42"));
        assert!(!path_matches("/users/{id}", "/users/"));
        assert!(!path_matches("/users/{id}", "/users/42/x"));
    }

    #[test]
    fn head_routes_like_get_and_other_methods_get_an_allow_list() {
        assert!(matches!(route(&Method::HEAD, "/json"), Routed::Found(e) if e.name == "json"));
        match route(&Method::POST, "/json") {
            Routed::MethodNotAllowed { allow } => assert_eq!(allow, "GET,HEAD"),
            other => panic!("expected 405, got {other:?}"),
        }
        assert!(matches!(route(&Method::GET, "/nope"), Routed::NotFound));
    }
}
