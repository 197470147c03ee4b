//! `bench-harness compare`: raw-server against framework-server, fairly.
//!
//! 1. Start each server as its own child process on an ephemeral port, with
//!    its own database, pinned to the server CPU ([`crate::child::process`]).
//! 2. For each endpoint: warm each server up, then run **alternating
//!    rounds** — raw, framework, raw, framework, … — so that anything else
//!    happening on the machine (a compile, thermal throttling) is spread
//!    over both servers instead of landing on one.
//! 3. Per round: throughput and latency from the load generator; server CPU
//!    time per request from `/proc/<pid>/stat` before and after; the
//!    generator's own CPU; the server's memory. A round whose generator core
//!    was saturated while the server's was not is flagged **client-bound**.
//! 4. Per endpoint and server: medians; for each server against raw: ratios
//!    of medians with bootstrap 95% intervals ([`crate::stats`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;
use http::{HeaderName, HeaderValue};
use loadgen::Engine;

use crate::host::environment::Environment;
use crate::output::timestamp;
use crate::schema::results::{EndpointTarget, Results};
use crate::servers::Suite;

mod measure;
mod plan;
mod results;

/// The endpoints compared by default, by catalogue name: the benchmark
/// endpoints, then `GET /users/1` and `POST /users` (see [`DEFAULT_BODIES`]).
pub const DEFAULT_ENDPOINTS: &[&str] = &[
    "plaintext",
    "json",
    "db",
    "queries",
    "fortunes",
    "users-show",
    "users-create",
];

/// Bodies sent when `--body` names none. An endpoint that stores what it
/// receives and refuses duplicates needs a fresh value in every request, or
/// every request after the first would be a `409`: the generator replaces
/// each `{unique}` with a token no other request of the run carries.
/// Endpoints not listed here send their catalogue example body.
pub const DEFAULT_BODIES: &[(&str, &str)] = &[(
    "users-create",
    r#"{"name":"Load {unique}","email":"load-{unique}@example.com"}"#,
)];

fn default_body(endpoint: &str) -> Option<&'static str> {
    DEFAULT_BODIES
        .iter()
        .find(|(name, _)| *name == endpoint)
        .map(|(_, body)| *body)
}

/// The endpoints of `--quick`.
pub const QUICK_ENDPOINTS: &[&str] = &["plaintext", "json"];

/// A core this busy (CPU seconds per second) counts as saturated.
pub const SATURATED: f64 = 0.90;

/// Everything `compare` needs, after the command line is resolved.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub endpoints: Vec<EndpointTarget>,
    pub connections: usize,
    pub threads: usize,
    pub rounds: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub pipeline: usize,
    pub engine: Engine,
    pub quick: bool,
    pub out: PathBuf,
    /// `NAME=URL` servers already running somewhere.
    pub targets: Vec<(String, String)>,
    /// How framework-server is put on the network; one server per mode.
    pub framework_modes: Vec<ServeMode>,
    /// The Rust pair, the Node guests, or both.
    pub suite: Suite,
    pub server_runtime: RuntimeFlavor,
    pub server_workers: Option<usize>,
    pub pin: bool,
    pub server_cpu: usize,
    pub client_cpu: usize,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Request bodies by endpoint name (for POST endpoints).
    pub bodies: BTreeMap<String, Bytes>,
    pub seed: u64,
    pub progress: bool,
    /// The bench-harness binary to start servers with.
    pub executable: PathBuf,
}

/// Runs the comparison, writes `results.json` and `table.txt` into
/// `options.out`, and returns the results.
pub fn run(options: &CompareOptions) -> anyhow::Result<Results> {
    let started_at = timestamp();
    let environment = Environment::capture();
    let mut plan = plan::plan(options, &environment)?;
    let rounds = measure::measure(options, &mut plan)?;
    // Stop the servers before writing: their guards would do it anyway.
    plan.stop_servers();
    let results = results::results(options, &plan, rounds, started_at, environment);
    results.write(&options.out)?;
    Ok(results)
}
