//! # Exercise 3: an `x-response-time` middleware, twice
//!
//! Every answer of both small servers (exercise 1's pair, routes given)
//! must carry `x-response-time: <milliseconds>ms` with three decimals,
//! `200`, `404` and `405` alike. The task (in `src/starter.rs`): write it
//! once as a hand-written step around the raw route table ([`raw_step`]),
//! once as an axum layer ([`axum_layer`]), and see which one covers the
//! error answers without thinking about it.
//!
//! Simplified on purpose: the raw step is a plain function around a
//! synchronous route table; raw-server's real steps are `async` and
//! chained in `middleware_chain`.

use workshop_health::common;

#[cfg(feature = "starter")]
#[path = "starter.rs"]
mod middleware;

#[cfg(not(feature = "starter"))]
#[path = "solution.rs"]
mod middleware;

pub use middleware::{axum_layer, raw_step};

/// The header this exercise adds.
pub const HEADER: &str = "x-response-time";

/// Starts the raw server, its route table wrapped in [`raw_step`].
pub async fn start_raw() -> anyhow::Result<String> {
    common::spawn_raw(|request| async move {
        raw_step(request, |request| workshop_health::raw_route(&request))
    })
    .await
}

/// Starts the axum server, its router wrapped by [`axum_layer`].
pub async fn start_axum() -> anyhow::Result<String> {
    common::spawn_axum(axum_layer(workshop_health::axum_routes())).await
}
