//! The schema and the seed data: 10,000 `World` rows, the 12 fortunes of
//! the benchmark rules, and the demo user, written once on first start.

use r2d2_sqlite::rusqlite::{self, params};

use super::random_number;
use crate::error::Error;

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
             );
             INSERT INTO User (name, email) VALUES ('Ada Lovelace', 'ada@example.com');",
        )?;
    }
    Ok(())
}
