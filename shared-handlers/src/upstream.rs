//! A real outbound call: `GET /upstream?ms=N` asks an upstream HTTP service
//! for `GET /delay?ms=N` and answers `{"upstream_delayed_ms":N}`.
//!
//! Where `/delay` only *pretends* to wait on I/O (an async sleep), this
//! endpoint crosses a real socket: a connection from a pool, a request
//! written, a response parsed. The upstream is anything that speaks
//! frameworth's `/delay` (a third frameworth server does); its address comes
//! from `--upstream`.
//!
//! One [`Upstream`] (one `reqwest::Client`, so one connection pool) is built
//! at start-up and shared by every request. The upstream's failures become
//! problems a client can act on: unreachable or answering badly is `502`,
//! slower than `--upstream-timeout-ms` is `504`, no `--upstream` at all is
//! `503`. Neither server sees any of this: both call [`upstream_call`].
//!
//! Simplified on purpose: plain HTTP only (no TLS, no proxy), no retries,
//! no circuit breaker. A production client would want at least the last two.

use std::time::Duration;

use serde::Serialize;

use crate::delay::{DelayMs, DelayParams, Delayed};
use crate::error::Error;

/// How long the upstream may take by default before the call is abandoned
/// with `504`: shorter than the request timeout, so the client hears that
/// the *upstream* was slow, not that the server was.
pub const DEFAULT_UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);

/// The answer: what the upstream said it waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Upstreamed {
    pub upstream_delayed_ms: u64,
}

/// The query string as it arrives, read exactly like `/delay`'s.
pub type UpstreamParams = DelayParams;

// ANCHOR: upstream_client
/// The shared client: one connection pool for all requests, a timeout on
/// every call, and the upstream's base URL (`None` without `--upstream`).
#[derive(Debug, Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base: Option<String>,
    timeout: Duration,
}

impl Upstream {
    /// Builds the client for `base` (`http://host:port`, no trailing slash
    /// needed). Fails only if the TLS-less client cannot be built at all.
    pub fn new(base: Option<&str>, timeout: Duration) -> Result<Upstream, Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            // The upstream is named by address: never let a proxy variable
            // in the environment reroute it.
            .no_proxy()
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|error| Error::Internal(format!("the upstream client: {error}")))?;
        Ok(Upstream {
            client,
            base: base.map(|base| base.trim_end_matches('/').to_owned()),
            timeout,
        })
    }
}
// ANCHOR_END: upstream_client

/// `GET /upstream`: one call to the upstream's `/delay`, its answer checked.
pub async fn upstream_call(upstream: &Upstream, ms: DelayMs) -> Result<Upstreamed, Error> {
    let Some(base) = &upstream.base else {
        return Err(Error::Unavailable(
            "no upstream service is configured; start the server with --upstream".to_owned(),
        ));
    };
    let url = format!("{base}/delay?ms={}", ms.get());
    let failed = |error: reqwest::Error| upstream_error(error, upstream.timeout);
    let response = upstream.client.get(url).send().await.map_err(failed)?;
    if !response.status().is_success() {
        return Err(Error::BadGateway(format!(
            "the upstream answered {}",
            response.status()
        )));
    }
    let body = response.bytes().await.map_err(failed)?;
    let delayed: Delayed = serde_json::from_slice(&body)
        .map_err(|error| Error::BadGateway(format!("the upstream's body: {error}")))?;
    Ok(Upstreamed {
        upstream_delayed_ms: delayed.delayed_ms,
    })
}

/// A failed call: a timeout is `504`, anything else (refused, reset, not
/// HTTP) `502`. The cause goes to the log, never to the client.
fn upstream_error(error: reqwest::Error, timeout: Duration) -> Error {
    if error.is_timeout() {
        Error::GatewayTimeout { after: timeout }
    } else {
        Error::BadGateway(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(value: &str) -> DelayMs {
        DelayMs::parse(&DelayParams {
            ms: Some(value.to_owned()),
        })
        .expect("a valid wait")
    }

    #[tokio::test]
    async fn without_an_upstream_the_call_is_a_503_naming_the_flag() {
        let upstream = Upstream::new(None, DEFAULT_UPSTREAM_TIMEOUT).expect("client builds");
        let error = upstream_call(&upstream, ms("0"))
            .await
            .expect_err("nothing to call");
        assert_eq!(error.status(), 503);
        assert!(error.problem().detail.contains("--upstream"));
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_502_that_names_no_address() {
        // Bind, learn the port, close: nothing listens there any more.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        drop(listener);
        let base = format!("http://{addr}");
        let upstream = Upstream::new(Some(&base), DEFAULT_UPSTREAM_TIMEOUT).expect("builds");
        let error = upstream_call(&upstream, ms("0"))
            .await
            .expect_err("refused");
        assert_eq!(error.status(), 502);
        let problem = error.problem();
        assert_eq!(problem.kind, "urn:frameworth:problem:bad-gateway");
        assert!(!problem.detail.contains(&addr.port().to_string()));
    }
}
