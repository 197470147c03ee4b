//! Exercise 6, the starter: a share that is always zero and no answers.
//! Write [`framework_share`], fill in the two endpoint names from
//! `docs/sample-report/report.md` (or `results.json`), then run
//! `cargo run -p workshop -- check 6`.

/// The framework's share of one request's cost: the part of
/// framework-server's figure that raw-server does not spend, from 0 (no
/// difference) towards 1 (all of it is the framework). Negative when
/// framework-server is the cheaper one.
pub fn framework_share(raw: f64, framework: f64) -> f64 {
    let _ = (raw, framework);
    0.0
}

/// The endpoint (as `results.json` names it) where the framework's share
/// of server CPU time per request is smallest.
pub const SMALLEST_CPU_SHARE: &str = "";

/// The endpoint where the framework's share of server CPU time per
/// request is largest.
pub const LARGEST_CPU_SHARE: &str = "";
