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
//!
//! ## Request flow
//!
//! `connection-layer` accepts a socket → hyper parses a request → our
//! `service_fn` calls [`handle`] → [`router::route`] finds the endpoint →
//! [`dispatch`] calls its handler → the handler returns a response or an
//! [`Error`], which [`response::error_response`] turns into a problem.

pub mod extract;
pub mod handlers;
pub mod response;
pub mod router;

use std::convert::Infallible;
use std::future::Future;

use bytes::Bytes;
use connection_layer::ConnectionSettings;
use http::request::Parts;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use shared_handlers::{AppState, EndpointId, Error};
use tokio::net::TcpListener;

use crate::router::Routed;

/// The response type of every handler: headers and a fully built body.
pub type HttpResponse = Response<Full<Bytes>>;

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
/// Answers one request: route it, run its handler, turn errors into problems.
///
/// Generic over the body type so benchmarks can call it without a socket.
pub async fn handle<B>(request: Request<B>, state: &AppState) -> HttpResponse {
    let (parts, _body) = request.into_parts();
    // A `HEAD` request is routed like `GET`. We build the full response and
    // hyper, which knows the request was `HEAD`, sends the headers (with the
    // real `Content-Length`) and leaves the body out.
    match router::route(&parts.method, parts.uri.path()) {
        Routed::Found(endpoint) => dispatch(endpoint.id, &parts, state)
            .await
            .unwrap_or_else(response::error_response),
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
    parts: &Parts,
    state: &AppState,
) -> Result<HttpResponse, Error> {
    match endpoint {
        EndpointId::Plaintext => handlers::plaintext_show(parts, state).await,
        EndpointId::Json => handlers::json_show(parts, state).await,
        EndpointId::Db => handlers::db_show(parts, state).await,
        EndpointId::Queries => handlers::queries_list(parts, state).await,
        EndpointId::Updates => handlers::updates_apply(parts, state).await,
        EndpointId::CachedQueries => handlers::cached_queries_list(parts, state).await,
        EndpointId::Fortunes => handlers::fortunes_page(parts, state).await,
    }
}
// ANCHOR_END: route_table
