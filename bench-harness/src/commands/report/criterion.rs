//! Criterion's figures as the report shows them: per suite (`in_process`,
//! `over_loopback`), endpoint and server, the median time per iteration with
//! its 95% interval.
//!
//! Reading criterion's `estimates.json` files is the job of
//! `crate::schema::criterion` (written alongside this module); the report
//! only needs the few numbers below, so it depends on that reader in one
//! place: [`read`].

use std::path::Path;

use serde::{Deserialize, Serialize};

/// One benchmark's result: `suite/endpoint/server`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionFigure {
    /// `in_process` or `over_loopback`.
    pub suite: String,
    /// Catalogue endpoint name (criterion's group, without the suite).
    pub endpoint: String,
    /// `raw` or `framework` (criterion's function).
    pub server: String,
    /// Median time per iteration, nanoseconds.
    pub median_ns: f64,
    /// Criterion's 95% confidence interval of the median, nanoseconds.
    pub ci_low_ns: f64,
    pub ci_high_ns: f64,
}

/// The criterion figures under `criterion_dir` (usually `target/criterion`),
/// read by [`crate::schema::criterion`]. Batches of concurrent requests
/// (`over_loopback/json/raw/concurrent-16`) become their own suite,
/// `over_loopback/concurrent-16`, so they are never mixed with single
/// requests.
pub fn read(criterion_dir: &Path) -> anyhow::Result<Vec<CriterionFigure>> {
    let estimates = crate::schema::criterion::read_all(criterion_dir)?;
    Ok(estimates
        .into_iter()
        .map(|estimate| CriterionFigure {
            suite: match &estimate.parameter {
                Some(parameter) => format!("{}/{parameter}", estimate.suite),
                None => estimate.suite,
            },
            endpoint: estimate.endpoint,
            server: estimate.function,
            median_ns: estimate.median.point_ns,
            ci_low_ns: estimate.median.lower_ns,
            ci_high_ns: estimate.median.upper_ns,
        })
        .collect())
}

/// `target/criterion` of the workspace the harness was built in.
pub fn default_dir() -> std::path::PathBuf {
    super::glue::default_workspace_root()
        .join("target")
        .join("criterion")
}
