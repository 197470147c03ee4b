//! The calibration JSON (schema version 2): what `bench-harness calibrate`
//! writes as `calibration.json`.
//!
//! Two checks of the instrument, each optional (`--only` runs one):
//!
//! - [`GeneratorCheck`]: our load generator against wrk on the same
//!   raw-server endpoint. Is the client what limits the measurement?
//! - [`BaselineCheck`]: raw-server with `--middleware none` against a
//!   minimal hyper server (`raw-server/examples/minimal_hyper.rs`) on
//!   `/plaintext` and `/json`, both driven by wrk. Is the floor every
//!   figure is measured against as fast as hyper gets?
//!
//! Version 1 had the generator check's fields at the top level.

use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::host::environment::Environment;
use crate::host::pinning::PinningPlan;
use crate::stats::RatioEstimate;
use loadgen::Engine;

/// `calibration.json`'s schema. Removing or renaming a field bumps it;
/// adding one does not.
pub const CALIBRATION_SCHEMA_VERSION: u32 = 2;

/// The baseline target: raw-server `none` reaches at least this share of
/// the minimal server's req/s...
pub const BASELINE_MIN_RPS_RATIO: f64 = 0.95;
/// ... and spends at most this multiple of its CPU per request.
pub const BASELINE_MAX_CPU_RATIO: f64 = 1.05;

/// The whole calibration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Calibration {
    pub schema_version: u32,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// Ours against wrk; `null` when not run.
    pub generator: Option<GeneratorCheck>,
    /// raw-server `none` against the minimal hyper server; `null` when not run.
    pub baseline: Option<BaselineCheck>,
    pub pinning: PinningPlan,
    pub environment: Environment,
}

/// One round of either tool in the generator check.
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

/// Our generator against wrk, alternating rounds on one raw-server endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeneratorCheck {
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
}

/// One wrk round against one of the two baseline servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineRound {
    pub endpoint: String,
    /// `raw` (raw-server `--middleware none`) or `minimal` (minimal_hyper).
    pub server: String,
    pub round: usize,
    pub requests: u64,
    pub requests_per_second: f64,
    /// The server process's CPU (user + system, all threads) over the
    /// round, per request; `null` when `/proc` could not be read.
    pub server_cpu_us_per_request: Option<f64>,
    pub errors: u64,
}

/// The two ratios of one endpoint, raw / minimal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineEndpoint {
    pub endpoint: String,
    pub raw_median_rps: f64,
    pub minimal_median_rps: f64,
    pub raw_median_cpu_us: Option<f64>,
    pub minimal_median_cpu_us: Option<f64>,
    /// raw / minimal req/s, paired per round: the target is ≥ 0.95.
    pub rps_ratio: Option<RatioEstimate>,
    /// raw / minimal server CPU per request, paired: the target is ≤ 1.05.
    pub cpu_ratio: Option<RatioEstimate>,
}

impl BaselineEndpoint {
    /// Whether both point estimates meet the target.
    pub fn target_met(&self) -> bool {
        self.rps_ratio
            .is_some_and(|r| r.ratio >= BASELINE_MIN_RPS_RATIO)
            && self
                .cpu_ratio
                .is_some_and(|r| r.ratio <= BASELINE_MAX_CPU_RATIO)
    }
}

/// raw-server `none` against the minimal hyper server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineCheck {
    /// The load tool (wrk, the same for both servers).
    pub tool: String,
    pub connections: usize,
    pub threads: usize,
    pub duration_s: f64,
    /// How each server was started, for the reader to repeat it.
    pub raw_command: Vec<String>,
    pub minimal_command: Vec<String>,
    pub rounds: Vec<BaselineRound>,
    pub endpoints: Vec<BaselineEndpoint>,
    /// Every endpoint meets both targets.
    pub target_met: bool,
}

impl Calibration {
    /// Parses a `calibration.json`, refusing other schema versions.
    pub fn parse(text: &str) -> anyhow::Result<Calibration> {
        let value: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
        let version = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(CALIBRATION_SCHEMA_VERSION)) {
            bail!(
                "calibration schema version {version:?}, this harness reads {CALIBRATION_SCHEMA_VERSION}"
            );
        }
        serde_json::from_value(value).context("not a calibration file")
    }

    /// Reads and parses `path`.
    pub fn read(path: &Path) -> anyhow::Result<Calibration> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Calibration::parse(&text).with_context(|| format!("in {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/calibration.json");

    #[test]
    fn the_documented_calibration_format_parses_with_a_baseline_and_no_generator_check() {
        let calibration = Calibration::parse(FIXTURE).expect("the fixture is valid");

        assert!(calibration.generator.is_none());
        let baseline = calibration.baseline.expect("a baseline check");
        assert_eq!(baseline.rounds.len(), 4);
        let json = &baseline.endpoints[1];
        assert_eq!(json.endpoint, "json");
        assert_eq!(json.cpu_ratio.map(|r| r.ratio), Some(1.12));
        assert!(!json.target_met(), "1.12× CPU is over the 1.05× target");
        assert!(baseline.endpoints[0].target_met());
    }

    #[test]
    fn a_calibration_survives_a_round_trip() {
        let calibration = Calibration::parse(FIXTURE).expect("valid");
        let text = serde_json::to_string(&calibration).expect("serialises");
        let back = Calibration::parse(&text).expect("valid");
        assert_eq!(
            serde_json::to_value(&back).expect("value"),
            serde_json::to_value(&calibration).expect("value")
        );
    }

    #[test]
    fn a_version_1_calibration_is_refused_with_the_version_named() {
        let old = FIXTURE.replace(r#""schema_version": 2"#, r#""schema_version": 1"#);
        let error = Calibration::parse(&old).expect_err("old version");
        assert!(error.to_string().contains("version"), "{error}");
    }

    #[test]
    fn an_unmeasured_ratio_never_meets_the_target() {
        let endpoint = BaselineEndpoint {
            endpoint: "plaintext".to_owned(),
            raw_median_rps: 1.0,
            minimal_median_rps: 1.0,
            raw_median_cpu_us: None,
            minimal_median_cpu_us: None,
            rps_ratio: Some(RatioEstimate {
                ratio: 1.0,
                ci_low: 1.0,
                ci_high: 1.0,
            }),
            cpu_ratio: None,
        };
        assert!(!endpoint.target_met());
    }
}
