//! Criterion's figures as the report shows them: per suite (`in_process`,
//! `over_loopback`), endpoint and server, the mean time per iteration with
//! its 95% interval.
//!
//! Reading criterion's `estimates.json` files is the job of
//! `crate::criterion_estimates` (written alongside this module); the report
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
    /// Mean time per iteration, nanoseconds.
    pub mean_ns: f64,
    /// Criterion's 95% confidence interval of the mean, nanoseconds.
    pub ci_low_ns: f64,
    pub ci_high_ns: f64,
}

/// The criterion figures under `criterion_dir` (usually `target/criterion`).
///
/// INTEGRATION POINT (issue 5 merge): replace the body with a call to
/// `crate::criterion_estimates::read_all(criterion_dir)` and map each of its
/// estimates to a [`CriterionFigure`]: group `in_process/json` → suite
/// `in_process`, endpoint `json`; function → server; the `mean` estimate's
/// `point_estimate` and `confidence_interval.{lower_bound, upper_bound}`.
/// Until then the report says criterion figures are not read yet, and
/// everything else works; the renderers already take `Option<&[CriterionFigure]>`.
pub fn read(criterion_dir: &Path) -> anyhow::Result<Vec<CriterionFigure>> {
    anyhow::bail!(
        "criterion estimates in {} not read: the reader (criterion_estimates.rs) is not wired in yet",
        criterion_dir.display()
    )
}

/// `target/criterion` of the workspace the harness was built in.
pub fn default_dir() -> std::path::PathBuf {
    super::glue::default_workspace_root()
        .join("target")
        .join("criterion")
}
