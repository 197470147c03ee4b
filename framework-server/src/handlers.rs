//! One async function per endpoint, all with the same shape:
//!
//! 1. input types — the extractors in the signature (`State`, `Query<T>`);
//! 2. extraction — done by axum before the function runs;
//! 3. shared logic — call into `shared-handlers`;
//! 4. response — return something that implements `IntoResponse`.
//!
//! The benchmark endpoints are here; each other resource has its own file
//! (`users`, `contact`, `visits`, `delay`), named as in raw-server.

pub mod contact;
pub mod delay;
pub mod upstream;
pub mod users;
pub mod visits;

use axum::Json;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::Html;
use shared_handlers::stats::StatsSnapshot;
use shared_handlers::{
    AppState, CachedQueriesParams, Error, Message, QueriesParams, QueryCount, World, admin,
    benchmark,
};

use crate::error::ApiError;
use crate::extract::Query;

// ANCHOR: plaintext
pub async fn plaintext_show() -> &'static str {
    benchmark::plaintext()
}
// ANCHOR_END: plaintext

// ANCHOR: json
pub async fn json_show() -> Json<Message> {
    Json(benchmark::json())
}
// ANCHOR_END: json

// ANCHOR: db
pub async fn db_show(State(state): State<AppState>) -> Result<Json<World>, ApiError> {
    let world = benchmark::db(&state).await?;
    Ok(Json(world))
}
// ANCHOR_END: db

// ANCHOR: queries
pub async fn queries_list(
    State(state): State<AppState>,
    Query(params): Query<QueriesParams>,
) -> Result<Json<Vec<World>>, ApiError> {
    let count = QueryCount::parse(params.queries.as_deref());
    let worlds = benchmark::queries(&state, count).await?;
    Ok(Json(worlds))
}
// ANCHOR_END: queries

// ANCHOR: updates
pub async fn updates_apply(
    State(state): State<AppState>,
    Query(params): Query<QueriesParams>,
) -> Result<Json<Vec<World>>, ApiError> {
    let count = QueryCount::parse(params.queries.as_deref());
    let worlds = benchmark::updates(&state, count).await?;
    Ok(Json(worlds))
}
// ANCHOR_END: updates

// ANCHOR: cached_queries
pub async fn cached_queries_list(
    State(state): State<AppState>,
    Query(params): Query<CachedQueriesParams>,
) -> Result<Json<Vec<World>>, ApiError> {
    let count = QueryCount::parse(params.count.as_deref());
    let worlds = benchmark::cached_queries(&state, count).await?;
    Ok(Json(worlds))
}
// ANCHOR_END: cached_queries

// ANCHOR: fortunes
pub async fn fortunes_page(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let page = benchmark::fortunes(&state).await?;
    Ok(Html(page))
}
// ANCHOR_END: fortunes

// ANCHOR: admin_stats
pub async fn admin_stats_show(State(state): State<AppState>) -> Json<StatsSnapshot> {
    Json(admin::stats(&state))
}
// ANCHOR_END: admin_stats

// ANCHOR: admin_panic
pub async fn admin_panic_show() -> Json<StatsSnapshot> {
    admin::panic_on_purpose()
}
// ANCHOR_END: admin_panic

// ANCHOR: fallbacks
/// No route matched: `404` in the problem format.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError(Error::NoRoute {
        path: uri.path().to_owned(),
    })
}

/// The path exists but not with this method. axum adds the `Allow` header.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError(Error::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_owned(),
    })
}
// ANCHOR_END: fallbacks
