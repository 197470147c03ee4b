//! The users resource on axum: five handlers over `shared_handlers::users`.
//!
//! The signatures do the extraction: `Path<UserPath>` decodes and parses the
//! id, `Json<UserBody>` checks the `Content-Type`, reads the body up to the
//! `DefaultBodyLimit` and deserializes it. Each of those can reject the
//! request before the function body runs; the wrappers in
//! [`crate::extract`] make those rejections problems.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use shared_handlers::AppState;
use shared_handlers::users::{
    self, NewUser, User, UserBody, UserListParams, UserListQuery, UserPath,
};

use crate::error::ApiError;
use crate::extract::{Json, Path, Query};

// ANCHOR: users_list
pub async fn users_list(
    State(state): State<AppState>,
    Query(params): Query<UserListParams>,
) -> Result<axum::Json<Vec<User>>, ApiError> {
    let query = UserListQuery::parse(params)?;
    let users = users::list(&state, query).await?;
    Ok(axum::Json(users))
}
// ANCHOR_END: users_list

// ANCHOR: users_create
pub async fn users_create(
    State(state): State<AppState>,
    Json(body): Json<UserBody>,
) -> Result<impl IntoResponse, ApiError> {
    let new_user = NewUser::parse(body)?;
    let user = users::create(&state, new_user).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, user.location())],
        axum::Json(user),
    ))
}
// ANCHOR_END: users_create

// ANCHOR: users_show
pub async fn users_show(
    State(state): State<AppState>,
    Path(UserPath { id }): Path<UserPath>,
) -> Result<axum::Json<User>, ApiError> {
    let user = users::show(&state, id).await?;
    Ok(axum::Json(user))
}
// ANCHOR_END: users_show

// ANCHOR: users_replace
pub async fn users_replace(
    State(state): State<AppState>,
    Path(UserPath { id }): Path<UserPath>,
    Json(body): Json<UserBody>,
) -> Result<axum::Json<User>, ApiError> {
    let new_user = NewUser::parse(body)?;
    let user = users::replace(&state, id, new_user).await?;
    Ok(axum::Json(user))
}
// ANCHOR_END: users_replace

// ANCHOR: users_delete
pub async fn users_delete(
    State(state): State<AppState>,
    Path(UserPath { id }): Path<UserPath>,
) -> Result<StatusCode, ApiError> {
    users::delete(&state, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
// ANCHOR_END: users_delete
