//! Building responses by hand, and the one place errors become responses.
//!
//! A framework gives you `Json(value)`, `Html(string)` and `impl IntoResponse`
//! for your error type. Here each is a small function that sets the status,
//! the `Content-Type` and the `Server` header itself. hyper adds `Date` and
//! `Content-Length` (it knows the body's exact size).

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE, LOCATION, SERVER, SET_COOKIE, WWW_AUTHENTICATE};
use http::{HeaderName, HeaderValue, StatusCode};
use http_body_util::{Either, Full};
use hyper::Response;
use serde::Serialize;
use shared_handlers::catalogue::content_type;
use shared_handlers::{Error, SERVER_NAME};

use crate::HttpResponse;

// ANCHOR: responses
/// A response with `status`, `Content-Type` and the `Server` header.
pub fn build(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> HttpResponse {
    let mut response = Response::new(Either::Left(Full::new(body.into())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(SERVER, HeaderValue::from_static(SERVER_NAME));
    response
}

/// A response with no body and no `Content-Type`, only the `Server`
/// header (`304 Not Modified`, `307 Temporary Redirect`).
pub fn empty(status: StatusCode) -> HttpResponse {
    let mut response = Response::new(Either::Left(Full::new(Bytes::new())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(SERVER, HeaderValue::from_static(SERVER_NAME));
    response
}

/// `200 OK` with a plain-text body.
pub fn text(body: &'static str) -> HttpResponse {
    build(StatusCode::OK, content_type::TEXT_PLAIN, body)
}

/// `200 OK` with `value` serialized as JSON.
pub fn json<T: Serialize>(value: &T) -> Result<HttpResponse, Error> {
    let body = serde_json::to_vec(value)
        .map_err(|e| Error::Internal(format!("JSON serialization failed: {e}")))?;
    Ok(build(StatusCode::OK, content_type::JSON, body))
}

/// `200 OK` with an HTML page.
pub fn html(page: String) -> HttpResponse {
    build(StatusCode::OK, content_type::HTML, page)
}
// ANCHOR_END: responses

// ANCHOR: created
/// `201 Created` with the new resource as JSON and its address in
/// `Location`, so a client need not build the URL itself.
pub fn created<T: Serialize>(location: &str, value: &T) -> Result<HttpResponse, Error> {
    let mut response = json(value)?;
    *response.status_mut() = StatusCode::CREATED;
    let location = HeaderValue::from_str(location)
        .map_err(|e| Error::Internal(format!("invalid Location {location:?}: {e}")))?;
    response.headers_mut().insert(LOCATION, location);
    Ok(response)
}

/// `204 No Content`: no body, and so no `Content-Type` either.
pub fn no_content() -> HttpResponse {
    let mut response = Response::new(Either::Left(Full::new(Bytes::new())));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
        .headers_mut()
        .insert(SERVER, HeaderValue::from_static(SERVER_NAME));
    response
}
// ANCHOR_END: created

// ANCHOR: set_cookie
/// Adds a `Set-Cookie` header, serialized (and `%`-encoded) by the
/// `cookie` crate exactly as axum-extra's `CookieJar` serializes it.
pub fn with_cookie(
    mut response: HttpResponse,
    cookie: &cookie::Cookie<'_>,
) -> Result<HttpResponse, Error> {
    let value = HeaderValue::from_str(&cookie.encoded().to_string())
        .map_err(|e| Error::Internal(format!("cookie {cookie} is not a header value: {e}")))?;
    response.headers_mut().append(SET_COOKIE, value);
    Ok(response)
}
// ANCHOR_END: set_cookie

// ANCHOR: error_response
/// Turns a domain error into its problem response. Server errors are logged
/// here, with their cause; the client sees only a generic message.
pub fn error_response(error: Error) -> HttpResponse {
    if error.is_server_error() {
        tracing::error!("request failed: {error}");
    }
    let problem = error.problem();
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = build(status, content_type::PROBLEM_JSON, problem.to_json());
    if let Error::Unauthorized(_) = error {
        // RFC 9110 section 11.6.1: a 401 must say which scheme to use.
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}
// ANCHOR_END: error_response

/// Adds an `Allow` header (for `405` answers).
pub fn with_allow(response: HttpResponse, allow: &str) -> HttpResponse {
    with_header(response, ALLOW, allow)
}

/// Adds header `name` with `value`, which the caller built from values
/// known to be valid in a header; an invalid one is logged and left out.
pub fn with_header(mut response: HttpResponse, name: HeaderName, value: &str) -> HttpResponse {
    match HeaderValue::from_str(value) {
        Ok(value) => {
            response.headers_mut().insert(name, value);
        }
        Err(e) => tracing::error!("invalid {name} header value {value:?}: {e}"),
    }
    response
}
