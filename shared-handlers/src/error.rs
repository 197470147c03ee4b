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

use crate::validation::{FieldError, FieldErrors, shorten};

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `400 Bad Request`: the query string could not be understood (for
    /// example a parameter given twice).
    #[error("{0}")]
    InvalidQuery(String),

    /// `404 Not Found`: no endpoint matches the request path.
    #[error(
        "no endpoint matches the path {}; see the endpoint catalogue",
        shorten(path)
    )]
    NoRoute { path: String },

    /// `405 Method Not Allowed`: the path exists, the method does not. The
    /// servers send an `Allow` header listing the methods that do exist.
    #[error(
        "method {} is not allowed on {}; the Allow header lists the methods that are",
        shorten(method),
        shorten(path)
    )]
    MethodNotAllowed { method: String, path: String },

    /// `400 Bad Request`: the request body could not be read: its chunked
    /// framing is malformed (a chunk size that is not hex or overflows, a
    /// missing line end, an oversized chunk extension or trailer), or the
    /// client stopped sending before the body was complete.
    ///
    /// Build it with [`Error::bad_body`]. The client sees one wording of our
    /// own whichever server, parser or extractor noticed; `cause` (their
    /// words) is kept for the log only.
    #[error("{}", BAD_BODY_DETAIL)]
    BadBody { cause: String },

    /// `404 Not Found`: the path is below `/static/` but names no file there
    /// (or tries to leave the folder, which is answered the same way on
    /// purpose: a client learns nothing about what lies outside).
    #[error("there is no file at {} in the static folder", shorten(path))]
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

    /// `503 Service Unavailable`: a resource the request needs is not to be
    /// had right now and waiting longer would not be reasonable: the
    /// database's write lock after bounded retries, a pooled database
    /// connection, a file descriptor. Nothing was changed; the client may
    /// retry. The message says which resource, never a path or SQL.
    #[error("the server is too busy to answer this request right now ({0}); retry shortly")]
    Unavailable(String),

    /// `502 Bad Gateway`: the upstream service behind `/upstream` could not
    /// be reached, or answered with an error or a body we cannot read. The
    /// cause (an address, the upstream's words) is for the log only.
    #[error("upstream failed: {0}")]
    BadGateway(String),

    /// `504 Gateway Timeout`: the upstream service did not answer in time.
    #[error("the upstream service did not answer within {} ms", .after.as_millis())]
    GatewayTimeout { after: std::time::Duration },

    /// `500 Internal Server Error`: a handler panicked. The panic was caught,
    /// the server goes on serving.
    #[error("a handler panicked: {0}")]
    Panic(String),
    /// `400 Bad Request`: a path parameter could not be parsed (for example
    /// `/users/abc`, where `id` must be an integer).
    #[error("path parameter `{name}` {message}")]
    InvalidPathParam { name: String, message: String },

    /// `400 Bad Request`: the body is not JSON at all (a syntax error,
    /// invalid UTF-8 in a string, nesting beyond the parser's limit, or
    /// trailing bytes after the value). The message is the parser's own,
    /// with the line and column it stopped at.
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),

    /// `415 Unsupported Media Type`: the body's `Content-Type` is missing or
    /// is not the one the endpoint reads.
    #[error(
        "this endpoint reads a body with `Content-Type: {expected}`; send that header with a body in that format"
    )]
    UnsupportedMediaType { expected: &'static str },

    /// `422 Unprocessable Content`: the body was parsed, but some fields are
    /// missing, of the wrong type, or fail validation. The problem document
    /// lists them all in its `errors` member.
    #[error("{}", invalid_fields_detail(.0))]
    InvalidFields(FieldErrors),

    /// `404 Not Found`: the path names a resource that does not exist (for
    /// example `/users/42` when there is no user 42).
    #[error("there is no {resource} with id {id}")]
    ResourceNotFound { resource: &'static str, id: i64 },

    /// `409 Conflict`: another user already has this email address.
    #[error(
        "a user with the email address {} already exists; emails are unique, ignoring ASCII case",
        shorten(email)
    )]
    EmailTaken { email: String },

    /// `500 Internal Server Error`: SQLite failed.
    #[error("database error: {0}")]
    Database(#[from] r2d2_sqlite::rusqlite::Error),

    /// `500 Internal Server Error`: PostgreSQL failed (its failures that
    /// are load, not bugs, become [`Error::Unavailable`] first).
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] tokio_postgres::Error),

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
    /// For `422`: every invalid field and what it needs. An extension
    /// member (RFC 9457 section 3.2), left out when there is none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// The problem as `application/problem+json` bytes.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect(
            "a Problem has only strings, numbers and lists of them, so it always serializes",
        )
    }
}

impl Error {
    /// The HTTP status code this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            Error::InvalidQuery(_)
            | Error::BadBody { .. }
            | Error::HostHeader(_)
            | Error::InvalidPathParam { .. }
            | Error::InvalidJson(_) => 400,
            Error::Unauthorized(_) => 401,
            Error::Timeout { .. } | Error::Unavailable(_) => 503,
            Error::PayloadTooLarge { .. } => 413,
            Error::UnsupportedMediaType { .. } => 415,
            Error::InvalidFields(_) => 422,
            Error::EmailTaken { .. } => 409,
            Error::NoRoute { .. } | Error::ResourceNotFound { .. } | Error::FileNotFound { .. } => {
                404
            }
            Error::MethodNotAllowed { .. } => 405,
            Error::BadGateway(_) => 502,
            Error::GatewayTimeout { .. } => 504,
            Error::PreconditionFailed => 412,
            Error::RangeNotSatisfiable => 416,
            Error::Panic(_)
            | Error::Database(_)
            | Error::Postgres(_)
            | Error::Pool(_)
            | Error::Internal(_) => 500,
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
            Error::BadBody { .. } => ("bad-body", "Unreadable request body"),
            Error::PayloadTooLarge { .. } => ("payload-too-large", "Payload Too Large"),
            Error::HostHeader(_) => ("bad-host", "Missing or repeated Host header"),
            Error::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            // Not "Request Timeout": that is 408's phrase, and this is a 503.
            Error::Timeout { .. } => ("timeout", "Request took too long"),
            Error::Unavailable(_) => ("unavailable", "Service Unavailable"),
            Error::InvalidPathParam { .. } => ("invalid-path-parameter", "Invalid path parameter"),
            Error::InvalidJson(_) => ("invalid-json", "Malformed JSON body"),
            Error::UnsupportedMediaType { .. } => {
                ("unsupported-media-type", "Unsupported Media Type")
            }
            Error::InvalidFields(_) => ("invalid-fields", "Unprocessable Content"),
            Error::EmailTaken { .. } => ("email-taken", "Conflict"),
            Error::ResourceNotFound { .. } => ("resource-not-found", "Not Found"),
            Error::NoRoute { .. } | Error::FileNotFound { .. } => ("not-found", "Not Found"),
            Error::PreconditionFailed => ("precondition-failed", "Precondition Failed"),
            Error::RangeNotSatisfiable => ("range-not-satisfiable", "Range Not Satisfiable"),
            Error::MethodNotAllowed { .. } => ("method-not-allowed", "Method Not Allowed"),
            Error::BadGateway(_) => ("bad-gateway", "Bad Gateway"),
            Error::GatewayTimeout { .. } => ("gateway-timeout", "Gateway Timeout"),
            Error::Panic(_)
            | Error::Database(_)
            | Error::Postgres(_)
            | Error::Pool(_)
            | Error::Internal(_) => ("internal", "Internal Server Error"),
        };
        // 503 is a server-side status but its cause (our timeout, a busy
        // resource) is no secret, and telling the client helps them retry.
        // A 504's cause (the upstream was slow) is no secret either; a 502's
        // cause names the upstream, so the client gets a fixed sentence.
        let detail = if matches!(self, Error::BadGateway(_)) {
            BAD_GATEWAY_DETAIL.to_owned()
        } else if self.is_server_error()
            && !matches!(
                self,
                Error::Timeout { .. } | Error::Unavailable(_) | Error::GatewayTimeout { .. }
            )
        {
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
            errors: match self {
                Error::InvalidFields(errors) => errors.as_slice().to_vec(),
                _ => Vec::new(),
            },
        }
    }
}

/// The one-line summary of a `422`; the `errors` member has the details.
fn invalid_fields_detail(errors: &FieldErrors) -> String {
    if errors.as_slice().iter().all(|e| e.field == ".") {
        "the body does not have the expected shape; the `errors` member says why".to_owned()
    } else {
        format!(
            "invalid field(s): {}; the `errors` member says what each one needs",
            errors.field_names()
        )
    }
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Self {
        Error::InvalidFields(errors)
    }
}

/// What a client is told when the upstream failed (see [`Error::BadGateway`]).
const BAD_GATEWAY_DETAIL: &str = "the upstream service could not be reached or gave an answer \
that could not be used; the error has been logged";

/// What a client is told about a request body that could not be read.
const BAD_BODY_DETAIL: &str = "the request body could not be read: its framing is malformed \
(chunk sizes, line ends, chunk extensions or trailers) or the connection ended before the whole \
body arrived";

impl Error {
    /// `Some(Unavailable)` when `error` says the process or the system is
    /// out of file descriptors (`EMFILE`, `ENFILE`): opening a static file or
    /// a database connection failed for want of one, not because anything
    /// is wrong with the request. That is a `503` the client may retry once
    /// connections have closed, never a `500`.
    pub fn out_of_descriptors(error: &std::io::Error) -> Option<Error> {
        // The Linux and BSD numbers; std has no `ErrorKind` for them.
        const ENFILE: i32 = 23;
        const EMFILE: i32 = 24;
        matches!(error.raw_os_error(), Some(ENFILE | EMFILE))
            .then(|| Error::Unavailable("no file descriptor is free".to_owned()))
    }

    // ANCHOR: bad_body
    /// A request body that could not be read (see [`Error::BadBody`]), with
    /// the reader's own explanation as the cause, for the log.
    pub fn bad_body(cause: impl std::fmt::Display) -> Error {
        Error::BadBody {
            cause: cause.to_string(),
        }
    }
    // ANCHOR_END: bad_body

    /// A body that serde could not turn into the target type (a member of
    /// the wrong type, a duplicate member, the wrong kind of value at the
    /// top): `422` with one field error saying where and what.
    ///
    /// `path` is where serde stopped (`serde_path_to_error`'s notation),
    /// `message` serde's own explanation. Both servers call this with the
    /// same two strings, so they answer alike.
    ///
    /// serde quotes the input it stumbled over, and a path can hold a
    /// client's member names: both are cut to a short prefix here
    /// ([`crate::validation::shorten`]).
    pub fn body_shape(path: String, message: String) -> Error {
        Error::InvalidFields(FieldErrors::single(shorten(&path), shorten(&message)))
    }

    /// A query string that could not be understood, in a parser's words or
    /// ours, cut to a short prefix like every message built from a
    /// client's input.
    pub fn invalid_query(message: impl AsRef<str>) -> Error {
        Error::InvalidQuery(shorten(message.as_ref()))
    }

    /// A path parameter that does not parse as `expected_type` (a Rust type
    /// name such as `i64`, as axum reports it): `400` naming the parameter.
    pub fn path_param_type(name: &str, value: &str, expected_type: &str) -> Error {
        let integer = ["i8", "i16", "i32", "i64", "i128", "isize"]
            .iter()
            .chain(&["u8", "u16", "u32", "u64", "u128", "usize"])
            .any(|t| *t == expected_type);
        let wanted = if integer {
            format!("a whole number in the range of {expected_type}")
        } else {
            format!("a valid {expected_type}")
        };
        Error::InvalidPathParam {
            name: name.to_owned(),
            message: format!("must be {wanted}, got {}", crate::validation::quote(value)),
        }
    }

    /// A path parameter whose `%xx` escapes do not decode to UTF-8.
    pub fn path_param_not_utf8(name: &str) -> Error {
        Error::InvalidPathParam {
            name: name.to_owned(),
            message: "is not valid UTF-8 once its %-escapes are decoded".to_owned(),
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
    fn running_out_of_descriptors_is_a_503_and_other_io_errors_are_not_mapped() {
        for errno in [23, 24] {
            let error = Error::out_of_descriptors(&std::io::Error::from_raw_os_error(errno))
                .expect("ENFILE and EMFILE are mapped");
            assert_eq!(error.status(), 503);
            assert_eq!(error.problem().kind, "urn:frameworth:problem:unavailable");
        }
        let not_found = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(Error::out_of_descriptors(&not_found).is_none());
    }

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
    fn an_unreadable_body_is_told_in_one_wording_whatever_the_cause() {
        let chunked = Error::bad_body("invalid chunk size line").problem();
        let cut_off = Error::bad_body("error reading a body from connection").problem();
        assert_eq!(chunked, cut_off);
        assert_eq!(chunked.status, 400);
        assert_eq!(chunked.kind, "urn:frameworth:problem:bad-body");
        assert!(!chunked.detail.contains("chunk size line"));
    }

    #[test]
    fn server_errors_hide_their_cause_from_the_client() {
        let problem = Error::Internal("secret table name".into()).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("secret"));
    }

    #[test]
    fn unavailable_is_a_503_that_names_the_busy_resource() {
        let problem = Error::Unavailable("the database write lock".into()).problem();
        assert_eq!(problem.status, 503);
        assert_eq!(problem.kind, "urn:frameworth:problem:unavailable");
        assert!(problem.detail.contains("database write lock"));
    }

    #[test]
    fn field_errors_travel_in_an_errors_member_only_for_422() {
        let mut errors = FieldErrors::new();
        errors.push("email", "email must contain an @");
        let json: serde_json::Value =
            serde_json::from_slice(&Error::InvalidFields(errors).problem().to_json())
                .expect("valid JSON");
        assert_eq!(json["status"], 422);
        assert_eq!(json["errors"][0]["field"], "email");
        assert_eq!(json["errors"][0]["message"], "email must contain an @");
        assert!(json["detail"].as_str().is_some_and(|d| d.contains("email")));

        let json: serde_json::Value =
            serde_json::from_slice(&Error::InvalidJson("eof".into()).problem().to_json())
                .expect("valid JSON");
        assert!(json.get("errors").is_none());
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
