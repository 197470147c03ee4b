//! PostgreSQL's and the pool's failures, sorted into what the client is
//! told, as SQLite's are: what the client can only wait for, or an operator
//! must fix (a server that is down, restarting or full, a pool with no free
//! connection, a read-only server), is `503` with the reason in words;
//! everything else stays `500` and is logged.

use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;

use crate::error::Error;
use crate::model::user::NewUser;

/// The reason a lost or refused connection is given.
const UNREACHABLE: &str = "the database server cannot be reached";

/// `error` as the client should see it.
pub(super) fn classify(error: Error) -> Error {
    let Error::Postgres(failure) = &error else {
        return error;
    };
    if failure.is_closed() {
        return Error::Unavailable(UNREACHABLE.to_owned());
    }
    let reason = match failure.code() {
        Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED => {
            // Kept as it is: `is_retryable` recognises it and the caller
            // runs the transaction again.
            return error;
        }
        Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE => return error,
        Some(code) if *code == SqlState::READ_ONLY_SQL_TRANSACTION => {
            "the database is read-only, so nothing can be changed"
        }
        Some(code) if *code == SqlState::DISK_FULL => {
            "the database's disk is full, so nothing can be stored"
        }
        Some(code)
            if *code == SqlState::TOO_MANY_CONNECTIONS
                || *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
                || *code == SqlState::CRASH_SHUTDOWN =>
        {
            UNREACHABLE
        }
        Some(code) if *code == SqlState::UNDEFINED_TABLE => {
            "the database has lost its tables; an operator must restore it"
        }
        // No SQLSTATE and not closed: the socket failed (reset, refused).
        None => UNREACHABLE,
        Some(_) => return error,
    };
    Error::Unavailable(reason.to_owned())
}

/// A transaction PostgreSQL aborted so that another could go on (deadlock,
/// serialization failure): running it again is the documented remedy.
pub(super) fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Postgres(failure) => failure.code().is_some_and(|code| {
            *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
        }),
        _ => false,
    }
}

/// No free connection in time, or none could be opened: `503`.
pub(super) fn pool_error(error: PoolError) -> Error {
    match error {
        PoolError::Timeout(_) => {
            Error::Unavailable("no database connection became free in time".to_owned())
        }
        PoolError::Backend(failure) => classify(Error::Postgres(failure)),
        other => Error::Unavailable(format!("no database connection could be had ({other})")),
    }
}

/// A broken unique index on the email is a client error (`409`), as in
/// SQLite; anything else is classified as usual.
pub(super) fn unique_email(error: Error, user: &NewUser) -> Error {
    match &error {
        Error::Postgres(failure) if failure.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            Error::EmailTaken {
                email: user.email.as_str().to_owned(),
            }
        }
        _ => error,
    }
}
