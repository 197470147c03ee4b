//! Application settings both servers read: the same values, so the same
//! limits apply on both sides.

use std::path::PathBuf;
use std::time::Duration;

use crate::state::default_static_dir;

/// The admin token used when none is configured. Fine on a laptop, printed
/// in the docs on purpose: set `--admin-token` (or `FRAMEWORTH_ADMIN_TOKEN`)
/// anywhere else.
pub const DEFAULT_ADMIN_TOKEN: &str = "frameworth-local-admin";

/// The largest request body accepted by default: 2 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

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
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            admin_token: DEFAULT_ADMIN_TOKEN.to_owned(),
            body_limit: DEFAULT_BODY_LIMIT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            static_dir: default_static_dir(),
        }
    }
}
