//! The storage, chosen once at start-up: SQLite embedded in the process
//! (the default), or a PostgreSQL server. Handlers only ever see
//! [`Database`]; which backend answers is this module's business.
//!
//! Both backends keep the same promises: the same schema and seed rows
//! ([`rows`]), prepared statements, one single-row query per `World` read,
//! writes in one transaction each, and load answered `503`, never `500`
//! (SQLite's busy write lock; PostgreSQL's row-lock deadlocks, lost
//! connections, an exhausted pool).
//!
//! | module      | concept                                                      |
//! |-------------|--------------------------------------------------------------|
//! | [`rows`]    | the seed rows both backends write on first start             |
//! | [`sqlite`]  | embedded SQLite: r2d2 pool, blocking calls off the runtime   |
//! | [`postgres`]| PostgreSQL: tokio-postgres, deadpool pool, async all the way |

pub mod postgres;
pub mod rows;
pub mod sqlite;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use rows::{FORTUNES, WORLD_ROWS};
pub use sqlite::{BUSY_TIMEOUT, WRITE_RETRIES};

use crate::error::Error;
use crate::model::user::{NewUser, User, UserListQuery};
use crate::model::{Fortune, World};
use postgres::Postgres;
use sqlite::Sqlite;

/// How long a request waits for a pooled connection before it is answered
/// `503`: long enough for a queue of writers to drain, well below the
/// default request timeout.
pub const POOL_TIMEOUT: Duration = Duration::from_secs(5);

/// A uniformly random `World` id.
pub fn random_world_id() -> i32 {
    fastrand::i32(1..=WORLD_ROWS)
}

/// A uniformly random `randomNumber` value.
pub fn random_number() -> i32 {
    fastrand::i32(1..=WORLD_ROWS)
}

/// What the pool's connections may do to the file (SQLite only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads and writes: the normal case.
    ReadWrite,
    /// Reads only (`SQLITE_OPEN_READONLY`): every write is refused by
    /// SQLite with `SQLITE_READONLY`, which clients see as `503`.
    ReadOnly,
}

// ANCHOR: location
/// Where the data lives, as `--database` names it: a `postgres://` (or
/// `postgresql://`) URL is a PostgreSQL server, anything else a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    /// A tokio-postgres connection string (URL or `key=value` form).
    Postgres(String),
}

impl Location {
    /// Reads `--database`'s value.
    pub fn parse(value: &str) -> Location {
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Location::Postgres(value.to_owned())
        } else {
            Location::File(PathBuf::from(value))
        }
    }
}
// ANCHOR_END: location

/// The database both servers' handlers call, whichever backend it is.
#[derive(Debug, Clone)]
pub struct Database {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

/// Calls the same method on whichever backend runs.
macro_rules! on_backend {
    ($database:expr, $backend:ident => $call:expr) => {
        match &$database.backend {
            Backend::Sqlite($backend) => $call,
            Backend::Postgres($backend) => $call,
        }
    };
}

/// Calls the same async method on whichever backend runs, and awaits it.
///
/// The PostgreSQL call is boxed, on purpose. A future that awaits one of two
/// futures is as large as the larger: tokio-postgres's are about 2 KB, a
/// SQLite call's (a `spawn_blocking` handle) a few hundred bytes. Unboxed,
/// every future that may reach the database would carry those 2 KB whatever
/// the backend, up to each server's whole request future (a route table is
/// as large as its largest arm), copied each time it moves: some hundreds of
/// instructions per request on raw-server's `/plaintext`, which never
/// touches the database. One allocation per query is nothing beside a round
/// trip to PostgreSQL.
macro_rules! on_backend_await {
    ($database:expr, $backend:ident => $call:expr) => {
        match &$database.backend {
            Backend::Sqlite($backend) => $call.await,
            Backend::Postgres($backend) => Box::pin($call).await,
        }
    };
}

impl Database {
    /// Opens (creating and seeding if needed) the SQLite file at `path`.
    /// Synchronous: call it once, before serving.
    pub fn open(path: &Path, pool_size: u32) -> Result<Database, Error> {
        let backend = Backend::Sqlite(Sqlite::open(path, pool_size)?);
        Ok(Database { backend })
    }

    /// Opens the database at `location`, SQLite or PostgreSQL, creating the
    /// schema and seeding it if needed. Synchronous: call it once, before
    /// serving (PostgreSQL's set-up runs on a short-lived thread of its own).
    pub fn open_at(location: &Location, pool_size: u32) -> Result<Database, Error> {
        let backend = match location {
            Location::File(path) => Backend::Sqlite(Sqlite::open(path, pool_size)?),
            Location::Postgres(url) => Backend::Postgres(Postgres::open(url, pool_size)?),
        };
        Ok(Database { backend })
    }

    /// `"sqlite"` or `"postgres"`, for logs and reports.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Replaces every pooled SQLite connection with one opened with
    /// `access` (see [`Sqlite::reopen`]). PostgreSQL has no such switch:
    /// there it is an error.
    pub fn reopen(&self, access: Access) -> Result<(), Error> {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.reopen(access),
            Backend::Postgres(_) => Err(Error::Internal(
                "only a SQLite database can be reopened read-only".to_owned(),
            )),
        }
    }

    /// The SQLite file's path; `None` for PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(sqlite) => Some(sqlite.path()),
            Backend::Postgres(_) => None,
        }
    }

    /// One `World` row by id, or `None` if there is no such row.
    pub async fn world(&self, id: i32) -> Result<Option<World>, Error> {
        on_backend_await!(self, db => db.world(id))
    }

    /// Each id fetched by its own single-row query (the rules forbid `IN (...)`).
    /// Ids missing from the table are skipped.
    pub async fn worlds(&self, ids: Vec<i32>) -> Result<Vec<World>, Error> {
        on_backend_await!(self, db => db.worlds(ids))
    }

    /// Reads each id with its own query, gives it a new random number, and
    /// persists all of them in one transaction before returning them.
    pub async fn update_worlds(&self, ids: Vec<i32>) -> Result<Vec<World>, Error> {
        on_backend_await!(self, db => db.update_worlds(ids))
    }

    /// Every row of table `Fortune`, in table order.
    pub async fn fortunes(&self) -> Result<Vec<Fortune>, Error> {
        on_backend_await!(self, db => db.fortunes())
    }

    /// One page of users, ordered by id, optionally filtered by a substring
    /// of the name, ignoring ASCII case.
    pub async fn users(&self, query: UserListQuery) -> Result<Vec<User>, Error> {
        on_backend_await!(self, db => db.users(query))
    }

    /// One user by id, or `None`.
    pub async fn user(&self, id: i64) -> Result<Option<User>, Error> {
        on_backend_await!(self, db => db.user(id))
    }

    /// Stores a new user and returns it with its id; `409` for an email
    /// another user has (ignoring ASCII case).
    pub async fn insert_user(&self, user: NewUser) -> Result<User, Error> {
        on_backend_await!(self, db => db.insert_user(user))
    }

    /// Replaces a user's name and email; `None` if there is no such user.
    pub async fn replace_user(&self, id: i64, user: NewUser) -> Result<Option<User>, Error> {
        on_backend_await!(self, db => db.replace_user(id, user))
    }

    /// Deletes a user; `false` if there was no such user.
    pub async fn delete_user(&self, id: i64) -> Result<bool, Error> {
        on_backend_await!(self, db => db.delete_user(id))
    }

    /// Every `World` row, read synchronously: used once, to prime the cache.
    pub fn all_worlds_blocking(&self) -> Result<Vec<World>, Error> {
        on_backend!(self, db => db.all_worlds_blocking())
    }

    /// SQLite's own consistency check (`PRAGMA integrity_check`): `"ok"`,
    /// or the problems found. Synchronous; for tests and operators. An
    /// error for PostgreSQL, which checks itself.
    pub fn integrity_check_blocking(&self) -> Result<String, Error> {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.integrity_check_blocking(),
            Backend::Postgres(_) => Err(Error::Internal(
                "the integrity check is SQLite's".to_owned(),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
