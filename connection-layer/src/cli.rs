//! The command-line flags both server binaries share, parsed with clap.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use shared_handlers::chain::Chain;
use shared_handlers::config::default_static_dir;
use shared_handlers::config::{DEFAULT_ADMIN_TOKEN, DEFAULT_BODY_LIMIT, DEFAULT_REQUEST_TIMEOUT};
use shared_handlers::db::Location;
use shared_handlers::state::default_database_path;
use shared_handlers::upstream::DEFAULT_UPSTREAM_TIMEOUT;
use shared_handlers::{AppConfig, AppState};

use crate::runtime::RuntimeFlavor;
use crate::settings::ConnectionSettings;

/// Flags common to `raw-server` and `framework-server`.
///
/// Each binary flattens this into its own `Cli` and supplies its own default
/// address, so the two can run side by side (3000 and 3001).
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Address to listen on; `127.0.0.1:0` lets the system pick a free port.
    #[arg(long)]
    pub addr: Option<SocketAddr>,

    /// SQLite database file, created (0600) and seeded on first start, or a
    /// PostgreSQL server as `postgres://USER@HOST:PORT/DB` (schema created and
    /// seeded on first start too); a database that cannot be opened stops
    /// the server before it listens [default: frameworth/frameworth.sqlite3
    /// in the user's data folder, $XDG_DATA_HOME or ~/.local/share]
    #[arg(long, env = "FRAMEWORTH_DATABASE")]
    pub database: Option<PathBuf>,

    /// Folder served under `/static/` (both servers read the same setting)
    /// [default: the `static/` folder of the source checkout]
    #[arg(long, env = "FRAMEWORTH_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// The upstream service `/upstream` calls, as `http://host:port`: anything
    /// that answers frameworth's `GET /delay?ms=N` (another frameworth server
    /// does). Without it `/upstream` answers 503
    #[arg(long, env = "FRAMEWORTH_UPSTREAM")]
    pub upstream: Option<String>,

    /// How long the upstream may take before `/upstream` answers 504, in
    /// milliseconds.
    #[arg(long, default_value_t = u64::try_from(DEFAULT_UPSTREAM_TIMEOUT.as_millis()).unwrap_or(u64::MAX))]
    pub upstream_timeout_ms: u64,

    /// How requests are scheduled onto threads.
    #[arg(long, value_enum, default_value_t = RuntimeFlavor::MultiThread)]
    pub runtime: RuntimeFlavor,

    /// Worker threads (multi-thread) or runtimes (per-core)
    /// [default: the number of CPUs]
    #[arg(long)]
    pub workers: Option<NonZeroUsize>,

    /// Bearer token that `/admin/` requests must present. The default is
    /// for local use only.
    #[arg(long, env = "FRAMEWORTH_ADMIN_TOKEN", default_value = DEFAULT_ADMIN_TOKEN, hide_env_values = true)]
    pub admin_token: String,

    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,

    /// How long a request may take before it is answered with 503, in milliseconds.
    #[arg(long, default_value_t = u64::try_from(DEFAULT_REQUEST_TIMEOUT.as_millis()).unwrap_or(u64::MAX))]
    pub request_timeout_ms: u64,

    /// The most connections served at once; past it new ones wait in the
    /// listen backlog until one closes
    /// [default: the descriptor limit minus a quarter of it kept in reserve]
    #[arg(long)]
    pub max_connections: Option<NonZeroUsize>,

    /// How long a client may take to send a request head, and how long an
    /// idle keep-alive connection stays open, in milliseconds [default: 10000]
    #[arg(long)]
    pub header_read_timeout_ms: Option<u64>,

    /// How long one write may wait for a client that does not read, in
    /// milliseconds, before the connection is closed [default: 10000]
    #[arg(long)]
    pub write_timeout_ms: Option<u64>,

    /// After SIGTERM or Ctrl-C, how long in-flight requests get before the
    /// process exits anyway, in milliseconds [default: 10000]
    #[arg(long)]
    pub drain_timeout_ms: Option<u64>,

    /// How much of the middleware chain runs: `full`, `none` (routing and
    /// handlers alone), or `up-to=STEP` with STEP one of request-id,
    /// access-log, host-check, timeout, body-limit, cache-headers, compression,
    /// panic-catcher, counters, admin-token. For measurements only: without
    /// admin-token `/admin/` is open, without body-limit bodies are unbounded.
    #[arg(long, env = "FRAMEWORTH_MIDDLEWARE", default_value_t = Chain::FULL)]
    pub middleware: Chain,
}

impl ServerArgs {
    /// The request layer's settings from the flags.
    pub fn app_config(&self) -> AppConfig {
        AppConfig {
            admin_token: self.admin_token.clone(),
            body_limit: self.body_limit,
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            static_dir: self.static_dir.clone().unwrap_or_else(default_static_dir),
            middleware: self.middleware,
            upstream: self.upstream.clone(),
            upstream_timeout: Duration::from_millis(self.upstream_timeout_ms),
        }
    }

    /// The connection layer's settings: the defaults, with what the flags set.
    pub fn connection_settings(&self) -> ConnectionSettings {
        let mut settings = ConnectionSettings::default();
        if let Some(max) = self.max_connections {
            settings.max_connections = max.get();
        }
        let millis = Duration::from_millis;
        if let Some(ms) = self.header_read_timeout_ms {
            settings.header_read_timeout = millis(ms);
        }
        if let Some(ms) = self.write_timeout_ms {
            settings.write_timeout = millis(ms);
        }
        if let Some(ms) = self.drain_timeout_ms {
            settings.drain_timeout = millis(ms);
        }
        settings
    }

    /// Opens the database (creating and seeding it on first start) and
    /// primes the cache, with the settings from the flags.
    pub fn open_state(&self) -> anyhow::Result<AppState> {
        let location = match &self.database {
            Some(value) => match value.to_str() {
                Some(text) => Location::parse(text),
                None => Location::File(value.clone()),
            },
            None => Location::File(default_database_path()?),
        };
        Ok(AppState::open_at(&location, self.app_config())?)
    }

    /// The worker count, defaulting to the CPUs this process may use.
    pub fn workers(&self) -> usize {
        self.workers
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, NonZeroUsize::get)
    }
}
