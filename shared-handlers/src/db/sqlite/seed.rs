//! SQLite's schema, and the seed rows ([`crate::db::rows`]) written into it
//! once, on first start.

use r2d2_sqlite::rusqlite::{self, params};

use crate::db::random_number;
use crate::db::rows::{DEMO_USER, FORTUNES, WORLD_ROWS};
use crate::error::Error;

/// Creates the tables and fills them on first start; a no-op afterwards.
/// Runs inside the caller's (immediate) transaction, so two servers
/// starting on one new file do not both seed it.
pub(super) fn seed(tx: &rusqlite::Transaction<'_>) -> Result<(), Error> {
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
    seed_users(tx)
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
             );",
        )?;
        tx.execute(
            "INSERT INTO User (name, email) VALUES (?1, ?2)",
            params![DEMO_USER.0, DEMO_USER.1],
        )?;
    }
    Ok(())
}
