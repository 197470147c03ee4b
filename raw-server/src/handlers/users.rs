//! The users resource by hand: five handlers over `shared_handlers::users`.
//!
//! Same shape as every raw handler — input types, extraction, shared logic,
//! response — but here extraction is where the work is: the path parameter
//! is decoded and parsed, the JSON body checked for its `Content-Type`,
//! parsed and located on error, all by calls into [`crate::extract`] that a
//! framework would make for us from the handler's signature.

use shared_handlers::users::{self, NewUser, UserBody, UserListParams, UserListQuery};
use shared_handlers::{AppState, Error};

use crate::extract::{json_body, path_param, query_params};
use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: users_list
pub async fn users_list(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let [limit, offset, name] = query_params(&input.parts, ["limit", "offset", "name"])?;
    let query = UserListQuery::parse(UserListParams {
        limit,
        offset,
        name,
    })?;
    let users = users::list(state, query).await?;
    response::json(&users)
}
// ANCHOR_END: users_list

// ANCHOR: users_create
pub async fn users_create(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let body: UserBody = json_body(
        &input.parts,
        input.body,
        state.config().body_limit_in_force(),
    )
    .await?;
    let new_user = NewUser::parse(body)?;
    let user = users::create(state, new_user).await?;
    response::created(&user.location(), &user)
}
// ANCHOR_END: users_create

// ANCHOR: users_show
pub async fn users_show(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let id: i64 = path_param(&input.params, "id")?;
    let user = users::show(state, id).await?;
    response::json(&user)
}
// ANCHOR_END: users_show

// ANCHOR: users_replace
pub async fn users_replace(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    // The path first, then the body: the order axum runs the extractors in.
    let id: i64 = path_param(&input.params, "id")?;
    let body: UserBody = json_body(
        &input.parts,
        input.body,
        state.config().body_limit_in_force(),
    )
    .await?;
    let new_user = NewUser::parse(body)?;
    let user = users::replace(state, id, new_user).await?;
    response::json(&user)
}
// ANCHOR_END: users_replace

// ANCHOR: users_delete
pub async fn users_delete(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let id: i64 = path_param(&input.params, "id")?;
    users::delete(state, id).await?;
    Ok(response::no_content())
}
// ANCHOR_END: users_delete
