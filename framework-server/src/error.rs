//! The domain error as an axum response: the one place errors become HTTP.
//!
//! `shared_handlers::Error` is a foreign type, and so is `IntoResponse`, so
//! Rust's orphan rule forbids implementing one for the other here. The usual
//! axum answer (see axum's `examples/error-handling`) is a local newtype,
//! [`ApiError`], with `From` conversions so `?` works in handlers.

use std::error::Error as StdError;

use axum::Json;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::{
    BytesRejection, FailedToBufferBody, FormRejection, JsonRejection, PathRejection, QueryRejection,
};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared_handlers::Error;
use shared_handlers::catalogue::content_type;
use shared_handlers::validation::FieldErrors;

/// A domain error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl ApiError {
    /// Names the configured body limit in a `413` problem.
    pub fn with_body_limit(self, limit: usize) -> ApiError {
        match self {
            ApiError(Error::PayloadTooLarge { .. }) => ApiError(Error::PayloadTooLarge { limit }),
            other => other,
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError(error)
    }
}

/// Lets `?` turn a validation failure straight into a `422`.
impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError(Error::InvalidFields(errors))
    }
}

// ANCHOR: query_rejection
/// axum's own rejection for a query string it cannot deserialize, mapped to
/// our error so it reaches the client in the problem format.
impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError(Error::invalid_query(rejection.body_text()))
    }
}
// ANCHOR_END: query_rejection

// ANCHOR: json_rejection
/// `Json`'s rejections: its status codes are already the ones we want
/// (415, 400, 422, 413); we keep them and reword the messages.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError(match rejection {
            JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType {
                expected: content_type::JSON,
            },
            // serde's own error travels as the rejection's `source`; it knows
            // *where* in the body parsing stopped, which becomes the field.
            JsonRejection::JsonDataError(e) => match serde_error::<serde_json::Error>(&e) {
                Some((path, message)) => Error::body_shape(path, message),
                None => Error::body_shape(".".into(), e.body_text()),
            },
            JsonRejection::JsonSyntaxError(e) => Error::InvalidJson(
                serde_error::<serde_json::Error>(&e).map_or_else(|| e.body_text(), |(_, m)| m),
            ),
            JsonRejection::BytesRejection(e) => body_error(e),
            // `JsonRejection` is `#[non_exhaustive]`.
            other => Error::bad_body(other.body_text()),
        })
    }
}

// ANCHOR_END: json_rejection

// ANCHOR: form_rejection
/// `Form`'s rejections: 415 for the content type, 422 for the fields.
impl From<FormRejection> for ApiError {
    fn from(rejection: FormRejection) -> Self {
        ApiError(match rejection {
            FormRejection::InvalidFormContentType(_) => Error::UnsupportedMediaType {
                expected: content_type::FORM,
            },
            FormRejection::FailedToDeserializeFormBody(e) => {
                match serde_error::<serde::de::value::Error>(&e) {
                    Some((path, message)) => Error::body_shape(path, message),
                    None => Error::body_shape(".".into(), e.body_text()),
                }
            }
            FormRejection::BytesRejection(e) => body_error(e),
            other => Error::bad_body(other.body_text()),
        })
    }
}

// ANCHOR_END: form_rejection

// ANCHOR: path_rejection
/// `Path`'s rejections: a parameter that does not parse, or whose
/// `%`-escapes are not UTF-8, is the client's `400`; anything else means our
/// route and our type disagree, a bug (`500`).
impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError(match rejection {
            PathRejection::FailedToDeserializePathParams(e) => match e.into_kind() {
                ErrorKind::ParseErrorAtKey {
                    key,
                    value,
                    expected_type,
                } => Error::path_param_type(&key, &value, expected_type),
                ErrorKind::InvalidUtf8InPathParam { key } => Error::path_param_not_utf8(&key),
                other => {
                    Error::Internal(format!("path parameters do not fit the handler: {other}"))
                }
            },
            other => Error::Internal(format!("path parameters unavailable: {other}")),
        })
    }
}

// ANCHOR_END: path_rejection

// ANCHOR: body_error
/// Reading the body failed: over the limit (`413`) or the client broke off.
fn body_error(rejection: BytesRejection) -> Error {
    match rejection {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
            // The rejection does not say what the limit was; the `Json` and
            // `Form` extractors fill it in (see `ApiError::with_body_limit`).
            Error::PayloadTooLarge { limit: 0 }
        }
        other => Error::bad_body(other.body_text()),
    }
}

/// Digs serde's located error out of a rejection's `source` chain:
/// `(path, message)`, or `(".", message)` for an error with no location
/// (bytes after the JSON value).
fn serde_error<E: StdError + 'static>(
    rejection: &(dyn StdError + 'static),
) -> Option<(String, String)> {
    let mut current = Some(rejection);
    while let Some(error) = current {
        if let Some(located) = error.downcast_ref::<serde_path_to_error::Error<E>>() {
            return Some((located.path().to_string(), located.inner().to_string()));
        }
        if let Some(plain) = error.downcast_ref::<E>() {
            return Some((".".to_owned(), plain.to_string()));
        }
        current = error.source();
    }
    None
}
// ANCHOR_END: body_error

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
