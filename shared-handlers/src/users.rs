//! The users resource: wire types, parsed domain types, and the operations
//! both servers call.
//!
//! The shape follows zero-to-production: a server deserializes the body into
//! a loose *wire* type ([`UserBody`], every field optional), then
//! [`NewUser::parse`] turns it into a *domain* type whose fields are valid by
//! construction ([`UserName`], [`EmailAddress`]) — or into the list of every
//! field that is wrong. Nothing past the parser ever re-checks a name.
//!
//! Decisions made here once, for both servers:
//!
//! - **names** are trimmed, then must be 1..=64 characters (Unicode scalar
//!   values) with no control characters;
//! - **emails** are trimmed and must be *plausible* (one `@`, a non-empty
//!   local part of at most 64 bytes, a dotted domain without empty labels,
//!   no whitespace, ASCII only, at most 254 bytes) — not RFC 5322, which allows far more
//!   than any mail system delivers to. Emails are unique ignoring ASCII case;
//! - **`?name=`** filters by substring, ignoring ASCII case (`?name=ada`
//!   finds "Ada Lovelace"); an empty filter matches everyone;
//! - **lists** are ordered by id, so pages do not shift as users are added.

use crate::error::Error;
use crate::state::AppState;

pub use crate::model::user::{
    DEFAULT_LIMIT, EMAIL_LOCAL_MAX_BYTES, EMAIL_MAX_BYTES, EmailAddress, MAX_LIMIT, NAME_MAX_CHARS,
    NewUser, User, UserBody, UserListParams, UserListQuery, UserName, UserPath,
};

/// `GET /users`: one page of users, ordered by id.
pub async fn list(state: &AppState, query: UserListQuery) -> Result<Vec<User>, Error> {
    state.db().users(query).await
}

/// `POST /users`: stores a new user; `409` if the email is taken.
pub async fn create(state: &AppState, user: NewUser) -> Result<User, Error> {
    state.db().insert_user(user).await
}

/// `GET /users/{id}`.
pub async fn show(state: &AppState, id: i64) -> Result<User, Error> {
    state.db().user(id).await?.ok_or(not_found(id))
}

/// `PUT /users/{id}`: replaces both fields; `404` if there is no such user,
/// `409` if the new email belongs to someone else.
pub async fn replace(state: &AppState, id: i64, user: NewUser) -> Result<User, Error> {
    state
        .db()
        .replace_user(id, user)
        .await?
        .ok_or(not_found(id))
}

/// `DELETE /users/{id}`; `404` if there is no such user.
pub async fn delete(state: &AppState, id: i64) -> Result<(), Error> {
    if state.db().delete_user(id).await? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}

fn not_found(id: i64) -> Error {
    Error::ResourceNotFound {
        resource: "user",
        id,
    }
}
