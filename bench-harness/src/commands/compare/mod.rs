//! `bench-harness compare`: raw-server against framework-server, fairly.
//!
//! 1. Start each server as its own child process on an ephemeral port, with
//!    its own SQLite file or the run's one PostgreSQL database
//!    ([`crate::child::database`]), pinned to the server CPU
//!    ([`crate::child::process`]).
//! 2. For each endpoint: warm each server up, then run **alternating
//!    rounds** — raw, framework, raw, framework, … — so that anything else
//!    happening on the machine (a compile, thermal throttling) is spread
//!    over both servers instead of landing on one.
//! 3. Per round ([`round`]): throughput and latency from the load
//!    generator; server CPU time per request from its threads' nanosecond
//!    counters before and after; the generator's own CPU; the server's
//!    memory; what other processes took on both cores (`/proc/stat`). A
//!    round whose generator core was saturated while the server's was not
//!    is flagged **client-bound**; one where other processes took more than
//!    a tenth of the server's core is **disturbed** and measured again,
//!    within a budget per endpoint.
//! 4. Per endpoint and server: medians; for each server against raw:
//!    **paired** ratios (each round against the raw rounds right before and
//!    after it) with bootstrap 95% intervals ([`crate::stats`]); how noisy
//!    the machine was ([`noise`]).
//! 5. Unless `--no-cost`, the cost phase ([`cost_phase`]): instructions and
//!    allocations per request of both servers, into the same report.
//!
//! Ctrl-C stops the servers and writes what was measured so far, marked
//! partial.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;
use http::{HeaderName, HeaderValue};
use loadgen::Engine;

use crate::child::database::DatabaseChoice;
use crate::host::environment::Environment;
use crate::output::timestamp;
use crate::progress::Progress;
use crate::schema::cost::CostReport;
use crate::schema::results::{EndpointTarget, Results};
use crate::servers::Suite;

pub mod cost_phase;
mod measure;
mod noise;
mod plan;
mod results;
mod round;

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
    /// The Rust servers' database (SQLite files, or one PostgreSQL).
    pub database: DatabaseChoice,
    pub progress: bool,
    /// The bench-harness binary to start servers with.
    pub executable: PathBuf,
    /// Disturbed rounds measured again per endpoint, at most.
    pub repeat_disturbed: usize,
    /// Run the cost phase after the rounds (`--no-cost`: `false`).
    pub cost: bool,
    /// Run harness, generator and servers at nice −20 when allowed
    /// (`--no-priority`: `false`).
    pub raise_priority: bool,
    /// Run the rounds under `SCHED_RR` when allowed (`--no-realtime`:
    /// `false`).
    pub realtime: bool,
    /// Open loop: each endpoint's rounds offer this fraction of the slowest
    /// server's warm-up throughput to every server (`None`: closed loop).
    pub open_loop: Option<f64>,
}

/// What a comparison leaves: its results, and the cost figures unless
/// `--no-cost` (or an interruption) skipped them.
#[derive(Debug)]
pub struct Outcome {
    pub results: Results,
    pub cost: Option<CostReport>,
    /// Why the cost figures are missing or incomplete, for the report.
    pub cost_notes: Vec<String>,
}

/// Why the report has no cost figures: `--no-cost`, or a Node-only suite.
const NO_COST: &str = "--no-cost: instructions and allocations per request not measured";
const NODE_ONLY_COST: &str = "--suite node: the cost phase measures the Rust servers only";

/// How many servers the rounds alternate between.
fn contestants(options: &CompareOptions) -> usize {
    let rust = if options.suite.has_rust() {
        1 + options.framework_modes.len()
    } else {
        0
    };
    let guests = if options.suite.has_node() {
        crate::servers::NODE_GUESTS.len()
    } else {
        0
    };
    rust + guests + options.targets.len()
}

/// Runs the comparison (and the cost phase), writes `results.json` and
/// `table.txt` (and `cost.json`) into `options.out`. An interrupted run
/// still writes what it measured, marked partial.
pub fn run(options: &CompareOptions) -> anyhow::Result<Outcome> {
    let started_at = timestamp();
    let load_average = noise::load_average();
    // Before any thread or server exists: they inherit it.
    let priority = options.raise_priority.then(crate::host::priority::raise);
    // Also before: every thread and child inherits the policy.
    let mut realtime = options.realtime.then(crate::host::realtime::enter);
    let environment = Environment::capture();
    let mut planned = measure::planned(options, contestants(options));
    // The cost phase counts the Rust servers' instructions (callgrind runs
    // our binaries, not node), so a Node-only suite has none.
    let cost = options.cost && options.suite.has_rust();
    if cost {
        planned += cost_phase::planned(options);
    }
    let progress = Progress::new(planned, options.progress);
    let mut plan = plan::plan(options, &environment, &progress)?;
    let measured = measure::measure(options, &mut plan, &progress);
    // Stop the servers before anything else: their guards would do it anyway.
    plan.stop_servers();
    // The cost phase (valgrind) runs under normal scheduling.
    if let Some(realtime) = realtime.as_mut() {
        realtime.leave();
    }
    let measured = measured?;
    let interrupted = measured.interrupted;
    let mut results = results::results(
        options,
        &plan,
        measured,
        (started_at, load_average),
        environment,
    );
    results
        .notes
        .extend(priority.as_ref().map(|p| p.note.clone()));
    results
        .notes
        .extend(realtime.as_ref().map(|r| r.note.clone()));
    if let Some(noise) = results.noise.as_mut() {
        noise.scheduling = Some(realtime.as_ref().map_or_else(
            || "SCHED_OTHER (--no-realtime)".to_owned(),
            |r| r.policy.clone(),
        ));
    }
    results.write(&options.out)?;
    let (cost, cost_notes) = match (options.cost, cost, interrupted) {
        (false, _, _) => (None, vec![NO_COST.to_owned()]),
        (true, false, _) => (None, vec![NODE_ONLY_COST.to_owned()]),
        (true, true, true) => (None, vec!["interrupted before the cost phase".to_owned()]),
        (true, true, false) => cost_phase::run(options, &progress),
    };
    progress.finish();
    if !interrupted && crate::interrupt_flag().load(std::sync::atomic::Ordering::SeqCst) {
        // Ctrl-C during the cost phase: the rounds are whole, the cost is not.
        results.partial = true;
        results.notes.push(
            "PARTIAL: interrupted (Ctrl-C) during the cost phase; the rounds are complete, the cost figures missing".to_owned(),
        );
        results.write(&options.out)?;
    }
    // The session's priority goes back to what it was.
    drop(priority);
    Ok(Outcome {
        results,
        cost,
        cost_notes,
    })
}
