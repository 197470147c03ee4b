//! The statistics of a comparison: medians, a bootstrap confidence
//! interval for the ratio of two medians, and the one `compare` reports:
//! a bootstrap interval of the **paired** ratio.
//!
//! Why paired: on a shared machine the load of other processes drifts over
//! seconds, and moves both servers' figures together. The ratio of each
//! round to the baseline rounds right before and after it cancels what the
//! neighbouring rounds share; a ratio of two medians keeps it, because it
//! compares rounds minutes apart. Measured on a 2-core machine with four
//! compilers running, the paired ratios spread several times less than the
//! rounds themselves (the figures are in `docs/src/measuring-overhead.md`).
//! The estimate is the Hodges–Lehmann estimate of the log-ratios
//! ([`hodges_lehmann_ratio`]): nearly as efficient as a mean when nothing
//! goes wrong, and a round hit by a burst cannot drag it.
//!
//! Why medians: a round disturbed by something else on the machine (a
//! compiler, a cron job) moves the mean but hardly the median. Why a
//! bootstrap: with 5 rounds per server there is no distribution we could
//! honestly assume, so we let the data speak: resample each server's rounds
//! with replacement many times, compute the ratio of medians each time, and
//! take the middle 95% of those ratios as the interval.
//!
//! The random generator has a fixed seed, so the same rounds always give the
//! same interval: reports are reproducible and tests are deterministic.
//!
//! Simplification: the two servers' rounds are resampled independently
//! (a two-sample bootstrap). Alternating rounds already spreads slow drifts
//! of the machine over both servers.

use serde::{Deserialize, Serialize};

/// Resamples used by default: enough that the 2.5% and 97.5% points are
/// stable to well under the width of any interval we report.
pub const DEFAULT_RESAMPLES: usize = 10_000;

/// The seed every report uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 0x00f4_a3e0_0047_0001;

/// The median of `values`; `None` when empty. Ignores nothing: callers pass
/// finite numbers.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    })
}

/// A ratio `candidate / baseline` of medians with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatioEstimate {
    pub ratio: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl RatioEstimate {
    /// The ratio as a signed percentage change: 1.042 → `+4.2%`.
    pub fn percent(&self) -> String {
        format!(
            "{:+.1}% [{:+.1}%, {:+.1}%]",
            (self.ratio - 1.0) * 100.0,
            (self.ci_low - 1.0) * 100.0,
            (self.ci_high - 1.0) * 100.0
        )
    }
}

/// Ratio of medians `median(candidate) / median(baseline)` with a percentile
/// bootstrap 95% confidence interval.
///
/// Returns `None` when either side has no values or a baseline median is 0
/// (no ratio exists).
pub fn bootstrap_ratio_of_medians(
    baseline: &[f64],
    candidate: &[f64],
    resamples: usize,
    seed: u64,
) -> Option<RatioEstimate> {
    let ratio = median(candidate)? / nonzero(median(baseline)?)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut ratios = Vec::with_capacity(resamples);
    // Buffers reused across resamples.
    let mut a = vec![0.0; baseline.len()];
    let mut b = vec![0.0; candidate.len()];
    for _ in 0..resamples {
        resample(&mut rng, baseline, &mut a);
        resample(&mut rng, candidate, &mut b);
        if let (Some(ma), Some(mb)) = (median(&a), median(&b))
            && let Some(ma) = nonzero(ma)
        {
            ratios.push(mb / ma);
        }
    }
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    Some(RatioEstimate {
        ratio,
        ci_low: percentile_of_sorted(&ratios, 0.025),
        ci_high: percentile_of_sorted(&ratios, 0.975),
    })
}

/// The Hodges–Lehmann estimate of positive ratios, on a log scale: the
/// median of the averages of every pair of log-ratios (each with itself
/// included), turned back into a ratio. `None` when no ratio is positive
/// and finite.
///
/// Why this one: it is nearly as efficient as the mean when the rounds
/// are well-behaved (95% under normal noise), and up to 29% of the ratios
/// can be arbitrarily wrong without dragging it — including in bootstrap
/// resamples that happen to repeat a disturbed round, where a trimmed mean
/// breaks down.
pub fn hodges_lehmann_ratio(ratios: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = ratios
        .iter()
        .filter(|r| r.is_finite() && **r > 0.0)
        .map(|r| r.ln())
        .collect();
    let mut averages = Vec::with_capacity(logs.len() * (logs.len() + 1) / 2);
    for (i, a) in logs.iter().enumerate() {
        for b in &logs[i..] {
            averages.push((a + b) / 2.0);
        }
    }
    median(&averages).map(f64::exp)
}

/// The paired ratio — [`hodges_lehmann_ratio`] of per-round ratios, each
/// a candidate round over its neighbouring baseline rounds — with a
/// percentile bootstrap 95% interval over the pairs.
pub fn bootstrap_paired_ratio(
    ratios: &[f64],
    resamples: usize,
    seed: u64,
) -> Option<RatioEstimate> {
    let ratio = hodges_lehmann_ratio(ratios)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut estimates = Vec::with_capacity(resamples);
    let mut sample = vec![0.0; ratios.len()];
    for _ in 0..resamples {
        resample(&mut rng, ratios, &mut sample);
        if let Some(estimate) = hodges_lehmann_ratio(&sample) {
            estimates.push(estimate);
        }
    }
    estimates.sort_by(f64::total_cmp);
    Some(RatioEstimate {
        ratio,
        ci_low: percentile_of_sorted(&estimates, 0.025),
        ci_high: percentile_of_sorted(&estimates, 0.975),
    })
}

/// Standard deviation over mean (the coefficient of variation); `None`
/// for fewer than two values or a zero mean.
pub fn coefficient_of_variation(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    nonzero(mean).map(|mean| variance.sqrt() / mean.abs())
}

fn nonzero(value: f64) -> Option<f64> {
    (value != 0.0 && value.is_finite()).then_some(value)
}

fn resample(rng: &mut fastrand::Rng, source: &[f64], into: &mut [f64]) {
    for slot in into.iter_mut() {
        *slot = source[rng.usize(..source.len())];
    }
}

/// The `q` quantile of sorted values, by linear interpolation between ranks.
fn percentile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    let rank = q * (sorted.len() - 1) as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let weight = rank - below as f64;
    sorted[below] * (1.0 - weight) + sorted[above] * weight
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn a_constant_ratio_gives_a_zero_width_interval_at_that_ratio() {
        let raw = [100.0, 101.0, 99.0, 100.5, 99.5];
        let framework: Vec<f64> = raw.iter().map(|v| v * 1.25).collect();

        let estimate =
            bootstrap_ratio_of_medians(&raw, &framework, DEFAULT_RESAMPLES, DEFAULT_SEED)
                .expect("a ratio exists");

        assert!((estimate.ratio - 1.25).abs() < 1e-12);
        // Every resample's medians come from the same ranks on both sides
        // only by chance, so the interval is not a point, but it cannot
        // leave the range of possible ratios of the two samples' values.
        assert!(estimate.ci_low <= 1.25 && estimate.ci_high >= 1.25);
        assert!(estimate.ci_low >= 99.0 * 1.25 / 101.0 - 1e-12);
        assert!(estimate.ci_high <= 101.0 * 1.25 / 99.0 + 1e-12);
    }

    #[test]
    fn identical_constant_samples_give_exactly_their_ratio() {
        let estimate =
            bootstrap_ratio_of_medians(&[10.0; 5], &[12.0; 5], 1_000, 7).expect("a ratio exists");
        assert_eq!(
            estimate,
            RatioEstimate {
                ratio: 1.2,
                ci_low: 1.2,
                ci_high: 1.2
            }
        );
    }

    #[test]
    fn the_interval_covers_the_true_ratio_of_two_known_distributions() {
        // Baseline uniform on [90, 110] (median 100), candidate uniform on
        // [135, 165] (median 150): the true ratio of medians is 1.5. With 41
        // evenly spaced samples each, the point estimate is exact.
        let baseline: Vec<f64> = (0..=40).map(|i| 90.0 + f64::from(i) * 0.5).collect();
        let candidate: Vec<f64> = (0..=40).map(|i| 135.0 + f64::from(i) * 0.75).collect();

        let estimate =
            bootstrap_ratio_of_medians(&baseline, &candidate, DEFAULT_RESAMPLES, DEFAULT_SEED)
                .expect("a ratio exists");

        assert!((estimate.ratio - 1.5).abs() < 1e-12);
        assert!(estimate.ci_low < 1.5 && 1.5 < estimate.ci_high);
        // And the interval is informative: well inside the extreme ratios.
        assert!(estimate.ci_low > 1.4 && estimate.ci_high < 1.6);
    }

    #[test]
    fn the_same_seed_gives_the_same_interval() {
        let raw = [5.0, 7.0, 6.0, 9.0, 5.5];
        let framework = [6.0, 8.0, 6.5, 7.5, 9.5];
        let first = bootstrap_ratio_of_medians(&raw, &framework, 2_000, 42);
        let second = bootstrap_ratio_of_medians(&raw, &framework, 2_000, 42);
        assert_eq!(first, second);
    }

    #[test]
    fn no_ratio_without_data_or_with_a_zero_baseline() {
        assert_eq!(bootstrap_ratio_of_medians(&[], &[1.0], 10, 1), None);
        assert_eq!(bootstrap_ratio_of_medians(&[0.0, 0.0], &[1.0], 10, 1), None);
    }

    #[test]
    fn the_paired_ratio_ignores_a_disturbed_pair_at_either_end() {
        let mut ratios = vec![1.10, 1.11, 1.09, 1.10, 1.10, 1.12, 1.08, 1.10, 1.10, 1.10];
        ratios[3] = 1.60;
        ratios[7] = 0.70;

        let estimate = bootstrap_paired_ratio(&ratios, DEFAULT_RESAMPLES, DEFAULT_SEED)
            .expect("a ratio exists");

        assert!((estimate.ratio - 1.10).abs() < 0.005, "{estimate:?}");
        assert!(estimate.ci_low <= estimate.ratio && estimate.ratio <= estimate.ci_high);
        // The two wild pairs widen the interval by little: the eight others
        // lie within ±2% of 1.10.
        assert!(
            estimate.ci_low > 1.07 && estimate.ci_high < 1.13,
            "{estimate:?}"
        );
    }

    #[test]
    fn identical_pairs_give_exactly_their_ratio() {
        let estimate = bootstrap_paired_ratio(&[1.25; 8], 1_000, 3).expect("a ratio exists");
        assert!((estimate.ratio - 1.25).abs() < 1e-12);
        assert!((estimate.ci_low - 1.25).abs() < 1e-12 && (estimate.ci_high - 1.25).abs() < 1e-12);
    }

    #[test]
    fn the_paired_interval_narrows_with_more_pairs() {
        let spread = |n: usize| -> Vec<f64> {
            (0..n)
                .map(|i| 1.2 + 0.06 * ((i * 7 % 11) as f64 / 10.0 - 0.5))
                .collect()
        };
        let width = |n: usize| {
            let e = bootstrap_paired_ratio(&spread(n), DEFAULT_RESAMPLES, DEFAULT_SEED)
                .expect("a ratio");
            e.ci_high - e.ci_low
        };
        assert!(width(40) < width(10));
    }

    #[test]
    fn no_paired_ratio_without_a_positive_ratio() {
        assert_eq!(bootstrap_paired_ratio(&[], 10, 1), None);
        assert_eq!(bootstrap_paired_ratio(&[0.0, f64::NAN], 10, 1), None);
    }

    #[test]
    fn the_coefficient_of_variation_is_spread_over_mean() {
        let cv = coefficient_of_variation(&[9.0, 11.0]).expect("two values");
        assert!((cv - 2.0_f64.sqrt() / 10.0).abs() < 1e-12);
        assert_eq!(coefficient_of_variation(&[1.0]), None);
    }

    #[test]
    fn percent_formats_a_signed_change_with_its_interval() {
        let estimate = RatioEstimate {
            ratio: 1.042,
            ci_low: 0.99,
            ci_high: 1.1,
        };
        assert_eq!(estimate.percent(), "+4.2% [-1.0%, +10.0%]");
    }
}
