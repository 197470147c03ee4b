//! # raw-server: frameworth on bare hyper
//!
//! Everything a web framework would do for us is written here by hand, in
//! plain Rust over hyper's types: matching a path to an endpoint, answering
//! `404` and `405`, reading query parameters, building responses with the
//! right headers, and mapping errors to the shared problem format. Read it
//! next to `framework-server`: the glue you see here is what axum saves you.
//!
//! The accept loop and connection settings live in `connection-layer`, shared
//! with framework-server so that a benchmark compares request handling only.
//!
//! ## Layout
//!
//! | module       | concept                                                       |
//! |--------------|---------------------------------------------------------------|
//! | [`router`]   | matching `(method, path)` against the endpoint catalogue, 404/405 |
//! | [`extract`]  | pulling typed input out of a request: query, path, JSON, form, cookie |
//! | [`handlers`] | one function per endpoint: extract, call shared logic, respond |
//! | [`response`] | building responses, and the one place errors become responses |
//! | [`middleware`] | the middleware chain: request id, access log, Host check, timeout, compression, panic catcher |
//! | [`pages`]    | the home page and the OpenAPI document                        |
//! | [`static_files`] | `/static/...`: tower-http's `ServeDir`, rewritten by hand, streaming files |
//!
//! ## Request flow
//!
//! `connection-layer` accepts a socket → hyper parses a request → our
//! `service_fn` calls [`handle`], which runs the [`middleware`] chain around
//! `route_and_call` → [`router::route`] finds the endpoint → `dispatch` calls
//! its handler → the handler returns a response or an [`Error`], which
//! [`response::error_response`] turns into a problem.

pub mod extract;
pub mod handlers;
pub mod middleware;
pub mod pages;
pub mod response;
pub mod router;
pub mod static_files;

use std::convert::Infallible;
use std::future::Future;

use bytes::Bytes;
use connection_layer::ConnectionSettings;
use http::header::AUTHORIZATION;
use http::request::Parts;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Body;
use hyper::service::service_fn;
use hyper::{Request, Response};
use shared_handlers::{AppState, EndpointId, Error, auth, request_id};
use tokio::net::TcpListener;

use crate::router::{PathParams, Routed};

/// The body of every response: bytes built in full by a handler, or (after
/// the compression step) a gzip stream of unknown length, or a static file
/// read chunk by chunk as it is sent.
pub type ResponseBody =
    Either<Full<Bytes>, Either<middleware::CompressedBody, static_files::FileBody>>;

/// The response type of every handler and every middleware step.
pub type HttpResponse = Response<ResponseBody>;

/// A request body not read yet, its concrete type erased so that handlers
/// need no type parameter. (Boxing it costs an allocation, so only endpoints
/// that take a body get one; the others get an empty body, which is free.)
pub type RequestBody = UnsyncBoxBody<Bytes, BoxError>;

/// Errors of a request body, type-erased too.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What every handler receives: the request head, the path parameters the
/// router captured, and the body, still unread: a handler that takes one reads
/// it with `extract::json_body` / `extract::form_body`, which check the
/// `Content-Type` first and then read at most the configured body limit —
/// the same order as axum's `Json` and `Form` extractors.
///
/// axum hands each handler exactly the pieces its extractors ask for; by hand
/// we give every handler everything and let it pick.
#[derive(Debug)]
pub struct Input {
    pub parts: Parts,
    pub params: PathParams,
    pub body: RequestBody,
}

/// Serves frameworth's endpoints on `listener` until `shutdown` completes.
///
/// This is what `main` calls after parsing flags, and what tests call with a
/// listener bound to `127.0.0.1:0`.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    settings: ConnectionSettings,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    // ANCHOR: service
    // hyper calls this closure once per request. It must be cheap to clone
    // (one per connection), so it captures only the `Arc`-backed state.
    let service = service_fn(move |request: Request<hyper::body::Incoming>| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(request, &state).await) }
    });
    // ANCHOR_END: service
    connection_layer::serve(listener, &settings, service, shutdown).await;
    Ok(())
}

// ANCHOR: handle
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
    let request_id = middleware::request_id(request.headers()); // 1. request id
    let access_log = middleware::AccessLog::start(&request); // 2. access log
    let mut response = match middleware::check_host(&request) {
        // 3. Host check
        Err(error) => refused_host(&request, error),
        Ok(()) => {
            let gzip = middleware::accepts_gzip(request.headers());
            // 4. timeout, around 6. compression, around 7. the panic catcher
            middleware::timeout(state.config().request_timeout, async {
                let response = middleware::catch_panic(route_and_call(request, state)).await;
                middleware::compress(response, gzip)
            })
            .await
        }
    };
    response
        .headers_mut()
        .insert(request_id::HEADER, request_id);
    access_log.finish(response.status());
    response
    // ANCHOR_END: middleware_chain
}
// ANCHOR_END: handle

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

/// Routing, then the route-level middleware (8. request counters, 9. admin
/// token), then the handler (which applies 5., the body limit, as it reads).
async fn route_and_call<B>(request: Request<B>, state: &AppState) -> HttpResponse
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let (parts, body) = request.into_parts();
    let routed = router::route(&parts.method, parts.uri.path());

    // ANCHOR: request_stats
    // 8. Count the request for its endpoint (404s and 405s as unmatched).
    state.stats().record(match &routed {
        Routed::Found(endpoint, _) => Some(endpoint),
        _ => None,
    });
    // ANCHOR_END: request_stats

    // ANCHOR: admin_auth
    // 9. Everything under /admin/ needs the token, even paths that do not
    // exist there: a stranger learns nothing about what is behind the door.
    if auth::is_admin_path(parts.uri.path()) {
        let presented = parts
            .headers
            .get(AUTHORIZATION)
            .map(|value| value.as_bytes());
        if let Err(error) = auth::check_bearer(presented, &state.config().admin_token) {
            let rejected = response::error_response(error);
            // axum puts `Allow` on every answer from a route's method-not-
            // allowed path, this 401 included; we do the same to match.
            return match routed {
                Routed::MethodNotAllowed { allow } => response::with_allow(rejected, &allow),
                _ => rejected,
            };
        }
    }
    // ANCHOR_END: admin_auth

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
            // ANCHOR: mark_uncompressed
            // 6. (which endpoints) The compression step runs outside routing,
            // so the endpoint's `compress: false` travels on the response.
            if !endpoint.compress {
                response.extensions_mut().insert(middleware::Uncompressed);
            }
            // ANCHOR_END: mark_uncompressed
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
/// `conformance/tests/route_tables.rs` checks both).
///
/// The `match` is exhaustive, so adding an endpoint to the catalogue without
/// a handler here is a compile error.
async fn dispatch(
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
        EndpointId::Home => pages::home_page(input, state).await,
        EndpointId::OpenApi => pages::openapi_show(input, state).await,
        EndpointId::StaticFiles => static_files::static_files_show(input, state).await,
        EndpointId::AdminStats => handlers::admin_stats_show(input, state).await,
        EndpointId::AdminPanic => handlers::admin_panic_show(input, state).await,
    }
}
// ANCHOR_END: route_table
