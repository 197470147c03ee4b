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
//! lets readers proceed while a writer commits, which matters for `/updates`.

use std::path::Path;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use r2d2_sqlite::rusqlite::{self, Connection, OptionalExtension, params};

use crate::error::Error;
use crate::model::{Fortune, World};

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

    /// Every `World` row, read synchronously: used once, to prime the cache.
    pub fn all_worlds_blocking(&self) -> Result<Vec<World>, Error> {
        let conn = self.pool.get()?;
        let mut select = conn.prepare("SELECT id, randomNumber FROM World ORDER BY id")?;
        let rows = select.query_map([], world_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
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
