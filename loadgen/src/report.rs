//! What a load run found out ([`LoadReport`], also the `--json` output),
//! and its rendering for a terminal in the spirit of wrk's output.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::config::Engine;
use crate::latency::{LatencySummary, format_micros};
use crate::recorder::ErrorCounts;

/// Everything a load run found out; serialised as `--json` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    pub method: String,
    pub url: String,
    /// `closed loop` or `open loop`.
    pub load_model: String,
    /// Open loop: the requested rate (req/s).
    pub target_rate: Option<f64>,
    pub connections: usize,
    pub threads: usize,
    pub pipeline: usize,
    pub engine: Engine,
    pub warmup_s: f64,
    /// Measured wall-clock time, from the end of warm-up to the last response.
    pub duration_s: f64,
    /// Measured responses, whatever their status.
    pub requests: u64,
    pub requests_per_second: f64,
    pub body_bytes: u64,
    /// Service time: from writing the request to the end of the response.
    pub latency: LatencySummary,
    /// Open loop only: from the *intended* send time (coordinated-omission
    /// corrected, as wrk2 reports it).
    pub corrected_latency: Option<LatencySummary>,
    /// Open loop only: how late requests left against their schedule.
    pub send_lag: Option<LatencySummary>,
    pub status_counts: BTreeMap<u16, u64>,
    pub errors: ErrorCounts,
    pub client_cpu: ClientCpu,
    /// The CPU every client thread was pinned to, if pinning worked.
    pub client_pinned_cpu: Option<usize>,
    pub notes: Vec<String>,
}

/// The load generator's own CPU use during the measured part.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ClientCpu {
    pub user_s: f64,
    pub system_s: f64,
    /// CPU seconds per wall-clock second (1.0 = one core fully busy).
    pub cores_busy: f64,
    pub us_per_request: f64,
}

impl LoadReport {
    /// The report as text for a terminal, in the spirit of wrk's output.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} {}", self.method, self.url);
        let model = match self.target_rate {
            Some(rate) => format!(
                "open loop: target {rate:.0} req/s, achieved {:.0} req/s",
                self.requests_per_second
            ),
            None => {
                "closed loop (each connection sends as soon as the last response is in)".to_owned()
            }
        };
        let _ = writeln!(out, "  {model}");
        let _ = writeln!(
            out,
            "  {} connections on {} thread(s), {} engine, pipeline depth {}, warm-up {:.1}s, measured {:.2}s",
            self.connections,
            self.threads,
            self.engine.name(),
            self.pipeline,
            self.warmup_s,
            self.duration_s
        );
        let _ = writeln!(
            out,
            "  {} responses, {:.0} req/s, {:.2} MB of bodies",
            self.requests,
            self.requests_per_second,
            self.body_bytes as f64 / 1e6
        );
        self.render_latencies(&mut out);
        let statuses: Vec<String> = self
            .status_counts
            .iter()
            .map(|(code, count)| format!("{code}: {count}"))
            .collect();
        let _ = writeln!(out, "  status codes: {}", statuses.join(", "));
        let e = &self.errors;
        let _ = writeln!(
            out,
            "  errors: connect {}, timeout {}, reset {}, malformed {}, other {}",
            e.connect, e.timeout, e.reset, e.malformed, e.other
        );
        let pinned = self.client_pinned_cpu.map_or_else(
            || "unpinned".to_owned(),
            |cpu| format!("pinned to CPU {cpu}"),
        );
        let _ = writeln!(
            out,
            "  load generator CPU: user {:.2}s + system {:.2}s = {:.0}% of one core, {:.1} µs/request ({pinned})",
            self.client_cpu.user_s,
            self.client_cpu.system_s,
            self.client_cpu.cores_busy * 100.0,
            self.client_cpu.us_per_request
        );
        for note in &self.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        out
    }

    /// The latency lines: service time, and in open loop the corrected
    /// latency and the send lag too.
    fn render_latencies(&self, out: &mut String) {
        let mut latency = |label: &str, summary: &LatencySummary| {
            let _ = writeln!(
                out,
                "  {label}\n    p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
                format_micros(summary.p50_us as f64),
                format_micros(summary.p90_us as f64),
                format_micros(summary.p99_us as f64),
                format_micros(summary.p999_us as f64),
                format_micros(summary.max_us as f64),
            );
        };
        if let Some(corrected) = &self.corrected_latency {
            latency(
                "latency from intended send time (corrected for coordinated omission):",
                corrected,
            );
            latency(
                "service time, from actual send (uncorrected):",
                &self.latency,
            );
            if let Some(lag) = &self.send_lag {
                latency(
                    "send lag behind schedule (includes the generator's 1 ms timer resolution):",
                    lag,
                );
            }
        } else {
            latency("latency (from send to end of response):", &self.latency);
        }
    }
}
