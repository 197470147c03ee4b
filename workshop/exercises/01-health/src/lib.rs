//! # Exercise 1: add `GET /health` to both servers
//!
//! A small copy of frameworth's two servers: one catalogue, a raw hyper
//! server whose route table is an exhaustive `match` on the catalogue's
//! ids, and an axum `Router`. Both serve `/plaintext` and `/json`. The task
//! (in `src/starter.rs`): add `GET /health`, answering `200`,
//! `text/plain; charset=utf-8`, `ok`, in the three places a real endpoint
//! needs: the catalogue, the raw match arm, the axum route.
//!
//! `cargo run -p workshop -- check 1` tests the starter; `src/solution.rs`
//! is one answer. What both servers share (headers every answer carries,
//! the problem documents, the accept loops) is in [`common`], simplified on
//! purpose: no timeouts, no limits, no graceful shutdown.

pub mod common;

#[cfg(feature = "starter")]
#[path = "starter.rs"]
mod server;

#[cfg(not(feature = "starter"))]
#[path = "solution.rs"]
mod server;

pub use server::{CATALOGUE, EndpointId, axum_routes, raw_route};

/// Starts the raw server on `127.0.0.1:0`; returns its base URL.
pub async fn start_raw() -> anyhow::Result<String> {
    common::spawn_raw(|request| async move { raw_route(&request) }).await
}

/// Starts the axum server on `127.0.0.1:0`; returns its base URL.
pub async fn start_axum() -> anyhow::Result<String> {
    common::spawn_axum(axum_routes()).await
}
