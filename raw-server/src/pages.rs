//! The home page and the OpenAPI document: both generated from the catalogue
//! by `shared-handlers`, so each handler is extraction-free glue.

use shared_handlers::{AppState, Error, openapi, pages};

use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: home
pub async fn home_page(_input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    let page = pages::home()?;
    Ok(response::html(page))
}
// ANCHOR_END: home

// ANCHOR: openapi
/// Serialized by `response::json` with `serde_json::to_vec`, exactly as
/// axum's `Json` does, so the bytes agree.
pub async fn openapi_show(_input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    response::json(&openapi::document())
}
// ANCHOR_END: openapi
