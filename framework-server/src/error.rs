//! The domain error as an axum response: the one place errors become HTTP.
//!
//! `shared_handlers::Error` is a foreign type, and so is `IntoResponse`, so
//! Rust's orphan rule forbids implementing one for the other here. The usual
//! axum answer (see axum's `examples/error-handling`) is a local newtype,
//! [`ApiError`], with `From` conversions so `?` works in handlers.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared_handlers::Error;
use shared_handlers::catalogue::content_type;

/// A domain error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError(error)
    }
}

// ANCHOR: rejection
/// axum's own rejection for a query string it cannot deserialize, mapped to
/// our error so it reaches the client in the problem format.
impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError(Error::InvalidQuery(rejection.body_text()))
    }
}
// ANCHOR_END: rejection

// ANCHOR: error_response
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(error) = self;
        if error.is_server_error() {
            tracing::error!("request failed: {error}");
        }
        let problem = error.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // `Json` would label this `application/json`; RFC 9457 wants its own type.
        let mut response = (status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type::PROBLEM_JSON),
        );
        if let Error::Unauthorized(_) = error {
            // RFC 9110 section 11.6.1: a 401 must say which scheme to use.
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
// ANCHOR_END: error_response
