//! One answer to exercise 3: the same measurement, by hand and as a layer.

use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use http::HeaderValue;
use workshop_health::common::RawResponse;

use crate::HEADER;

/// `x-response-time` in milliseconds with three decimals.
fn elapsed_value(start: Instant) -> Option<HeaderValue> {
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    HeaderValue::from_str(&format!("{ms:.3}ms")).ok()
}

/// The hand-written step: time whatever `inner` answers, errors included,
/// because every answer comes back through here.
pub fn raw_step<B>(
    request: http::Request<B>,
    inner: impl FnOnce(http::Request<B>) -> RawResponse,
) -> RawResponse {
    let start = Instant::now();
    let mut response = inner(request);
    if let Some(value) = elapsed_value(start) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// The axum version: `Router::layer` wraps the routes *and* the fallbacks
/// (`route_layer` would leave the `404`s without the header).
pub fn axum_layer(router: Router) -> Router {
    router.layer(middleware::from_fn(response_time))
}

async fn response_time(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let mut response = next.run(request).await;
    if let Some(value) = elapsed_value(start) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}
