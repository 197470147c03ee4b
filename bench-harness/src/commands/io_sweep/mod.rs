//! `bench-harness io-sweep`: does the framework's cost still matter once a
//! request waits on I/O?
//!
//! Both servers are loaded at one fixed **open-loop** rate (the same
//! requests per second whatever the server does, latency measured from each
//! request's intended send time, as wrk2 does), while the I/O behind each
//! request grows:
//!
//! - `upstream`: `GET /upstream?ms=N` for N = 0, 1, 5, 20 ms — a real call
//!   over loopback to an upstream the harness runs itself (a third server,
//!   raw-server, whose `/delay` waits N ms);
//! - `sqlite` and `postgres`: `GET /db`, then `GET /queries?queries=20`.
//!
//! At each point: p50 and p99 latency of both servers, their CPU per
//! request, and the framework's **share**: (framework − raw) / framework of
//! the median p50 latency, that is `1 − raw/framework`, with a bootstrap
//! 95% interval over the rounds ([`crate::stats`]). The report draws the
//! share against the raw server's p50 (the request's whole latency, I/O
//! included), one line per kind of I/O, and says where it drops below 5%
//! and 1%.
//!
//! Simplifications, said out loud: tokio's timer has a 1 ms resolution, so
//! the sweep cannot ask for 0.1 ms of upstream delay (the 0 ms point is the
//! bare loopback round trip, about that); the upstream shares the client's
//! core; PostgreSQL is a throwaway cluster the harness starts
//! ([`crate::child::postgres`]) off the servers' core (on 2 CPUs: on the
//! client's, beside the upstream), or the server `--postgres` names (or
//! `FRAMEWORTH_POSTGRES_URL`), running wherever it was started; both servers
//! share its one database. `--no-postgres` leaves its points out. CPU per
//! request is the server's own (not PostgreSQL's), from its threads'
//! nanosecond counters as `compare` reads it ([`crate::host::cpustat`]).

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::output::timestamp;

mod args;
mod measure;
mod render;

pub use args::{IoSweepArgs, run as run_cli};

/// The upstream delays swept, in milliseconds.
pub const UPSTREAM_DELAYS_MS: &[u64] = &[0, 1, 5, 20];

/// The database requests swept on each backend.
pub const DATABASE_TARGETS: &[&str] = &["/db", "/queries?queries=20"];

/// Everything `io-sweep` needs, after the command line is resolved.
#[derive(Debug, Clone)]
pub struct IoSweepOptions {
    /// Open-loop requests per second, the same at every point.
    pub rate: f64,
    pub connections: usize,
    pub rounds: usize,
    pub duration: Duration,
    pub warmup: Duration,
    /// Where the `postgres` points' database comes from, if measured.
    pub postgres: PostgresPoints,
    pub out: PathBuf,
    pub seed: u64,
    pub quick: bool,
    /// The bench-harness binary to start servers with.
    pub executable: PathBuf,
}

/// The `postgres` points: against a cluster of our own, against a running
/// server, or left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostgresPoints {
    OwnCluster,
    Url(String),
    LeftOut,
}

/// One point of the sweep: a kind of I/O and a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// `upstream`, `sqlite` or `postgres`: one line on the chart.
    pub kind: &'static str,
    /// What was asked for: `20 ms`, `/db`, ...
    pub label: String,
    pub target: String,
}

/// The points, in the order they are measured.
pub fn points(with_postgres: bool) -> Vec<Point> {
    let mut points: Vec<Point> = UPSTREAM_DELAYS_MS
        .iter()
        .map(|ms| Point {
            kind: "upstream",
            label: format!("{ms} ms"),
            target: format!("/upstream?ms={ms}"),
        })
        .collect();
    let backends: &[&'static str] = if with_postgres {
        &["sqlite", "postgres"]
    } else {
        &["sqlite"]
    };
    for kind in backends {
        points.extend(DATABASE_TARGETS.iter().map(|target| Point {
            kind,
            label: (*target).to_owned(),
            target: (*target).to_owned(),
        }));
    }
    points
}

/// One server at one point: medians over the rounds.
#[derive(Debug, Clone, Serialize)]
pub struct ServerFigures {
    pub server: String,
    pub p50_us: f64,
    pub p99_us: f64,
    /// Server CPU time per request, µs (median of rounds).
    pub cpu_us_per_request: Option<f64>,
    pub requests_per_second: f64,
    /// Answers that were not 2xx, or errors, over all rounds.
    pub failures: u64,
    /// Per round, for the interval.
    pub round_p50_us: Vec<f64>,
}

/// The framework's share of the latency at one point.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Share {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// One measured point.
#[derive(Debug, Clone, Serialize)]
pub struct PointResult {
    pub kind: String,
    pub label: String,
    pub target: String,
    pub raw: ServerFigures,
    pub framework: ServerFigures,
    pub share: Option<Share>,
}

/// What `io-sweep` writes to `io-sweep.json`.
#[derive(Debug, Clone, Serialize)]
pub struct IoSweepResults {
    pub started_at: String,
    pub wall_time_s: f64,
    pub rate: f64,
    pub connections: usize,
    pub rounds: usize,
    pub round_duration_s: f64,
    pub quick: bool,
    pub server_cpu: Option<usize>,
    pub client_cpu: Option<usize>,
    /// Which PostgreSQL the `postgres` points ran on, and where (absent
    /// when they were left out).
    pub postgres: Option<String>,
    pub points: Vec<PointResult>,
    pub notes: Vec<String>,
}

/// Runs the sweep, writes `io-sweep.json`, `io-sweep.md` and
/// `io-sweep.svg` into `options.out`, and returns the results.
pub fn run(options: &IoSweepOptions) -> anyhow::Result<IoSweepResults> {
    let started = std::time::Instant::now();
    let started_at = timestamp();
    std::fs::create_dir_all(&options.out)?;
    let measure::Measured {
        points,
        notes,
        cpus,
        postgres,
    } = measure::measure(options)?;
    let results = IoSweepResults {
        started_at,
        wall_time_s: started.elapsed().as_secs_f64(),
        rate: options.rate,
        connections: options.connections,
        rounds: options.rounds,
        round_duration_s: options.duration.as_secs_f64(),
        quick: options.quick,
        server_cpu: cpus.0,
        client_cpu: cpus.1,
        postgres,
        points,
        notes,
    };
    std::fs::write(
        options.out.join("io-sweep.json"),
        serde_json::to_vec_pretty(&results)?,
    )?;
    std::fs::write(options.out.join("io-sweep.md"), render::markdown(&results))?;
    std::fs::write(options.out.join("io-sweep.svg"), render::chart(&results))?;
    Ok(results)
}
