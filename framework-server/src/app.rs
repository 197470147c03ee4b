//! The route table and the layers around it.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use shared_handlers::catalogue::{
    CACHED_QUERIES, DB, FORTUNES, HOME, JSON, OPENAPI, PLAINTEXT, QUERIES, STATIC_FILES, UPDATES,
};
use shared_handlers::{AppState, SERVER_NAME};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::static_files::static_files_service;
use crate::{handlers, pages};

// ANCHOR: route_table
/// Every endpoint of the catalogue, in catalogue order, with its handler.
///
/// `get(...)` also answers `HEAD` (axum drops the body and keeps
/// `Content-Length`), and a path asked for with a method it lacks gets `405`
/// with an `Allow` header — both for free.
///
/// `/static/{*path}` is not a `route` but a `nest_service`: `ServeDir` wants
/// the path *below* the prefix, and nesting strips the prefix for it. It
/// also answers `/static` and `/static/` (with the folder's `index.html`).
pub fn router(state: AppState) -> Router {
    let static_prefix = STATIC_FILES
        .mount_point()
        .expect("the static-files path ends in a wildcard");
    Router::new()
        .route(PLAINTEXT.path, get(handlers::plaintext_show))
        .route(JSON.path, get(handlers::json_show))
        .route(DB.path, get(handlers::db_show))
        .route(QUERIES.path, get(handlers::queries_list))
        .route(UPDATES.path, get(handlers::updates_apply))
        .route(CACHED_QUERIES.path, get(handlers::cached_queries_list))
        .route(FORTUNES.path, get(handlers::fortunes_page))
        .route(HOME.path, get(pages::home_page))
        .route(OPENAPI.path, get(pages::openapi_show))
        .nest_service(static_prefix, static_files_service(state.static_dir()))
        // Must come after the routes: it applies to those already added.
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .fallback(handlers::not_found)
        .layer(SetResponseHeaderLayer::overriding(
            header::SERVER,
            HeaderValue::from_static(SERVER_NAME),
        ))
        .with_state(state)
}
// ANCHOR_END: route_table
