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
//! | [`app`]      | the middleware chain around routing, and the route table      |
//! | [`router`]   | matching `(method, path)` against the endpoint catalogue, 404/405 |
//! | [`extract`]  | pulling typed input out of a request: query, path, JSON, form, cookie |
//! | [`handlers`] | one function per endpoint: extract, call shared logic, respond |
//! | [`response`] | building responses, and the one place errors become responses |
//! | [`middleware`] | the middleware chain's steps: request id, access log, Host check, timeout, compression, panic catcher, counters, admin token |
//! | [`pages`]    | the home page and the OpenAPI document                        |
//! | [`static_files`] | `/static/...`: tower-http's `ServeDir`, rewritten by hand, streaming files |
//!
//! ## Request flow
//!
//! `connection-layer` accepts a socket → hyper parses a request → our
//! `service_fn` calls [`app::handle`], which runs the [`middleware`] chain
//! around routing → [`router::route`] finds the endpoint → the route table,
//! [`app::dispatch`], calls its handler → the handler returns a response or an [`Error`], which
//! [`response::error_response`] turns into a problem.

pub mod app;
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
use http::request::Parts;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{Either, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use shared_handlers::AppState;
use tokio::net::TcpListener;

pub use crate::app::handle;
use crate::router::PathParams;

/// The body of every response: bytes built in full by a handler, or (after
/// the compression step) a gzip stream of unknown length, or a static file
/// read chunk by chunk as it is sent.
///
/// The two streams are boxed: they are hundreds of bytes (a gzip encoder, a
/// file and its buffer), and unboxed every response would be that large,
/// copied at each move through the chain, even the 13 bytes of
/// `/plaintext`. Those answers allocate anyway; one more is small beside it.
pub type ResponseBody =
    Either<Full<Bytes>, Box<Either<middleware::CompressedBody, static_files::FileBody>>>;

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
    // ANCHOR: serve_with_hyper
    // hyper calls this closure once per request. It must be cheap to clone
    // (one per connection), so it captures only the `Arc`-backed state.
    let service = service_fn(move |request: Request<hyper::body::Incoming>| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(request, &state).await) }
    });
    connection_layer::serve(listener, &settings, service, shutdown).await;
    // ANCHOR_END: serve_with_hyper
    Ok(())
}
