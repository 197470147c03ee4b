//! `results.json` (schema version 1) and the terminal table of `compare`.
//!
//! The JSON holds everything: configuration, environment, pinning, every
//! round with every metric, and the summaries. The table is the part a
//! person reads first: per endpoint and server the medians, and for each
//! server against `raw` the change with its 95% interval.
//!
//! Schema changes that remove or rename a field bump [`SCHEMA_VERSION`];
//! adding a field does not.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::child::database::DatabaseInfo;
use crate::host::environment::Environment;
use crate::host::pinning::PinningPlan;
use crate::stats::RatioEstimate;
use loadgen::latency::LatencySummary;
use loadgen::recorder::ErrorCounts;

pub const SCHEMA_VERSION: u32 = 1;

/// The whole of `results.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub schema_version: u32,
    /// `bench-harness <version>`.
    pub tool: String,
    pub started_at: String,
    pub finished_at: String,
    /// Which comparison this is: both servers on the same connection layer,
    /// or framework-server on `axum::serve`'s defaults.
    pub comparison: String,
    pub config: RunConfig,
    pub environment: Environment,
    pub pinning: PinningPlan,
    pub servers: Vec<ServerInfo>,
    /// Every measured round, in the order they ran.
    pub rounds: Vec<Round>,
    pub summary: Vec<Summary>,
    pub notes: Vec<String>,
    /// How noisy the machine was and what was measured again.
    #[serde(default)]
    pub noise: Option<Noise>,
    /// Disturbed rounds that were measured again: kept for the record,
    /// left out of every statistic.
    #[serde(default)]
    pub repeated_rounds: Vec<Round>,
    /// The run was interrupted: only what was measured so far is here.
    #[serde(default)]
    pub partial: bool,
}

/// How noisy the machine was during a comparison.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Noise {
    /// Rounds kept (in every statistic) and rounds measured again.
    pub rounds_kept: usize,
    pub rounds_repeated: usize,
    /// Kept rounds that were still disturbed (the repeat budget ran out).
    pub rounds_kept_disturbed: usize,
    /// Share of the server's core other processes took per round, over
    /// the kept rounds: median and maximum (0.25 = a quarter of the time).
    pub server_core_others_median: Option<f64>,
    pub server_core_others_max: Option<f64>,
    /// The same on the load generator's core.
    pub client_core_others_median: Option<f64>,
    /// Hypervisor steal on the server's core, summed over the kept rounds.
    pub server_core_steal_s: Option<f64>,
    /// The 1-minute load average at the start and at the end.
    pub load_average_start: Option<f64>,
    pub load_average_end: Option<f64>,
    /// Per endpoint and server against the baseline: the spread of the
    /// paired CPU-per-request ratios (their coefficient of variation).
    pub paired_cpu_ratio_cv: Vec<PairSpread>,
    /// The scheduling policy of the rounds (`SCHED_RR 1`, `SCHED_OTHER`).
    #[serde(default)]
    pub scheduling: Option<String>,
}

/// Above this median spread of the paired ratios the rounds were unsteady:
/// quiet and busy runs on the 2-core machine of the docs spread 3–12%.
const UNSTEADY_SPREAD: f64 = 0.12;

impl Noise {
    /// The case the other figures cannot explain, said in words: the pairs
    /// spread widely although nothing else was running when the run began,
    /// other processes took next to nothing of the server's core and the
    /// hypervisor stole next to nothing. What slowed the rounds then was
    /// outside the guest (a busy host, a throttled core), where `/proc`
    /// cannot see it, and a run at another time narrows the intervals more
    /// than a longer run. `round_s` is the length of one round.
    pub fn unexplained_spread(&self, round_s: f64) -> Option<String> {
        let spreads: Vec<f64> = self.paired_cpu_ratio_cv.iter().map(|s| s.cv).collect();
        let median = crate::stats::median(&spreads)?;
        let load_at_start = self.load_average_start?;
        let others = self.server_core_others_median?;
        let steal_s = self.server_core_steal_s.unwrap_or(0.0);
        let rounds_s = self.rounds_kept as f64 * round_s;
        let looked_quiet = load_at_start < 1.0 && others < 0.05 && steal_s < 0.02 * rounds_s;
        (median > UNSTEADY_SPREAD && looked_quiet).then(|| {
            format!(
                "the paired ratios spread {:.0}% (median over endpoints) although the machine \
                 looked quiet: load average {load_at_start:.2} when the run began, {:.1}% of \
                 the server's core to other processes in the median round, {steal_s:.1} s of \
                 steal. Variation this large with nothing to see comes from outside the guest \
                 (a busy or throttled host); the intervals are wide for that reason, and a run \
                 at another time narrows them more than a longer one",
                median * 100.0,
                others * 100.0,
            )
        })
    }
}

/// The spread of one server's paired ratios on one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairSpread {
    pub endpoint: String,
    pub server: String,
    pub pairs: usize,
    /// Standard deviation over mean of the ratios (0.03 = 3%).
    pub cv: f64,
}

/// The settings of a comparison, as used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunConfig {
    pub endpoints: Vec<EndpointTarget>,
    pub load_model: String,
    pub connections: usize,
    pub client_threads: usize,
    pub pipeline: usize,
    pub engine: loadgen::Engine,
    pub rounds: usize,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub quick: bool,
    pub server_runtime: String,
    pub server_workers: usize,
    pub bootstrap_resamples: usize,
    pub bootstrap_seed: u64,
    /// How the ratios to the baseline are estimated.
    #[serde(default)]
    pub ratio_method: String,
    /// Disturbed rounds that may be measured again, per endpoint.
    #[serde(default)]
    pub repeat_disturbed: usize,
    /// Which database the launched servers used, and where it ran.
    /// Absent in files written before `--database` existed: those ran on
    /// SQLite.
    #[serde(default)]
    pub database: Option<DatabaseInfo>,
}

impl RunConfig {
    /// The load in one line, as the terminal table and the report show it:
    /// model, connections, threads, engine, pipeline, rounds and warm-up.
    pub fn describe_load(&self) -> String {
        format!(
            "{}, {} connections, {} client thread(s), {} engine, pipeline {}; {} alternating rounds of {:.1} s per server after {:.1} s warm-up{}",
            self.load_model,
            self.connections,
            self.client_threads,
            self.engine.name(),
            self.pipeline,
            self.rounds,
            self.duration_s,
            self.warmup_s,
            if self.quick { " (--quick)" } else { "" }
        )
    }

    /// The database in one line, for the terminal table and the report.
    pub fn describe_database(&self) -> String {
        self.database.as_ref().map_or_else(
            || "SQLite, one file per server".to_owned(),
            |database| database.description.clone(),
        )
    }
}

/// One endpoint as requested: catalogue name, method and request target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointTarget {
    pub name: String,
    pub method: String,
    pub target: String,
}

/// One server in the comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerInfo {
    pub name: String,
    pub description: String,
    /// Started by the harness (so its CPU and memory can be measured), or
    /// an already running `--target`.
    pub launched: bool,
    pub url: String,
    pub pinned_cpu: Option<usize>,
    /// The server's own executable (`raw-server`, `framework-server`)
    /// built beside the harness: its size as built and stripped.
    #[serde(default)]
    pub binary: Option<crate::host::binaries::BinarySize>,
}

/// One measured round: one server, one endpoint, one stretch of load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Round {
    pub endpoint: String,
    pub server: String,
    /// 1-based round number within this endpoint and server.
    pub round: usize,
    pub requests: u64,
    pub duration_s: f64,
    pub requests_per_second: f64,
    pub latency: LatencySummary,
    pub status_counts: std::collections::BTreeMap<u16, u64>,
    pub errors: ErrorCounts,
    /// Server user+system CPU during the round (launched servers only).
    pub server_cpu_s: Option<f64>,
    pub server_cpu_us_per_request: Option<f64>,
    /// Server CPU seconds per second: 1.0 = one core fully busy.
    pub server_cores_busy: Option<f64>,
    pub server_rss_kib: Option<u64>,
    pub client_cpu_s: f64,
    pub client_cpu_us_per_request: f64,
    pub client_cores_busy: f64,
    /// The load generator's core was saturated and the server's was not:
    /// this round measured the client, not the server.
    pub client_bound: bool,
    /// Position of the round in the whole run (0-based), so each round can
    /// be paired with the baseline rounds just before and after it.
    #[serde(default)]
    pub sequence: usize,
    /// The server CPU came from its threads' nanosecond counters
    /// (`schedstat`); `false`: from `/proc/<pid>/stat` ticks.
    #[serde(default)]
    pub server_cpu_from_threads: bool,
    /// CPU time other processes took on the server's core during the round
    /// (the core's busy time in `/proc/stat` minus the server's own).
    #[serde(default)]
    pub server_core_others_s: Option<f64>,
    /// The same on the load generator's core.
    #[serde(default)]
    pub client_core_others_s: Option<f64>,
    /// Time the hypervisor gave to other guests on the server's core.
    #[serde(default)]
    pub server_core_steal_s: Option<f64>,
    /// The server threads' wake-ups (scheduler time slices) during the
    /// round, when counted from its threads.
    #[serde(default)]
    pub server_wakeups: Option<u64>,
    /// Other processes took more than [`DISTURBED_SHARE`] of the server's
    /// core during the round.
    #[serde(default)]
    pub disturbed: bool,
}

/// A round in which other processes took more than this share of the
/// server's core (as a fraction of the round's wall time) is disturbed:
/// it is measured again, within a budget, and counted in the report.
pub const DISTURBED_SHARE: f64 = 0.10;

/// Medians over the rounds of one server on one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Medians {
    pub requests_per_second: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub server_cpu_us_per_request: Option<f64>,
    pub client_cpu_us_per_request: f64,
    pub server_rss_kib: Option<f64>,
}

/// Ratios `server / baseline`, paired round by round (see
/// [`RunConfig::ratio_method`]), with bootstrap 95% intervals.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ratios {
    pub baseline: String,
    pub requests_per_second: Option<RatioEstimate>,
    pub p50_us: Option<RatioEstimate>,
    pub p99_us: Option<RatioEstimate>,
    pub server_cpu_us_per_request: Option<RatioEstimate>,
}

/// The summary of one server on one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub endpoint: String,
    pub server: String,
    pub rounds: usize,
    pub client_bound_rounds: usize,
    pub errors: u64,
    /// Responses with a status outside 200..400: a misconfigured endpoint
    /// (say, a POST without its body) must not pass for a fast one.
    pub non_success_responses: u64,
    pub median: Medians,
    /// Against `raw`; absent for `raw` itself.
    pub vs_baseline: Option<Ratios>,
}

impl Summary {
    /// What a reader must know before trusting this line's figures:
    /// client-bound rounds, errors, responses outside 2xx/3xx. The terminal
    /// table and the report both show these words.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.client_bound_rounds > 0 {
            notes.push(format!(
                "CLIENT-BOUND in {}/{} rounds",
                self.client_bound_rounds, self.rounds
            ));
        }
        if self.errors > 0 {
            notes.push(format!("{} errors", self.errors));
        }
        if self.non_success_responses > 0 {
            notes.push(format!(
                "{} non-2xx/3xx responses",
                self.non_success_responses
            ));
        }
        notes
    }
}

impl Results {
    /// Writes `results.json` and `table.txt` into `dir` (created if needed).
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let json = serde_json::to_string_pretty(self).context("cannot serialise results")?;
        std::fs::write(dir.join("results.json"), json + "\n")
            .with_context(|| format!("cannot write {}/results.json", dir.display()))?;
        std::fs::write(dir.join("table.txt"), self.render_table())
            .with_context(|| format!("cannot write {}/table.txt", dir.display()))?;
        Ok(())
    }

    /// The terminal table: what was compared, how, and the answer.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let c = &self.config;
        if self.partial {
            let _ = writeln!(
                out,
                "PARTIAL: interrupted; only the rounds measured before are here"
            );
        }
        let _ = writeln!(out, "Comparison: {}", self.comparison);
        let _ = writeln!(out, "Load: {}", c.describe_load());
        let _ = writeln!(
            out,
            "Servers: {} runtime, {} worker(s); {}",
            c.server_runtime, c.server_workers, self.pinning.note
        );
        let _ = writeln!(out, "Database: {}", c.describe_database());
        let _ = writeln!(
            out,
            "Machine: {} ({} CPUs), kernel {}, {}, {} build, commit {}",
            self.environment.cpu_model,
            self.environment.logical_cpus,
            self.environment.kernel,
            self.environment.rustc,
            self.environment.build_profile,
            self.environment.git_commit
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<16} {:<12} {:>10} {:>9} {:>9} {:>11} {:>11} {:>8}  notes",
            "endpoint", "server", "req/s", "p50", "p99", "CPU µs/req", "client µs", "RSS MiB"
        );
        for summary in &self.summary {
            render_summary(&mut out, summary);
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Overhead = change in server CPU time per request against raw, paired round by round \
             (each round against the raw rounds right before and after it), with a bootstrap 95% \
             confidence interval [low, high]. An interval that contains 0% means no difference \
             was detected."
        );
        if let Some(noise) = &self.noise {
            let share =
                |s: Option<f64>| s.map_or_else(|| "-".to_owned(), |s| format!("{:.0}%", s * 100.0));
            let _ = writeln!(
                out,
                "Noise: other processes took {} of the server's core per round (median; max {}), {} of the generator's; {} disturbed round(s) measured again, {} kept although disturbed",
                share(noise.server_core_others_median),
                share(noise.server_core_others_max),
                share(noise.client_core_others_median),
                noise.rounds_repeated,
                noise.rounds_kept_disturbed
            );
            if let Some(note) = noise.unexplained_spread(self.config.duration_s) {
                let _ = writeln!(out, "note: {note}");
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}

/// One summary line of the terminal table, and its ratios to the baseline.
fn render_summary(out: &mut String, summary: &Summary) {
    let m = &summary.median;
    let notes = summary.notes();
    let _ = writeln!(
        out,
        "{:<16} {:<12} {:>10.0} {:>9} {:>9} {:>11} {:>11.1} {:>8}  {}",
        summary.endpoint,
        summary.server,
        m.requests_per_second,
        loadgen::latency::format_micros(m.p50_us),
        loadgen::latency::format_micros(m.p99_us),
        m.server_cpu_us_per_request
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.2}")),
        m.client_cpu_us_per_request,
        m.server_rss_kib
            .map_or_else(|| "-".to_owned(), |v| format!("{:.1}", v / 1024.0)),
        notes.join("; ")
    );
    if let Some(ratios) = &summary.vs_baseline {
        let show = |estimate: &Option<RatioEstimate>| {
            estimate.map_or_else(|| "n/a".to_owned(), |e| e.percent())
        };
        let _ = writeln!(
            out,
            "{:<16}   {}/{}: CPU/request {}  req/s {}  p50 {}  p99 {}",
            "",
            summary.server,
            ratios.baseline,
            show(&ratios.server_cpu_us_per_request),
            show(&ratios.requests_per_second),
            show(&ratios.p50_us),
            show(&ratios.p99_us),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `config` as written before `--database` existed.
    const OLD_CONFIG: &str = r#"{"endpoints": [], "load_model": "closed loop", "connections": 64,
        "client_threads": 1, "pipeline": 1, "engine": "raw", "rounds": 16, "duration_s": 1.0,
        "warmup_s": 0.5, "quick": false, "server_runtime": "multi-thread", "server_workers": 1,
        "bootstrap_resamples": 2000, "bootstrap_seed": 7}"#;

    #[test]
    fn a_config_from_before_the_database_field_reads_as_sqlite() {
        let config: RunConfig = serde_json::from_str(OLD_CONFIG).expect("old configs still read");
        assert_eq!(config.database, None);
        assert_eq!(config.describe_database(), "SQLite, one file per server");
    }

    #[test]
    fn the_database_survives_a_round_trip_and_is_described_as_recorded() {
        let mut config: RunConfig = serde_json::from_str(OLD_CONFIG).expect("reads");
        config.database = Some(DatabaseInfo {
            backend: "postgres".to_owned(),
            description: "PostgreSQL 15.18, throwaway cluster on CPU 1".to_owned(),
            started_by_harness: true,
            cpus: Some(vec![1]),
            shares_client_cpu: true,
            version: Some("15.18".to_owned()),
        });
        let text = serde_json::to_string(&config).expect("writes");
        let back: RunConfig = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back.database, config.database);
        assert_eq!(
            back.describe_database(),
            "PostgreSQL 15.18, throwaway cluster on CPU 1"
        );
    }
}
