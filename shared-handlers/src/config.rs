//! Application settings both servers read: the same values, so the same
//! limits apply on both sides.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::chain::{Chain, Step};

/// The admin token used when none is configured. Fine on a laptop, printed
/// in the docs on purpose: set `--admin-token` (or `FRAMEWORTH_ADMIN_TOKEN`)
/// anywhere else.
pub const DEFAULT_ADMIN_TOKEN: &str = "frameworth-local-admin";

/// The largest request body accepted by default: 2 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

// ANCHOR: drain_policy
/// After refusing a body over the limit (`413`), a server goes on reading
/// and throwing away at most this many more of its bytes before it answers.
///
/// A client that uploads too much usually keeps writing without reading. If
/// the server answered and closed at once, the unread upload in its socket
/// would make the kernel reset the connection, and a reset destroys the
/// `413` in the client's receive buffer before the client reads it. Reading
/// the rest (within these bounds) lets the client finish writing and read
/// the answer; past the bounds the server gives up and closes.
pub const OVERSIZED_BODY_DRAIN_BYTES: u64 = 64 * 1024 * 1024;

/// ... and spends at most this long doing so.
pub const OVERSIZED_BODY_DRAIN_TIME: Duration = Duration::from_secs(5);
// ANCHOR_END: drain_policy

/// How long a request may take by default before it is answered with `503`.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings of the request layer (the connection layer has its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// The bearer token `/admin/` requests must present.
    pub admin_token: String,
    /// The most bytes a request body may have.
    pub body_limit: usize,
    /// How long a request may take before the server gives up on it.
    pub request_timeout: Duration,
    /// The folder `/static/...` serves files from.
    pub static_dir: PathBuf,
    /// How much of the middleware chain runs (`full` unless measuring).
    pub middleware: Chain,
    /// The upstream service `/upstream` calls (`http://host:port`), if any.
    pub upstream: Option<String>,
    /// How long the upstream may take before `/upstream` answers `504`.
    pub upstream_timeout: Duration,
}

impl AppConfig {
    /// The body limit the extractors apply: [`AppConfig::body_limit`], or,
    /// when `--middleware` leaves out the body-limit step, the 2 MiB default
    /// (the limit axum's extractors apply by themselves without the layer).
    pub fn body_limit_in_force(&self) -> usize {
        if self.middleware.runs(Step::BodyLimit) {
            self.body_limit
        } else {
            DEFAULT_BODY_LIMIT
        }
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            admin_token: DEFAULT_ADMIN_TOKEN.to_owned(),
            body_limit: DEFAULT_BODY_LIMIT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            static_dir: default_static_dir(),
            middleware: Chain::FULL,
            upstream: None,
            upstream_timeout: crate::upstream::DEFAULT_UPSTREAM_TIMEOUT,
        }
    }
}

/// Where `/static/...` files come from when `--static-dir` is not given: the
/// `static/` folder at the root of the repository, found through this
/// crate's manifest directory *at compile time*.
///
/// That is right for `cargo run` and for the tests, which always run inside
/// the checkout. A binary copied elsewhere needs `--static-dir` (or
/// `FRAMEWORTH_STATIC_DIR`); a real deployment would ship the folder next
/// to the binary or embed the files.
pub fn default_static_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("static")
}
