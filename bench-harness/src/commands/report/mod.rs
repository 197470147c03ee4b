//! Reports people read: `index.html`, `report.md` and `results.json`.
//!
//! `bench-harness report` (and `compare`, at its end) gathers what is known
//! about a comparison — the rounds and summaries of `compare`, the
//! deterministic cost per request of `cost`, criterion's in-process
//! timings, and the lines of glue each server needs — into a [`Report`],
//! and writes it three ways:
//!
//! - `index.html`: one self-contained page (inline CSS and SVG, no script,
//!   nothing fetched), charts first, then the tables and the environment;
//! - `report.md`: the same tables in Markdown, to paste into an issue;
//! - `results.json`: compare's `results.json` (schema version 1, every key
//!   unchanged) plus `report_schema_version` and the keys `cost`,
//!   `criterion` and `lines_of_glue`. A tool that reads compare's file reads
//!   this one too, and `report --results` reads it back.
//!
//! | module        | concept                                                  |
//! |---------------|----------------------------------------------------------|
//! | [`svg`]       | scales, ticks and SVG elements, by hand                  |
//! | [`charts`]    | bar, interval ("forest"), percentile-spectrum and waterfall charts |
//! | [`glue`]      | lines of glue per feature, from the `ANCHOR` regions     |
//! | [`criterion`] | criterion's figures as the report uses them              |
//! | [`ecosystems`] | the framework tax in Node and in Rust, side by side     |
//! | [`layers`]    | what each middleware layer costs: table and sentences    |
//! | [`narrative`] | the "what this means" paragraph per endpoint             |
//! | [`noise`]     | how busy the machine was, what was measured again        |
//! | [`tables`]    | the tables, shared by the Markdown and the HTML          |
//! | [`markdown`]  | `report.md`                                              |
//! | [`html`]      | `index.html`                                             |

pub mod charts;
pub mod criterion;
pub mod ecosystems;
pub mod glue;
pub mod html;
pub mod layers;
pub mod markdown;
pub mod narrative;
pub mod noise;
pub mod svg;
pub mod tables;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::schema::cost::{CostReport, ServerCost};
use crate::schema::results::{Results, Round, SCHEMA_VERSION, Summary};
use crate::stats::{RatioEstimate, bootstrap_ratio_of_medians};

use self::criterion::CriterionFigure;
use self::glue::GlueTable;

/// Version of the keys this module adds to `results.json`. Bumped when one
/// of them is removed or renamed; compare's own keys keep `schema_version`.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The keys a report adds to compare's `results.json`.
const ADDED_KEYS: &[&str] = &[
    "report_schema_version",
    "report_generated_at",
    "report_notes",
    "cost",
    "criterion",
    "lines_of_glue",
];

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub results: Results,
    pub cost: Option<CostReport>,
    pub criterion: Option<Vec<CriterionFigure>>,
    pub glue: Option<GlueTable>,
    pub generated_at: String,
    /// What the reader should know about the report itself, e.g. which
    /// inputs were missing and why.
    pub notes: Vec<String>,
}

/// Where [`Report::write`] put its files.
#[derive(Debug, Clone)]
pub struct Written {
    pub html: PathBuf,
    pub markdown: PathBuf,
    pub json: PathBuf,
}

impl Report {
    /// A report of `results` alone; add the other parts with the fields.
    pub fn new(results: Results) -> Report {
        Report {
            results,
            cost: None,
            criterion: None,
            glue: None,
            generated_at: crate::output::timestamp(),
            notes: Vec::new(),
        }
    }

    /// Counts the lines of glue in the workspace at `root`; when that
    /// fails (the source is not there), the report says why instead.
    pub fn with_glue_from(mut self, root: &Path) -> Report {
        match glue::measure(root) {
            Ok(table) => self.glue = Some(table),
            Err(error) => self.notes.push(format!(
                "lines of glue not counted: {error:#} (pass --source DIR with the workspace)"
            )),
        }
        self
    }

    /// `results.json`: compare's keys, then the report's.
    pub fn to_json(&self) -> anyhow::Result<Value> {
        let mut value = serde_json::to_value(&self.results).context("cannot serialise results")?;
        let Value::Object(map) = &mut value else {
            bail!("results did not serialise to an object");
        };
        map.insert("report_schema_version".into(), REPORT_SCHEMA_VERSION.into());
        map.insert(
            "report_generated_at".into(),
            self.generated_at.clone().into(),
        );
        map.insert("report_notes".into(), serde_json::to_value(&self.notes)?);
        map.insert("cost".into(), serde_json::to_value(&self.cost)?);
        map.insert("criterion".into(), serde_json::to_value(&self.criterion)?);
        map.insert("lines_of_glue".into(), serde_json::to_value(&self.glue)?);
        Ok(value)
    }

    /// Reads compare's `results.json`, or a report's (then the cost,
    /// criterion and glue figures it holds come back too).
    pub fn from_json(text: &str) -> anyhow::Result<Report> {
        let mut value: Value = serde_json::from_str(text).context("not JSON")?;
        let Value::Object(map) = &mut value else {
            bail!("results.json is not a JSON object");
        };
        let version = map.get("schema_version").and_then(Value::as_u64);
        if version != Some(u64::from(SCHEMA_VERSION)) {
            bail!(
                "results schema version {version:?} is not supported (this build reads {SCHEMA_VERSION})"
            );
        }
        let report_version = map.get("report_schema_version").and_then(Value::as_u64);
        if report_version.is_some_and(|v| v != u64::from(REPORT_SCHEMA_VERSION)) {
            bail!(
                "report schema version {report_version:?} is not supported (this build reads {REPORT_SCHEMA_VERSION})"
            );
        }
        let mut added = serde_json::Map::new();
        for key in ADDED_KEYS {
            if let Some(v) = map.remove(*key) {
                added.insert((*key).to_owned(), v);
            }
        }
        let results: Results =
            serde_json::from_value(value).context("results.json does not match schema 1")?;
        let take = |key: &str| added.get(key).cloned().unwrap_or(Value::Null);
        Ok(Report {
            results,
            cost: serde_json::from_value(take("cost")).context("`cost`")?,
            criterion: serde_json::from_value(take("criterion")).context("`criterion`")?,
            glue: serde_json::from_value(take("lines_of_glue")).context("`lines_of_glue`")?,
            generated_at: crate::output::timestamp(),
            notes: Vec::new(),
        })
    }

    /// Writes `index.html`, `report.md` and `results.json` into `dir`.
    pub fn write(&self, dir: &Path) -> anyhow::Result<Written> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let written = Written {
            html: dir.join("index.html"),
            markdown: dir.join("report.md"),
            json: dir.join("results.json"),
        };
        let json = serde_json::to_string_pretty(&self.to_json()?).context("cannot serialise")?;
        let files = [
            (&written.json, json + "\n"),
            (&written.markdown, markdown::render(self)),
            (&written.html, html::render(self)),
        ];
        for (path, text) in files {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(written)
    }

    /// Server names in the order compare ran them (`raw` first).
    pub fn servers(&self) -> Vec<&str> {
        self.results
            .servers
            .iter()
            .map(|s| s.name.as_str())
            .collect()
    }

    /// Endpoint names in the order compare ran them.
    pub fn endpoints(&self) -> Vec<&str> {
        self.results
            .config
            .endpoints
            .iter()
            .map(|e| e.name.as_str())
            .collect()
    }

    pub fn summary(&self, endpoint: &str, server: &str) -> Option<&Summary> {
        self.results
            .summary
            .iter()
            .find(|s| s.endpoint == endpoint && s.server == server)
    }

    pub fn rounds<'a>(&'a self, endpoint: &'a str, server: &'a str) -> Vec<&'a Round> {
        self.results
            .rounds
            .iter()
            .filter(|r| r.endpoint == endpoint && r.server == server)
            .collect()
    }

    /// The cost figures of `server` on `endpoint`. Compare calls the
    /// framework `framework-hyper` when it runs both serve modes; `cost`
    /// measures that same server under the name `framework`.
    pub fn cost(&self, endpoint: &str, server: &str) -> Option<&ServerCost> {
        let cost = self.cost.as_ref()?;
        cost.get(endpoint, server).or_else(|| {
            (server == "framework-hyper")
                .then(|| cost.get(endpoint, "framework"))
                .flatten()
        })
    }

    /// A criterion figure.
    pub fn criterion(&self, suite: &str, endpoint: &str, server: &str) -> Option<&CriterionFigure> {
        self.criterion.as_ref()?.iter().find(|f| {
            f.suite == suite
                && f.endpoint == endpoint
                && (f.server == server || (server == "framework-hyper" && f.server == "framework"))
        })
    }

    /// The bootstrap seed compare used, so intervals here match its own.
    pub fn seed(&self) -> u64 {
        self.results.config.bootstrap_seed
    }
}

/// A 95% bootstrap interval of the median of `values` (the rounds of one
/// server), with the same resampling as compare's ratios. It is the ratio
/// of medians against a constant baseline of 1, so the one bootstrap in
/// [`crate::stats`] serves both.
pub fn median_interval(values: &[f64], seed: u64) -> Option<(f64, f64)> {
    bootstrap_ratio_of_medians(&[1.0], values, 2_000, seed).map(|e| (e.ci_low, e.ci_high))
}

/// A number with thousands separators: `63,812` or `13.62`.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// A ratio as a change with its interval: `+4.4% [+1.0%, +7.9%]`.
pub fn change(estimate: &RatioEstimate) -> String {
    estimate.percent()
}

/// Percentage change of `candidate` against `baseline`: `+58.1%`.
pub fn percent_change(baseline: f64, candidate: f64) -> Option<f64> {
    (baseline != 0.0 && baseline.is_finite() && candidate.is_finite())
        .then(|| (candidate / baseline - 1.0) * 100.0)
}

/// The comparison a server stands for against raw-server, by name.
pub fn comparison_name(server: &str) -> Option<&'static str> {
    match server {
        "framework" | "framework-hyper" => Some("same connection layer"),
        "framework-axum" => Some("defaults: axum::serve"),
        _ => None,
    }
}

/// How a server is called in prose.
pub fn display_name(server: &str) -> String {
    match server {
        "raw" => "raw-server".to_owned(),
        "framework" | "framework-hyper" => "framework-server (axum)".to_owned(),
        "framework-axum" => "framework-server on axum::serve".to_owned(),
        other => other.to_owned(),
    }
}

/// What `bench-harness report` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// compare's (or a report's) `results.json`; `None`: the newest under `reports/`.
    pub results: Option<PathBuf>,
    /// The cost JSON; `None`: `cost.json` beside the results, if there is one.
    pub cost: Option<PathBuf>,
    /// criterion's folder; `None`: this workspace's `target/criterion`, if present.
    pub criterion: Option<PathBuf>,
    /// The workspace whose servers are counted; `None`: the one we were built in.
    pub source: Option<PathBuf>,
    pub out: PathBuf,
}

/// `bench-harness report`: reads the inputs, writes the three files.
pub fn run(options: &ReportOptions) -> anyhow::Result<Written> {
    let results_path = match &options.results {
        Some(path) => path.clone(),
        None => newest_results(Path::new("reports"))?,
    };
    let text = std::fs::read_to_string(&results_path)
        .with_context(|| format!("cannot read {}", results_path.display()))?;
    let mut report =
        Report::from_json(&text).with_context(|| format!("in {}", results_path.display()))?;
    eprintln!("results: {}", results_path.display());

    let beside = results_path
        .parent()
        .map(|dir| dir.join("cost.json"))
        .filter(|path| path.is_file());
    if let Some(path) = options.cost.clone().or(beside) {
        report.cost = Some(CostReport::read(&path)?);
        eprintln!("cost figures: {}", path.display());
    }

    let criterion_dir = options
        .criterion
        .clone()
        .or_else(|| Some(criterion::default_dir()).filter(|dir| dir.is_dir()));
    if let Some(dir) = criterion_dir {
        match criterion::read(&dir) {
            Ok(figures) => report.criterion = Some(figures),
            Err(error) => {
                eprintln!("warning: {error:#}");
                report.notes.push(format!("{error:#}"));
            }
        }
    }

    let root = options
        .source
        .clone()
        .unwrap_or_else(glue::default_workspace_root);
    report = report.with_glue_from(&root);
    report.write(&options.out)
}

/// The newest `results.json` in a folder of report folders (their names
/// are timestamps, so the newest sorts last).
pub fn newest_results(reports: &Path) -> anyhow::Result<PathBuf> {
    let entries = std::fs::read_dir(reports).with_context(|| {
        format!(
            "no --results given and cannot read {}: run `bench-harness compare` first",
            reports.display()
        )
    })?;
    let mut candidates: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("results.json"))
        .filter(|path| path.is_file())
        .collect();
    candidates.sort();
    candidates
        .pop()
        .with_context(|| format!("no */results.json under {}", reports.display()))
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators_and_keep_their_sign() {
        assert_eq!(number(63_812.4, 0), "63,812");
        assert_eq!(number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(number(-4_361.0, 0), "-4,361");
        assert_eq!(number(-0.01, 0), "0");
        assert_eq!(number(999.0, 0), "999");
    }

    #[test]
    fn the_report_json_is_compare_results_plus_named_keys_and_reads_back() {
        let mut report = Report::new(fixtures::results(&["json"], 3));
        report.cost = Some(fixtures::cost(&["json"]));
        let json = report.to_json().expect("serialises");

        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["report_schema_version"], 1);
        assert!(json["rounds"].is_array());
        assert!(json["cost"]["endpoints"].is_array());
        assert!(json["criterion"].is_null());

        let text = serde_json::to_string(&json).expect("text");
        let back = Report::from_json(&text).expect("reads its own output");
        assert_eq!(back.results.rounds.len(), report.results.rounds.len());
        assert_eq!(
            back.cost.map(|c| c.endpoints),
            report.cost.map(|c| c.endpoints)
        );
        // And compare's own file reads the same way.
        let plain = serde_json::to_string(&report.results).expect("text");
        assert!(
            Report::from_json(&plain)
                .expect("compare's file")
                .cost
                .is_none()
        );
    }

    #[test]
    fn a_median_interval_contains_the_median() {
        let (low, high) = median_interval(&[10.0, 12.0, 11.0, 13.0, 9.0], 1).expect("an interval");
        assert!(low <= 11.0 && 11.0 <= high);
        assert!(low >= 9.0 && high <= 13.0);
    }
}
