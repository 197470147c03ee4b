//! The route table and the middleware chain around it: what happens to a
//! request between hyper handing it over and a handler answering it. The
//! counterpart of framework-server's `app.rs`, where the same two things are
//! a `Router` and the layers stacked on it.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::Request;
use hyper::body::Body;
use shared_handlers::chain::Step;
use shared_handlers::{AppState, EndpointId, Error, request_id};

use crate::router::{self, Routed};
use crate::{
    BoxError, HttpResponse, Input, RequestBody, handlers, middleware, pages, response, static_files,
};

/// Answers one request: runs the middleware chain (see [`middleware`])
/// around routing and the handler.
///
/// Generic over the body type so benchmarks can call it without a socket.
pub async fn handle<B>(request: Request<B>, state: &AppState) -> HttpResponse
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    // ANCHOR: middleware_chain
    // ANCHOR: middleware_switch
    // `--middleware` may shorten the chain to measure it; each step asks.
    let chain = state.config().middleware;
    let request_id = chain
        .runs(Step::RequestId)
        .then(|| middleware::request_id(request.headers())); // 1. request id
    // ANCHOR_END: middleware_switch
    let access_log = chain
        .runs(Step::AccessLog)
        .then(|| middleware::AccessLog::start(&request)); // 2. access log
    let host = if chain.runs(Step::HostCheck) {
        middleware::check_host(&request) // 3. Host check
    } else {
        Ok(())
    };
    let mut response = match host {
        Err(error) => refused_host(&request, error),
        Ok(()) => {
            let gzip = chain.runs(Step::Compression) && middleware::accepts_gzip(request.headers());
            let cache = chain
                .runs(Step::CacheHeaders)
                .then(|| middleware::CacheHeaders::start(&request));
            // 4. timeout, around 5b. cache headers, around 6. compression,
            // around 7. the panic catcher
            let work = async {
                let answer = route_and_call(request, state);
                let response = if chain.runs(Step::PanicCatcher) {
                    middleware::catch_panic(answer).await
                } else {
                    answer.await
                };
                let response = if chain.runs(Step::Compression) {
                    middleware::compress(response, gzip)
                } else {
                    response
                };
                match cache {
                    Some(cache) => cache.finish(response),
                    None => response,
                }
            };
            if chain.runs(Step::Timeout) {
                middleware::timeout(state.config().request_timeout, work).await
            } else {
                work.await
            }
        }
    };
    if let Some(request_id) = request_id {
        response
            .headers_mut()
            .insert(request_id::HEADER, request_id);
    }
    if let Some(access_log) = access_log {
        access_log.finish(response.status());
    }
    response
    // ANCHOR_END: middleware_chain
}

/// The `400` for a bad `Host`. axum routes before its middleware runs and
/// puts `Allow` on every answer from a route's method-not-allowed path, this
/// one included (`POST /json` without `Host` gets `Allow: GET,HEAD`), so we
/// route too, only to learn that. The static files are a nested service in
/// axum, not a route with methods: their `400` has no `Allow`.
fn refused_host<B>(request: &Request<B>, error: Error) -> HttpResponse {
    let refused = response::error_response(error);
    match router::route(request.method(), request.uri().path()) {
        Routed::MethodNotAllowed { allow } if !router::is_mounted_service(request.uri().path()) => {
            response::with_allow(refused, &allow)
        }
        _ => refused,
    }
}

/// Routing, then the route-level middleware steps (8. request counters,
/// 9. admin token), then the handler (which applies 5., the body limit, as it
/// reads). axum runs these steps after routing too: they are `Router::layer`
/// middleware, which sees the matched route.
async fn route_and_call<B>(request: Request<B>, state: &AppState) -> HttpResponse
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let (parts, body) = request.into_parts();
    let routed = router::route(&parts.method, parts.uri.path());

    let chain = state.config().middleware;
    if chain.runs(Step::Counters) {
        middleware::count_requests(state, &routed); // 8. request counters
    }
    if chain.runs(Step::AdminToken)
        && let Some(rejected) = middleware::require_admin_token(&parts, state, &routed)
    {
        return rejected; // 9. admin token
    }

    // A `HEAD` request is routed like `GET`. We build the full response and
    // hyper, which knows the request was `HEAD`, sends the headers (with the
    // real `Content-Length`) and leaves the body out.
    match routed {
        Routed::Found(endpoint, params) => {
            let body = if endpoint.method.has_request_body() {
                body.map_err(|error| error.into()).boxed_unsync()
            } else {
                RequestBody::default()
            };
            let input = Input {
                parts,
                params,
                body,
            };
            let answer = dispatch(endpoint.id, input, state);
            let mut response = answer.await.unwrap_or_else(response::error_response);
            if chain.runs(Step::Compression) {
                middleware::mark_uncompressed(endpoint, &mut response); // 6. (which endpoints)
            }
            response
        }
        Routed::NotFound => response::error_response(Error::NoRoute {
            path: parts.uri.path().to_owned(),
        }),
        Routed::MethodNotAllowed { allow } => response::with_allow(
            response::error_response(Error::MethodNotAllowed {
                method: parts.method.to_string(),
                path: parts.uri.path().to_owned(),
            }),
            &allow,
        ),
    }
}

// ANCHOR: route_table
/// The route table: which handler answers which catalogue endpoint, in
/// catalogue order (as framework-server's `app::router` lists them;
/// `conformance/tests/side_by_side.rs` checks both).
///
/// The `match` is exhaustive, so adding an endpoint to the catalogue without
/// a handler here is a compile error.
pub async fn dispatch(
    endpoint: EndpointId,
    input: Input,
    state: &AppState,
) -> Result<HttpResponse, Error> {
    match endpoint {
        EndpointId::Plaintext => handlers::plaintext_show(input, state).await,
        EndpointId::Json => handlers::json_show(input, state).await,
        EndpointId::Db => handlers::db_show(input, state).await,
        EndpointId::Queries => handlers::queries_list(input, state).await,
        EndpointId::Updates => handlers::updates_apply(input, state).await,
        EndpointId::CachedQueries => handlers::cached_queries_list(input, state).await,
        EndpointId::Fortunes => handlers::fortunes_page(input, state).await,
        EndpointId::UsersList => handlers::users::users_list(input, state).await,
        EndpointId::UsersCreate => handlers::users::users_create(input, state).await,
        EndpointId::UsersShow => handlers::users::users_show(input, state).await,
        EndpointId::UsersReplace => handlers::users::users_replace(input, state).await,
        EndpointId::UsersDelete => handlers::users::users_delete(input, state).await,
        EndpointId::ContactSubmit => handlers::contact::contact_submit(input, state).await,
        EndpointId::VisitsShow => handlers::visits::visits_show(input, state).await,
        EndpointId::DelayShow => handlers::delay::delay_show(input, state).await,
        EndpointId::UpstreamShow => handlers::upstream::upstream_show(input, state).await,
        EndpointId::Home => pages::home_page(input, state).await,
        EndpointId::OpenApi => pages::openapi_show(input, state).await,
        EndpointId::StaticFiles => static_files::static_files_show(input, state).await,
        EndpointId::AdminStats => handlers::admin_stats_show(input, state).await,
        EndpointId::AdminPanic => handlers::admin_panic_show(input, state).await,
    }
}
// ANCHOR_END: route_table
