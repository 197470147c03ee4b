//! Extractors whose rejections use the shared problem format.
//!
//! axum's `Query<T>` answers bad input with its own plain-text `400`. Deriving
//! `FromRequestParts` with `via(...)` and `rejection(...)` makes a local
//! `Query<T>` that behaves exactly like axum's but rejects with [`ApiError`].
//! `Path` gets the same treatment; `Json` and `Form` are written out by hand
//! (see [`Json`]). Each rejection becomes an `ApiError` through a `From` impl
//! in [`crate::error`].

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use shared_handlers::AppState;

use crate::error::ApiError;

// ANCHOR: query_params
/// axum's `Query`, rejecting with [`ApiError`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);
// ANCHOR_END: query_params

// ANCHOR: path_param
/// axum's `Path`, rejecting with [`ApiError`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);
// ANCHOR_END: path_param

// ANCHOR: json_body
/// axum's `Json`, rejecting with [`ApiError`]. It reads the body (up to the
/// `DefaultBodyLimit`), so it must be a handler's last argument.
///
/// Written out rather than derived like the others: when the body is too
/// large, the problem names the configured limit, which only the state knows
/// (axum's rejection does not say what the limit was).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let limit = AppState::from_ref(state).config().body_limit_in_force();
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(ApiError::from(rejection).with_body_limit(limit)),
        }
    }
}
// ANCHOR_END: json_body

// ANCHOR: form_body
/// axum's `Form`, rejecting with [`ApiError`] (written out like [`Json`]).
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    axum::Form<T>: FromRequest<S, Rejection = FormRejection>,
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let limit = AppState::from_ref(state).config().body_limit_in_force();
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) => Err(ApiError::from(rejection).with_body_limit(limit)),
        }
    }
}
// ANCHOR_END: form_body
