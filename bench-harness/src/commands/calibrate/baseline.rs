//! Is raw-server a credible floor? raw-server with `--middleware none`
//! against `raw-server/examples/minimal_hyper.rs`, a hyper server written
//! the way TechEmpower's hyper entry is, on the two endpoints the minimal
//! one has (`/plaintext`, `/json`).
//!
//! Both are their own release executables (built with `cargo build` when
//! missing or stale, into the target folder the harness runs from), both on
//! one current-thread runtime, both pinned to the server CPU and started
//! once; wrk, pinned to the client CPU, loads one at a time. Rounds
//! alternate in ABBA order (minimal, raw, raw, minimal, …) so a machine
//! that slowly gets busier weighs on both alike, and each ratio is paired:
//! raw's round over the minimal server's round next to it, summarised with
//! a bootstrap interval (`crate::stats`), like `compare`'s ratios. CPU per
//! request is the server process's own CPU (`/proc/<pid>/stat`, every
//! thread) over the round, divided by wrk's request count.
//!
//! Simplified on purpose: raw-server runs as its own binary, with the
//! system allocator like the minimal server, not inside the harness as
//! `compare`'s children do (whose counting allocator, switched off, adds
//! one relaxed load per allocation).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use super::{CalibrateOptions, wrk};
use crate::child::process::{LaunchOptions, ServerProcess};
use crate::host::pinning::PinningPlan;
use crate::host::procstat::process_cpu;
use crate::schema::calibration::{
    BASELINE_MAX_CPU_RATIO, BASELINE_MIN_RPS_RATIO, BaselineCheck, BaselineEndpoint, BaselineRound,
};
use crate::stats::{DEFAULT_RESAMPLES, bootstrap_paired_ratio, median};

/// The endpoints both servers have.
const ENDPOINTS: [(&str, &str); 2] = [("plaintext", "/plaintext"), ("json", "/json")];

/// The two contestants, started once for every round.
struct Servers {
    raw: ServerProcess,
    minimal: ServerProcess,
    raw_command: Vec<String>,
    minimal_command: Vec<String>,
    /// The raw-server's database; removed when dropped.
    _scratch: tempfile::TempDir,
}

/// Runs the baseline check: warm-up, then alternating wrk rounds.
pub(super) fn run(
    options: &CalibrateOptions,
    pinning: &mut PinningPlan,
) -> anyhow::Result<BaselineCheck> {
    let (raw_binary, minimal_binary) = find_or_build()?;
    let mut servers = launch(options, pinning, &raw_binary, &minimal_binary)?;
    let client_cpu = pinning.client_cpu.filter(|_| pinning.applied);
    let stop = crate::interrupt_flag();
    let mut rounds = Vec::new();
    for (endpoint, path) in ENDPOINTS {
        let url = |process: &ServerProcess| format!("http://{}{path}", process.addr);
        if !options.warmup.is_zero() {
            eprintln!("baseline {endpoint}: warm-up {:?} each", options.warmup);
            for process in [&servers.minimal, &servers.raw] {
                wrk::run_wrk(options, &url(process), client_cpu, options.warmup)?;
            }
        }
        for round in 1..=options.rounds {
            if stop.load(std::sync::atomic::Ordering::SeqCst) {
                bail!("interrupted");
            }
            let order = if round % 2 == 1 {
                [("minimal", &servers.minimal), ("raw", &servers.raw)]
            } else {
                [("raw", &servers.raw), ("minimal", &servers.minimal)]
            };
            for (server, process) in order {
                let measured = one_round(options, process, &url(process), client_cpu)?;
                let measured = BaselineRound {
                    endpoint: endpoint.to_owned(),
                    server: server.to_owned(),
                    round,
                    ..measured
                };
                eprintln!(
                    "baseline {endpoint} round {round}/{}: {server:<7} {:>9.0} req/s  server {} µs/req",
                    options.rounds,
                    measured.requests_per_second,
                    measured
                        .server_cpu_us_per_request
                        .map_or_else(|| "n/a".to_owned(), |us| format!("{us:.2}"))
                );
                rounds.push(measured);
            }
        }
    }
    servers.raw.stop();
    servers.minimal.stop();
    let endpoints: Vec<BaselineEndpoint> = ENDPOINTS
        .iter()
        .map(|(endpoint, _)| summarise(endpoint, &rounds, options.seed))
        .collect();
    Ok(BaselineCheck {
        tool: "wrk".to_owned(),
        connections: options.connections,
        threads: options.threads,
        duration_s: options.duration.as_secs().max(1) as f64,
        raw_command: std::mem::take(&mut servers.raw_command),
        minimal_command: std::mem::take(&mut servers.minimal_command),
        target_met: endpoints.iter().all(BaselineEndpoint::target_met),
        rounds,
        endpoints,
    })
}

/// One wrk round against `process`, with the server's CPU over it.
fn one_round(
    options: &CalibrateOptions,
    process: &ServerProcess,
    url: &str,
    client_cpu: Option<usize>,
) -> anyhow::Result<BaselineRound> {
    let before = process_cpu(process.pid).ok();
    let measured = wrk::run_wrk(options, url, client_cpu, options.duration)?;
    let after = process_cpu(process.pid).ok();
    let server_cpu_us_per_request = match (before, after) {
        (Some(before), Some(after)) if measured.requests > 0 => {
            Some(after.since(&before).total().as_secs_f64() * 1e6 / measured.requests as f64)
        }
        _ => None,
    };
    Ok(BaselineRound {
        endpoint: String::new(),
        server: String::new(),
        round: 0,
        requests: measured.requests,
        requests_per_second: measured.requests_per_second,
        server_cpu_us_per_request,
        errors: measured.errors,
    })
}

/// Medians and paired ratios raw / minimal of one endpoint's rounds.
pub(super) fn summarise(endpoint: &str, rounds: &[BaselineRound], seed: u64) -> BaselineEndpoint {
    let of = |server: &str| -> Vec<&BaselineRound> {
        rounds
            .iter()
            .filter(|r| r.endpoint == endpoint && r.server == server)
            .collect()
    };
    let (raw, minimal) = (of("raw"), of("minimal"));
    let medians = |side: &[&BaselineRound], metric: fn(&BaselineRound) -> Option<f64>| {
        median(&side.iter().filter_map(|r| metric(r)).collect::<Vec<_>>())
    };
    let rps = |r: &BaselineRound| Some(r.requests_per_second);
    let cpu = |r: &BaselineRound| r.server_cpu_us_per_request;
    // Round i of raw against round i of minimal: the two ran next to each
    // other (ABBA), so drift between rounds cancels in their ratio.
    let paired = |metric: fn(&BaselineRound) -> Option<f64>| {
        let ratios: Vec<f64> = raw
            .iter()
            .filter_map(|r| {
                let partner = minimal.iter().find(|m| m.round == r.round)?;
                Some(metric(r)? / metric(partner).filter(|v| *v > 0.0)?)
            })
            .collect();
        bootstrap_paired_ratio(&ratios, DEFAULT_RESAMPLES, seed)
    };
    BaselineEndpoint {
        endpoint: endpoint.to_owned(),
        raw_median_rps: medians(&raw, rps).unwrap_or(0.0),
        minimal_median_rps: medians(&minimal, rps).unwrap_or(0.0),
        raw_median_cpu_us: medians(&raw, cpu),
        minimal_median_cpu_us: medians(&minimal, cpu),
        rps_ratio: paired(rps),
        cpu_ratio: paired(cpu),
    }
}

/// Starts both servers pinned to the server CPU, through `exec-pinned`.
fn launch(
    options: &CalibrateOptions,
    pinning: &mut PinningPlan,
    raw_binary: &Path,
    minimal_binary: &Path,
) -> anyhow::Result<Servers> {
    let scratch = tempfile::Builder::new()
        .prefix("bench-harness-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let database = scratch.path().join("raw.sqlite3");
    let raw_command: Vec<String> = [
        raw_binary.display().to_string(),
        "--middleware".to_owned(),
        "none".to_owned(),
        "--runtime".to_owned(),
        "current-thread".to_owned(),
        "--addr".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--database".to_owned(),
        database.display().to_string(),
    ]
    .into();
    let minimal_command: Vec<String> = [
        minimal_binary.display().to_string(),
        "--addr".to_owned(),
        "127.0.0.1:0".to_owned(),
    ]
    .into();
    let cpu = pinning.server_cpu.filter(|_| pinning.applied);
    let start = |name: &str, line: &[String]| -> anyhow::Result<ServerProcess> {
        eprintln!("starting {name}: {}", line.join(" "));
        let log = scratch.path().join(format!("{name}.log"));
        let mut command = match cpu {
            Some(cpu) => {
                let mut command = Command::new(&options.executable);
                command.args(["exec-pinned", "--cpu", &cpu.to_string(), "--"]);
                command.arg(&line[0]);
                command
            }
            None => Command::new(&line[0]),
        };
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        command
            .args(&line[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file));
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        ServerProcess::spawn(name, command, &log, cpu, &LaunchOptions::default())
    };
    let raw = start("raw", &raw_command)?;
    let minimal = start("minimal", &minimal_command)?;
    if pinning.applied && !(raw.pinned && minimal.pinned) {
        pinning.failed("a baseline server could not be pinned");
    }
    Ok(Servers {
        raw,
        minimal,
        raw_command,
        minimal_command,
        _scratch: scratch,
    })
}

/// `raw-server` and `examples/minimal_hyper` in the target folder the
/// harness runs from, brought up to date with `cargo build` in the same
/// profile. If cargo cannot run, binaries already there are used as they
/// are (with a warning: they may be older than the source).
fn find_or_build() -> anyhow::Result<(PathBuf, PathBuf)> {
    let exe = std::env::current_exe().context("cannot find our own executable")?;
    let profile_dir = exe
        .parent()
        .context("our executable has no folder")?
        .to_path_buf();
    let raw = profile_dir.join("raw-server");
    let minimal = profile_dir.join("examples").join("minimal_hyper");
    let release = profile_dir
        .file_name()
        .is_some_and(|name| name == "release");
    let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    build
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(["build", "-p", "raw-server", "--bin", "raw-server"])
        .args(["--example", "minimal_hyper"]);
    if release {
        build.arg("--release");
    }
    if let Some(target_dir) = profile_dir.parent() {
        build.arg("--target-dir").arg(target_dir);
    }
    eprintln!(
        "building raw-server and minimal_hyper ({} profile)...",
        if release { "release" } else { "debug" }
    );
    let built = build.stdin(Stdio::null()).status();
    if !matches!(&built, Ok(status) if status.success()) {
        eprintln!("warning: `cargo build` of the baseline servers failed: {built:?}");
    }
    for binary in [&raw, &minimal] {
        if !binary.is_file() {
            bail!(
                "{} is missing; build it with `cargo build --release -p raw-server --bin raw-server --example minimal_hyper`",
                binary.display()
            );
        }
    }
    Ok((raw, minimal))
}

/// The baseline check as a table, with the verdict.
pub(super) fn render(check: &BaselineCheck, pinning: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Baseline: raw-server --middleware none --runtime current-thread against minimal_hyper (one current-thread runtime); {}, {} connections, {} thread(s), {} ABBA rounds of {:.0}s per server; {pinning}",
        check.tool,
        check.connections,
        check.threads,
        check.rounds.len() / (2 * check.endpoints.len().max(1)),
        check.duration_s
    );
    let _ = writeln!(
        out,
        "{:<10} {:>12} {:>12} {:>9} {:>9} {:>26} {:>26}",
        "endpoint",
        "raw req/s",
        "min req/s",
        "raw µs",
        "min µs",
        "req/s raw/min [95% CI]",
        "CPU/req raw/min [95% CI]"
    );
    let show = |estimate: &Option<crate::stats::RatioEstimate>| {
        estimate.map_or_else(
            || "n/a".to_owned(),
            |e| format!("{:.3} [{:.3}, {:.3}]", e.ratio, e.ci_low, e.ci_high),
        )
    };
    let micros = |us: Option<f64>| us.map_or_else(|| "n/a".to_owned(), |us| format!("{us:.2}"));
    for endpoint in &check.endpoints {
        let _ = writeln!(
            out,
            "{:<10} {:>12.0} {:>12.0} {:>9} {:>9} {:>26} {:>26}",
            endpoint.endpoint,
            endpoint.raw_median_rps,
            endpoint.minimal_median_rps,
            micros(endpoint.raw_median_cpu_us),
            micros(endpoint.minimal_median_cpu_us),
            show(&endpoint.rps_ratio),
            show(&endpoint.cpu_ratio)
        );
    }
    let errors: u64 = check.rounds.iter().map(|r| r.errors).sum();
    if errors > 0 {
        let _ = writeln!(
            out,
            "warning: {errors} errors or non-2xx answers in the rounds"
        );
    }
    let _ = writeln!(
        out,
        "target (req/s ratio ≥ {BASELINE_MIN_RPS_RATIO} and CPU/request ratio ≤ {BASELINE_MAX_CPU_RATIO} on both): {}",
        if check.target_met { "MET" } else { "NOT MET" }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(server: &str, round: usize, rps: f64, cpu: Option<f64>) -> BaselineRound {
        BaselineRound {
            endpoint: "json".to_owned(),
            server: server.to_owned(),
            round,
            requests: (rps * 5.0) as u64,
            requests_per_second: rps,
            server_cpu_us_per_request: cpu,
            errors: 0,
        }
    }

    #[test]
    fn ratios_pair_each_raw_round_with_the_minimal_round_beside_it() {
        // The machine slows down by half in round 2, for both servers:
        // pairing keeps the ratio at exactly 0.9 (req/s) and 1.1 (CPU).
        let rounds = [
            round("minimal", 1, 200_000.0, Some(5.0)),
            round("raw", 1, 180_000.0, Some(5.5)),
            round("raw", 2, 90_000.0, Some(11.0)),
            round("minimal", 2, 100_000.0, Some(10.0)),
        ];
        let summary = summarise("json", &rounds, 7);
        let rps = summary.rps_ratio.expect("req/s ratio");
        let cpu = summary.cpu_ratio.expect("CPU ratio");
        assert!((rps.ratio - 0.9).abs() < 1e-9, "{rps:?}");
        assert!((cpu.ratio - 1.1).abs() < 1e-9, "{cpu:?}");
        assert!(!summary.target_met(), "0.9× req/s misses the 0.95× target");
    }

    #[test]
    fn rounds_without_a_cpu_figure_leave_the_cpu_ratio_unmeasured() {
        let rounds = [
            round("minimal", 1, 200_000.0, None),
            round("raw", 1, 199_000.0, Some(5.0)),
        ];
        let summary = summarise("json", &rounds, 7);
        assert!(summary.rps_ratio.is_some());
        assert_eq!(summary.cpu_ratio, None);
        assert_eq!(summary.minimal_median_cpu_us, None);
        assert!(!summary.target_met());
    }
}
