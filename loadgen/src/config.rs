//! What a load run is asked to do ([`LoadConfig`]) and which client
//! drives its connections ([`Engine`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::bail;
use serde::{Deserialize, Serialize};

use crate::request::RequestSpec;

/// Everything a load run needs to know.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub addr: SocketAddr,
    pub request: RequestSpec,
    pub connections: usize,
    pub threads: usize,
    /// Length of the measured part (after warm-up). Always bounded.
    pub duration: Duration,
    /// Stop after this many measured requests (errors included), if sooner.
    pub requests: Option<u64>,
    pub warmup: Duration,
    /// Open loop: total requests per second across all connections.
    pub rate: Option<f64>,
    /// Requests per write (1 = no pipelining).
    pub pipeline: usize,
    /// Which client drives the connections.
    pub engine: Engine,
    /// A request without a complete response after this long is an error.
    pub timeout: Duration,
    /// Pin every client thread to this CPU.
    pub client_cpu: Option<usize>,
    /// Show a progress bar (only honoured on a terminal).
    pub progress: bool,
    /// Set from outside (Ctrl-C) to end the run early.
    pub stop: Arc<AtomicBool>,
}

impl LoadConfig {
    /// A closed-loop configuration with the defaults of `loadgen URL` (and `bench-harness load`).
    pub fn new(addr: SocketAddr, request: RequestSpec) -> LoadConfig {
        LoadConfig {
            addr,
            request,
            connections: 64,
            threads: 1,
            duration: Duration::from_secs(10),
            requests: None,
            warmup: Duration::ZERO,
            rate: None,
            pipeline: 1,
            engine: Engine::Raw,
            timeout: Duration::from_secs(10),
            client_cpu: None,
            progress: false,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// The client implementation behind each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Prepared bytes on a `TcpStream`, responses parsed with `httparse`
    /// (needs `Content-Length` framing). Supports pipelining.
    #[default]
    Raw,
    /// hyper's HTTP/1.1 client connection API. No pipelining.
    Hyper,
}

impl Engine {
    /// The engine's name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Raw => "raw",
            Engine::Hyper => "hyper",
        }
    }
}

impl LoadConfig {
    /// Refuses configurations that could not end or cannot be honoured.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.connections == 0 || self.threads == 0 || self.pipeline == 0 {
            bail!("connections, threads and pipeline depth must be at least 1");
        }
        if self.duration.is_zero() {
            bail!("the duration must be positive (it bounds every run)");
        }
        if let Some(rate) = self.rate {
            if !(rate > 0.0 && rate.is_finite()) {
                bail!("--rate must be a positive number of requests per second");
            }
            if self.pipeline > 1 {
                bail!("open loop (--rate) and pipelining cannot be combined");
            }
        }
        if self.pipeline > 1 && self.engine == Engine::Hyper {
            bail!("hyper's client does not pipeline; use the raw engine for --pipeline");
        }
        Ok(())
    }
}
