//! Extractors whose rejections use the shared problem format.
//!
//! axum's `Query<T>` answers bad input with its own plain-text `400`. Deriving
//! `FromRequestParts` with `via(...)` and `rejection(...)` makes a local
//! `Query<T>` that behaves exactly like axum's but rejects with [`ApiError`].
//! `Path`, `Json` and `Form` get the same treatment; each rejection becomes
//! an `ApiError` through a `From` impl in [`crate::error`].

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

// ANCHOR: query_extractor
/// axum's `Query`, rejecting with [`ApiError`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);
// ANCHOR_END: query_extractor

// ANCHOR: path_param
/// axum's `Path`, rejecting with [`ApiError`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);
// ANCHOR_END: path_param

// ANCHOR: json_body
/// axum's `Json`, rejecting with [`ApiError`]. It reads the body (up to the
/// `DefaultBodyLimit`), so it must be a handler's last argument.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);
// ANCHOR_END: json_body

// ANCHOR: form_body
/// axum's `Form`, rejecting with [`ApiError`].
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Form), rejection(ApiError))]
pub struct Form<T>(pub T);
// ANCHOR_END: form_body
