//! The case tables against a server this crate did not start: any process
//! listening on a URL, written in any language (the `conformance` binary,
//! `cargo run --release -p conformance -- --target http://HOST:PORT`).
//!
//! Each case is checked for **correctness** only: there is no second server
//! to agree with, so the expectation in the table is the whole contract.
//! That contract includes what every frameworth answer carries
//! (`Server: frameworth`, `Date`, an `x-request-id` that echoes a sane one
//! or is a fresh UUID v4), so a guest server must send those too.
//!
//! Cases run one after the other, in table order, as the in-process suite
//! runs them: the users table is a story on a fresh database.

use std::net::SocketAddr;
use std::time::Duration;

use crate::cases::{Case, check_expected, fetch_raw};
use crate::compare::decode_gzip;
use crate::{client, fetch};

/// What one case got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The group the case belongs to.
    pub group: &'static str,
    /// `METHOD target`.
    pub label: String,
    /// `None` when the answer was right, else what was wrong with it.
    pub failure: Option<String>,
}

/// A server given by its base URL, `http://HOST:PORT` with no path.
#[derive(Debug, Clone)]
pub struct Remote {
    base: String,
    addr: SocketAddr,
}

impl Remote {
    /// Parses `base` and checks that something accepts TCP connections
    /// there, so that an unreachable target is one clear error, not one
    /// failure per case.
    pub async fn connect(base: &str) -> anyhow::Result<Remote> {
        let url = reqwest::Url::parse(base).map_err(|e| {
            anyhow::anyhow!("{base:?} is not a URL ({e}); try http://127.0.0.1:8080")
        })?;
        if url.scheme() != "http" {
            anyhow::bail!("{base}: only http:// targets are supported (plain HTTP/1.1)");
        }
        if url.path() != "/" || url.query().is_some() {
            anyhow::bail!("{base}: give the server's base URL only, without a path or query");
        }
        let host = url
            .host_str()
            .ok_or_else(|| anyhow::anyhow!("{base}: no host"))?;
        let port = url.port_or_known_default().unwrap_or(80);
        let addr = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| anyhow::anyhow!("{base}: cannot resolve {host}: {e}"))?
            .next()
            .ok_or_else(|| anyhow::anyhow!("{base}: {host} resolves to no address"))?;
        match tokio::time::timeout(Duration::from_secs(3), tokio::net::TcpStream::connect(addr))
            .await
        {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                anyhow::bail!("cannot reach {base} ({addr}): {e}; is the server running?")
            }
            Err(_) => anyhow::bail!("cannot reach {base} ({addr}): no answer within 3 s"),
        }
        Ok(Remote {
            base: base.trim_end_matches('/').to_owned(),
            addr,
        })
    }

    /// Sends every case, in order, and reports each one's outcome. A case
    /// whose request fails (connection reset, timeout) is a failure too.
    pub async fn run(&self, group: &'static str, cases: &[Case]) -> Vec<Outcome> {
        let client = client();
        let mut outcomes = Vec::with_capacity(cases.len());
        for case in cases {
            outcomes.push(Outcome {
                group,
                label: case.label(),
                failure: self.check(&client, case).await.err(),
            });
        }
        outcomes
    }

    async fn check(&self, client: &reqwest::Client, case: &Case) -> Result<(), String> {
        let headers: Vec<(&str, &str)> = case
            .request_headers
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .collect();
        let url = format!("{}{}", self.base, case.target);
        let observed = if case.raw_socket {
            fetch_raw(self.addr, case, &headers).await
        } else {
            fetch(
                client,
                case.method,
                &url,
                &headers,
                case.request_body.as_deref(),
            )
            .await
        }
        .map_err(|e| format!("no answer: {e:#}"))?;
        let observed = decode_gzip(observed)?;
        check_expected(case, &observed)
    }
}
