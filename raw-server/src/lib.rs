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
//! | [`extract`]  | pulling typed input out of a request (query parameters)       |
//! | [`handlers`] | one function per endpoint: extract, call shared logic, respond |
//! | [`response`] | building responses, and the one place errors become responses |
//! | [`pages`]    | the home page and the OpenAPI document                        |
//! | [`static_files`] | `/static/...`: tower-http's `ServeDir`, rewritten by hand |
//!
//! ## Request flow
//!
//! `connection-layer` accepts a socket → hyper parses a request → our
//! `service_fn` calls [`handle`] → [`router::route`] finds the endpoint →
//! [`dispatch`] calls its handler → the handler returns a response or an
//! [`Error`], which [`response::error_response`] turns into a problem.

pub mod extract;
pub mod handlers;
pub mod pages;
pub mod response;
pub mod router;
pub mod static_files;

use std::convert::Infallible;
use std::future::Future;

use bytes::Bytes;
use connection_layer::ConnectionSettings;
use http::request::Parts;
use http_body_util::Full;
use hyper::body::Body;
use hyper::service::service_fn;
use hyper::{Request, Response};
use shared_handlers::{AppState, EndpointId, Error};
use tokio::net::TcpListener;

use crate::router::{PathParams, Routed};

/// The response type of every handler: headers and a fully built body.
pub type HttpResponse = Response<Full<Bytes>>;

/// The largest request body read into memory, in bytes. A larger one is
/// answered with `413 Payload Too Large` without reading it all.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// What every handler receives: the request head, the path parameters the
/// router captured, and the body (read in full, up to [`BODY_LIMIT`], for
/// endpoints that take one; empty otherwise).
///
/// axum hands each handler exactly the pieces its extractors ask for; by hand
/// we give every handler everything and let it pick.
#[derive(Debug)]
pub struct Input {
    pub parts: Parts,
    pub params: PathParams,
    pub body: Bytes,
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
/// Answers one request: route it, read its body if the endpoint takes one,
/// run its handler, turn errors into problems.
///
/// Generic over the body type so benchmarks can call it without a socket.
pub async fn handle<B>(request: Request<B>, state: &AppState) -> HttpResponse
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (parts, body) = request.into_parts();
    // A `HEAD` request is routed like `GET`. We build the full response and
    // hyper, which knows the request was `HEAD`, sends the headers (with the
    // real `Content-Length`) and leaves the body out.
    match router::route(&parts.method, parts.uri.path()) {
        Routed::Found(endpoint, params) => {
            let answer = async {
                let body = if endpoint.method.has_request_body() {
                    extract::body_bytes(body, BODY_LIMIT).await?
                } else {
                    Bytes::new()
                };
                dispatch(
                    endpoint.id,
                    Input {
                        parts,
                        params,
                        body,
                    },
                    state,
                )
                .await
            };
            answer.await.unwrap_or_else(response::error_response)
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
// ANCHOR_END: handle

// ANCHOR: route_table
/// The route table: which handler answers which catalogue endpoint.
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
        EndpointId::Home => pages::home_page(input, state).await,
        EndpointId::OpenApi => pages::openapi_show(input, state).await,
        EndpointId::StaticFiles => static_files::static_files_show(input, state).await,
    }
}
// ANCHOR_END: route_table
