//! The route table and the middleware stacked around it.

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{from_fn, from_fn_with_state, map_request};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use shared_handlers::catalogue::{
    ADMIN_PANIC, ADMIN_STATS, CACHED_QUERIES, CONTACT_SUBMIT, DB, DELAY_SHOW, FORTUNES, HOME, JSON,
    OPENAPI, PLAINTEXT, QUERIES, STATIC_FILES, UPDATES, UPSTREAM_SHOW, USERS_CREATE, USERS_DELETE,
    USERS_LIST, USERS_REPLACE, USERS_SHOW, VISITS_SHOW,
};
use shared_handlers::chain::Step;
use shared_handlers::{AppState, SERVER_NAME, request_id};
use tower::ServiceBuilder;
use tower::timeout::TimeoutLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::static_files::static_files_service;
use crate::{handlers, middleware, pages};

// ANCHOR: route_table
/// Every endpoint of the catalogue, in catalogue order, with its handler.
///
/// `get(...)` also answers `HEAD` (axum drops the body and keeps
/// `Content-Length`), and a path asked for with a method it lacks gets `405`
/// with an `Allow` header — both for free. Routing the same path twice
/// (`/users` for `GET` and for `POST`) merges the two into one path whose
/// `Allow` list follows the order of registration, that is catalogue order.
///
/// `/static/{*path}` is not a `route` but a `nest_service`: `ServeDir` wants
/// the path *below* the prefix, and nesting strips the prefix for it. It
/// also answers `/static` and `/static/` (with the folder's `index.html`).
pub fn router(state: AppState) -> Router {
    let static_prefix = STATIC_FILES
        .mount_point()
        .expect("the static-files path ends in a wildcard");
    let routes = Router::new()
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
        .route(UPSTREAM_SHOW.path, get(handlers::upstream::upstream_show))
        .route(HOME.path, get(pages::home_page))
        .route(OPENAPI.path, get(pages::openapi_show))
        .nest_service(static_prefix, static_files_service(state.static_dir()))
        .route(ADMIN_STATS.path, get(handlers::admin_stats_show))
        .route(ADMIN_PANIC.path, get(handlers::admin_panic_show))
        // Must come after the routes: it applies to those already added.
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .fallback(handlers::not_found);
    with_middleware(routes, &state).with_state(state)
}
// ANCHOR_END: route_table

// ANCHOR: middleware_chain
/// The middleware chain, outermost first (`ServiceBuilder` reads top-down).
/// `Router::layer` wraps every route and the fallbacks, *after* routing.
///
/// `--middleware` may shorten the chain to measure it: each step is an
/// `option_layer`, present or not, and a step of several layers is one
/// `ServiceBuilder` so that it comes and goes as a whole. A present and an
/// absent step must answer with the same type, so the steps whose layers
/// wrap the response body (trace, compression, panic catcher) turn it back
/// into axum's `Response` at once — the boxing `Router::layer` or the next
/// `from_fn` would do anyway, done one layer earlier.
fn with_middleware(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    // ANCHOR: middleware_switch
    let config = state.config();
    let on = |step: Step| config.middleware.runs(step);
    let request_id = HeaderName::from_static(request_id::HEADER);
    routes.layer(
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::SERVER,
                HeaderValue::from_static(SERVER_NAME),
            ))
            .option_layer(on(Step::RequestId).then(|| {
                ServiceBuilder::new() // 1. request id
                    .layer(map_request(middleware::drop_insane_request_id))
                    .layer(SetRequestIdLayer::new(
                        request_id.clone(),
                        middleware::NewRequestId,
                    ))
                    .layer(PropagateRequestIdLayer::new(request_id))
            }))
            // ANCHOR_END: middleware_switch
            .option_layer(on(Step::AccessLog).then(|| {
                ServiceBuilder::new() // 2. access log
                    .map_response(IntoResponse::into_response)
                    .layer(
                        TraceLayer::new_for_http()
                            .make_span_with(middleware::access_log_span)
                            .on_response(middleware::access_log_line),
                    )
            }))
            .option_layer(on(Step::HostCheck).then(|| from_fn(middleware::require_host))) // 3. Host check
            .option_layer(on(Step::Timeout).then(|| {
                ServiceBuilder::new() // 4. timeout
                    .layer(HandleErrorLayer::new(middleware::timeout_error(
                        config.request_timeout,
                    )))
                    .layer(TimeoutLayer::new(config.request_timeout))
            }))
            .option_layer(on(Step::BodyLimit).then(|| {
                ServiceBuilder::new() // 5. body limit, and drain what it refused
                    .layer(DefaultBodyLimit::max(config.body_limit))
                    .layer(from_fn(middleware::drain_refused_body))
            }))
            .option_layer(on(Step::CacheHeaders).then(|| from_fn(middleware::cache_headers))) // 5b. cache headers
            .option_layer(on(Step::Compression).then(|| {
                ServiceBuilder::new() // 6. compression, not for benchmark endpoints
                    .map_response(IntoResponse::into_response)
                    .layer(
                        CompressionLayer::new().compress_when(middleware::compression_predicate()),
                    )
                    .layer(from_fn(middleware::mark_uncompressed))
            }))
            .option_layer(on(Step::PanicCatcher).then(|| {
                ServiceBuilder::new() // 7. panic catcher
                    .map_response(IntoResponse::into_response)
                    .layer(CatchPanicLayer::custom(middleware::panic_response))
            }))
            .option_layer(on(Step::Counters).then(|| {
                from_fn_with_state(state.clone(), middleware::count_requests) // 8. counters
            }))
            .option_layer(on(Step::AdminToken).then(|| {
                from_fn_with_state(state.clone(), middleware::require_admin_token) // 9. admin token
            })),
    )
}
// ANCHOR_END: middleware_chain
