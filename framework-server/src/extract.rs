//! Extractors whose rejections use the shared problem format.
//!
//! axum's `Query<T>` answers bad input with its own plain-text `400`. Deriving
//! `FromRequestParts` with `via(...)` and `rejection(...)` makes a local
//! `Query<T>` that behaves exactly like axum's but rejects with [`ApiError`].

use axum::extract::FromRequestParts;

use crate::error::ApiError;

// ANCHOR: query_extractor
/// axum's `Query`, rejecting with [`ApiError`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);
// ANCHOR_END: query_extractor
