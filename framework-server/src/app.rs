//! The route table and the layers around it.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{delete, get, post, put};
use shared_handlers::catalogue::{
    CACHED_QUERIES, CONTACT_SUBMIT, DB, DELAY_SHOW, FORTUNES, JSON, PLAINTEXT, QUERIES, UPDATES,
    USERS_CREATE, USERS_DELETE, USERS_LIST, USERS_REPLACE, USERS_SHOW, VISITS_SHOW,
};
use shared_handlers::{AppState, BODY_LIMIT, SERVER_NAME};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::handlers;

// ANCHOR: route_table
/// Every endpoint of the catalogue, in catalogue order, with its handler.
///
/// `get(...)` also answers `HEAD` (axum drops the body and keeps
/// `Content-Length`), and a path asked for with a method it lacks gets `405`
/// with an `Allow` header — both for free. Routing the same path twice
/// (`/users` for `GET` and for `POST`) merges the two into one path whose
/// `Allow` list follows the order of registration, that is catalogue order.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(PLAINTEXT.path, get(handlers::plaintext_show))
        .route(JSON.path, get(handlers::json_show))
        .route(DB.path, get(handlers::db_show))
        .route(QUERIES.path, get(handlers::queries_list))
        .route(UPDATES.path, get(handlers::updates_apply))
        .route(CACHED_QUERIES.path, get(handlers::cached_queries_list))
        .route(FORTUNES.path, get(handlers::fortunes_page))
        .route(USERS_LIST.path, get(handlers::users::users_list))
        .route(USERS_CREATE.path, post(handlers::users::users_create))
        .route(USERS_SHOW.path, get(handlers::users::users_show))
        .route(USERS_REPLACE.path, put(handlers::users::users_replace))
        .route(USERS_DELETE.path, delete(handlers::users::users_delete))
        .route(CONTACT_SUBMIT.path, post(handlers::contact::contact_submit))
        .route(VISITS_SHOW.path, get(handlers::visits::visits_show))
        .route(DELAY_SHOW.path, get(handlers::delay::delay_show))
        // Must come after the routes: it applies to those already added.
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .fallback(handlers::not_found)
        // axum's default is already 2 MB, but saying so keeps the two servers
        // tied to one constant. `Json` and `Form` read through this limit and
        // reject a longer body with a `413` (which `ApiError` reformats).
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::overriding(
            header::SERVER,
            HeaderValue::from_static(SERVER_NAME),
        ))
        .with_state(state)
}
// ANCHOR_END: route_table
