//! One domain error enum, and the one problem format both servers render it in.
//!
//! Every failure a handler can meet is a variant of [`Error`]; each variant's
//! doc names the HTTP status it maps to. The servers never build an error body
//! themselves: they call [`Error::problem`] and send the resulting [`Problem`]
//! as `application/problem+json` ([RFC 9457]). raw-server does that in one
//! function, framework-server in one `IntoResponse` impl.
//!
//! Client errors (4xx) carry a message a person can act on. Server errors
//! (5xx) keep their cause for the log and show the client a generic message,
//! because internal details (SQL, file paths) are nobody's business outside.
//!
//! [RFC 9457]: https://www.rfc-editor.org/rfc/rfc9457

use serde::Serialize;

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `400 Bad Request`: the query string could not be understood (for
    /// example a parameter given twice).
    #[error("{0}")]
    InvalidQuery(String),

    /// `404 Not Found`: no endpoint matches the request path.
    #[error("no endpoint matches the path {path}; see the endpoint catalogue")]
    NoRoute { path: String },

    /// `405 Method Not Allowed`: the path exists, the method does not. The
    /// servers send an `Allow` header listing the methods that do exist.
    #[error(
        "method {method} is not allowed on {path}; the Allow header lists the methods that are"
    )]
    MethodNotAllowed { method: String, path: String },

    /// `400 Bad Request`: the request body could not be read (the client
    /// sent a malformed chunked body or hung up mid-body).
    #[error("the request body could not be read: {0}")]
    BadBody(String),

    /// `413 Payload Too Large`: the body is larger than the server accepts.
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },

    /// `400 Bad Request`: an HTTP/1.1 request without exactly one `Host`
    /// header (RFC 9112 section 3.2 requires this answer).
    #[error("{0}")]
    HostHeader(&'static str),

    /// `401 Unauthorized`: an `/admin/` request without the right bearer
    /// token. The servers add `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(&'static str),

    /// `503 Service Unavailable`: the request took longer than the
    /// configured timeout and was abandoned.
    #[error("the request took longer than the server's timeout of {} ms", .after.as_millis())]
    Timeout { after: std::time::Duration },

    /// `500 Internal Server Error`: a handler panicked. The panic was caught,
    /// the server goes on serving.
    #[error("a handler panicked: {0}")]
    Panic(String),

    /// `500 Internal Server Error`: SQLite failed.
    #[error("database error: {0}")]
    Database(#[from] r2d2_sqlite::rusqlite::Error),

    /// `500 Internal Server Error`: no database connection could be had.
    #[error("database pool error: {0}")]
    Pool(#[from] r2d2::Error),

    /// `500 Internal Server Error`: a bug or a failed background task.
    #[error("internal error: {0}")]
    Internal(String),
}

/// An RFC 9457 problem details object: the body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem. These are URNs, not links: there is
    /// no page to fetch, only a stable identifier a client can match on.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, human-readable summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status code, repeated in the body as RFC 9457 recommends.
    pub status: u16,
    /// What went wrong with *this* request.
    pub detail: String,
}

impl Problem {
    /// The problem as `application/problem+json` bytes.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self)
            .expect("a Problem has only strings and numbers, so it always serializes")
    }
}

impl Error {
    /// The HTTP status code this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            Error::InvalidQuery(_) | Error::BadBody(_) | Error::HostHeader(_) => 400,
            Error::Unauthorized(_) => 401,
            Error::Timeout { .. } => 503,
            Error::PayloadTooLarge { .. } => 413,
            Error::NoRoute { .. } => 404,
            Error::MethodNotAllowed { .. } => 405,
            Error::Panic(_) | Error::Database(_) | Error::Pool(_) | Error::Internal(_) => 500,
        }
    }

    /// `true` for 5xx errors: the server's fault, to be logged.
    pub fn is_server_error(&self) -> bool {
        self.status() >= 500
    }

    /// The problem document a client sees for this error.
    pub fn problem(&self) -> Problem {
        let (slug, title) = match self {
            Error::InvalidQuery(_) => ("invalid-query", "Invalid query string"),
            Error::BadBody(_) => ("bad-body", "Unreadable request body"),
            Error::PayloadTooLarge { .. } => ("payload-too-large", "Payload Too Large"),
            Error::HostHeader(_) => ("bad-host", "Missing or repeated Host header"),
            Error::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            Error::Timeout { .. } => ("timeout", "Request Timeout"),
            Error::NoRoute { .. } => ("not-found", "Not Found"),
            Error::MethodNotAllowed { .. } => ("method-not-allowed", "Method Not Allowed"),
            Error::Panic(_) | Error::Database(_) | Error::Pool(_) | Error::Internal(_) => {
                ("internal", "Internal Server Error")
            }
        };
        // 503 is a server-side status but its cause (our timeout) is no
        // secret, and telling the client what the limit was helps them.
        let detail = if self.is_server_error() && !matches!(self, Error::Timeout { .. }) {
            // The cause goes to the log (each server logs it), not to the client.
            "the server failed to answer this request; the error has been logged".to_owned()
        } else {
            self.to_string()
        };
        Problem {
            kind: format!("urn:frameworth:problem:{slug}"),
            title,
            status: self.status(),
            detail,
        }
    }
}

/// The message of a caught panic, for the log: panics carry `&str` or
/// `String` payloads in practice, anything else is named as such.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_explain_themselves_in_the_problem() {
        let problem = Error::NoRoute {
            path: "/nope".into(),
        }
        .problem();
        assert_eq!(problem.status, 404);
        assert_eq!(problem.kind, "urn:frameworth:problem:not-found");
        assert!(problem.detail.contains("/nope"));
    }

    #[test]
    fn server_errors_hide_their_cause_from_the_client() {
        let problem = Error::Internal("secret table name".into()).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("secret"));
    }

    #[test]
    fn problem_serializes_with_rfc_9457_member_names() {
        let json: serde_json::Value =
            serde_json::from_slice(&Error::InvalidQuery("bad".into()).problem().to_json())
                .expect("valid JSON");
        assert_eq!(json["type"], "urn:frameworth:problem:invalid-query");
        assert_eq!(json["title"], "Invalid query string");
        assert_eq!(json["status"], 400);
        assert_eq!(json["detail"], "bad");
    }
}
