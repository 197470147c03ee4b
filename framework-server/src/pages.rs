//! The home page and the OpenAPI document: both generated from the catalogue
//! by `shared-handlers`, so each handler is extraction-free glue.

use axum::Json;
use axum::response::Html;
use serde_json::Value;
use shared_handlers::{openapi, pages};

use crate::error::ApiError;

// ANCHOR: home
pub async fn home_page() -> Result<Html<String>, ApiError> {
    let page = pages::home()?;
    Ok(Html(page))
}
// ANCHOR_END: home

// ANCHOR: openapi
/// `Json` serializes the `Value` with `serde_json::to_vec`, exactly what
/// raw-server sends, so the bytes agree.
pub async fn openapi_show() -> Json<Value> {
    Json(openapi::document())
}
// ANCHOR_END: openapi
