//! The home page and the OpenAPI document: both generated from the catalogue
//! by `shared-handlers`, so each handler is extraction-free glue. Both are
//! stable, so both carry an `ETag` (the cache-headers step answers `304`).

use axum::http::header::{CONTENT_TYPE, ETAG};
use axum::response::{Html, IntoResponse};
use shared_handlers::catalogue::content_type;
use shared_handlers::{caching, openapi, pages};

use crate::error::ApiError;

// ANCHOR: home
pub async fn home_page() -> Result<impl IntoResponse, ApiError> {
    let page = pages::home()?;
    let etag = caching::etag(page.as_bytes());
    Ok(([(ETAG, etag)], Html(page)))
}
// ANCHOR_END: home

// ANCHOR: openapi
/// The document's bytes and their tag come from `shared-handlers`, so both
/// servers send the same.
pub async fn openapi_show() -> impl IntoResponse {
    let document = openapi::document_bytes();
    let etag = caching::etag(&document);
    (
        [(CONTENT_TYPE, content_type::JSON.to_owned()), (ETAG, etag)],
        document,
    )
}
// ANCHOR_END: openapi
