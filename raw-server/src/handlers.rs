//! One function per endpoint, all with the same shape:
//!
//! 1. input types — what the endpoint needs (here: query parameters);
//! 2. extraction — read them out of the request by hand;
//! 3. shared logic — call into `shared-handlers`;
//! 4. response — build it with the helpers in [`crate::response`].
//!
//! Every handler takes the whole [`Input`] and the state, even when it needs
//! neither, so that they all fit one route table (see `dispatch` in `lib.rs`).
//!
//! The benchmark endpoints are here; each other resource has its own file
//! (`users`, `contact`, `visits`, `delay`), named as in framework-server.

pub mod contact;
pub mod delay;
pub mod upstream;
pub mod users;
pub mod visits;

use shared_handlers::{AppState, Error, QueryCount, admin, benchmark};

use crate::extract::query_param;
use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: plaintext
pub async fn plaintext_show(_input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    Ok(response::text(benchmark::plaintext()))
}
// ANCHOR_END: plaintext

// ANCHOR: json
pub async fn json_show(_input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    response::json(&benchmark::json())
}
// ANCHOR_END: json

// ANCHOR: db
pub async fn db_show(_input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let world = benchmark::db(state).await?;
    response::json(&world)
}
// ANCHOR_END: db

// ANCHOR: queries
pub async fn queries_list(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let count = QueryCount::parse(query_param(&input.parts, "queries")?.as_deref());
    let worlds = benchmark::queries(state, count).await?;
    response::json(&worlds)
}
// ANCHOR_END: queries

// ANCHOR: updates
pub async fn updates_apply(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let count = QueryCount::parse(query_param(&input.parts, "queries")?.as_deref());
    let worlds = benchmark::updates(state, count).await?;
    response::json(&worlds)
}
// ANCHOR_END: updates

// ANCHOR: cached_queries
pub async fn cached_queries_list(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let count = QueryCount::parse(query_param(&input.parts, "count")?.as_deref());
    let worlds = benchmark::cached_queries(state, count).await?;
    response::json(&worlds)
}
// ANCHOR_END: cached_queries

// ANCHOR: fortunes
pub async fn fortunes_page(_input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let page = benchmark::fortunes(state).await?;
    Ok(response::html(page))
}
// ANCHOR_END: fortunes

// ANCHOR: admin_stats
pub async fn admin_stats_show(_input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    response::json(&admin::stats(state))
}
// ANCHOR_END: admin_stats

// ANCHOR: admin_panic
pub async fn admin_panic_show(_input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    admin::panic_on_purpose()
}
// ANCHOR_END: admin_panic
