//! The embedded SQLite backend: connection pool, queries, and how a write
//! waits for the lock.
//!
//! SQLite calls **block** the calling thread (they do file I/O and take
//! locks). Run on a tokio worker thread they would stall every other request
//! scheduled on it, so every query here goes through
//! [`tokio::task::spawn_blocking`], onto tokio's pool of threads meant for
//! blocking work, with a connection taken from an `r2d2` pool. Both servers
//! use this same code, so the database costs them the same.
//!
//! The database is a single file created and seeded on first start. WAL mode
//! lets readers proceed while a writer commits, which matters for `/updates`
//! and for concurrent `POST /users`. Writers still take turns on SQLite's
//! one write lock: every write runs in an *immediate* transaction that waits
//! for it ([`write`] explains why a deferred one could not), and a database
//! that stays busy, turns read-only or disappears answers `503`, never `500`
//! ([`faults`], [`file`]).
//!
//! | module    | concept                                                        |
//! |-----------|----------------------------------------------------------------|
//! | [`seed`]  | the schema and the seed rows, written once on first start      |
//! | [`write`] | immediate transactions, bounded retries of a busy database      |
//! | [`faults`]| SQLite's and the pool's failures sorted into `503` and `500`    |
//! | [`file`]  | the file created private (`0600`), and noticed when it vanishes |

mod faults;
mod file;
mod seed;
mod write;

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use r2d2_sqlite::SqliteConnectionManager;
use r2d2_sqlite::rusqlite::{self, Connection, OpenFlags, OptionalExtension, params};

pub use write::{BUSY_TIMEOUT, WRITE_RETRIES};

use super::{Access, POOL_TIMEOUT, random_number};
use crate::error::Error;
use crate::model::user::{NewUser, User, UserListQuery};
use crate::model::{Fortune, World};
use file::WatchedFile;

/// A pool of SQLite connections to one database file.
#[derive(Debug, Clone)]
pub struct Sqlite {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    file: WatchedFile,
    pool_size: u32,
    /// Replaced whole by [`Sqlite::reopen`]; read (one clone of an `Arc`)
    /// by every query.
    pool: RwLock<r2d2::Pool<SqliteConnectionManager>>,
}

impl Sqlite {
    /// Opens (creating and seeding if needed) the database at `path`.
    ///
    /// Synchronous on purpose: it runs once at start-up, before any runtime
    /// serves requests. Any failure (a folder that cannot be created, a
    /// file that is not a database, no permission) is an error naming the
    /// path, for the operator who started the server.
    pub fn open(path: &Path, pool_size: u32) -> Result<Sqlite, Error> {
        let cannot = |what: &str, e: &dyn std::fmt::Display| {
            Error::Internal(format!(
                "cannot {what} the database {}: {e}",
                path.display()
            ))
        };
        file::create_private(path).map_err(|e| cannot("create", &e))?;
        // The one connection that may create the schema; pooled ones open
        // the file without SQLITE_OPEN_CREATE (see `file`).
        let mut setup = open_connection(path, Access::ReadWrite).map_err(|e| cannot("open", &e))?;
        // WAL: readers do not wait for writers. It is a property of the
        // file, so it is set once here rather than by every connection.
        setup
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| cannot("open", &e))?;
        write::write_transaction(&mut setup, seed::seed).map_err(|e| cannot("seed", &e))?;
        drop(setup);
        let watched = WatchedFile::new(path).map_err(|e| cannot("open", &e))?;
        let pool =
            build_pool(path, pool_size, Access::ReadWrite).map_err(|e| cannot("open", &e))?;
        Ok(Sqlite {
            shared: Arc::new(Shared {
                file: watched,
                pool_size,
                pool: RwLock::new(pool),
            }),
        })
    }

    /// Replaces every pooled connection with a new one opened with
    /// `access`. Requests in flight finish on their old connection.
    ///
    /// This is how a server is switched to read-only service (and back)
    /// while it runs, and what the database-fault tests use to make the
    /// file read-only: `chmod` alone would not do, since connections
    /// already open keep their write access, and root ignores file modes.
    /// Synchronous: it opens connections.
    pub fn reopen(&self, access: Access) -> Result<(), Error> {
        let shared = &self.shared;
        let pool = build_pool(shared.file.path(), shared.pool_size, access)?;
        *shared.pool.write().unwrap_or_else(PoisonError::into_inner) = pool;
        Ok(())
    }

    /// The database file's path, as given to [`Sqlite::open`].
    pub fn path(&self) -> &Path {
        self.shared.file.path()
    }

    /// The current pool (cheap: an `Arc` clone).
    fn pool(&self) -> r2d2::Pool<SqliteConnectionManager> {
        self.shared
            .pool
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Runs `work` with a pooled connection on tokio's blocking thread pool,
    /// after checking that the file is still there; failures are sorted
    /// into `503` and `500` by [`faults::classify`].
    async fn with_conn<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, Error> + Send + 'static,
    {
        let database = self.clone();
        tokio::task::spawn_blocking(move || {
            database.shared.file.check()?;
            let mut conn = database.pool().get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
        .map_err(faults::classify)
    }

    /// Like [`Sqlite::with_conn`], for a write: `work` runs in an
    /// immediate transaction that waits for the write lock and is retried
    /// while the database is busy ([`write`]).
    async fn with_write<T, F>(&self, mut work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnMut(&rusqlite::Transaction<'_>) -> Result<T, Error> + Send + 'static,
    {
        self.with_conn(move |conn| write::write_transaction(conn, &mut work))
            .await
    }

    /// One `World` row by id, or `None` if there is no such row.
    pub async fn world(&self, id: i32) -> Result<Option<World>, Error> {
        self.with_conn(move |conn| Ok(select_world(conn, id)?))
            .await
    }

    /// Each id fetched by its own single-row query (the rules forbid `IN (...)`).
    /// Ids missing from the table are skipped.
    pub async fn worlds(&self, ids: Vec<i32>) -> Result<Vec<World>, Error> {
        self.with_conn(move |conn| {
            let mut worlds = Vec::with_capacity(ids.len());
            for id in ids {
                worlds.extend(select_world(conn, id)?);
            }
            Ok(worlds)
        })
        .await
    }

    /// Reads each id with its own query, gives it a new random number, and
    /// persists all of them in one transaction before returning them.
    pub async fn update_worlds(&self, ids: Vec<i32>) -> Result<Vec<World>, Error> {
        self.with_write(move |tx| {
            let mut worlds = Vec::with_capacity(ids.len());
            for &id in &ids {
                if let Some(mut world) = select_world(tx, id)? {
                    world.random_number = random_number();
                    worlds.push(world);
                }
            }
            let mut update =
                tx.prepare_cached("UPDATE World SET randomNumber = ?1 WHERE id = ?2")?;
            for world in &worlds {
                update.execute(params![world.random_number, world.id])?;
            }
            Ok(worlds)
        })
        .await
    }

    /// Every row of table `Fortune`, in table order.
    pub async fn fortunes(&self) -> Result<Vec<Fortune>, Error> {
        self.with_conn(|conn| {
            let mut select = conn.prepare_cached("SELECT id, message FROM Fortune")?;
            let rows = select.query_map([], |row| {
                Ok(Fortune {
                    id: row.get(0)?,
                    message: row.get(1)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// One page of users, ordered by id, optionally filtered by a substring
    /// of the name (ignoring ASCII case, which is what SQLite's `lower`
    /// folds; other letters must match exactly).
    pub async fn users(&self, query: UserListQuery) -> Result<Vec<User>, Error> {
        self.with_conn(move |conn| {
            // `instr` rather than `LIKE`: a `%` or `_` in the filter is then
            // just a character, with no escaping to get wrong.
            let mut select = conn.prepare_cached(
                "SELECT id, name, email FROM User
                 WHERE ?1 IS NULL OR instr(lower(name), lower(?1)) > 0
                 ORDER BY id LIMIT ?2 OFFSET ?3",
            )?;
            let rows =
                select.query_map(params![query.name, query.limit, query.offset], user_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// One user by id, or `None`.
    pub async fn user(&self, id: i64) -> Result<Option<User>, Error> {
        self.with_conn(move |conn| {
            Ok(conn
                .prepare_cached("SELECT id, name, email FROM User WHERE id = ?1")?
                .query_row([id], user_row)
                .optional()?)
        })
        .await
    }

    /// Stores a new user and returns it with its id.
    pub async fn insert_user(&self, user: NewUser) -> Result<User, Error> {
        self.with_write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO User (name, email) VALUES (?1, ?2) RETURNING id, name, email",
            )?
            .query_row(params![user.name.as_str(), user.email.as_str()], user_row)
            .map_err(|e| unique_email(e, &user))
        })
        .await
    }

    /// Replaces a user's name and email; `None` if there is no such user.
    pub async fn replace_user(&self, id: i64, user: NewUser) -> Result<Option<User>, Error> {
        self.with_write(move |tx| {
            tx.prepare_cached(
                "UPDATE User SET name = ?1, email = ?2 WHERE id = ?3 RETURNING id, name, email",
            )?
            .query_row(
                params![user.name.as_str(), user.email.as_str(), id],
                user_row,
            )
            .optional()
            .map_err(|e| unique_email(e, &user))
        })
        .await
    }

    /// Deletes a user; `false` if there was no such user.
    pub async fn delete_user(&self, id: i64) -> Result<bool, Error> {
        self.with_write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM User WHERE id = ?1")?
                .execute([id])?;
            Ok(deleted > 0)
        })
        .await
    }

    /// Every `World` row, read synchronously: used once, to prime the cache.
    pub fn all_worlds_blocking(&self) -> Result<Vec<World>, Error> {
        let conn = self.pool().get()?;
        let mut select = conn.prepare("SELECT id, randomNumber FROM World ORDER BY id")?;
        let rows = select.query_map([], world_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// SQLite's own consistency check (`PRAGMA integrity_check`): `"ok"`,
    /// or the problems found. Synchronous; for tests and operators.
    pub fn integrity_check_blocking(&self) -> Result<String, Error> {
        let conn = self.pool().get()?;
        let lines = conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(lines.join("\n"))
    }
}

/// One connection to an existing file, never creating it, set up the way
/// every connection is: `synchronous = NORMAL` (safe in WAL mode: a power
/// cut may lose the last commits, never corrupt) and the lock wait of
/// [`write`].
fn open_connection(path: &Path, access: Access) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, open_flags(access))?;
    configure(&conn)?;
    Ok(conn)
}

fn open_flags(access: Access) -> OpenFlags {
    let access = match access {
        Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
        Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
    };
    // No SQLITE_OPEN_CREATE, on purpose; NO_MUTEX: a pooled connection is
    // used by one thread at a time.
    access | OpenFlags::SQLITE_OPEN_NO_MUTEX
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(BUSY_TIMEOUT)
}

fn build_pool(
    path: &Path,
    pool_size: u32,
    access: Access,
) -> Result<r2d2::Pool<SqliteConnectionManager>, Error> {
    let manager = SqliteConnectionManager::file(path)
        .with_flags(open_flags(access))
        .with_init(|conn| configure(conn));
    Ok(r2d2::Pool::builder()
        .max_size(pool_size)
        // Connections to a local file do not go stale; skipping the
        // check-out test saves a round trip into SQLite per request.
        .test_on_check_out(false)
        .connection_timeout(POOL_TIMEOUT)
        .build(manager)?)
}

/// Reads a `User` out of a `SELECT id, name, email` row.
fn user_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
    })
}

/// A broken `UNIQUE` constraint is a client error (`409`); anything else
/// stays a database error (`500`).
fn unique_email(error: rusqlite::Error, user: &NewUser) -> Error {
    match &error {
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Error::EmailTaken {
                email: user.email.as_str().to_owned(),
            }
        }
        _ => Error::Database(error),
    }
}

/// The single-row query every `World` read goes through.
fn select_world(conn: &Connection, id: i32) -> rusqlite::Result<Option<World>> {
    conn.prepare_cached("SELECT id, randomNumber FROM World WHERE id = ?1")?
        .query_row([id], world_from_row)
        .optional()
}

/// A `World` from a row selected as `id, randomNumber`.
fn world_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<World> {
    Ok(World {
        id: row.get(0)?,
        random_number: row.get(1)?,
    })
}
