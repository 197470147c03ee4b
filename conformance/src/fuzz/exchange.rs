//! Sending one generated request to both servers in-process, and reducing
//! each answer to an [`Observed`], the form the conformance suite compares.
//!
//! raw-server is called as its `service_fn` calls it,
//! `raw_server::handle(request, &state)`; framework-server as hyper-util's
//! `TowerToHyperService` calls it, `router.clone().oneshot(request)`. No
//! socket and no hyper connection sits in between, so two things hyper
//! would do on the way out are done here, the same way for both answers:
//! a `Content-Length` for a body of known size (hyper adds it when the
//! response has none; it sends no `Content-Length: 0` on a `204`, a `304`
//! or any `HEAD` answer, even when the response carries one: checked over
//! TCP, where `HEAD /` with gzip has no length on either server), and no
//! body for `HEAD`.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Body;
use shared_handlers::error::panic_message;
use shared_handlers::{AppConfig, AppState};
use tower::ServiceExt;

use super::generate::FuzzRequest;
use crate::Observed;

/// Longer than any answer may take: the request timeout both servers apply
/// (10 s) plus a margin, so only a server that ignores its own timeout trips it.
const HANG_LIMIT: Duration = Duration::from_secs(30);

/// The two servers under test, each with its own state and database.
#[derive(Debug)]
pub struct Pair {
    pub raw: AppState,
    pub framework: AppState,
    router: axum::Router,
    _databases: tempfile::TempDir,
}

impl Pair {
    /// Opens two fresh databases (10,000 seeded rows each) and builds
    /// framework-server's router over the second. Blocking: call it from a
    /// plain thread, or through `spawn_blocking`.
    pub fn open() -> anyhow::Result<Pair> {
        let databases = tempfile::tempdir()?;
        let raw = AppState::open_with(&databases.path().join("raw.sqlite3"), AppConfig::default())?;
        let framework = AppState::open_with(
            &databases.path().join("framework.sqlite3"),
            AppConfig::default(),
        )?;
        let router = framework_server::router(framework.clone());
        Ok(Pair {
            raw,
            framework,
            router,
            _databases: databases,
        })
    }

    // ANCHOR: exchange
    /// Sends `request` to raw-server, then to framework-server (in lock
    /// step, so both states see the same sequence of writes).
    pub async fn exchange(&self, request: &Built) -> (Outcome, Outcome) {
        let raw = guarded(
            raw_server::handle(request.build(), &self.raw).map(Ok::<_, std::convert::Infallible>),
        )
        .await;
        let framework = guarded(self.router.clone().oneshot(request.build())).await;
        let head = request.method == Method::HEAD;
        (finish(raw, head).await, finish(framework, head).await)
    }
    // ANCHOR_END: exchange
}

/// A request that `http` accepts, ready to be built as often as needed.
#[derive(Debug, Clone)]
pub struct Built {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl Built {
    /// `None` when `http` refuses a part of it (a method with a space, a
    /// target with a raw non-UTF-8 byte...): hyper would have refused such a
    /// request before either server saw it.
    pub fn new(request: &FuzzRequest) -> Option<Built> {
        let method = Method::from_bytes(request.method.as_bytes()).ok()?;
        let uri = Uri::try_from(request.target.as_str()).ok()?;
        // Only origin-form targets (`/path?query`) reach a server's routing
        // this way; hyper would pass `*` or an authority only for OPTIONS
        // and CONNECT, which is connection-layer business.
        uri.path_and_query()?;
        if uri.scheme().is_some() || !uri.path().starts_with('/') {
            return None;
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
            let value = HeaderValue::from_bytes(value).ok()?;
            headers.append(name, value);
        }
        Some(Built {
            method,
            uri,
            headers,
            body: Bytes::from(request.body.clone()),
        })
    }

    fn build(&self) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// The path as sent (still percent-encoded), for routing decisions.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Every value of header `name`, as bytes.
    pub fn header_values(&self, name: &str) -> impl Iterator<Item = &[u8]> {
        self.headers.get_all(name).iter().map(HeaderValue::as_bytes)
    }

    /// The `x-request-id` the request carries, if any.
    pub fn request_id(&self) -> Option<&[u8]> {
        self.headers
            .get(shared_handlers::request_id::HEADER)
            .map(HeaderValue::as_bytes)
    }
}

/// What one server did with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An answer, reduced for comparison.
    Answered(Observed),
    /// A panic got past the server's own panic catcher.
    Panicked(String),
    /// No answer within [`HANG_LIMIT`].
    Hung,
    /// The response body failed while being read.
    BodyFailed(String),
}

enum Called<B> {
    Done(Response<B>),
    Panicked(String),
    Hung,
}

/// Runs one call with a panic catcher and a deadline around it.
async fn guarded<B, E: std::fmt::Debug>(
    call: impl Future<Output = Result<Response<B>, E>>,
) -> Called<B> {
    match tokio::time::timeout(HANG_LIMIT, AssertUnwindSafe(call).catch_unwind()).await {
        Err(_elapsed) => Called::Hung,
        Ok(Err(payload)) => Called::Panicked(panic_message(payload.as_ref())),
        Ok(Ok(Err(error))) => Called::Panicked(format!("the service failed: {error:?}")),
        Ok(Ok(Ok(response))) => Called::Done(response),
    }
}

/// Reads the body and reduces the answer, doing what hyper would do with
/// `Content-Length` and `HEAD` (see the module docs).
async fn finish<B>(called: Called<B>, head: bool) -> Outcome
where
    B: Body<Data = Bytes>,
    B::Error: std::fmt::Display,
{
    let response = match called {
        Called::Done(response) => response,
        Called::Panicked(message) => return Outcome::Panicked(message),
        Called::Hung => return Outcome::Hung,
    };
    let (mut parts, body) = response.into_parts();
    let can_have_length = !parts.status.is_informational()
        && !matches!(
            parts.status,
            StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
        );
    let zero_length = parts.headers.get(CONTENT_LENGTH).is_some_and(|v| v == "0");
    if (!can_have_length || head) && zero_length {
        parts.headers.remove(CONTENT_LENGTH);
    }
    if let Some(size) = body.size_hint().exact()
        && can_have_length
        && !(head && size == 0)
        && !parts.headers.contains_key(CONTENT_LENGTH)
        && !parts.headers.contains_key(TRANSFER_ENCODING)
    {
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(size));
    }
    let read = AssertUnwindSafe(tokio::time::timeout(HANG_LIMIT, body.collect())).catch_unwind();
    let bytes = match read.await {
        Err(payload) => return Outcome::Panicked(panic_message(payload.as_ref())),
        Ok(Err(_elapsed)) => return Outcome::Hung,
        Ok(Ok(Err(error))) => return Outcome::BodyFailed(error.to_string()),
        Ok(Ok(Ok(collected))) => collected.to_bytes(),
    };
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort();
    Outcome::Answered(Observed {
        status: parts.status.as_u16(),
        headers,
        body: if head { Vec::new() } else { bytes.to_vec() },
    })
}
