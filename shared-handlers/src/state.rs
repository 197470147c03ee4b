//! [`AppState`]: what every handler needs, shared by all requests.
//!
//! That is the settings (among them the folder `/static/...` serves files
//! from, see [`crate::config::default_static_dir`]), the database, the cache and the
//! request counters.
//!
//! Cloning it is cheap (one `Arc`), so both servers hand a clone to every
//! request: raw-server captures it in its `service_fn` closure, axum passes it
//! through `Router::with_state` and the `State` extractor.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cache::WorldCache;
use crate::config::AppConfig;
use crate::db::{Database, Location};
use crate::error::Error;
use crate::stats::RequestStats;
use crate::upstream::Upstream;

/// Shared application state: settings, the database pool, the `World` cache
/// and the request counters.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: AppConfig,
    db: Database,
    cache: WorldCache,
    stats: RequestStats,
    upstream: Upstream,
}

/// Where the database lives when `--database` is not given: a per-user
/// data folder by the platform's convention, `frameworth/frameworth.sqlite3`
/// under `$XDG_DATA_HOME` (else `~/.local/share`) on Linux. It holds user
/// data, so it belongs to the user: not to a shared, world-writable temp
/// folder, where anyone could read it or plant a file there first. The
/// folder is created `0700` and the file `0600`, seeded on first start.
///
/// An error when the platform knows no data folder for this user (no
/// `$HOME`): then `--database` must say where.
pub fn default_database_path() -> Result<PathBuf, Error> {
    let data = dirs::data_dir().ok_or_else(|| {
        Error::Internal(
            "there is no per-user data folder (is $HOME set?); give the database file with --database"
                .to_owned(),
        )
    })?;
    Ok(data.join("frameworth").join("frameworth.sqlite3"))
}

/// The connection pool size when the caller has no opinion: enough for
/// every core to have queries in flight while others wait on SQLite's locks.
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 4).unwrap_or(16).clamp(4, 64)
}

impl AppState {
    /// Opens (creating and seeding if needed) the database at `path` and
    /// primes the cache. Synchronous: call it once, before serving.
    pub fn open(path: &Path) -> Result<AppState, Error> {
        AppState::open_with(path, AppConfig::default())
    }

    /// Like [`AppState::open`], with explicit settings.
    pub fn open_with(path: &Path, config: AppConfig) -> Result<AppState, Error> {
        AppState::open_at(&Location::File(path.to_owned()), config)
    }

    /// Like [`AppState::open_with`], for a database at any [`Location`]:
    /// a SQLite file or a PostgreSQL server.
    pub fn open_at(location: &Location, config: AppConfig) -> Result<AppState, Error> {
        let db = Database::open_at(location, default_pool_size())?;
        let cache = WorldCache::prime(&db)?;
        let upstream = Upstream::new(config.upstream.as_deref(), config.upstream_timeout)?;
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                db,
                cache,
                stats: RequestStats::default(),
                upstream,
            }),
        })
    }

    /// The request layer's settings.
    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    /// The per-endpoint request counters.
    pub fn stats(&self) -> &RequestStats {
        &self.inner.stats
    }

    /// The folder `/static/...` serves files from.
    pub fn static_dir(&self) -> &Path {
        &self.inner.config.static_dir
    }

    /// The database, for handlers and for tests that read rows back.
    pub fn db(&self) -> &Database {
        &self.inner.db
    }

    /// The shared client for the upstream service behind `/upstream`.
    pub fn upstream(&self) -> &Upstream {
        &self.inner.upstream
    }

    /// The primed `World` cache.
    pub fn cache(&self) -> &WorldCache {
        &self.inner.cache
    }
}
