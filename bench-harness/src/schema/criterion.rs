//! Reading criterion's results back: what `cargo bench -p bench-harness`
//! left in `target/criterion/`, as typed figures a report can print.
//!
//! Criterion keeps no database; it writes one folder per benchmark:
//!
//! ```text
//! target/criterion/in_process_json/raw/new/benchmark.json   which benchmark this is
//! target/criterion/in_process_json/raw/new/estimates.json   its statistics, in nanoseconds
//! target/criterion/in_process_json/raw/base/...             the baseline it was compared with
//! ```
//!
//! The folder name is not the benchmark's name (criterion replaces `/` by
//! `_` and shortens long names), so we take the names from
//! `benchmark.json` (`group_id` `in_process/json`, `function_id` `raw`) and
//! only the numbers from `estimates.json`. Only `new/` is read: it holds the
//! latest run. Named baselines (`--save-baseline before`) and `change/`
//! (relative changes, not times) sit beside it and are left alone.
//!
//! These files are criterion's own output, not a published format, so they
//! are read *defensively*: a missing field, a number that is not a finite
//! non-negative value, or a tree with estimates but no `new/` folder is an
//! [`Error::Format`] naming the file, never a silently shorter list. Fields
//! we do not use may come and go. The fixture under
//! `bench-harness/tests/fixtures/criterion/` is a copy of a real run with
//! criterion 0.8; when a criterion upgrade changes the format, its test
//! fails and says where.
//!
//! The public API is [`read_all`], the [`CriterionEstimate`] it returns and
//! the [`Error`] it may return.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};

/// One benchmark's result: which server, on which endpoint, in which suite,
/// and its median and mean time per iteration with 95% confidence intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionEstimate {
    /// The suite: `in_process` or `over_loopback` (the group name before
    /// its first `/`).
    pub suite: String,
    /// The catalogue endpoint name (the group name after its first `/`).
    pub endpoint: String,
    /// The function: `raw` or `framework`.
    pub function: String,
    /// The benchmark's parameter, if it has one: `concurrent-16` for the
    /// over-loopback batches of 16 concurrent requests; `None` for one
    /// request at a time.
    pub parameter: Option<String>,
    /// What one iteration processes, as the benchmark declared it
    /// (`Throughput::Elements(16)`: one iteration is 16 requests).
    pub throughput: Option<Throughput>,
    /// Median time per iteration.
    pub median: Estimate,
    /// Mean time per iteration.
    pub mean: Estimate,
    /// The slope of the linear regression of time on iteration count: the
    /// figure criterion prints as `time:` when it has one (criterion leaves
    /// it out in flat sampling mode).
    pub slope: Option<Estimate>,
    /// The `estimates.json` these numbers come from.
    pub source: PathBuf,
}

/// A point estimate and its confidence interval, in nanoseconds per
/// iteration (criterion's unit for wall-clock time).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub point_ns: f64,
    pub lower_ns: f64,
    pub upper_ns: f64,
    /// The interval's confidence level, e.g. 0.95.
    pub confidence_level: f64,
}

/// What one iteration of a benchmark processes (criterion's `Throughput`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Throughput {
    Bits(u64),
    Bytes(u64),
    BytesDecimal(u64),
    /// Requests, in this project: `Elements(16)` is a batch of 16.
    Elements(u64),
    ElementsAndBytes {
        elements: u64,
        bytes: u64,
    },
}

/// Why criterion's results could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The folder does not exist or holds no results: nothing was benchmarked yet.
    #[error(
        "no criterion results in {}: run `cargo bench -p bench-harness` first",
        path.display()
    )]
    Missing { path: PathBuf },
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file is not in the format this reader knows (criterion 0.8's).
    #[error(
        "{} is not in the format written by criterion 0.8 (has criterion been upgraded?): {reason}",
        path.display()
    )]
    Format { path: PathBuf, reason: String },
}

/// Reads every benchmark under `criterion_dir` (normally `target/criterion`)
/// whose group is named `<suite>/<endpoint>`, sorted by suite, endpoint,
/// function and parameter.
///
/// Benchmarks with other group names are not ours and are skipped. A
/// folder that does not exist or holds no `estimates.json` at all is
/// [`Error::Missing`]; a file that cannot be parsed is [`Error::Format`].
pub fn read_all(criterion_dir: &Path) -> Result<Vec<CriterionEstimate>, Error> {
    if !criterion_dir.is_dir() {
        return Err(Error::Missing {
            path: criterion_dir.to_owned(),
        });
    }
    let mut found = Found::default();
    walk(criterion_dir, 0, &mut found)?;
    if found.latest.is_empty() {
        return match found.elsewhere.first() {
            // Estimates exist, but none in a `new/` folder: the layout changed.
            Some(path) => Err(Error::Format {
                path: path.clone(),
                reason: "estimates.json found, but none in a `new/` folder \
                         (expected <group>/<function>/new/estimates.json)"
                    .to_owned(),
            }),
            None => Err(Error::Missing {
                path: criterion_dir.to_owned(),
            }),
        };
    }
    let mut estimates = Vec::new();
    for new_dir in &found.latest {
        if let Some(estimate) = read_one(new_dir)? {
            estimates.push(estimate);
        }
    }
    estimates.sort_by(|a, b| {
        (&a.suite, &a.endpoint, &a.function, &a.parameter).cmp(&(
            &b.suite,
            &b.endpoint,
            &b.function,
            &b.parameter,
        ))
    });
    Ok(estimates)
}

/// The `estimates.json` files a walk found.
#[derive(Debug, Default)]
struct Found {
    /// Folders named `new` holding an `estimates.json`: the latest runs.
    latest: Vec<PathBuf>,
    /// Other `estimates.json` files (baselines, `change/`).
    elsewhere: Vec<PathBuf>,
}

/// Deep enough for `<group>/<function>/<parameter>/new/estimates.json`
/// with room to spare; a guard against symlink-free but absurd trees.
const MAX_DEPTH: usize = 8;

fn walk(dir: &Path, depth: usize, found: &mut Found) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let io_error = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io_error)?;
    // Sorted, so errors and results do not depend on the file system's order.
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        // `file_type` does not follow symlinks: criterion makes none.
        let file_type = entry.file_type().map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if file_type.is_dir() {
            walk(&path, depth + 1, found)?;
        } else if file_type.is_file() && entry.file_name() == "estimates.json" {
            if dir.file_name().is_some_and(|name| name == "new") {
                found.latest.push(dir.to_owned());
            } else {
                found.elsewhere.push(path);
            }
        }
    }
    Ok(())
}

/// `benchmark.json` as criterion 0.8 writes it (fields we use).
#[derive(Debug, Deserialize)]
struct BenchmarkFile {
    group_id: String,
    #[serde(deserialize_with = "present_but_nullable")]
    function_id: Option<String>,
    #[serde(deserialize_with = "present_but_nullable")]
    value_str: Option<String>,
    #[serde(deserialize_with = "present_but_nullable")]
    throughput: Option<Throughput>,
}

/// `estimates.json` as criterion 0.8 writes it (fields we use).
#[derive(Debug, Deserialize)]
struct EstimatesFile {
    mean: EstimateFile,
    median: EstimateFile,
    /// `null` in flat sampling mode, but always there.
    #[serde(deserialize_with = "present_but_nullable")]
    slope: Option<EstimateFile>,
}

#[derive(Debug, Deserialize)]
struct EstimateFile {
    point_estimate: f64,
    confidence_interval: IntervalFile,
}

#[derive(Debug, Deserialize)]
struct IntervalFile {
    confidence_level: f64,
    lower_bound: f64,
    upper_bound: f64,
}

/// A field that must be present but may be `null`. (serde treats a missing
/// `Option` field as `None`; we want a renamed field to be an error.)
fn present_but_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// Reads one `new/` folder; `None` if its group is not `<suite>/<endpoint>`.
fn read_one(new_dir: &Path) -> Result<Option<CriterionEstimate>, Error> {
    let benchmark: BenchmarkFile = parse(&new_dir.join("benchmark.json"))?;
    let source = new_dir.join("estimates.json");
    let estimates: EstimatesFile = parse(&source)?;
    let Some((suite, endpoint)) = benchmark.group_id.split_once('/') else {
        return Ok(None);
    };
    let format_error = |reason: String| Error::Format {
        path: source.clone(),
        reason,
    };
    let function = benchmark.function_id.ok_or_else(|| Error::Format {
        path: new_dir.join("benchmark.json"),
        reason: format!(
            "benchmark in group `{}` has no function_id",
            benchmark.group_id
        ),
    })?;
    Ok(Some(CriterionEstimate {
        suite: suite.to_owned(),
        endpoint: endpoint.to_owned(),
        function,
        parameter: benchmark.value_str,
        throughput: benchmark.throughput,
        median: checked(&estimates.median, "median").map_err(format_error)?,
        mean: checked(&estimates.mean, "mean").map_err(format_error)?,
        slope: estimates
            .slope
            .as_ref()
            .map(|slope| checked(slope, "slope"))
            .transpose()
            .map_err(format_error)?,
        source,
    }))
}

fn parse<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|error| Error::Format {
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

/// An estimate whose numbers make sense as times: finite, not negative,
/// the interval in order, and a confidence level between 0 and 1.
fn checked(estimate: &EstimateFile, name: &str) -> Result<Estimate, String> {
    let interval = &estimate.confidence_interval;
    let times = [
        estimate.point_estimate,
        interval.lower_bound,
        interval.upper_bound,
    ];
    if times.iter().any(|time| !time.is_finite() || *time < 0.0) {
        return Err(format!(
            "{name}: times must be finite and not negative, got {times:?}"
        ));
    }
    if interval.lower_bound > interval.upper_bound {
        return Err(format!(
            "{name}: confidence interval is upside down ({} > {})",
            interval.lower_bound, interval.upper_bound
        ));
    }
    if !(interval.confidence_level > 0.0 && interval.confidence_level < 1.0) {
        return Err(format!(
            "{name}: confidence level {} is not between 0 and 1",
            interval.confidence_level
        ));
    }
    Ok(Estimate {
        point_ns: estimate.point_estimate,
        lower_ns: interval.lower_bound,
        upper_ns: interval.upper_bound,
        confidence_level: interval.confidence_level,
    })
}
