//! Writes that wait for SQLite's write lock instead of failing.
//!
//! SQLite has one write lock per database file. A transaction opened with a
//! plain `BEGIN` is *deferred*: it starts as a reader, on a snapshot of the
//! database, and asks for the write lock only at its first `UPDATE`. If
//! another connection committed in between, that snapshot is stale, and
//! SQLite cannot let the transaction wait and go on (it would write over
//! rows it read before the other commit), so it fails at once with
//! `SQLITE_BUSY` (`SQLITE_BUSY_SNAPSHOT` in WAL mode) **without calling the
//! busy handler**: `busy_timeout` never applies. Under load about half the
//! `/updates` requests failed that way.
//!
//! `BEGIN IMMEDIATE` takes the write lock first, before reading anything.
//! Waiting for it is then safe, so SQLite does call the busy handler and the
//! transaction waits up to `busy_timeout` ([`BUSY_TIMEOUT`]). Should SQLite
//! still answer busy or locked (a lock held longer than that by another
//! process, or the rare cases where SQLite answers busy without waiting,
//! such as WAL recovery), the whole transaction is rolled back and run again
//! after a short random pause, at most [`WRITE_RETRIES`] times; then the
//! client gets `503` ([`Error::Unavailable`]) and nothing was changed.
//! Never `500`: a busy database is load, not a bug.

use std::time::Duration;

use r2d2_sqlite::rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use crate::error::Error;

/// How long one attempt waits for the write lock (SQLite's `busy_timeout`).
/// Together with the retries it stays well below the default request
/// timeout, so a client gets this layer's `503`, with its reason.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// How many times a write that found the database busy is run again.
pub const WRITE_RETRIES: u32 = 3;

/// The pause before retry `attempt` (1-based): doubling from 4 ms, and
/// random within the upper half, so retries that collided do not collide
/// again in step.
fn backoff(attempt: u32) -> Duration {
    let ceiling = 2u64 << attempt.min(8);
    Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))
}

/// `true` for SQLite's "busy" and "locked" answers, extended codes included
/// (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_BUSY_RECOVERY`, `SQLITE_LOCKED_…`):
/// rusqlite's `ErrorCode` is the primary code, the extended one's low byte.
pub(super) fn is_busy(error: &Error) -> bool {
    match error {
        Error::Database(r2d2_sqlite::rusqlite::Error::SqliteFailure(failure, _)) => matches!(
            failure.code,
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked
        ),
        _ => false,
    }
}

// ANCHOR: write_transaction
/// Runs `work` in an immediate transaction on `conn` and commits it,
/// retrying a busy or locked database as the module doc explains.
///
/// `work` may run more than once, each time in a fresh transaction (the
/// failed one was rolled back), so it must not have effects outside the
/// database.
pub(super) fn write_transaction<T>(
    conn: &mut Connection,
    mut work: impl FnMut(&Transaction<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut attempt = 0;
    loop {
        match attempt_once(conn, &mut work) {
            Err(error) if is_busy(&error) && attempt < WRITE_RETRIES => {
                attempt += 1;
                std::thread::sleep(backoff(attempt));
            }
            Err(error) if is_busy(&error) => {
                tracing::warn!(
                    "a write found the database busy {} times: {error}",
                    WRITE_RETRIES + 1
                );
                return Err(Error::Unavailable(
                    "the database's write lock stayed taken".to_owned(),
                ));
            }
            result => return result,
        }
    }
}

/// One attempt: `BEGIN IMMEDIATE`, the work, `COMMIT`. On any error the
/// transaction is dropped uncommitted, which rolls it back.
fn attempt_once<T>(
    conn: &mut Connection,
    work: &mut impl FnMut(&Transaction<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = work(&tx)?;
    tx.commit()?;
    Ok(value)
}
// ANCHOR_END: write_transaction

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_short() {
        for attempt in 1..=WRITE_RETRIES {
            let pause = backoff(attempt);
            let ceiling = Duration::from_millis(2 << attempt);
            assert!(
                pause >= ceiling / 2 && pause <= ceiling,
                "{attempt}: {pause:?}"
            );
        }
    }

    #[test]
    fn a_held_write_lock_is_waited_for_then_answered_unavailable() {
        // Arrange: a second connection holds the write lock throughout.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("locked.sqlite3");
        let mut holder = Connection::open(&path).expect("open");
        holder
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .expect("schema");
        let held = holder
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("lock");
        let mut writer = Connection::open(&path).expect("open");
        writer
            .busy_timeout(Duration::from_millis(50))
            .expect("timeout");

        // Act
        let started = std::time::Instant::now();
        let result = write_transaction(&mut writer, |tx| {
            Ok(tx.execute("INSERT INTO t VALUES (1)", [])?)
        });

        // Assert: every attempt waited its busy_timeout, then 503.
        let waited = started.elapsed();
        assert!(matches!(result, Err(Error::Unavailable(_))), "{result:?}");
        assert!(
            waited >= Duration::from_millis(50) * (WRITE_RETRIES + 1),
            "{waited:?}"
        );
        drop(held);
    }
}
