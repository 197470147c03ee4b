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
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;
use http::{HeaderName, HeaderValue, Method};

use crate::child::process::{LaunchSpec, ServerProcess};
use crate::host::environment::Environment;
use crate::host::pinning::{PinningPlan, allowed_cpus};
use crate::host::procstat::{process_cpu, resident_kib};
use crate::output::timestamp;
use crate::schema::results::{
    EndpointTarget, Medians, Ratios, Results, Round, RunConfig, SCHEMA_VERSION, ServerInfo, Summary,
};
use crate::servers::BASELINE;
use crate::servers::ServerKind;
use crate::stats::{DEFAULT_RESAMPLES, bootstrap_ratio_of_medians, median};
use loadgen::request::{RequestSpec, parse_url};
use loadgen::{self as load, Engine, LoadConfig};

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

/// Resolves `--endpoints` entries: a catalogue name, optionally with its
/// own request target (`queries=/queries?queries=5`). Method and default
/// target come from `shared_handlers::catalogue::ENDPOINTS`, never from a
/// list of our own, so new catalogue entries work without touching this.
pub fn resolve_endpoints(
    names: &[String],
    skip_unknown: bool,
) -> anyhow::Result<Vec<EndpointTarget>> {
    let mut resolved = Vec::new();
    for entry in names {
        let (name, target) = match entry.split_once('=') {
            Some((name, target)) => (name.trim(), Some(target.trim())),
            None => (entry.trim(), None),
        };
        let Some(endpoint) = shared_handlers::catalogue::by_name(name) else {
            if skip_unknown {
                continue;
            }
            let known: Vec<&str> = shared_handlers::ENDPOINTS.iter().map(|e| e.name).collect();
            bail!(
                "unknown endpoint `{name}`; the catalogue has: {}",
                known.join(", ")
            );
        };
        resolved.push(EndpointTarget {
            name: endpoint.name.to_owned(),
            method: endpoint.method.as_str().to_owned(),
            target: target.unwrap_or(endpoint.example).to_owned(),
        });
    }
    if resolved.is_empty() {
        bail!("no endpoints to compare");
    }
    Ok(resolved)
}

/// A server under test: launched by us, or a `--target`.
#[derive(Debug)]
struct Contestant {
    info: ServerInfo,
    addr: std::net::SocketAddr,
    authority: String,
    /// Path prefix of a `--target` URL (empty for launched servers).
    prefix: String,
    process: Option<ServerProcess>,
}

/// Runs the comparison, writes `results.json` and `table.txt` into
/// `options.out`, and returns the results.
pub fn run(options: &CompareOptions) -> anyhow::Result<Results> {
    let stop = crate::interrupt_flag();
    let started_at = timestamp();
    let environment = Environment::capture();
    let allowed = allowed_cpus();
    let mut pinning = PinningPlan::decide(
        options.pin,
        options.server_cpu,
        options.client_cpu,
        &allowed,
    );
    let workers = options.server_workers.unwrap_or(if pinning.applied {
        1
    } else {
        allowed.len().max(1)
    });
    let mut notes = Vec::new();
    if environment.build_profile == "debug" {
        notes.push("debug build: figures are not representative; run with --release".to_owned());
    }
    eprintln!("pinning: {}", pinning.note);

    // Each child gets its own database in a folder removed when we finish.
    let scratch = tempfile::Builder::new()
        .prefix("bench-harness-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let mut contestants = Vec::new();
    let mut launches = vec![(BASELINE.to_owned(), ServerKind::Raw, ServeMode::Hyper)];
    for mode in &options.framework_modes {
        let name = match mode {
            ServeMode::Hyper if options.framework_modes.len() == 1 => "framework".to_owned(),
            ServeMode::Hyper => "framework-hyper".to_owned(),
            ServeMode::Axum => "framework-axum".to_owned(),
        };
        launches.push((name, ServerKind::Framework, *mode));
    }
    for (name, kind, mode) in launches {
        eprintln!("starting {name} server...");
        let spec = LaunchSpec {
            name: name.clone(),
            kind,
            serve_mode: mode,
            runtime: options.server_runtime,
            workers,
            cpu: pinning.server_cpu,
            database: scratch.path().join(format!("{name}.sqlite3")),
            log: scratch.path().join(format!("{name}.log")),
            executable: options.executable.clone(),
        };
        let process = ServerProcess::launch(&spec)?;
        if pinning.applied && !process.pinned {
            pinning.failed(&format!("server {name} could not be pinned"));
        }
        let description = match (kind, mode) {
            (ServerKind::Raw, _) => "raw-server: hand-written service_fn on connection-layer",
            (ServerKind::Framework, ServeMode::Hyper) => {
                "framework-server: axum Router on the same connection-layer"
            }
            (ServerKind::Framework, ServeMode::Axum) => {
                "framework-server: axum Router on axum::serve (axum's defaults)"
            }
        };
        contestants.push(Contestant {
            info: ServerInfo {
                name: name.clone(),
                description: description.to_owned(),
                launched: true,
                url: format!("http://{}", process.addr),
                pinned_cpu: pinning.server_cpu.filter(|_| process.pinned),
            },
            addr: process.addr,
            authority: process.addr.to_string(),
            prefix: String::new(),
            process: Some(process),
        });
    }
    for (name, url) in &options.targets {
        let parsed = parse_url(url)?;
        contestants.push(Contestant {
            info: ServerInfo {
                name: name.clone(),
                description: format!("already running at {url} (not launched, CPU not measured)"),
                launched: false,
                url: url.clone(),
                pinned_cpu: None,
            },
            addr: parsed.addr,
            authority: parsed.authority,
            prefix: parsed.target.trim_end_matches('/').to_owned(),
            process: None,
        });
    }
    if !options.targets.is_empty() {
        notes.push(
            "--target servers are not launched by the harness: their CPU time and memory are not measured"
                .to_owned(),
        );
    }

    let client_cpu = pinning.client_cpu.filter(|_| pinning.applied);
    let mut rounds = Vec::new();
    let total_rounds = options.endpoints.len() * options.rounds * contestants.len();
    let mut done = 0;
    for endpoint in &options.endpoints {
        let requests: Vec<RequestSpec> = contestants
            .iter()
            .map(|c| request_for(options, endpoint, c))
            .collect::<anyhow::Result<_>>()?;
        if !options.warmup.is_zero() {
            for (contestant, request) in contestants.iter().zip(&requests) {
                eprintln!(
                    "{:<14} {:<12} warm-up {:?}",
                    endpoint.name, contestant.info.name, options.warmup
                );
                let mut config = load_config(options, contestant, request.clone(), client_cpu);
                config.duration = options.warmup;
                let warm = load::run(&config)?;
                if warm.requests == 0 {
                    notes.push(format!(
                        "{} on {}: no response during warm-up ({} errors)",
                        endpoint.name,
                        contestant.info.name,
                        warm.errors.total()
                    ));
                }
            }
        }
        for round in 1..=options.rounds {
            for (contestant, request) in contestants.iter().zip(&requests) {
                if stop.load(Ordering::SeqCst) {
                    bail!("interrupted; servers stopped, nothing written");
                }
                let config = load_config(options, contestant, request.clone(), client_cpu);
                let measured =
                    measure_round(&config, contestant, endpoint, round, &pinning, options)?;
                done += 1;
                eprintln!(
                    "{:<14} {:<12} round {round}/{} [{done}/{total_rounds}]: {:>9.0} req/s  p50 {:>8}  server {:>6} µs/req  client {:>5.1} µs/req{}",
                    endpoint.name,
                    contestant.info.name,
                    options.rounds,
                    measured.requests_per_second,
                    loadgen::latency::format_micros(measured.latency.p50_us as f64),
                    measured
                        .server_cpu_us_per_request
                        .map_or_else(|| "-".to_owned(), |v| format!("{v:.2}")),
                    measured.client_cpu_us_per_request,
                    if measured.client_bound {
                        "  CLIENT-BOUND"
                    } else {
                        ""
                    }
                );
                rounds.push(measured);
            }
        }
    }

    // Stop the servers before writing: their guards would do it anyway.
    for contestant in &mut contestants {
        if let Some(process) = &mut contestant.process {
            process.stop();
        }
    }

    let summary = summarise(&rounds, &options.endpoints, &contestants, options.seed);
    if rounds.iter().any(|r| r.client_bound) {
        notes.push(
            "some rounds were client-bound: the load generator's core was saturated and the server's was not; those rounds measure the generator"
                .to_owned(),
        );
    }
    let comparison = if options.framework_modes == [ServeMode::Axum] {
        "defaults: framework-server on axum::serve against raw-server on connection-layer"
    } else {
        "same connection layer: raw-server and framework-server share connection-layer's accept loop and hyper settings; only the request layer differs"
    };
    let results = Results {
        schema_version: SCHEMA_VERSION,
        tool: format!("bench-harness {}", env!("CARGO_PKG_VERSION")),
        started_at,
        finished_at: timestamp(),
        comparison: comparison.to_owned(),
        config: RunConfig {
            endpoints: options.endpoints.clone(),
            load_model: "closed loop".to_owned(),
            connections: options.connections,
            client_threads: options.threads,
            pipeline: options.pipeline,
            engine: options.engine,
            rounds: options.rounds,
            duration_s: options.duration.as_secs_f64(),
            warmup_s: options.warmup.as_secs_f64(),
            quick: options.quick,
            server_runtime: clap::ValueEnum::to_possible_value(&options.server_runtime)
                .map_or_else(
                    || format!("{:?}", options.server_runtime),
                    |v| v.get_name().to_owned(),
                ),
            server_workers: workers,
            bootstrap_resamples: DEFAULT_RESAMPLES,
            bootstrap_seed: options.seed,
        },
        environment,
        pinning,
        servers: contestants.iter().map(|c| c.info.clone()).collect(),
        rounds,
        summary,
        notes,
    };
    results.write(&options.out)?;
    Ok(results)
}

fn request_for(
    options: &CompareOptions,
    endpoint: &EndpointTarget,
    contestant: &Contestant,
) -> anyhow::Result<RequestSpec> {
    let mut request = RequestSpec::get(
        &contestant.authority,
        &format!("{}{}", contestant.prefix, endpoint.target),
    );
    request.method = Method::from_bytes(endpoint.method.as_bytes())
        .with_context(|| format!("invalid method {}", endpoint.method))?;
    request.headers = options.headers.clone();
    let catalogued =
        shared_handlers::catalogue::by_name(&endpoint.name).and_then(|e| e.request_body);
    let body = options
        .bodies
        .get(&endpoint.name)
        .cloned()
        .or_else(|| default_body(&endpoint.name).map(|body| Bytes::from_static(body.as_bytes())))
        .or_else(|| catalogued.map(|body| Bytes::from_static(body.example.as_bytes())));
    if let Some(body) = body {
        request.body = body;
        let has_type = request
            .headers
            .iter()
            .any(|(name, _)| name == http::header::CONTENT_TYPE);
        if !has_type {
            let content_type = catalogued.map_or("application/json", |body| body.content_type);
            request.headers.push((
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(content_type),
            ));
        }
    }
    Ok(request)
}

fn load_config(
    options: &CompareOptions,
    contestant: &Contestant,
    request: RequestSpec,
    client_cpu: Option<usize>,
) -> LoadConfig {
    let mut config = LoadConfig::new(contestant.addr, request);
    config.connections = options.connections;
    config.threads = options.threads;
    config.duration = options.duration;
    config.warmup = Duration::ZERO;
    config.pipeline = options.pipeline;
    config.engine = options.engine;
    config.client_cpu = client_cpu;
    config.progress = options.progress;
    config.stop = crate::interrupt_flag();
    config
}

/// One round: server CPU before, load, server CPU and memory after.
fn measure_round(
    config: &LoadConfig,
    contestant: &Contestant,
    endpoint: &EndpointTarget,
    round: usize,
    pinning: &PinningPlan,
    options: &CompareOptions,
) -> anyhow::Result<Round> {
    let pid = contestant.process.as_ref().map(|p| p.pid);
    let before = pid.and_then(|pid| process_cpu(pid).ok());
    let report = load::run(config)?;
    let after = pid.and_then(|pid| process_cpu(pid).ok());
    let rss = pid.and_then(|pid| resident_kib(pid).ok());

    let server_cpu = before
        .zip(after)
        .map(|(before, after)| after.since(&before).total().as_secs_f64());
    let seconds = report.duration_s.max(1e-9);
    let requests = report.requests;
    let per_request = |cpu: f64| {
        if requests > 0 {
            cpu * 1e6 / requests as f64
        } else {
            0.0
        }
    };
    let server_cores_busy = server_cpu.map(|cpu| cpu / seconds);
    // How many cores each side may use: one each when pinned.
    let cpus = allowed_cpus().len().max(1) as f64;
    let (server_cores, client_cores) = if pinning.applied {
        (1.0, 1.0)
    } else {
        (cpus, (options.threads as f64).min(cpus))
    };
    let client_saturated = report.client_cpu.cores_busy / client_cores >= SATURATED;
    let server_saturated = server_cores_busy.is_some_and(|busy| busy / server_cores >= SATURATED);
    let client_cpu_s = report.client_cpu.user_s + report.client_cpu.system_s;
    Ok(Round {
        endpoint: endpoint.name.clone(),
        server: contestant.info.name.clone(),
        round,
        requests,
        duration_s: report.duration_s,
        requests_per_second: report.requests_per_second,
        latency: report.latency,
        status_counts: report.status_counts,
        errors: report.errors,
        server_cpu_s: server_cpu,
        server_cpu_us_per_request: server_cpu.map(per_request),
        server_cores_busy,
        server_rss_kib: rss,
        client_cpu_s,
        client_cpu_us_per_request: report.client_cpu.us_per_request,
        client_cores_busy: report.client_cpu.cores_busy,
        client_bound: client_saturated && !server_saturated,
    })
}

fn summarise(
    rounds: &[Round],
    endpoints: &[EndpointTarget],
    contestants: &[Contestant],
    seed: u64,
) -> Vec<Summary> {
    let mut summaries = Vec::new();
    for endpoint in endpoints {
        let of = |server: &str| -> Vec<&Round> {
            rounds
                .iter()
                .filter(|r| r.endpoint == endpoint.name && r.server == server)
                .collect()
        };
        let baseline = of(BASELINE);
        for contestant in contestants {
            let mine = of(&contestant.info.name);
            if mine.is_empty() {
                continue;
            }
            let values = |rounds: &[&Round], metric: &dyn Fn(&Round) -> Option<f64>| -> Vec<f64> {
                rounds.iter().filter_map(|r| metric(r)).collect()
            };
            let rps = |r: &Round| Some(r.requests_per_second);
            let p50 = |r: &Round| Some(r.latency.p50_us as f64);
            let p90 = |r: &Round| Some(r.latency.p90_us as f64);
            let p99 = |r: &Round| Some(r.latency.p99_us as f64);
            let cpu = |r: &Round| r.server_cpu_us_per_request;
            let client = |r: &Round| Some(r.client_cpu_us_per_request);
            let rss = |r: &Round| r.server_rss_kib.map(|kib| kib as f64);
            let ratio = |metric: &dyn Fn(&Round) -> Option<f64>| {
                bootstrap_ratio_of_medians(
                    &values(&baseline, metric),
                    &values(&mine, metric),
                    DEFAULT_RESAMPLES,
                    seed,
                )
            };
            let vs_baseline =
                (contestant.info.name != BASELINE && !baseline.is_empty()).then(|| Ratios {
                    baseline: BASELINE.to_owned(),
                    requests_per_second: ratio(&rps),
                    p50_us: ratio(&p50),
                    p99_us: ratio(&p99),
                    server_cpu_us_per_request: ratio(&cpu),
                });
            summaries.push(Summary {
                endpoint: endpoint.name.clone(),
                server: contestant.info.name.clone(),
                rounds: mine.len(),
                client_bound_rounds: mine.iter().filter(|r| r.client_bound).count(),
                errors: mine.iter().map(|r| r.errors.total()).sum(),
                non_success_responses: mine
                    .iter()
                    .flat_map(|r| r.status_counts.iter())
                    .filter(|(code, _)| !(200..400).contains(*code))
                    .map(|(_, count)| count)
                    .sum(),
                median: Medians {
                    requests_per_second: median(&values(&mine, &rps)).unwrap_or(0.0),
                    p50_us: median(&values(&mine, &p50)).unwrap_or(0.0),
                    p90_us: median(&values(&mine, &p90)).unwrap_or(0.0),
                    p99_us: median(&values(&mine, &p99)).unwrap_or(0.0),
                    server_cpu_us_per_request: median(&values(&mine, &cpu)),
                    client_cpu_us_per_request: median(&values(&mine, &client)).unwrap_or(0.0),
                    server_rss_kib: median(&values(&mine, &rss)),
                },
                vs_baseline,
            });
        }
    }
    summaries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_come_from_the_catalogue_with_its_example_targets() {
        let resolved = resolve_endpoints(&["queries".to_owned(), "plaintext".to_owned()], false)
            .expect("known");
        assert_eq!(resolved[0].target, "/queries?queries=20");
        assert_eq!(resolved[0].method, "GET");
        assert_eq!(resolved[1].target, "/plaintext");
    }

    #[test]
    fn an_endpoint_target_can_be_overridden() {
        let resolved =
            resolve_endpoints(&["queries=/queries?queries=5".to_owned()], false).expect("known");
        assert_eq!(resolved[0].target, "/queries?queries=5");
    }

    #[test]
    fn unknown_endpoints_are_refused_unless_they_are_optional_defaults() {
        let error = resolve_endpoints(&["nope".to_owned()], false).expect_err("unknown");
        assert!(error.to_string().contains("plaintext"));
        let defaults: Vec<String> = DEFAULT_ENDPOINTS.iter().map(|s| (*s).to_owned()).collect();
        let resolved = resolve_endpoints(&defaults, true).expect("some are known");
        assert!(resolved.len() >= 5);
    }
}
