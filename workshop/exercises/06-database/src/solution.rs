//! One answer to exercise 6.

/// The framework's share of one request's cost: (framework − raw) ÷ framework.
pub fn framework_share(raw: f64, framework: f64) -> f64 {
    (framework - raw) / framework
}

/// The endpoint where the framework's share of server CPU time is smallest.
pub const SMALLEST_CPU_SHARE: &str = "TBD";

/// The endpoint where the framework's share of server CPU time per
/// request is largest.
pub const LARGEST_CPU_SHARE: &str = "TBD";
