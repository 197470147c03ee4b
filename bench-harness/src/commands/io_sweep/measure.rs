//! `io-sweep`'s measurement: the upstream and the servers as pinned child
//! processes, then per point a warm-up for each server and alternating
//! open-loop rounds (raw, framework, raw, …), each with the server's CPU
//! time read from `/proc` before and after: its threads' nanoseconds, as
//! `compare` reads them, or the process's ticks when a thread came or went.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use anyhow::bail;
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;
use loadgen::request::RequestSpec;
use loadgen::{self as load, LoadConfig, LoadReport};

use super::{IoSweepOptions, Point, PointResult, PostgresPoints, ServerFigures, Share, points};
use crate::child::database::{Database, DatabaseChoice};
use crate::child::process::{LaunchOptions, LaunchSpec, ServerProcess};
use crate::host::cpustat::{ThreadsCpu, threads_cpu};
use crate::host::pinning::allowed_cpus;
use crate::host::procstat::process_cpu;
use crate::servers::ServerKind;
use crate::stats::{bootstrap_ratio_of_medians, median};

/// Resamples for each share's interval.
const RESAMPLES: usize = 2_000;

/// One round of one server at one point.
struct Round {
    p50_us: f64,
    p99_us: f64,
    cpu_us_per_request: Option<f64>,
    requests_per_second: f64,
    failures: u64,
}

/// What the sweep measured, and where.
pub(super) struct Measured {
    pub(super) points: Vec<PointResult>,
    pub(super) notes: Vec<String>,
    /// The (server, client) CPUs used.
    pub(super) cpus: (Option<usize>, Option<usize>),
    /// Which PostgreSQL ran the `postgres` points, and where.
    pub(super) postgres: Option<String>,
}

/// A server's CPU time at one instant: its threads' nanoseconds and its
/// process ticks (the fallback when the thread set changed).
struct CpuReading {
    threads: Option<ThreadsCpu>,
    ticks: Option<loadgen::cpu::CpuTime>,
}

impl CpuReading {
    fn now(pid: u32) -> CpuReading {
        CpuReading {
            threads: threads_cpu(pid).ok(),
            ticks: process_cpu(pid).ok(),
        }
    }

    /// CPU seconds since `earlier`.
    fn seconds_since(&self, earlier: &CpuReading) -> Option<f64> {
        let from_threads = self
            .threads
            .as_ref()
            .zip(earlier.threads.as_ref())
            .and_then(|(now, then)| now.seconds_since(then));
        from_threads.or_else(|| {
            self.ticks
                .zip(earlier.ticks)
                .map(|(now, then)| now.since(&then).total().as_secs_f64())
        })
    }
}

/// The `postgres` points' database: a cluster of our own off the servers'
/// CPU, a running server, or none.
fn postgres_database(
    options: &IoSweepOptions,
    (server_cpu, client_cpu): (Option<usize>, Option<usize>),
    allowed: &[usize],
) -> anyhow::Result<Option<Database>> {
    let choice = match &options.postgres {
        PostgresPoints::OwnCluster => DatabaseChoice::Postgres,
        PostgresPoints::Url(url) => DatabaseChoice::PostgresUrl(url.clone()),
        PostgresPoints::LeftOut => return Ok(None),
    };
    let database = Database::start(&choice, server_cpu, client_cpu, allowed)
        .map_err(|e| e.context("cannot start PostgreSQL (--no-postgres leaves its points out)"))?;
    eprintln!("postgres: {}", database.info().description);
    Ok(Some(database))
}

/// The note when the harness's PostgreSQL had to share the client's CPU.
const POSTGRES_ON_THE_CLIENT_CPU: &str = "PostgreSQL shares the client's (and the upstream's) CPU, \
    the only one the servers leave: at `/queries?queries=20` it answers 20 queries per request, \
    and when that core saturates the queueing shows in both servers' latency alike";

/// The servers' CPU and the client's: the first two allowed, or none (with
/// a note) when there are fewer.
fn server_and_client_cpus(
    cpus: &[usize],
    notes: &mut Vec<String>,
) -> (Option<usize>, Option<usize>) {
    match cpus {
        [server, client, ..] => (Some(*server), Some(*client)),
        _ => {
            notes.push("fewer than two CPUs: nothing pinned, servers and client share".to_owned());
            (None, None)
        }
    }
}

/// Starts everything, measures every point, stops everything.
pub(super) fn measure(options: &IoSweepOptions) -> anyhow::Result<Measured> {
    let cpus = allowed_cpus();
    let mut notes = Vec::new();
    let (server_cpu, client_cpu) = server_and_client_cpus(&cpus, &mut notes);
    let scratch = tempfile::tempdir()?;
    let spec = |name: &str, kind: ServerKind, database: PathBuf, cpu: Option<usize>| LaunchSpec {
        name: name.to_owned(),
        kind,
        serve_mode: ServeMode::Hyper,
        runtime: RuntimeFlavor::CurrentThread,
        workers: 1,
        cpu,
        database,
        log: scratch.path().join(format!("{name}.log")),
        executable: options.executable.clone(),
    };
    // The upstream runs on the client's core: at the sweep's modest rate the
    // client leaves it mostly idle, and it must stay off the servers' core.
    let upstream = ServerProcess::launch(&spec(
        "upstream",
        ServerKind::Raw,
        scratch.path().join("upstream.sqlite3"),
        client_cpu,
    ))?;
    let upstream_flag: Vec<OsString> = vec![
        "--upstream".into(),
        format!("http://{}", upstream.addr).into(),
    ];
    let launch = LaunchOptions {
        extra_args: upstream_flag,
        ..LaunchOptions::default()
    };
    let pair = |backend: &str, database: &dyn Fn(&str) -> PathBuf| {
        let raw = spec(
            &format!("raw-{backend}"),
            ServerKind::Raw,
            database("raw"),
            server_cpu,
        );
        let framework = spec(
            &format!("framework-{backend}"),
            ServerKind::Framework,
            database("framework"),
            server_cpu,
        );
        anyhow::Ok([
            ServerProcess::launch_with(&raw, &launch)?,
            ServerProcess::launch_with(&framework, &launch)?,
        ])
    };
    let sqlite = pair("sqlite", &|name| {
        scratch.path().join(format!("{name}.sqlite3"))
    })?;
    let database = postgres_database(options, (server_cpu, client_cpu), &cpus)?;
    if database
        .as_ref()
        .is_some_and(|d| d.info().shares_client_cpu)
    {
        notes.push(POSTGRES_ON_THE_CLIENT_CPU.to_owned());
    }
    let postgres = match &database {
        Some(database) => Some(pair("postgres", &|name| {
            database.for_server(scratch.path(), name)
        })?),
        None => {
            notes.push("--no-postgres: the PostgreSQL points were not measured".to_owned());
            None
        }
    };
    let mut results = Vec::new();
    for point in points(postgres.is_some()) {
        let servers = match (point.kind, &postgres) {
            ("postgres", Some(pair)) => pair,
            _ => &sqlite,
        };
        results.push(measure_point(options, &point, servers, client_cpu)?);
    }
    check_logs(scratch.path(), &mut notes);
    Ok(Measured {
        points: results,
        notes,
        cpus: (server_cpu, client_cpu),
        postgres: database.as_ref().map(|d| d.info().description.clone()),
    })
}

/// Warm-up, then alternating rounds, then the figures and the share.
fn measure_point(
    options: &IoSweepOptions,
    point: &Point,
    servers: &[ServerProcess; 2],
    client_cpu: Option<usize>,
) -> anyhow::Result<PointResult> {
    let stop = crate::interrupt_flag();
    for server in servers {
        let mut config = load_config(options, server, &point.target, client_cpu);
        config.duration = options.warmup;
        if !options.warmup.is_zero() {
            load::run(&config)?;
        }
    }
    let mut rounds: [Vec<Round>; 2] = [Vec::new(), Vec::new()];
    for round in 1..=options.rounds {
        for (server, measured) in servers.iter().zip(rounds.iter_mut()) {
            if stop.load(Ordering::SeqCst) {
                bail!("interrupted; servers stopped, nothing written");
            }
            let config = load_config(options, server, &point.target, client_cpu);
            let before = CpuReading::now(server.pid);
            let report = load::run(&config)?;
            let cpu_s = CpuReading::now(server.pid).seconds_since(&before);
            let this = round_figures(&report, cpu_s);
            eprintln!(
                "{:<9} {:<22} {:<18} round {round}/{}: p50 {:>9.0} µs  p99 {:>9.0} µs  cpu {} µs/req",
                point.kind,
                point.label,
                server.name,
                options.rounds,
                this.p50_us,
                this.p99_us,
                this.cpu_us_per_request
                    .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}")),
            );
            measured.push(this);
        }
    }
    let [raw, framework] = rounds;
    let raw_figures = figures(&servers[0].name, &raw);
    let framework_figures = figures(&servers[1].name, &framework);
    let share = bootstrap_ratio_of_medians(
        &framework_figures.round_p50_us,
        &raw_figures.round_p50_us,
        RESAMPLES,
        options.seed,
    )
    .map(|ratio| Share {
        estimate: 1.0 - ratio.ratio,
        low: 1.0 - ratio.ci_high,
        high: 1.0 - ratio.ci_low,
    });
    Ok(PointResult {
        kind: point.kind.to_owned(),
        label: point.label.clone(),
        target: point.target.clone(),
        raw: raw_figures,
        framework: framework_figures,
        share,
    })
}

fn load_config(
    options: &IoSweepOptions,
    server: &ServerProcess,
    target: &str,
    client_cpu: Option<usize>,
) -> LoadConfig {
    let request = RequestSpec::get(&server.addr.to_string(), target);
    let mut config = LoadConfig::new(server.addr, request);
    config.connections = options.connections;
    config.duration = options.duration;
    config.rate = Some(options.rate);
    config.client_cpu = client_cpu;
    config.stop = crate::interrupt_flag();
    config
}

/// Open loop: the corrected latency (from each request's intended send time).
fn round_figures(report: &LoadReport, cpu_s: Option<f64>) -> Round {
    let latency = report.corrected_latency.as_ref().unwrap_or(&report.latency);
    let ok: u64 = report
        .status_counts
        .iter()
        .filter(|(status, _)| (200..300).contains(*status))
        .map(|(_, count)| count)
        .sum();
    Round {
        p50_us: latency.p50_us as f64,
        p99_us: latency.p99_us as f64,
        cpu_us_per_request: cpu_s
            .filter(|_| report.requests > 0)
            .map(|cpu| cpu * 1e6 / report.requests as f64),
        requests_per_second: report.requests_per_second,
        failures: report.requests.saturating_sub(ok) + report.errors.total(),
    }
}

/// Medians over the rounds.
fn figures(server: &str, rounds: &[Round]) -> ServerFigures {
    let of = |pick: fn(&Round) -> f64| {
        median(&rounds.iter().map(pick).collect::<Vec<_>>()).unwrap_or(0.0)
    };
    let cpu: Vec<f64> = rounds.iter().filter_map(|r| r.cpu_us_per_request).collect();
    ServerFigures {
        server: server.to_owned(),
        p50_us: of(|r| r.p50_us),
        p99_us: of(|r| r.p99_us),
        cpu_us_per_request: median(&cpu),
        requests_per_second: of(|r| r.requests_per_second),
        failures: rounds.iter().map(|r| r.failures).sum(),
        round_p50_us: rounds.iter().map(|r| r.p50_us).collect(),
    }
}

/// A server that logged an error during the sweep gets a note.
fn check_logs(dir: &Path, notes: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "log")
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            let errors = text.lines().filter(|l| l.contains("ERROR")).count();
            if errors > 0 {
                notes.push(format!(
                    "{} logged {errors} error lines",
                    path.file_stem()
                        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
                ));
            }
        }
    }
}
