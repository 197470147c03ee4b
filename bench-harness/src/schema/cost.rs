//! The cost JSON (schema version 1): what `bench-harness cost --json FILE`
//! writes and `bench-harness report --cost FILE` reads.
//!
//! Deterministic figures per request and server — user-space instructions
//! (callgrind, differenced between two request counts so start-up cancels
//! out) and heap allocations — for each catalogue endpoint. One set of
//! types for writer and reader, so the two cannot drift apart.
//!
//! A figure that was not measured (valgrind missing, say) is `null`, not 0:
//! a report must not show "0 instructions" for "we do not know".

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::host::environment::Environment;
use crate::schema::layers::LayersCost;

/// `cost.json`'s schema. Removing or renaming a field bumps it; adding one
/// does not.
pub const COST_SCHEMA_VERSION: u32 = 1;

/// The value of the `kind` field, so a results file passed as `--cost` is
/// refused with a clear message.
pub const COST_KIND: &str = "cost";

// ANCHOR: cost_json
/// The whole cost file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CostReport {
    pub schema_version: u32,
    /// Always `cost`, so a reader can tell this file from `results.json`.
    pub kind: String,
    /// RFC 3339 UTC.
    pub created: String,
    pub environment: Environment,
    pub method: CostMethod,
    pub endpoints: Vec<EndpointCost>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// `cost --layers` only: every middleware configuration; `null`
    /// otherwise (and absent in files written before it existed).
    #[serde(default)]
    pub layers: Option<LayersCost>,
}

/// How the figures were obtained, in words and request counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostMethod {
    pub instructions: String,
    pub allocations: String,
    pub n1: u64,
    pub n2: u64,
    /// Server processes measured under callgrind (their mean is reported).
    #[serde(default)]
    pub repeat: usize,
    #[serde(default)]
    pub alloc_warmup: u64,
    #[serde(default)]
    pub alloc_requests: u64,
}

/// One endpoint's figures, by server name (`raw`, `framework`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointCost {
    pub endpoint: String,
    pub method: String,
    pub target: String,
    pub servers: BTreeMap<String, ServerCost>,
}

/// What one request to one endpoint costs one server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerCost {
    /// Mean over the callgrind runs (server processes).
    pub instructions_per_request: Option<f64>,
    pub allocations_per_request: Option<f64>,
    pub bytes_allocated_per_request: Option<f64>,
    /// Where the instructions go, by inclusive cost, in the run closest to
    /// the mean; may be empty.
    #[serde(default)]
    pub top_functions: Vec<TopFunction>,
    /// Every callgrind run's figure, in the order they ran.
    #[serde(default)]
    pub instructions_per_request_runs: Vec<f64>,
    /// Mean over the runs of the instructions spent outside the C
    /// allocator (`malloc`, `free` and their helpers): the repeatable part.
    #[serde(default)]
    pub instructions_outside_allocator_per_request: Option<f64>,
    #[serde(default)]
    pub instructions_outside_allocator_per_request_runs: Vec<f64>,
    #[serde(default)]
    pub deallocations_per_request: Option<f64>,
    #[serde(default)]
    pub reallocations_per_request: Option<f64>,
}

/// One function and its inclusive instructions per request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopFunction {
    pub function: String,
    pub inclusive_instructions_per_request: f64,
}
// ANCHOR_END: cost_json

impl CostReport {
    /// Reads and checks a cost file.
    pub fn read(path: &Path) -> anyhow::Result<CostReport> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        CostReport::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses and checks the kind and schema version.
    pub fn parse(text: &str) -> anyhow::Result<CostReport> {
        let report: CostReport =
            serde_json::from_str(text).context("not a cost file of schema version 1")?;
        if report.kind != COST_KIND {
            bail!("`kind` is `{}`, expected `{COST_KIND}`", report.kind);
        }
        if report.schema_version != COST_SCHEMA_VERSION {
            bail!(
                "cost schema version {} is not supported (this build reads {COST_SCHEMA_VERSION})",
                report.schema_version
            );
        }
        Ok(report)
    }

    /// Writes the JSON, pretty-printed.
    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let json = serde_json::to_string_pretty(self).context("cannot serialise cost report")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The figures of `server` on `endpoint`, if measured.
    pub fn get(&self, endpoint: &str, server: &str) -> Option<&ServerCost> {
        self.endpoints
            .iter()
            .find(|e| e.endpoint == endpoint)
            .and_then(|e| e.servers.get(server))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/cost-v1.json");

    #[test]
    fn the_documented_cost_format_parses_with_nulls_for_unmeasured_figures() {
        let report = CostReport::parse(FIXTURE).expect("the fixture is valid");

        assert_eq!(report.method.n2, 6000);
        let raw = report.get("json", "raw").expect("json on raw");
        assert_eq!(raw.instructions_per_request, Some(7512.3));
        assert_eq!(raw.top_functions.len(), 1);
        let plaintext = report.get("plaintext", "framework").expect("plaintext");
        assert_eq!(plaintext.instructions_per_request, None);
        assert_eq!(plaintext.allocations_per_request, Some(13.0));
        // Written before `cost --layers` existed: no `layers` key at all.
        assert_eq!(report.layers, None);
    }

    #[test]
    fn a_cost_report_survives_a_round_trip() {
        let report = CostReport::parse(FIXTURE).expect("valid");
        let text = serde_json::to_string(&report).expect("serialises");
        let back = CostReport::parse(&text).expect("valid");
        assert_eq!(
            serde_json::to_value(&back).expect("value"),
            serde_json::to_value(&report).expect("value")
        );
        assert_eq!(back.endpoints, report.endpoints);
    }

    #[test]
    fn a_file_of_another_kind_or_version_is_refused() {
        let other_kind = FIXTURE.replace(r#""kind": "cost""#, r#""kind": "results""#);
        assert!(
            CostReport::parse(&other_kind)
                .expect_err("wrong kind")
                .to_string()
                .contains("kind")
        );
        let newer = FIXTURE.replace(r#""schema_version": 1"#, r#""schema_version": 2"#);
        assert!(CostReport::parse(&newer).is_err());
    }
}
