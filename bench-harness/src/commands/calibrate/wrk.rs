//! wrk, the reference: making sure it can be run (installing it when we
//! may), running one round of it pinned to the client CPU, and parsing
//! what it prints.

use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use nix::sys::resource::{UsageWho, getrusage};
use serde::{Deserialize, Serialize};

use super::{CalibrateOptions, CalibrationRound};

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

/// Makes sure wrk can be run; installs it with apt when we are root.
pub(super) fn ensure_wrk(wrk: &str) -> anyhow::Result<String> {
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

/// One wrk round of `duration` (whole seconds, at least 1), pinned to the
/// client CPU through `exec-pinned`.
pub(super) fn run_wrk(
    options: &CalibrateOptions,
    url: &str,
    client_cpu: Option<usize>,
    duration: std::time::Duration,
) -> anyhow::Result<CalibrationRound> {
    let seconds = duration.as_secs().max(1);
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
