//! The embedded SQLite database: connection pool, schema, seed data, queries.
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
//! and for concurrent `POST /users`.

use std::path::Path;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use r2d2_sqlite::rusqlite::{self, Connection, OptionalExtension, params};

use crate::error::Error;
use crate::model::{Fortune, World};
use crate::users::{NewUser, User, UserListQuery};

/// Rows in table `World`, ids `1..=WORLD_ROWS`.
pub const WORLD_ROWS: i32 = 10_000;

/// The 12 fortunes of the benchmark rules (`../shared/METHOD.md`).
pub const FORTUNES: [(i32, &str); 12] = [
    (1, "fortune: No such file or directory"),
    (
        2,
        "A computer scientist is someone who fixes things that aren't broken.",
    ),
    (3, "After enough decimal places, nobody gives a damn."),
    (
        4,
        "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    ),
    (
        5,
        "A computer program does what you tell it to do, not what you want it to do.",
    ),
    (
        6,
        "Emacs is a nice operating system, but I prefer UNIX. \u{2014} Tom Christaensen",
    ),
    (7, "Any program that runs right is obsolete."),
    (
        8,
        "A list is only as strong as its weakest link. \u{2014} Donald Knuth",
    ),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (
        11,
        "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    ),
    (12, "フレームワークのベンチマーク"),
];

/// A uniformly random `World` id.
pub fn random_world_id() -> i32 {
    fastrand::i32(1..=WORLD_ROWS)
}

/// A uniformly random `randomNumber` value.
pub fn random_number() -> i32 {
    fastrand::i32(1..=WORLD_ROWS)
}

/// A pool of SQLite connections to one database file.
#[derive(Debug, Clone)]
pub struct Database {
    pool: r2d2::Pool<SqliteConnectionManager>,
}

impl Database {
    /// Opens (creating and seeding if needed) the database at `path`.
    ///
    /// Synchronous on purpose: it runs once at start-up, before any runtime
    /// serves requests.
    pub fn open(path: &Path, pool_size: u32) -> Result<Database, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::Internal(format!(
                    "cannot create database folder {}: {e}",
                    parent.display()
                ))
            })?;
        }
        let manager = SqliteConnectionManager::file(path).with_init(|conn| {
            // WAL: readers do not wait for writers. NORMAL sync is safe in WAL
            // mode (a power cut may lose the last commits, never corrupt).
            // busy_timeout: a writer waits for another writer instead of
            // failing at once with SQLITE_BUSY.
            conn.execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA busy_timeout = 5000;",
            )
        });
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            // Connections to a local file do not go stale; skipping the
            // check-out test saves a round trip into SQLite per request.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(10))
            .build(manager)?;
        let database = Database { pool };
        database.seed()?;
        Ok(database)
    }

    /// Creates the tables and fills them on first start; a no-op afterwards.
    fn seed(&self) -> Result<(), Error> {
        let mut conn = self.pool.get()?;
        let tx = conn.transaction()?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS World (
                 id INTEGER PRIMARY KEY,
                 randomNumber INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS Fortune (
                 id INTEGER PRIMARY KEY,
                 message TEXT NOT NULL
             );",
        )?;
        let worlds: i64 = tx.query_row("SELECT COUNT(*) FROM World", [], |row| row.get(0))?;
        if worlds == 0 {
            let mut insert = tx.prepare("INSERT INTO World (id, randomNumber) VALUES (?1, ?2)")?;
            for id in 1..=WORLD_ROWS {
                insert.execute(params![id, random_number()])?;
            }
        }
        let fortunes: i64 = tx.query_row("SELECT COUNT(*) FROM Fortune", [], |row| row.get(0))?;
        if fortunes == 0 {
            let mut insert = tx.prepare("INSERT INTO Fortune (id, message) VALUES (?1, ?2)")?;
            for (id, message) in FORTUNES {
                insert.execute(params![id, message])?;
            }
        }
        seed_users(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Runs `work` with a pooled connection on tokio's blocking thread pool.
    async fn with_conn<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, Error> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
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
        self.with_conn(move |conn| {
            let tx = conn.transaction()?;
            let mut worlds = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(mut world) = select_world(&tx, id)? {
                    world.random_number = random_number();
                    worlds.push(world);
                }
            }
            {
                let mut update =
                    tx.prepare_cached("UPDATE World SET randomNumber = ?1 WHERE id = ?2")?;
                for world in &worlds {
                    update.execute(params![world.random_number, world.id])?;
                }
            }
            tx.commit()?;
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

    /// Stores a new user and returns it with its id. One statement, so
    /// concurrent inserts queue on SQLite's write lock (for at most the
    /// pool's `busy_timeout`) instead of failing.
    pub async fn insert_user(&self, user: NewUser) -> Result<User, Error> {
        self.with_conn(move |conn| {
            conn.prepare_cached(
                "INSERT INTO User (name, email) VALUES (?1, ?2) RETURNING id, name, email",
            )?
            .query_row(params![user.name.as_str(), user.email.as_str()], user_row)
            .map_err(|e| unique_email(e, &user))
        })
        .await
    }

    /// Replaces a user's name and email; `None` if there is no such user.
    pub async fn replace_user(&self, id: i64, user: NewUser) -> Result<Option<User>, Error> {
        self.with_conn(move |conn| {
            conn.prepare_cached(
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
        self.with_conn(move |conn| {
            let deleted = conn
                .prepare_cached("DELETE FROM User WHERE id = ?1")?
                .execute([id])?;
            Ok(deleted > 0)
        })
        .await
    }

    /// Every `World` row, read synchronously: used once, to prime the cache.
    pub fn all_worlds_blocking(&self) -> Result<Vec<World>, Error> {
        let conn = self.pool.get()?;
        let mut select = conn.prepare("SELECT id, randomNumber FROM World ORDER BY id")?;
        let rows = select.query_map([], world_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// Creates table `User` and, only when it is new, stores one demo user, so
/// that `/users/1` (the catalogue's example) answers on a fresh database.
/// Deleting the demo user later keeps it deleted.
fn seed_users(tx: &rusqlite::Transaction<'_>) -> Result<(), Error> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'User')",
        [],
        |row| row.get(0),
    )?;
    if !exists {
        // AUTOINCREMENT: a deleted user's id is never handed out again, so a
        // stale `/users/7` link cannot silently point at someone else.
        // COLLATE NOCASE: `Ada@Example.com` and `ada@example.com` clash.
        tx.execute_batch(
            "CREATE TABLE User (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 name TEXT NOT NULL,
                 email TEXT NOT NULL UNIQUE COLLATE NOCASE
             );
             INSERT INTO User (name, email) VALUES ('Ada Lovelace', 'ada@example.com');",
        )?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn open_temp() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("test.sqlite3"), 2).expect("open database");
        (dir, db)
    }

    #[test]
    fn first_open_seeds_ten_thousand_worlds_in_range() {
        let (_dir, db) = open_temp();
        let worlds = db.all_worlds_blocking().expect("read worlds");
        assert_eq!(worlds.len(), 10_000);
        assert_eq!(worlds.first().map(|w| w.id), Some(1));
        assert_eq!(worlds.last().map(|w| w.id), Some(10_000));
        assert!(
            worlds
                .iter()
                .all(|w| (1..=10_000).contains(&w.random_number))
        );
    }

    #[test]
    fn reopening_keeps_the_existing_rows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("again.sqlite3");
        let before = Database::open(&path, 1)
            .expect("open")
            .all_worlds_blocking()
            .expect("read");
        let after = Database::open(&path, 1)
            .expect("reopen")
            .all_worlds_blocking()
            .expect("read");
        assert_eq!(before, after);
    }

    #[tokio::test]
    async fn updates_are_persisted_before_they_are_returned() {
        let (_dir, db) = open_temp();
        let updated = db.update_worlds(vec![5, 6, 7]).await.expect("update");
        for world in updated {
            assert_eq!(db.world(world.id).await.expect("read"), Some(world));
        }
    }

    fn new_user(name: &str, email: &str) -> NewUser {
        NewUser::parse(crate::users::UserBody {
            name: Some(name.into()),
            email: Some(email.into()),
        })
        .expect("valid test user")
    }

    #[tokio::test]
    async fn a_fresh_database_holds_the_demo_user_and_hands_out_new_ids() {
        let (_dir, db) = open_temp();
        let ada = db.user(1).await.expect("read").expect("demo user");
        assert_eq!(ada.email, "ada@example.com");
        let grace = db
            .insert_user(new_user("Grace", "grace@example.com"))
            .await
            .expect("insert");
        assert_eq!(grace.id, 2);
    }

    #[tokio::test]
    async fn emails_are_unique_ignoring_ascii_case() {
        let (_dir, db) = open_temp();
        let error = db
            .insert_user(new_user("Imposter", "ADA@example.com"))
            .await
            .expect_err("duplicate");
        assert!(matches!(error, Error::EmailTaken { .. }), "{error:?}");
    }

    #[tokio::test]
    async fn name_filter_is_a_case_insensitive_substring_with_no_wildcards() {
        let (_dir, db) = open_temp();
        db.insert_user(new_user("50% Off", "sale@example.com"))
            .await
            .expect("insert");
        let find = |name: &str| UserListQuery {
            limit: 100,
            offset: 0,
            name: Some(name.to_owned()),
        };
        let names = |users: Vec<User>| users.into_iter().map(|u| u.name).collect::<Vec<_>>();
        assert_eq!(
            names(db.users(find("LOVE")).await.expect("list")),
            ["Ada Lovelace"]
        );
        assert_eq!(names(db.users(find("%")).await.expect("list")), ["50% Off"]);
        assert_eq!(
            names(db.users(find("_")).await.expect("list")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn reopening_does_not_bring_a_deleted_demo_user_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("users.sqlite3");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let db = Database::open(&path, 1).expect("open");
        assert!(runtime.block_on(db.delete_user(1)).expect("delete"));
        drop(db);
        let db = Database::open(&path, 1).expect("reopen");
        assert_eq!(runtime.block_on(db.user(1)).expect("read"), None);
    }

    #[tokio::test]
    async fn fortunes_table_holds_the_twelve_rules_rows() {
        let (_dir, db) = open_temp();
        let fortunes = db.fortunes().await.expect("fortunes");
        assert_eq!(fortunes.len(), 12);
        assert!(
            fortunes
                .iter()
                .any(|f| f.id == 12 && f.message == "フレームワークのベンチマーク")
        );
    }
}
