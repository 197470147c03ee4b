//! `bench-harness calibrate`: the instrument checks itself against wrk.
//!
//! wrk is the reference HTTP load tool: small, written in C, event-driven,
//! and about as cheap per request as a client can be. If our generator,
//! pointed at the same raw-server endpoint with the same connections,
//! threads and CPU, reaches at least wrk's request rate with a median
//! latency within 10% of wrk's, it is not what limits the measurement.
//!
//! wrk and our generator run alternately (wrk, ours, wrk, ours, …), at
//! least 5 rounds each; we report medians and the ratio ours/wrk with a
//! bootstrap 95% interval, like `compare` does for servers.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;
use nix::sys::resource::{UsageWho, getrusage};
use serde::{Deserialize, Serialize};

use crate::child::process::{LaunchSpec, ServerProcess};
use crate::host::environment::Environment;
use crate::host::pinning::{PinningPlan, allowed_cpus};
use crate::servers::ServerKind;
use crate::stats::{DEFAULT_RESAMPLES, RatioEstimate, bootstrap_ratio_of_medians, median};
use loadgen::request::RequestSpec;
use loadgen::{self as load, Engine, LoadConfig};

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
}

/// What wrk printed, the parts we use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WrkOutput {
    pub requests: u64,
    pub requests_per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    /// `Non-2xx or 3xx responses`, 0 when wrk did not mention any.
    pub non_success: u64,
    /// Sum of wrk's `Socket errors` (connect, read, write, timeout).
    pub socket_errors: u64,
}

/// Parses wrk's report (run with `--latency`).
pub fn parse_wrk_output(text: &str) -> anyhow::Result<WrkOutput> {
    let mut output = WrkOutput {
        requests: 0,
        requests_per_second: f64::NAN,
        p50_us: f64::NAN,
        p99_us: f64::NAN,
        non_success: 0,
        socket_errors: 0,
    };
    for line in text.lines().map(str::trim) {
        if let Some(value) = line.strip_prefix("Requests/sec:") {
            output.requests_per_second = value.trim().parse().context("wrk's Requests/sec")?;
        } else if let Some(value) = line.strip_prefix("50%") {
            output.p50_us = parse_wrk_duration(value.trim())?;
        } else if let Some(value) = line.strip_prefix("99%") {
            output.p99_us = parse_wrk_duration(value.trim())?;
        } else if let Some(value) = line.strip_prefix("Non-2xx or 3xx responses:") {
            output.non_success = value.trim().parse().context("wrk's non-2xx count")?;
        } else if let Some(value) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            output.socket_errors = value
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
        } else if line.contains(" requests in ") {
            output.requests = line
                .split_whitespace()
                .next()
                .and_then(|count| count.parse().ok())
                .context("wrk's request count")?;
        }
    }
    if output.requests_per_second.is_nan() || output.p50_us.is_nan() {
        bail!("wrk's output has no Requests/sec or 50% latency line:\n{text}");
    }
    Ok(output)
}

/// wrk prints durations as `612.00us`, `1.25ms`, `2.00s` or `1.00m`.
fn parse_wrk_duration(text: &str) -> anyhow::Result<f64> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .with_context(|| format!("no unit in wrk duration `{text}`"))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .with_context(|| format!("bad number in wrk duration `{text}`"))?;
    let micros = match unit {
        "us" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" => 60e6,
        "h" => 3600e6,
        _ => bail!("unknown unit in wrk duration `{text}`"),
    };
    Ok(number * micros)
}

/// One round of either tool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CalibrationRound {
    pub tool: String,
    pub round: usize,
    pub requests: u64,
    pub requests_per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub errors: u64,
    /// The tool's own CPU per request (wrk: from `getrusage` of children).
    pub client_cpu_us_per_request: f64,
}

/// The calibration result, written as `calibration.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Calibration {
    pub schema_version: u32,
    pub started_at: String,
    pub url: String,
    pub connections: usize,
    pub threads: usize,
    pub duration_s: f64,
    pub engine: Engine,
    pub rounds: Vec<CalibrationRound>,
    pub wrk_median_rps: f64,
    pub ours_median_rps: f64,
    pub wrk_median_p50_us: f64,
    pub ours_median_p50_us: f64,
    /// ours / wrk, req/s: the target is ≥ 1.0.
    pub rps_ratio: Option<RatioEstimate>,
    /// ours / wrk, p50: the target is within 0.9 ..= 1.1.
    pub p50_ratio: Option<RatioEstimate>,
    pub target_met: bool,
    pub pinning: PinningPlan,
    pub environment: Environment,
}

/// Makes sure wrk can be run; installs it with apt when we are root.
fn ensure_wrk(wrk: &str) -> anyhow::Result<String> {
    let version = || {
        // `wrk -v` prints its version and exits with status 1; only a failure
        // to start means it is missing.
        Command::new(wrk).arg("-v").output().ok().map(|output| {
            let text = String::from_utf8_lossy(&output.stdout).to_string()
                + &String::from_utf8_lossy(&output.stderr);
            text.lines().next().unwrap_or("wrk").trim().to_owned()
        })
    };
    if let Some(version) = version() {
        return Ok(version);
    }
    if !nix::unistd::geteuid().is_root() {
        bail!(
            "`{wrk}` is not installed. Install it with `sudo apt-get install wrk` \
             (Debian/Ubuntu), `brew install wrk` (macOS), or pass --wrk PATH."
        );
    }
    if !crate::host::apt::install("wrk") {
        bail!("`apt-get install -y wrk` failed; install wrk by hand or pass --wrk PATH");
    }
    version().context("wrk was installed but cannot be run")
}

/// Runs the calibration and writes `calibration.json` into `options.out`.
pub fn run(options: &CalibrateOptions) -> anyhow::Result<Calibration> {
    if options.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let stop = crate::interrupt_flag();
    let started_at = crate::output::timestamp();
    let wrk_version = ensure_wrk(&options.wrk)?;
    let mut environment = Environment::capture();
    environment
        .tool_versions
        .insert("wrk".to_owned(), wrk_version);
    let endpoint = shared_handlers::catalogue::by_name(&options.endpoint)
        .with_context(|| format!("unknown endpoint {}", options.endpoint))?;
    if endpoint.method != shared_handlers::Method::Get {
        bail!("calibration uses GET endpoints (wrk sends GET without a script)");
    }
    let mut pinning = PinningPlan::decide(
        options.pin,
        options.server_cpu,
        options.client_cpu,
        &allowed_cpus(),
    );
    eprintln!("pinning: {}", pinning.note);

    let scratch = tempfile::Builder::new()
        .prefix("bench-harness-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let server = ServerProcess::launch(&LaunchSpec {
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
        database: scratch.path().join("raw.sqlite3"),
        log: scratch.path().join("raw.log"),
        executable: options.executable.clone(),
    })?;
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
    config.stop = stop.clone();

    if !options.warmup.is_zero() {
        eprintln!("warm-up {:?}", options.warmup);
        let mut warm = config.clone();
        warm.duration = options.warmup;
        load::run(&warm)?;
    }

    let mut rounds = Vec::new();
    for round in 1..=options.rounds {
        if stop.load(Ordering::SeqCst) {
            bail!("interrupted");
        }
        let mut wrk = run_wrk(options, &url, client_cpu)?;
        wrk.round = round;
        eprintln!(
            "round {round}/{}: wrk  {:>9.0} req/s  p50 {:>8}",
            options.rounds,
            wrk.requests_per_second,
            loadgen::latency::format_micros(wrk.p50_us)
        );
        rounds.push(wrk);
        let ours = load::run(&config)?;
        let ours = CalibrationRound {
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
        };
        eprintln!(
            "round {round}/{}: ours {:>9.0} req/s  p50 {:>8}",
            options.rounds,
            ours.requests_per_second,
            loadgen::latency::format_micros(ours.p50_us)
        );
        rounds.push(ours);
    }
    drop(server);

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
    let calibration = Calibration {
        schema_version: 1,
        started_at,
        url,
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
        pinning,
        environment,
    };
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let json = serde_json::to_string_pretty(&calibration).context("cannot serialise")?;
    std::fs::write(options.out.join("calibration.json"), json + "\n")
        .with_context(|| format!("cannot write {}", options.out.display()))?;
    std::fs::write(options.out.join("calibration.txt"), calibration.render())
        .with_context(|| format!("cannot write {}", options.out.display()))?;
    Ok(calibration)
}

/// One wrk round, pinned to the client CPU through `exec-pinned`.
fn run_wrk(
    options: &CalibrateOptions,
    url: &str,
    client_cpu: Option<usize>,
) -> anyhow::Result<CalibrationRound> {
    let seconds = options.duration.as_secs().max(1);
    let wrk_args = [
        options.wrk.clone(),
        "-t".to_owned(),
        options.threads.to_string(),
        "-c".to_owned(),
        options.connections.to_string(),
        "-d".to_owned(),
        format!("{seconds}s"),
        "--latency".to_owned(),
        url.to_owned(),
    ];
    let mut command = match client_cpu {
        Some(cpu) => {
            let mut command = Command::new(&options.executable);
            command
                .arg("exec-pinned")
                .arg("--cpu")
                .arg(cpu.to_string())
                .arg("--")
                .args(&wrk_args);
            command
        }
        None => {
            let mut command = Command::new(&wrk_args[0]);
            command.args(&wrk_args[1..]);
            command
        }
    };
    let children_before = children_cpu_seconds();
    let output = command
        .stdin(Stdio::null())
        .output()
        .context("cannot run wrk")?;
    let cpu = children_cpu_seconds() - children_before;
    let text = String::from_utf8_lossy(&output.stdout);
    let parsed = parse_wrk_output(&text)?;
    Ok(CalibrationRound {
        tool: "wrk".to_owned(),
        round: 0,
        requests: parsed.requests,
        requests_per_second: parsed.requests_per_second,
        p50_us: parsed.p50_us,
        p99_us: parsed.p99_us,
        errors: parsed.non_success + parsed.socket_errors,
        client_cpu_us_per_request: if parsed.requests > 0 {
            cpu * 1e6 / parsed.requests as f64
        } else {
            0.0
        },
    })
}

/// CPU seconds used by our waited-for children so far.
fn children_cpu_seconds() -> f64 {
    getrusage(UsageWho::RUSAGE_CHILDREN).map_or(0.0, |usage| {
        let seconds = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
        seconds(usage.user_time()) + seconds(usage.system_time())
    })
}

impl Calibration {
    /// The calibration as a table for the terminal and the docs.
    pub fn render(&self) -> String {
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
            self.pinning.note
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

#[cfg(test)]
mod tests {
    use super::*;

    const WRK_OUTPUT: &str = "\
Running 5s test @ http://127.0.0.1:40000/plaintext
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   612.34us  120.50us   8.12ms   91.20%
    Req/Sec   104.21k     3.10k  110.00k    72.00%
  Latency Distribution
     50%  598.00us
     75%  640.00us
     90%  700.00us
     99%    1.21ms
  518532 requests in 5.00s, 63.79MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec: 103706.40
Transfer/sec:     12.76MB
";

    #[test]
    fn wrk_output_is_parsed_into_rate_percentiles_and_errors() {
        let parsed = parse_wrk_output(WRK_OUTPUT).expect("valid wrk output");
        assert_eq!(parsed.requests, 518_532);
        assert!((parsed.requests_per_second - 103_706.40).abs() < 1e-6);
        assert!((parsed.p50_us - 598.0).abs() < 1e-9);
        assert!((parsed.p99_us - 1_210.0).abs() < 1e-9);
        assert_eq!(parsed.socket_errors, 3);
        assert_eq!(parsed.non_success, 7);
    }

    #[test]
    fn wrk_durations_in_every_unit_become_microseconds() {
        assert_eq!(parse_wrk_duration("850.00us").expect("us"), 850.0);
        assert_eq!(parse_wrk_duration("1.50ms").expect("ms"), 1_500.0);
        assert_eq!(parse_wrk_duration("2.00s").expect("s"), 2_000_000.0);
        assert!(parse_wrk_duration("3.0xs").is_err());
    }

    #[test]
    fn output_without_a_rate_is_an_error_that_shows_the_output() {
        let error = parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused")
            .expect_err("no rate");
        assert!(error.to_string().contains("Connection refused"));
    }
}
