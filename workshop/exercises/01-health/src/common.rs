//! What both small servers share: the answers' bodies and headers, the
//! problem documents for `404` and `405`, and two accept loops.
//!
//! Simplified on purpose: the real servers share `connection-layer` (with
//! timeouts, limits and graceful shutdown); these loops only accept and
//! serve, and stop with the test process.

use std::convert::Infallible;
use std::future::Future;

use axum::Router;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, DATE, SERVER};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use shared_handlers::{Error, request_id};
use tokio::net::TcpListener;

/// The raw server's response type.
pub type RawResponse = Response<Full<Bytes>>;

pub const TEXT: &str = "text/plain; charset=utf-8";
pub const JSON: &str = "application/json";

/// A `200` with this content type and body.
pub fn ok(content_type: &'static str, body: impl Into<Bytes>) -> RawResponse {
    let mut response = Response::new(Full::new(body.into()));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An error as an `application/problem+json` answer.
pub fn problem(error: &Error) -> RawResponse {
    let mut response = ok("application/problem+json", error.problem().to_json());
    *response.status_mut() =
        StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}

/// `404` for a path no endpoint has.
pub fn not_found(path: &str) -> RawResponse {
    problem(&Error::NoRoute {
        path: path.to_owned(),
    })
}

/// `405` with `Allow: GET,HEAD` (every endpoint here is a `GET`).
pub fn not_allowed(method: &str, path: &str) -> RawResponse {
    let mut response = problem(&Error::MethodNotAllowed {
        method: method.to_owned(),
        path: path.to_owned(),
    });
    response
        .headers_mut()
        .insert("allow", HeaderValue::from_static("GET,HEAD"));
    response
}

/// The headers every frameworth answer carries: `Server`, `Date`, and an
/// `x-request-id` echoing a sane incoming one, else a fresh UUID v4.
pub fn finish(request_headers: &HeaderMap, headers: &mut HeaderMap) {
    headers.insert(SERVER, HeaderValue::from_static("frameworth"));
    let now = httpdate::fmt_http_date(std::time::SystemTime::now());
    if let Ok(date) = HeaderValue::from_str(&now) {
        headers.insert(DATE, date);
    }
    let id = request_headers
        .get(request_id::HEADER)
        .filter(|id| request_id::is_sane(id.as_bytes()))
        .cloned()
        .or_else(|| HeaderValue::from_str(&request_id::generate()).ok());
    if let Some(id) = id {
        headers.insert(request_id::HEADER, id);
    }
}

/// Serves `handler` on `127.0.0.1:0` in a background task, each answer
/// finished with [`finish`]; returns the base URL.
pub async fn spawn_raw<H, F>(handler: H) -> anyhow::Result<String>
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = RawResponse> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let handler = handler.clone();
                async move {
                    let request_headers = request.headers().clone();
                    let mut response = handler(request).await;
                    finish(&request_headers, response.headers_mut());
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .http1_only()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(base)
}

/// Serves `router` on `127.0.0.1:0` with `axum::serve`, each answer
/// finished with [`finish`] by a `from_fn` layer; returns the base URL.
pub async fn spawn_axum(router: Router) -> anyhow::Result<String> {
    let router = router.layer(axum::middleware::from_fn(
        |request: axum::extract::Request, next: axum::middleware::Next| async move {
            let request_headers = request.headers().clone();
            let mut response = next.run(request).await;
            finish(&request_headers, response.headers_mut());
            response
        },
    ));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(base)
}

/// axum's `404` for any path no route has, in the problem format.
pub async fn axum_not_found(uri: http::Uri) -> axum::response::Response {
    into_axum(not_found(uri.path()))
}

/// axum's `405` for a known path with another method, in the problem format.
pub async fn axum_not_allowed(method: http::Method, uri: http::Uri) -> axum::response::Response {
    into_axum(not_allowed(method.as_str(), uri.path()))
}

/// A raw answer as an axum one (both are `http::Response`s).
pub fn into_axum(response: RawResponse) -> axum::response::Response {
    response.map(axum::body::Body::new)
}
