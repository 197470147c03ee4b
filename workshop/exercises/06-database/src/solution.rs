//! One answer to exercise 6, read from `docs/sample-report/report.md`'s
//! table (CPU µs/request). On that busy machine `queries`' share is
//! negative and its interval contains 0: no difference detected.

/// The framework's share of one request's cost: (framework − raw) ÷ framework.
pub fn framework_share(raw: f64, framework: f64) -> f64 {
    (framework - raw) / framework
}

/// The endpoint where the framework's share of server CPU time is smallest.
pub const SMALLEST_CPU_SHARE: &str = "queries";

/// The endpoint where the framework's share of server CPU time per
/// request is largest.
pub const LARGEST_CPU_SHARE: &str = "delay-show";
