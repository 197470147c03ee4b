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

/// Path parameters captured by the router, by name, still percent-encoded
/// as they arrived (`/users/{id}` on `/users/42` → `[("id", "42")]`).
pub type PathParams = Vec<(&'static str, String)>;

/// The outcome of routing one request.
#[derive(Debug)]
pub enum Routed {
    /// This endpoint answers the request, with these path parameters.
    Found(&'static Endpoint, PathParams),
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
        let Some(params) = match_path(endpoint.path, path) else {
            continue;
        };
        if method_matches(endpoint, method) {
            return Routed::Found(endpoint, params);
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

/// Whether `path` belongs to a wildcard endpoint (`/static`, `/static/...`),
/// which axum mounts as a nested service rather than as a route with
/// methods: axum adds no `Allow` to the answers its middleware gives there.
pub fn is_mounted_service(path: &str) -> bool {
    ENDPOINTS
        .iter()
        .filter_map(Endpoint::mount_point)
        .any(|mount| {
            path.strip_prefix(mount)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// `GET` endpoints answer `HEAD` too.
fn method_matches(endpoint: &Endpoint, method: &Method) -> bool {
    let wanted = endpoint.method.as_str();
    method.as_str() == wanted || (*method == Method::HEAD && wanted == "GET")
}

/// Compares a pattern like `/users/{id}` with a request path segment by
/// segment, capturing parameters. `{name}` matches one non-empty segment;
/// `{*name}` (last in a pattern) matches the rest of the path, slashes
/// included, even when it is empty.
///
/// The empty rest is on purpose: framework-server mounts a wildcard endpoint
/// (`/static/{*path}`) with axum's `nest_service`, which answers the prefix
/// itself (`/static`) and the prefix plus `/` too, both as "the root of the
/// mounted service". So `/static` and `/static/` both match here, with an
/// empty rest.
fn match_path(pattern: &'static str, path: &str) -> Option<PathParams> {
    // Most patterns have no parameter: those match one path only, their own,
    // and one comparison says so (the loop below costs a few hundred
    // instructions per pattern, paid on every request before its handler).
    if !pattern.contains('{') {
        return (pattern == path).then(PathParams::new);
    }
    let mut params = PathParams::new();
    let mut pattern_segments = pattern.split('/');
    let mut rest = path;
    loop {
        let (segment, remainder) = match rest.split_once('/') {
            Some((segment, remainder)) => (segment, Some(remainder)),
            None => (rest, None),
        };
        let Some(expected) = pattern_segments.next() else {
            return None; // the path is longer than the pattern
        };
        if let Some(name) = wildcard_name(expected) {
            // A wildcard takes everything that is left, slashes included.
            params.push((name, rest.to_owned()));
            return Some(params);
        }
        if let Some(name) = expected.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if segment.is_empty() {
                return None;
            }
            params.push((name, segment.to_owned()));
        } else if expected != segment {
            return None;
        }
        match remainder {
            Some(remainder) => rest = remainder,
            // The path has ended: a match if the pattern has too, or if all
            // that is left of it is a wildcard (`/static` for `/static/{*path}`).
            None => {
                return match (pattern_segments.next(), pattern_segments.next()) {
                    (None, _) => Some(params),
                    (Some(last), None) => wildcard_name(last).map(|name| {
                        params.push((name, String::new()));
                        params
                    }),
                    (Some(_), Some(_)) => None,
                };
            }
        }
    }
}

/// `{*name}` → `Some("name")`.
fn wildcard_name(segment: &'static str) -> Option<&'static str> {
    segment.strip_prefix("{*")?.strip_suffix('}')
}
// ANCHOR_END: routing

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_paths_match_exactly() {
        assert_eq!(match_path("/plaintext", "/plaintext"), Some(vec![]));
        assert_eq!(match_path("/plaintext", "/plaintext/"), None);
        assert_eq!(match_path("/plaintext", "//plaintext"), None);
        assert_eq!(match_path("/plaintext", "/plain%74ext"), None);
        assert_eq!(match_path("/plaintext", "/"), None);
        assert_eq!(match_path("/", "/"), Some(vec![]));
        assert_eq!(match_path("/", "/x"), None);
    }

    #[test]
    fn parameters_match_one_non_empty_segment() {
        assert_eq!(
            match_path("/users/{id}", "/users/42"),
            Some(vec![("id", "42".to_owned())])
        );
        assert_eq!(match_path("/users/{id}", "/users/"), None);
        assert_eq!(match_path("/users/{id}", "/users/42/x"), None);
        assert_eq!(match_path("/users/{id}", "/users"), None);
    }

    #[test]
    fn wildcards_take_the_rest_even_when_empty_like_a_nested_service() {
        let rest = |rest: &str| Some(vec![("path", rest.to_owned())]);
        assert_eq!(
            match_path("/static/{*path}", "/static/css/site.css"),
            rest("css/site.css")
        );
        assert_eq!(match_path("/static/{*path}", "/static//x"), rest("/x"));
        assert_eq!(match_path("/static/{*path}", "/static/"), rest(""));
        assert_eq!(match_path("/static/{*path}", "/static"), rest(""));
        assert_eq!(match_path("/static/{*path}", "/staticx"), None);
        assert_eq!(match_path("/static/{*path}", "/"), None);
        assert_eq!(match_path("/users/{id}", "/users"), None);
    }

    #[test]
    fn head_routes_like_get_and_other_methods_get_an_allow_list() {
        assert!(matches!(route(&Method::HEAD, "/json"), Routed::Found(e, _) if e.name == "json"));
        match route(&Method::POST, "/json") {
            Routed::MethodNotAllowed { allow } => assert_eq!(allow, "GET,HEAD"),
            other => panic!("expected 405, got {other:?}"),
        }
        assert!(matches!(route(&Method::GET, "/nope"), Routed::NotFound));
    }
}
