//! The middleware chain, as tower layers and axum `from_fn` middleware.
//!
//! `app::router` stacks these in the same order raw-server calls its
//! hand-written steps:
//!
//! 1. request id → 2. access log → 3. `Host` check → 4. timeout →
//! 5. body size limit → 5b. cache headers → 6. compression →
//! 7. panic catcher → 8. request counters → 9. admin token → handler
//!
//! Most steps are ready-made tower-http layers configured here; the
//! project-specific ones are small `async fn`s turned into layers with
//! `axum::middleware::from_fn`.

use std::any::Any;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_ENCODING, ETAG, HOST, IF_NONE_MATCH, VARY,
};
use axum::http::{Extensions, HeaderMap, HeaderValue, Method, StatusCode, Version};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, SizeHint};
use shared_handlers::config::{OVERSIZED_BODY_DRAIN_BYTES, OVERSIZED_BODY_DRAIN_TIME};
use shared_handlers::contract::CachePolicy;
use shared_handlers::error::panic_message;
use shared_handlers::{AppState, Error, auth, caching, catalogue, host, request_id};
use tower::BoxError;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::error::ApiError;

// ANCHOR: request_id
/// Step 1, part one: forget an incoming `x-request-id` that is not sane, so
/// that tower-http's `SetRequestIdLayer` (which keeps any incoming id)
/// generates a fresh one instead.
pub async fn drop_insane_request_id(mut request: Request) -> Request {
    let insane = request
        .headers()
        .get(request_id::HEADER)
        .is_some_and(|id| !request_id::is_sane(id.as_bytes()));
    if insane {
        request.headers_mut().remove(request_id::HEADER);
    }
    request
}

/// Step 1, part two: how `SetRequestIdLayer` makes a new id.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::try_from(request_id::generate())
            .ok()
            .map(RequestId::new)
    }
}
// ANCHOR_END: request_id

// ANCHOR: access_log
/// Step 2: `TraceLayer` opens a span per request; we name it so the line it
/// logs on response carries method and path, under the target
/// `frameworth::access` (off unless `RUST_LOG` asks for it).
pub fn access_log_span(request: &Request) -> tracing::Span {
    tracing::info_span!(target: "frameworth::access", "request", method = %request.method(), path = %request.uri().path())
}

pub fn access_log_line(response: &Response, latency: Duration, _span: &tracing::Span) {
    let latency_us = latency.as_micros();
    tracing::info!(target: "frameworth::access", status = response.status().as_u16(), latency_us);
}
// ANCHOR_END: access_log

// ANCHOR: host_check
/// Step 3: exactly one `Host` header on HTTP/1.1 requests (RFC 9112 §3.2).
pub async fn require_host(request: Request, next: Next) -> Response {
    let lines = request.headers().get_all(HOST).iter().count();
    match host::check(request.version() == Version::HTTP_11, lines) {
        Ok(()) => next.run(request).await,
        Err(error) => ApiError(error).into_response(),
    }
}
// ANCHOR_END: host_check

// ANCHOR: timeout
/// Step 4: tower's `TimeoutLayer` fails the request with an `Elapsed` error;
/// axum needs every error turned into a response, which is what
/// `HandleErrorLayer` calls this for.
pub fn timeout_error(limit: Duration) -> impl Fn(BoxError) -> std::future::Ready<ApiError> + Clone {
    move |error: BoxError| {
        let error = if error.is::<tower::timeout::error::Elapsed>() {
            Error::Timeout { after: limit }
        } else {
            Error::Internal(format!("middleware error: {error}"))
        };
        std::future::ready(ApiError(error))
    }
}
// ANCHOR_END: timeout

// ANCHOR: drain
/// Step 5, part two: the rest of a body refused with `413` is read and
/// thrown away (bounded by `shared_handlers::config`) before the answer goes
/// out, so that a client still uploading can read it; raw-server does the
/// same in `extract::body_bytes`.
///
/// `Json` and `Form` consume the body and drop it when `DefaultBodyLimit`
/// stops them, so this step lends the handler the body through a shared
/// handle, [`LentBody`], and gets it back afterwards. Only `POST` and `PUT`
/// requests carry bodies here; the others pass untouched.
pub async fn drain_refused_body(request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::POST | Method::PUT) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let lent = Arc::new(Mutex::new(body));
    let request = Request::from_parts(parts, Body::new(LentBody(Arc::clone(&lent))));
    let response = next.run(request).await;
    // The handler has finished, so it holds the body no more, unless it
    // handed it to a task that still runs: then the body is that task's.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && let Ok(body) = Arc::try_unwrap(lent)
    {
        drain(body.into_inner().unwrap_or_else(PoisonError::into_inner)).await;
    }
    response
}

/// Reads and discards what is left of `body`, within the byte and time
/// bounds, whichever comes first.
async fn drain(mut body: Body) {
    let discard = async {
        let mut discarded: u64 = 0;
        while let Some(Ok(frame)) =
            std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            if let Some(data) = frame.data_ref() {
                discarded += data.len() as u64;
                if discarded > OVERSIZED_BODY_DRAIN_BYTES {
                    return;
                }
            }
        }
    };
    // Running out of time is one of the two ways this ends, not an error.
    let _ = tokio::time::timeout(OVERSIZED_BODY_DRAIN_TIME, discard).await;
}

/// A request body lent to the handler: reads go through to the body that
/// [`drain_refused_body`] keeps a handle on.
#[derive(Debug)]
pub struct LentBody(Arc<Mutex<Body>>);

impl LentBody {
    fn body(&self) -> MutexGuard<'_, Body> {
        // A panic while a frame was polled leaves a body we may still drain.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl HttpBody for LentBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut *self.body()).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body().is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body().size_hint()
    }
}
// ANCHOR_END: drain

// ANCHOR: cache_headers
/// Step 5b: every answer of a catalogue endpoint states how it may be cached,
/// from the endpoint's [`CachePolicy`]; for a `Revalidate` endpoint, whose
/// handler set a strong `ETag`, a matching `If-None-Match` turns the answer
/// into `304 Not Modified`.
///
/// The layer sits outside compression, so it sees the final coding: a
/// gzipped body gets the weak form of the tag (see [`caching::weakened`]).
/// tower-http has no layer for entity tags (`ServeDir` uses dates), so this
/// is a `from_fn` of our own.
pub async fn cache_headers(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let pattern = matched
        .as_ref()
        .map_or(request.uri().path(), MatchedPath::as_str);
    let Some(endpoint) = catalogue::by_route(request.method().as_str(), pattern) else {
        return next.run(request).await; // no endpoint, no policy (404, 405)
    };
    let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
    let mut response = next.run(request).await;
    let cache_control = HeaderValue::from_static(endpoint.cache.cache_control());
    response.headers_mut().insert(CACHE_CONTROL, cache_control);
    if endpoint.cache != CachePolicy::Revalidate || response.status() != StatusCode::OK {
        return response;
    }
    let headers = response.headers_mut();
    let Some(etag) = headers.get(ETAG).and_then(|v| v.to_str().ok()) else {
        return response;
    };
    let mut etag = etag.to_owned();
    if headers.contains_key(CONTENT_ENCODING) {
        etag = caching::weakened(&etag);
        if let Ok(weak) = HeaderValue::from_str(&etag) {
            headers.insert(ETAG, weak);
        }
    }
    match if_none_match {
        Some(wanted) if caching::none_match_matches(wanted.as_bytes(), &etag) => {
            not_modified(&response)
        }
        _ => response,
    }
}

/// `304`: no body, and of the headers only those RFC 9110 section 15.4.5
/// asks for (the validator, caching and `Vary`); `Server` comes from the
/// outermost layer, `Content-Length: 0` from axum's router.
fn not_modified(response: &Response) -> Response {
    let mut answer = StatusCode::NOT_MODIFIED.into_response();
    for name in [ETAG, CACHE_CONTROL, VARY] {
        for value in response.headers().get_all(&name) {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer
}
// ANCHOR_END: cache_headers

// ANCHOR: compression
/// Step 6: compress bodies of at least 1 KiB, except images (SVG excepted),
/// server-sent events and gRPC — tower-http's default list with a 1 KiB floor
/// — and except the answers of endpoints the catalogue marks
/// `compress: false` (the benchmark endpoints).
///
/// A compression predicate sees only the response, so the endpoint's choice
/// travels on it as an [`Uncompressed`] extension, put there by
/// [`mark_uncompressed`] just inside the compression layer.
pub fn compression_predicate() -> impl Predicate {
    let endpoint_allows = |_: StatusCode, _: Version, _: &HeaderMap, extensions: &Extensions| {
        extensions.get::<Uncompressed>().is_none()
    };
    SizeAbove::new(1024)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(endpoint_allows)
}
// ANCHOR_END: compression

// ANCHOR: mark_uncompressed
/// Marks a response that must go out uncompressed (see [`compression_predicate`]).
#[derive(Debug, Clone, Copy)]
pub struct Uncompressed;

/// Step 6, part two: looks the route up in the catalogue and marks the
/// answer of an endpoint with `compress: false`.
pub async fn mark_uncompressed(
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    // A `nest_service` route (the static files) has no `MatchedPath`; see
    // `count_requests`.
    let pattern = matched
        .as_ref()
        .map_or(request.uri().path(), MatchedPath::as_str);
    let compress = catalogue::by_route(request.method().as_str(), pattern)
        .is_none_or(|endpoint| endpoint.compress);
    let mut response = next.run(request).await;
    if !compress {
        response.extensions_mut().insert(Uncompressed);
    }
    response
}
// ANCHOR_END: mark_uncompressed

// ANCHOR: catch_panic
/// Step 7: `CatchPanicLayer` catches a panicking handler; this turns the
/// panic into our `500` problem.
pub fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response {
    ApiError(Error::Panic(panic_message(payload.as_ref()))).into_response()
}
// ANCHOR_END: catch_panic

// ANCHOR: request_stats
/// Step 8: count the request for its endpoint. Middleware added with
/// `Router::layer` runs after routing, so `MatchedPath` tells us the route;
/// requests that matched none (404, 405) count as unmatched.
pub async fn count_requests(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    // A `nest_service` route (our static files) gets no `MatchedPath`; it
    // takes every path under its mount point, so the path itself names it.
    let pattern = matched
        .as_ref()
        .map_or(request.uri().path(), MatchedPath::as_str);
    let endpoint = catalogue::by_route(request.method().as_str(), pattern);
    state.stats().record(endpoint);
    next.run(request).await
}
// ANCHOR_END: request_stats

// ANCHOR: admin_auth
/// Step 9: everything under `/admin/` needs the token, even paths that do
/// not exist there.
pub async fn require_admin_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if auth::is_admin_path(request.uri().path()) {
        let presented = request
            .headers()
            .get(AUTHORIZATION)
            .map(|value| value.as_bytes());
        if let Err(error) = auth::check_bearer(presented, &state.config().admin_token) {
            return ApiError(error).into_response();
        }
    }
    next.run(request).await
}
// ANCHOR_END: admin_auth
