//! The home page and the OpenAPI document: both generated from the catalogue
//! by `shared-handlers`, so each handler is extraction-free glue. Both are
//! stable, so both carry an `ETag` (the cache-headers step answers `304`).

use http::StatusCode;
use http::header::ETAG;
use shared_handlers::catalogue::content_type;
use shared_handlers::{AppState, Error, caching, openapi, pages};

use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: home
pub async fn home_page(_input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    let page = pages::home()?;
    let etag = caching::etag(page.as_bytes());
    Ok(response::with_header(response::html(page), ETAG, &etag))
}
// ANCHOR_END: home

// ANCHOR: openapi
/// The document's bytes and their tag come from `shared-handlers`, so both
/// servers send the same.
pub async fn openapi_show(_input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    let document = openapi::document_bytes();
    let etag = caching::etag(&document);
    let answer = response::build(StatusCode::OK, content_type::JSON, document);
    Ok(response::with_header(answer, ETAG, &etag))
}
// ANCHOR_END: openapi
