//! One answer to exercise 1: `GET /health` in the catalogue, in the raw
//! server's `match` and in axum's `Router`.

use axum::Router;
use axum::routing::get;
use http::{Method, Request};

use crate::common::{self, JSON, RawResponse, TEXT};

/// Which endpoint a catalogue entry is: the raw route table matches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointId {
    Plaintext,
    Json,
    Health,
}

/// Every endpoint, once: `(id, path)`, each a `GET`.
pub const CATALOGUE: &[(EndpointId, &str)] = &[
    (EndpointId::Plaintext, "/plaintext"),
    (EndpointId::Json, "/json"),
    (EndpointId::Health, "/health"),
];

/// The raw route table: find the path in the catalogue, check the method,
/// then an exhaustive `match` (a catalogue id without an arm does not compile).
pub fn raw_route<B>(request: &Request<B>) -> RawResponse {
    let path = request.uri().path();
    let Some((id, _)) = CATALOGUE.iter().find(|(_, p)| *p == path) else {
        return common::not_found(path);
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return common::not_allowed(request.method().as_str(), path);
    }
    match id {
        EndpointId::Plaintext => common::ok(TEXT, "Hello, World!"),
        EndpointId::Json => common::ok(JSON, r#"{"message":"Hello, World!"}"#),
        EndpointId::Health => common::ok(TEXT, "ok"),
    }
}

/// The axum route table, in catalogue order.
pub fn axum_routes() -> Router {
    Router::new()
        .route(
            "/plaintext",
            get(plaintext).fallback(common::axum_not_allowed),
        )
        .route("/json", get(json).fallback(common::axum_not_allowed))
        .route("/health", get(health).fallback(common::axum_not_allowed))
        .fallback(common::axum_not_found)
}

async fn plaintext() -> axum::response::Response {
    common::into_axum(common::ok(TEXT, "Hello, World!"))
}

async fn json() -> axum::response::Response {
    common::into_axum(common::ok(JSON, r#"{"message":"Hello, World!"}"#))
}

async fn health() -> axum::response::Response {
    common::into_axum(common::ok(TEXT, "ok"))
}
