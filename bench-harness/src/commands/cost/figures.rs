//! The arithmetic of `cost`: per-request figures from cumulative counts,
//! and the mean and spread of repeated runs.

use anyhow::bail;

/// The arithmetic mean, or `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// (max − min) / mean of a set of runs, when there are two or more.
pub fn spread(runs: &[f64]) -> Option<f64> {
    if runs.len() < 2 {
        return None;
    }
    let mean = mean(runs)?;
    let max = runs.iter().copied().fold(f64::MIN, f64::max);
    let min = runs.iter().copied().fold(f64::MAX, f64::min);
    (mean > 0.0).then(|| (max - min) / mean)
}

// ANCHOR: differencing
/// (I(N₂) − I(N₁)) / (N₂ − N₁): the cost of one request from two cumulative
/// counts taken after N₁ and after N₂ requests. Everything before the N₁th
/// request (start-up, warm-up) is in both counts and cancels.
pub fn per_request(count_at_n1: u64, count_at_n2: u64, n1: u64, n2: u64) -> anyhow::Result<f64> {
    if n2 <= n1 {
        bail!("N2 ({n2}) must be larger than N1 ({n1})");
    }
    if count_at_n2 < count_at_n1 {
        bail!("the count went down from {count_at_n1} to {count_at_n2}: not cumulative counts");
    }
    Ok((count_at_n2 - count_at_n1) as f64 / (n2 - n1) as f64)
}

/// The same from callgrind's parts: the measured segment holds
/// I(N₂) − I(N₁) already, plus the probe's own cost, which an empty segment
/// (no request between two marks) measures and which is taken off.
pub fn per_request_from_segments(
    segment: u64,
    empty_segment: u64,
    n1: u64,
    n2: u64,
) -> anyhow::Result<f64> {
    per_request(empty_segment, segment.max(empty_segment), n1, n2)
}
// ANCHOR_END: differencing
