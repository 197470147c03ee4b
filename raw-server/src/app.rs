//! The route table and the middleware chain around it: what happens to a
//! request between hyper handing it over and a handler answering it. The
//! counterpart of framework-server's `app.rs`, where the same two things are
//! a `Router` and the layers stacked on it.

use std::future::{self, Future};

use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::Either;
use http_body_util::BodyExt;
use hyper::Request;
use hyper::body::Body;
use shared_handlers::chain::Step;
use shared_handlers::{AppState, Endpoint, EndpointId, Error, request_id};

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
    // Steps 1 to 3 read the request before it is handed on; they run in this
    // block so that the request is not kept in this future while it waits
    // (an `async fn` stores every local it has borrowed that is still in
    // scope at an `.await`, moved-from or not).
    let (request_id, access_log, answer) = {
        let request = request;
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
        let answer = match host {
            Err(error) => Either::Left(future::ready(refused_host(&request, error))),
            Ok(()) => Either::Right(around_routing(request, state)),
        };
        (request_id, access_log, answer)
    };
    let mut response = answer.await;
    if let Some(request_id) = request_id {
        response
            .headers_mut()
            .insert(request_id::HEADER, request_id);
    }
    if let Some(access_log) = access_log {
        access_log.finish(response.status());
    }
    response
}

/// Steps 4 to 7, wrapped around routing and the handler from the inside
/// out: 7. the panic catcher, then 6. compression and 5b. cache headers on
/// the way out, then 4. the timeout around all of it.
///
/// Each step wraps the future of the one inside it (as a tower layer wraps
/// a service), and a step that is off leaves it as it is. Not an `async fn`:
/// one would keep the request it was given for as long as the answer takes,
/// beside the future that took it over, and this future moves with every
/// request.
fn around_routing<'a, B>(
    request: Request<B>,
    state: &'a AppState,
) -> impl Future<Output = HttpResponse> + 'a
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let chain = state.config().middleware;
    let gzip = chain.runs(Step::Compression) && middleware::accepts_gzip(request.headers());
    let cache = chain
        .runs(Step::CacheHeaders)
        .then(|| middleware::CacheHeaders::start(&request));
    let answer = route_and_call(request, state);
    let answer = wrap_if(
        chain.runs(Step::PanicCatcher),
        answer,
        middleware::catch_panic,
    ); // 7.
    let answer = answer.map(move |response| {
        let response = if chain.runs(Step::Compression) {
            middleware::compress(response, gzip) // 6. compression
        } else {
            response
        };
        match cache {
            Some(cache) => cache.finish(response), // 5b. cache headers
            None => response,
        }
    });
    let limit = state.config().request_timeout;
    wrap_if(chain.runs(Step::Timeout), answer, |answer| {
        middleware::timeout(limit, answer) // 4. timeout
    })
}
// ANCHOR_END: middleware_chain

/// `wrap(inner)` when the step is on, `inner` itself when it is off: either
/// way a future with the same output.
fn wrap_if<F, W>(on: bool, inner: F, wrap: impl FnOnce(F) -> W) -> Either<W, F> {
    if on {
        Either::Left(wrap(inner))
    } else {
        Either::Right(inner)
    }
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
///
/// Routing and the two steps are synchronous ([`route_to_handler`]); what is
/// left is the handler's future, and after it the compression step's mark.
/// A plain function, not an `async fn`, for the reason given at
/// [`around_routing`].
fn route_and_call<'a, B>(
    request: Request<B>,
    state: &'a AppState,
) -> impl Future<Output = HttpResponse> + 'a
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let routing = if state.config().middleware.runs(Step::PanicCatcher) {
        // 7. covers routing and steps 8 and 9 too (axum's catcher wraps
        // them as a layer); here they run before there is a future to wrap.
        middleware::catch_panic_now(|| route_to_handler(request, state), Routing::Answer)
    } else {
        route_to_handler(request, state)
    };
    match routing {
        Routing::Call(endpoint, input) => {
            Either::Left(dispatch(endpoint.id, input, state).map(move |answer| {
                let mut response = answer.unwrap_or_else(response::error_response);
                if state.config().middleware.runs(Step::Compression) {
                    middleware::mark_uncompressed(endpoint, &mut response); // 6. (which endpoints)
                }
                response
            }))
        }
        Routing::Answer(answer) => Either::Right(future::ready(answer)),
    }
}

/// What [`route_to_handler`] decided.
enum Routing {
    /// Call this endpoint's handler with this input.
    Call(&'static Endpoint, Input),
    /// No handler to call: this is the answer.
    Answer(HttpResponse),
}

/// The synchronous half of [`route_and_call`]: the endpoint and the input
/// for its handler, or the answer when no handler is called (`404`, `405`,
/// or a request the admin-token step refused).
fn route_to_handler<B>(request: Request<B>, state: &AppState) -> Routing
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
        return Routing::Answer(rejected); // 9. admin token
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
            Routing::Call(endpoint, input)
        }
        Routed::NotFound => Routing::Answer(response::error_response(Error::NoRoute {
            path: parts.uri.path().to_owned(),
        })),
        Routed::MethodNotAllowed { allow } => Routing::Answer(response::with_allow(
            response::error_response(Error::MethodNotAllowed {
                method: parts.method.to_string(),
                path: parts.uri.path().to_owned(),
            }),
            &allow,
        )),
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

#[cfg(test)]
mod tests {
    use std::mem::size_of_val;

    use http_body_util::Empty;

    use super::*;

    /// The middleware chain around the route table is written so that its
    /// future keeps no copy of the request (see `around_routing`): the
    /// request's future moves with every request, and every byte of it is
    /// copied. Written as `async fn`s around each `.await`, the chain added
    /// 1,592 bytes to the route table's future; now it adds 568.
    #[test]
    fn the_middleware_chain_adds_little_to_the_route_tables_future() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let state = AppState::open(&dir.path().join("frameworth.sqlite3")).expect("a database");
        let (parts, ()) = Request::new(()).into_parts();
        let input = Input {
            parts,
            params: Default::default(),
            body: RequestBody::default(),
        };
        let route_table = size_of_val(&dispatch(EndpointId::Plaintext, input, &state));
        let request = Request::new(Empty::<Bytes>::new());
        let whole = size_of_val(&handle(request, &state));
        assert!(
            whole <= route_table + 768,
            "the request's future is {whole} bytes, the route table's {route_table}"
        );
    }
}
