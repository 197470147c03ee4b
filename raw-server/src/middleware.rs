//! The middleware chain, by hand.
//!
//! In axum each of these is a tower `Layer` stacked on the router; here each
//! is a plain function, and [`crate::app::handle`] calls them in order — the same
//! order as framework-server's layers:
//!
//! 1. request id → 2. access log → 3. `Host` check → 4. timeout →
//! 5. body size limit → 5b. cache headers → 6. compression →
//! 7. panic catcher → 8. request counters → 9. admin token → handler
//!
//! Every step lives here. [`crate::app`] calls 1–4, 5b, 6 and 7 around routing
//! and 8 and 9 after it, because they need to know which endpoint the
//! request is for; 5 is applied by the extractors as they read the body.

use std::any::Any;
use std::future::Future;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::FutureExt;
use http::header::AUTHORIZATION;
use http::header::{
    ACCEPT_ENCODING, ACCEPT_RANGES, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_TYPE, ETAG, HOST, IF_NONE_MATCH, VARY,
};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Version};
use http_body_util::{Either, Full};
use hyper::body::{Body, Frame};
use shared_handlers::catalogue::Endpoint;
use shared_handlers::contract::CachePolicy;
use shared_handlers::error::panic_message;
use shared_handlers::{AppState, Error, auth, caching, host, request_id};

use crate::router::{self, Routed};
use crate::static_files::FileBody;
use crate::{BoxError, HttpResponse, response};

// ANCHOR: request_id
/// Step 1: the id this request goes by — the client's `x-request-id` if it
/// is sane, a fresh one otherwise. `handle` puts it on the response.
pub fn request_id(headers: &HeaderMap) -> HeaderValue {
    if let Some(incoming) = headers.get(request_id::HEADER)
        && request_id::is_sane(incoming.as_bytes())
    {
        return incoming.clone();
    }
    HeaderValue::try_from(request_id::generate()).expect("a UUID is a valid header value")
}
// ANCHOR_END: request_id

// ANCHOR: access_log
/// Step 2: one log line per request, at `info` level under the target
/// `frameworth::access` (off unless `RUST_LOG` asks for it).
///
/// When the line is disabled we do not even copy the method and path: the
/// access log must cost nothing when it is off.
#[derive(Debug)]
pub struct AccessLog {
    started: Option<(Instant, Method, String)>,
}

impl AccessLog {
    pub fn start<B>(request: &Request<B>) -> AccessLog {
        let enabled = tracing::enabled!(target: "frameworth::access", tracing::Level::INFO);
        AccessLog {
            started: enabled.then(|| {
                (
                    Instant::now(),
                    request.method().clone(),
                    request.uri().path().to_owned(),
                )
            }),
        }
    }

    pub fn finish(self, status: StatusCode) {
        if let Some((started, method, path)) = self.started {
            let latency_us = started.elapsed().as_micros();
            tracing::info!(target: "frameworth::access", %method, %path, status = status.as_u16(), latency_us);
        }
    }
}
// ANCHOR_END: access_log

// ANCHOR: host_check
/// Step 3: exactly one `Host` header on HTTP/1.1 requests (RFC 9112 §3.2).
pub fn check_host<B>(request: &Request<B>) -> Result<(), Error> {
    let lines = request.headers().get_all(HOST).iter().count();
    host::check(request.version() == Version::HTTP_11, lines)
}
// ANCHOR_END: host_check

// ANCHOR: timeout
/// Step 4: give up on a request that takes longer than `limit`.
///
/// Dropping the unfinished future cancels whatever it was doing (a database
/// query already running on the blocking pool finishes there, unobserved).
///
/// A plain function returning a future, not an `async fn`: an `async fn`
/// keeps its argument `work` *and* the `Timeout` it was moved into, doubling
/// the size of the request's future, which is copied whenever it moves.
pub fn timeout(
    limit: Duration,
    work: impl Future<Output = HttpResponse>,
) -> impl Future<Output = HttpResponse> {
    tokio::time::timeout(limit, work).map(move |outcome| {
        outcome.unwrap_or_else(|_elapsed| response::error_response(Error::Timeout { after: limit }))
    })
}
// ANCHOR_END: timeout

// ANCHOR: cache_headers
/// Step 5b: every answer of a catalogue endpoint states how it may be cached,
/// from the endpoint's [`CachePolicy`]; for a `Revalidate` endpoint, whose
/// handler set a strong `ETag`, a matching `If-None-Match` turns the answer
/// into `304 Not Modified`.
///
/// The step runs outside compression, so it sees the final coding: a
/// gzipped body gets the weak form of the tag (see [`caching::weakened`]).
/// Like the access log, it looks at the request before and the response after.
#[derive(Debug)]
pub struct CacheHeaders {
    policy: Option<CachePolicy>,
    if_none_match: Option<HeaderValue>,
}

impl CacheHeaders {
    pub fn start<B>(request: &Request<B>) -> CacheHeaders {
        let policy = match router::route(request.method(), request.uri().path()) {
            Routed::Found(endpoint, _) => Some(endpoint.cache),
            Routed::NotFound | Routed::MethodNotAllowed { .. } => None,
        };
        CacheHeaders {
            policy,
            if_none_match: request.headers().get(IF_NONE_MATCH).cloned(),
        }
    }

    pub fn finish(self, mut response: HttpResponse) -> HttpResponse {
        let Some(policy) = self.policy else {
            return response; // no endpoint, no policy (404, 405)
        };
        let cache_control = HeaderValue::from_static(policy.cache_control());
        response.headers_mut().insert(CACHE_CONTROL, cache_control);
        if policy != CachePolicy::Revalidate || response.status() != StatusCode::OK {
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
        match self.if_none_match {
            Some(wanted) if caching::none_match_matches(wanted.as_bytes(), &etag) => {
                not_modified(response)
            }
            _ => response,
        }
    }
}

/// `304`: no body, and of the headers only those RFC 9110 section 15.4.5
/// asks for (the validator, caching and `Vary`), plus `Server`.
///
/// `Content-Length: 0` is what axum's router puts on every bodiless answer;
/// hyper leaves it out of a `304` to `GET` and sends it to `HEAD`, on both
/// servers alike.
fn not_modified(response: HttpResponse) -> HttpResponse {
    let mut answer = response::empty(StatusCode::NOT_MODIFIED);
    for name in [ETAG, CACHE_CONTROL, VARY] {
        for value in response.headers().get_all(&name) {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    let headers = answer.headers_mut();
    headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    answer
}
// ANCHOR_END: cache_headers

// ANCHOR: compression
/// The smallest body worth compressing: below 1 KiB, gzip's own overhead
/// and the CPU time outweigh the bytes saved.
pub const COMPRESS_MIN_SIZE: u64 = 1024;

/// The body of a compressed response: the original body gzipped frame by
/// frame as hyper asks for it, so a large static file is compressed as it
/// streams instead of being read whole first. Its length is not known up
/// front, so it goes out with `Transfer-Encoding: chunked` — exactly how
/// tower-http's streaming `CompressionLayer` goes out on the axum side.
#[derive(Debug)]
pub struct CompressedBody {
    /// What is compressed: bytes built in full, or a file being read.
    original: Either<Full<Bytes>, FileBody>,
    /// `None` once the gzip trailer has gone out.
    encoder: Option<GzEncoder<Vec<u8>>>,
}

impl Body for CompressedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        loop {
            let Some(encoder) = this.encoder.as_mut() else {
                return Poll::Ready(None);
            };
            let written = match ready!(Pin::new(&mut this.original).poll_frame(cx)) {
                // Trailers carry no body bytes; our bodies have none anyway.
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => encoder.write_all(&data),
                    Err(_trailers) => Ok(()),
                },
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => {
                    let encoder = this.encoder.take().expect("checked just above");
                    let rest = encoder.finish().expect(IN_MEMORY);
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from(rest)))));
                }
            };
            written.expect(IN_MEMORY);
            // Deflate keeps input until it has a block's worth of output.
            let out = std::mem::take(encoder.get_mut());
            if !out.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))));
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.encoder.is_none()
    }
}

const IN_MEMORY: &str = "gzip into a Vec cannot fail: writing to memory has no I/O errors";

/// Does the client accept gzip? Reads `Accept-Encoding` the way tower-http
/// does: `gzip` or `x-gzip`, with an optional `q=` weight; gzip wins unless
/// `identity` is preferred with a strictly higher weight, and `q=0` refuses.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut best_gzip = 0u16;
    let mut best_identity = 0u16;
    let offers = headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','));
    for offer in offers {
        let mut pieces = offer.splitn(2, ';');
        let name = pieces.next().unwrap_or_default().trim();
        let weight = match pieces.next() {
            None => Some(1000),
            Some(params) => parse_qvalue(params.trim()),
        };
        let Some(weight) = weight else { continue };
        if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            best_gzip = best_gzip.max(weight);
        } else if name.eq_ignore_ascii_case("identity") {
            best_identity = best_identity.max(weight);
        }
    }
    best_gzip > 0 && best_gzip >= best_identity
}

/// `q=0`, `q=0.5`, `q=1.000` → weight in thousandths; anything else → `None`.
fn parse_qvalue(text: &str) -> Option<u16> {
    let rest = text
        .strip_prefix("q=")
        .or_else(|| text.strip_prefix("Q="))?;
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    let weight = whole + thousandths;
    (weight <= 1000).then_some(weight)
}

/// Whether this response may be compressed at all (endpoint, size and
/// type). If so it varies by `Accept-Encoding`, whether or not *this*
/// client asked.
fn compressible(response: &HttpResponse) -> bool {
    let headers = response.headers();
    if headers.contains_key(CONTENT_ENCODING) || headers.contains_key(CONTENT_RANGE) {
        return false; // already encoded, or a byte range of the original
    }
    if response.extensions().get::<Uncompressed>().is_some() {
        return false; // the endpoint's choice
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // Images are compressed already (SVG is text, and the exception).
    let image = content_type.starts_with("image/") && content_type != "image/svg+xml";
    let streaming = content_type.starts_with("text/event-stream")
        || content_type.starts_with("application/grpc");
    let size = response.body().size_hint().exact();
    !image && !streaming && size.is_none_or(|size| size >= COMPRESS_MIN_SIZE)
}

/// Step 6: gzip the body when it is worth it and the client accepts it.
pub fn compress(response: HttpResponse, client_accepts_gzip: bool) -> HttpResponse {
    if !compressible(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let varies = parts.headers.get_all(VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !varies {
        parts
            .headers
            .append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    if !client_accepts_gzip {
        return HttpResponse::from_parts(parts, body);
    }
    let original = match body {
        Either::Left(full) => Either::Left(full),
        Either::Right(streamed) => match *streamed {
            Either::Right(file) => Either::Right(file),
            // Already gzipped; `compressible` refuses these (Content-Encoding).
            compressed @ Either::Left(_) => {
                return HttpResponse::from_parts(parts, Either::Right(Box::new(compressed)));
            }
        },
    };
    // The length changes, and byte ranges of the original no longer apply.
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(ACCEPT_RANGES);
    parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    let body = CompressedBody {
        original,
        encoder: Some(GzEncoder::new(Vec::new(), Compression::default())),
    };
    HttpResponse::from_parts(parts, Either::Right(Box::new(Either::Left(body))))
}
// ANCHOR_END: compression

// ANCHOR: mark_uncompressed
/// Marks a response that must go out uncompressed (see [`compressible`]).
#[derive(Debug, Clone, Copy)]
pub struct Uncompressed;

/// Step 6, part two: the compression step runs outside routing, so the
/// catalogue's `compress: false` (the benchmark endpoints) travels to it on
/// the response.
pub fn mark_uncompressed(endpoint: &Endpoint, response: &mut HttpResponse) {
    if !endpoint.compress {
        response.extensions_mut().insert(Uncompressed);
    }
}
// ANCHOR_END: mark_uncompressed

// ANCHOR: catch_panic
/// Step 7: a panicking handler becomes a `500`, not a dead connection.
///
/// `catch_unwind` needs the future to be `UnwindSafe`, a promise that a panic
/// cannot leave shared data half-updated where others will see it. Our state
/// is atomics, a connection pool and a cache that are all safe to use after a
/// panic elsewhere, so `AssertUnwindSafe` states that promise.
///
/// Not an `async fn`, for the reason given at [`timeout`].
pub fn catch_panic(
    handler: impl Future<Output = HttpResponse>,
) -> impl Future<Output = HttpResponse> {
    AssertUnwindSafe(handler)
        .catch_unwind()
        .map(|outcome| outcome.unwrap_or_else(panic_answer))
}

/// Step 7 for the work done before there is a future to wrap: by hand,
/// routing and steps 8 and 9 run synchronously, while the handler's future
/// is made (see `app::route_and_call`); axum's catcher, a layer around them,
/// covers them too. `answered` turns the `500` into the work's own result.
pub fn catch_panic_now<T>(work: impl FnOnce() -> T, answered: impl FnOnce(HttpResponse) -> T) -> T {
    std::panic::catch_unwind(AssertUnwindSafe(work))
        .unwrap_or_else(|payload| answered(panic_answer(payload)))
}

fn panic_answer(payload: Box<dyn Any + Send>) -> HttpResponse {
    response::error_response(Error::Panic(panic_message(payload.as_ref())))
}
// ANCHOR_END: catch_panic

// ANCHOR: request_stats
/// Step 8: count the request for its endpoint. It runs after routing, as
/// axum's route-level middleware does; requests that matched no endpoint
/// (404, 405) count as unmatched.
pub fn count_requests(state: &AppState, routed: &Routed) {
    state.stats().record(match routed {
        Routed::Found(endpoint, _) => Some(endpoint),
        _ => None,
    });
}
// ANCHOR_END: request_stats

// ANCHOR: admin_auth
/// Step 9: everything under `/admin/` needs the token, even paths that do
/// not exist there: a stranger learns nothing about what is behind the door.
/// Returns the `401` to send instead of the handler's answer, if any.
pub fn require_admin_token(
    parts: &Parts,
    state: &AppState,
    routed: &Routed,
) -> Option<HttpResponse> {
    if !auth::is_admin_path(parts.uri.path()) {
        return None;
    }
    let presented = parts
        .headers
        .get(AUTHORIZATION)
        .map(|value| value.as_bytes());
    let error = auth::check_bearer(presented, &state.config().admin_token).err()?;
    let rejected = response::error_response(error);
    // axum puts `Allow` on every answer from a route's method-not-allowed
    // path, this 401 included; we do the same to match.
    Some(match routed {
        Routed::MethodNotAllowed { allow } => response::with_allow(rejected, allow),
        _ => rejected,
    })
}
// ANCHOR_END: admin_auth

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_panic_catcher_answers_500_for_a_panic_while_routing_or_handling() {
        let while_routing =
            catch_panic_now(|| -> Option<HttpResponse> { panic!("while routing") }, Some)
                .expect("a panic is an answer");
        let while_handling = catch_panic(async { panic!("in the handler") }).await;
        for answer in [while_routing, while_handling] {
            assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(answer.headers()[CONTENT_TYPE], "application/problem+json");
        }
        assert!(
            catch_panic_now(|| None, Some).is_none(),
            "no panic, no answer"
        );
    }

    fn with_accept_encoding(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                ACCEPT_ENCODING,
                HeaderValue::from_str(value).expect("test header"),
            );
        }
        headers
    }

    #[test]
    fn gzip_is_chosen_as_tower_http_would_choose_it() {
        let cases: &[(&[&str], bool)] = &[
            (&[], false),
            (&["gzip"], true),
            (&["x-gzip"], true),
            (&["GZIP"], true),
            (&["gzip, deflate, br"], true),
            (&["br"], false),
            (&["gzip;q=0"], false),
            (&["gzip; q=0.5"], true),
            (&["gzip;q=0.5, identity;q=0.6"], false),
            (&["gzip;q=0.5, identity;q=0.5"], true),
            (&["gzip;q=1.5"], false),
            (&["gzip;q=0.1234"], false),
            (&["gzip;level=1"], false),
            (&["*"], false),
            (&["identity"], false),
            (&["deflate", "gzip"], true),
        ];
        for (values, expected) in cases {
            assert_eq!(
                accepts_gzip(&with_accept_encoding(values)),
                *expected,
                "{values:?}"
            );
        }
    }
}
