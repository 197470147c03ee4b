//! SQLite's and the pool's failures, sorted into what the client is told.
//!
//! A failure the client can do nothing about but wait for, or that an
//! operator must fix (a busy or read-only database, a file gone, no free
//! connection), is `503` ([`Error::Unavailable`]) with the reason in words
//! and no path or SQL. Everything else stays `500` and is logged.

use r2d2_sqlite::rusqlite::{self, ErrorCode};

use super::file::MISSING;
use crate::error::Error;

/// `error` as the client should see it.
pub(super) fn classify(error: Error) -> Error {
    let reason = match &error {
        Error::Database(rusqlite::Error::SqliteFailure(failure, message)) => match failure.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                Some("the database is busy with other writes")
            }
            ErrorCode::ReadOnly => Some("the database is read-only, so nothing can be changed"),
            // Seen under load when the machine's disk filled up: the write
            // (or the write-ahead log growing) has nowhere to go.
            ErrorCode::DiskFull => Some("the database's disk is full, so nothing can be stored"),
            ErrorCode::CannotOpen => Some(MISSING),
            // A file that is there but holds none of our tables is as good
            // as missing (SQLite reports it as a plain SQLITE_ERROR).
            _ if message
                .as_deref()
                .is_some_and(|m| m.starts_with("no such table")) =>
            {
                Some(MISSING)
            }
            _ => None,
        },
        Error::Pool(_) => Some("no database connection became free in time"),
        _ => None,
    };
    match reason {
        Some(reason) => Error::Unavailable(reason.to_owned()),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: i32, message: &str) -> Error {
        Error::Database(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            Some(message.to_owned()),
        ))
    }

    #[test]
    fn busy_locked_read_only_full_and_missing_are_unavailable() {
        for (code, message) in [
            (rusqlite::ffi::SQLITE_BUSY_SNAPSHOT, "database is locked"),
            (
                rusqlite::ffi::SQLITE_LOCKED_SHAREDCACHE,
                "database table is locked",
            ),
            (
                rusqlite::ffi::SQLITE_READONLY,
                "attempt to write a readonly database",
            ),
            (rusqlite::ffi::SQLITE_FULL, "database or disk is full"),
            (
                rusqlite::ffi::SQLITE_CANTOPEN,
                "unable to open database file",
            ),
            (rusqlite::ffi::SQLITE_ERROR, "no such table: World"),
        ] {
            let error = classify(sqlite(code, message));
            assert_eq!(error.status(), 503, "{message}: {error:?}");
            assert!(!error.problem().detail.contains("World"), "{error}");
        }
    }

    #[test]
    fn other_sqlite_failures_stay_internal_errors() {
        let error = classify(sqlite(
            rusqlite::ffi::SQLITE_ERROR,
            "near \"SELEC\": syntax error",
        ));
        assert_eq!(error.status(), 500);
        assert!(matches!(error, Error::Database(_)));
    }
}
