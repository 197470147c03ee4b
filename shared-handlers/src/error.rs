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

    /// `404 Not Found`: the path is below `/static/` but names no file there
    /// (or tries to leave the folder, which is answered the same way on
    /// purpose: a client learns nothing about what lies outside).
    #[error("there is no file at {path} in the static folder")]
    FileNotFound { path: String },

    /// `412 Precondition Failed`: `If-Unmodified-Since` names a date before
    /// the file's last modification.
    #[error(
        "the file was modified after the If-Unmodified-Since date; fetch it again to see the current version"
    )]
    PreconditionFailed,

    /// `416 Range Not Satisfiable`: the `Range` header cannot be served
    /// (unparsable, outside the file, or asking for more than one range).
    /// The servers send `Content-Range: bytes */<size>` with it.
    #[error(
        "the Range header cannot be served: ask for one range of bytes within the file (its size is in Content-Range)"
    )]
    RangeNotSatisfiable,

    /// `413 Payload Too Large`: the body is larger than the server accepts.
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },

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
            Error::InvalidQuery(_) | Error::BadBody(_) => 400,
            Error::PayloadTooLarge { .. } => 413,
            Error::NoRoute { .. } | Error::FileNotFound { .. } => 404,
            Error::MethodNotAllowed { .. } => 405,
            Error::PreconditionFailed => 412,
            Error::RangeNotSatisfiable => 416,
            Error::Database(_) | Error::Pool(_) | Error::Internal(_) => 500,
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
            Error::NoRoute { .. } | Error::FileNotFound { .. } => ("not-found", "Not Found"),
            Error::PreconditionFailed => ("precondition-failed", "Precondition Failed"),
            Error::RangeNotSatisfiable => ("range-not-satisfiable", "Range Not Satisfiable"),
            Error::MethodNotAllowed { .. } => ("method-not-allowed", "Method Not Allowed"),
            Error::Database(_) | Error::Pool(_) | Error::Internal(_) => {
                ("internal", "Internal Server Error")
            }
        };
        let detail = if self.is_server_error() {
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
