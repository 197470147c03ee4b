//! `bench-harness calibrate`: the instrument checks itself, twice.
//!
//! **The generator against wrk.** wrk is the reference HTTP load tool:
//! small, written in C, event-driven, and about as cheap per request as a
//! client can be. If our generator, pointed at the same raw-server endpoint
//! with the same connections, threads and CPU, reaches at least wrk's
//! request rate with a median latency within 10% of wrk's, it is not what
//! limits the measurement. wrk and our generator run alternately (wrk,
//! ours, wrk, ours, …), at least 5 rounds each; we report medians and the
//! ratio ours/wrk with a bootstrap 95% interval, like `compare` does for
//! servers.
//!
//! **raw-server against a minimal hyper server** ([`baseline`]): the floor
//! every figure is measured against must itself be as fast as hyper gets.
//!
//! `--only generator` or `--only baseline` runs one of the two.

mod baseline;
mod wrk;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;

use crate::child::process::{LaunchSpec, ServerProcess};
use crate::host::environment::Environment;
use crate::host::pinning::{PinningPlan, allowed_cpus};
pub use crate::schema::calibration::{
    CALIBRATION_SCHEMA_VERSION, Calibration, CalibrationRound, GeneratorCheck,
};
use crate::servers::ServerKind;
use crate::stats::{DEFAULT_RESAMPLES, RatioEstimate, bootstrap_ratio_of_medians, median};
use loadgen::request::RequestSpec;
use loadgen::{self as load, Engine, LoadConfig, LoadReport};
pub use wrk::{WrkOutput, parse_wrk_output};

/// Which of the two checks to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Check {
    /// Our load generator against wrk.
    Generator,
    /// raw-server `--middleware none` against the minimal hyper server.
    Baseline,
}

/// Everything `calibrate` needs.
#[derive(Debug, Clone)]
pub struct CalibrateOptions {
    pub endpoint: String,
    pub connections: usize,
    pub threads: usize,
    pub rounds: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub pin: bool,
    pub server_cpu: usize,
    pub client_cpu: usize,
    pub server_runtime: RuntimeFlavor,
    pub wrk: String,
    pub engine: Engine,
    pub out: PathBuf,
    pub seed: u64,
    pub executable: PathBuf,
    /// Run only this check; both when `None`.
    pub only: Option<Check>,
}

/// What is set up before the first round: the server, pinned, and our
/// generator's configuration against it.
#[derive(Debug)]
struct Plan {
    server: ServerProcess,
    url: String,
    config: LoadConfig,
    client_cpu: Option<usize>,
    /// The server's database and log; removed when dropped.
    _scratch: tempfile::TempDir,
}

/// Runs the calibration and writes `calibration.json` into `options.out`.
pub fn run(options: &CalibrateOptions) -> anyhow::Result<Calibration> {
    if options.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let started_at = crate::output::timestamp();
    let wrk_version = wrk::ensure_wrk(&options.wrk)?;
    let mut environment = Environment::capture();
    environment
        .tool_versions
        .insert("wrk".to_owned(), wrk_version);
    let mut pinning = PinningPlan::decide(
        options.pin,
        options.server_cpu,
        options.client_cpu,
        &allowed_cpus(),
    );
    eprintln!("pinning: {}", pinning.note);
    let generator = if options.only.is_none_or(|only| only == Check::Generator) {
        let mut plan = plan(options, &mut pinning)?;
        let rounds = measure(options, &plan)?;
        plan.server.stop();
        Some(results(options, plan, rounds))
    } else {
        None
    };
    let baseline = if options.only.is_none_or(|only| only == Check::Baseline) {
        Some(baseline::run(options, &mut pinning)?)
    } else {
        None
    };
    let calibration = Calibration {
        schema_version: CALIBRATION_SCHEMA_VERSION,
        started_at,
        generator,
        baseline,
        pinning,
        environment,
    };
    write(options, &calibration)?;
    Ok(calibration)
}

/// Starts raw-server, pinned, and configures our generator against it.
fn plan(options: &CalibrateOptions, pinning: &mut PinningPlan) -> anyhow::Result<Plan> {
    let endpoint = shared_handlers::catalogue::by_name(&options.endpoint)
        .with_context(|| format!("unknown endpoint {}", options.endpoint))?;
    if endpoint.method != shared_handlers::Method::Get {
        bail!("calibration uses GET endpoints (wrk sends GET without a script)");
    }
    let scratch = tempfile::Builder::new()
        .prefix("bench-harness-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let server = launch_server(options, pinning, scratch.path())?;
    if pinning.applied && !server.pinned {
        pinning.failed("the server could not be pinned");
    }
    let client_cpu = pinning.client_cpu.filter(|_| pinning.applied);
    let url = format!("http://{}{}", server.addr, endpoint.example);
    let mut config = LoadConfig::new(
        server.addr,
        RequestSpec::get(&server.addr.to_string(), endpoint.example),
    );
    config.connections = options.connections;
    config.threads = options.threads;
    config.duration = options.duration;
    config.client_cpu = client_cpu;
    config.engine = options.engine;
    config.stop = crate::interrupt_flag();
    Ok(Plan {
        server,
        url,
        config,
        client_cpu,
        _scratch: scratch,
    })
}

fn launch_server(
    options: &CalibrateOptions,
    pinning: &PinningPlan,
    scratch: &std::path::Path,
) -> anyhow::Result<ServerProcess> {
    ServerProcess::launch(&LaunchSpec {
        name: "raw".to_owned(),
        kind: ServerKind::Raw,
        serve_mode: ServeMode::Hyper,
        runtime: options.server_runtime,
        workers: if pinning.applied {
            1
        } else {
            allowed_cpus().len().max(1)
        },
        cpu: pinning.server_cpu,
        database: scratch.join("raw.sqlite3"),
        log: scratch.join("raw.log"),
        executable: options.executable.clone(),
    })
}

/// A warm-up, then wrk and our generator in alternating rounds.
fn measure(options: &CalibrateOptions, plan: &Plan) -> anyhow::Result<Vec<CalibrationRound>> {
    let stop = crate::interrupt_flag();
    if !options.warmup.is_zero() {
        eprintln!("warm-up {:?}", options.warmup);
        let mut warm = plan.config.clone();
        warm.duration = options.warmup;
        load::run(&warm)?;
    }
    let mut rounds = Vec::new();
    for round in 1..=options.rounds {
        if stop.load(Ordering::SeqCst) {
            bail!("interrupted");
        }
        let mut wrk = wrk::run_wrk(options, &plan.url, plan.client_cpu, options.duration)?;
        wrk.round = round;
        eprintln!(
            "round {round}/{}: wrk  {:>9.0} req/s  p50 {:>8}",
            options.rounds,
            wrk.requests_per_second,
            loadgen::latency::format_micros(wrk.p50_us)
        );
        rounds.push(wrk);
        let ours = our_round(&load::run(&plan.config)?, round);
        eprintln!(
            "round {round}/{}: ours {:>9.0} req/s  p50 {:>8}",
            options.rounds,
            ours.requests_per_second,
            loadgen::latency::format_micros(ours.p50_us)
        );
        rounds.push(ours);
    }
    Ok(rounds)
}

/// Our generator's report as a calibration round.
fn our_round(ours: &LoadReport, round: usize) -> CalibrationRound {
    CalibrationRound {
        tool: "bench-harness".to_owned(),
        round,
        requests: ours.requests,
        requests_per_second: ours.requests_per_second,
        p50_us: ours.latency.p50_us as f64,
        p99_us: ours.latency.p99_us as f64,
        errors: ours.errors.total()
            + ours
                .status_counts
                .iter()
                .filter(|(code, _)| !(200..400).contains(*code))
                .map(|(_, count)| count)
                .sum::<u64>(),
        client_cpu_us_per_request: ours.client_cpu.us_per_request,
    }
}

/// Medians, ratios ours/wrk with bootstrap intervals, and the verdict.
fn results(
    options: &CalibrateOptions,
    plan: Plan,
    rounds: Vec<CalibrationRound>,
) -> GeneratorCheck {
    let pick = |tool: &str, metric: fn(&CalibrationRound) -> f64| -> Vec<f64> {
        rounds
            .iter()
            .filter(|r| r.tool == tool)
            .map(metric)
            .collect()
    };
    let rps = |r: &CalibrationRound| r.requests_per_second;
    let p50 = |r: &CalibrationRound| r.p50_us;
    let ratio = |metric: fn(&CalibrationRound) -> f64| {
        bootstrap_ratio_of_medians(
            &pick("wrk", metric),
            &pick("bench-harness", metric),
            DEFAULT_RESAMPLES,
            options.seed,
        )
    };
    let rps_ratio = ratio(rps);
    let p50_ratio = ratio(p50);
    let target_met = rps_ratio.is_some_and(|r| r.ratio >= 1.0)
        && p50_ratio.is_some_and(|r| (0.9..=1.1).contains(&r.ratio));
    GeneratorCheck {
        url: plan.url,
        connections: options.connections,
        threads: options.threads,
        duration_s: options.duration.as_secs_f64(),
        engine: options.engine,
        wrk_median_rps: median(&pick("wrk", rps)).unwrap_or(0.0),
        ours_median_rps: median(&pick("bench-harness", rps)).unwrap_or(0.0),
        wrk_median_p50_us: median(&pick("wrk", p50)).unwrap_or(0.0),
        ours_median_p50_us: median(&pick("bench-harness", p50)).unwrap_or(0.0),
        rounds,
        rps_ratio,
        p50_ratio,
        target_met,
    }
}

/// `calibration.json` and `calibration.txt`.
fn write(options: &CalibrateOptions, calibration: &Calibration) -> anyhow::Result<()> {
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let json = serde_json::to_string_pretty(calibration).context("cannot serialise")?;
    std::fs::write(options.out.join("calibration.json"), json + "\n")
        .with_context(|| format!("cannot write {}", options.out.display()))?;
    std::fs::write(options.out.join("calibration.txt"), calibration.render())
        .with_context(|| format!("cannot write {}", options.out.display()))
}

impl Calibration {
    /// Both checks as tables for the terminal and the docs.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(generator) = &self.generator {
            out += &generator.render(&self.pinning.note);
        }
        if let Some(baseline) = &self.baseline {
            if !out.is_empty() {
                out.push('\n');
            }
            out += &baseline::render(baseline, &self.pinning.note);
        }
        out
    }
}

impl GeneratorCheck {
    /// The generator check as a table.
    fn render(&self, pinning: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Calibration against wrk: GET {}, {} connections, {} thread(s), our {} engine, {} rounds of {:.0}s each, alternating; {}",
            self.url,
            self.connections,
            self.threads,
            self.engine.name(),
            self.rounds.len() / 2,
            self.duration_s,
            pinning
        );
        let _ = writeln!(
            out,
            "{:<14} {:>6} {:>11} {:>9} {:>9} {:>8} {:>12}",
            "tool", "round", "req/s", "p50", "p99", "errors", "client µs/req"
        );
        let mut round_of_tool = std::collections::BTreeMap::<&str, usize>::new();
        for round in &self.rounds {
            let number = round_of_tool.entry(round.tool.as_str()).or_insert(0);
            *number += 1;
            let _ = writeln!(
                out,
                "{:<14} {:>6} {:>11.0} {:>9} {:>9} {:>8} {:>12.2}",
                round.tool,
                number,
                round.requests_per_second,
                loadgen::latency::format_micros(round.p50_us),
                loadgen::latency::format_micros(round.p99_us),
                round.errors,
                round.client_cpu_us_per_request
            );
        }
        let show = |estimate: &Option<RatioEstimate>| {
            estimate.map_or_else(
                || "n/a".to_owned(),
                |e| format!("{:.3} [{:.3}, {:.3}]", e.ratio, e.ci_low, e.ci_high),
            )
        };
        let _ = writeln!(
            out,
            "median req/s: wrk {:.0}, ours {:.0}; ours/wrk = {} (95% CI)",
            self.wrk_median_rps,
            self.ours_median_rps,
            show(&self.rps_ratio)
        );
        let _ = writeln!(
            out,
            "median p50:   wrk {}, ours {}; ours/wrk = {} (95% CI)",
            loadgen::latency::format_micros(self.wrk_median_p50_us),
            loadgen::latency::format_micros(self.ours_median_p50_us),
            show(&self.p50_ratio)
        );
        let _ = writeln!(
            out,
            "target (req/s ratio ≥ 1.0 and p50 within 10%): {}",
            if self.target_met { "MET" } else { "NOT MET" }
        );
        out
    }
}
