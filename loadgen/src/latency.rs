//! Latency recording: HdrHistogram in microseconds, and the summary we report.
//!
//! A histogram keeps every recorded value to 3 significant digits in a fixed
//! amount of memory, so a load generator can record millions of latencies
//! without storing them and still report any percentile afterwards. Each
//! client thread records into its own histogram (no locks on the hot path);
//! they are added together once the run is over.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Largest latency we can record: one minute. Anything slower is recorded as
/// one minute (`saturating_record`); request timeouts are far below it.
pub const MAX_TRACKABLE_US: u64 = 60_000_000;

/// 3 significant digits: 1 µs resolution up to 1 ms, 1 ms resolution up to
/// 1 s. The precision wrk2 and oha use.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// A new, empty latency histogram (µs, 1 µs ..= [`MAX_TRACKABLE_US`]).
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TRACKABLE_US, SIGNIFICANT_DIGITS)
        .expect("constant bounds 1..60e6 with 3 digits are valid")
}

/// Records one latency, rounded down to whole microseconds (at least 1).
pub fn record(histogram: &mut Histogram<u64>, latency: Duration) {
    let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    histogram.saturating_record(micros.max(1));
}

/// One point of the percentile spectrum: `percentile`% of requests took at
/// most `value_us` microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percentile {
    pub percentile: f64,
    pub value_us: u64,
}

/// What we report about a latency distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub count: u64,
    pub min_us: u64,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    /// The full spectrum, as HdrHistogram's percentile iterator walks it
    /// (finer towards the tail, where the interesting things happen).
    pub spectrum: Vec<Percentile>,
}

impl LatencySummary {
    /// Summarises `histogram`. An empty histogram gives all zeros.
    pub fn from_histogram(histogram: &Histogram<u64>) -> LatencySummary {
        let mut spectrum = Vec::new();
        if !histogram.is_empty() {
            // Two steps per halving of the remaining tail: 50, 75, 87.5, ...
            for point in histogram.iter_quantiles(2) {
                if point.count_since_last_iteration() == 0 {
                    continue;
                }
                spectrum.push(Percentile {
                    percentile: point.quantile_iterated_to() * 100.0,
                    value_us: histogram.highest_equivalent(point.value_iterated_to()),
                });
            }
            // The iterator may stop just short of 100%; the spectrum always
            // ends at the maximum.
            if spectrum.last().is_none_or(|last| last.percentile < 100.0) {
                spectrum.push(Percentile {
                    percentile: 100.0,
                    value_us: histogram.highest_equivalent(histogram.max()),
                });
            }
        }
        let quantile = |q: f64| {
            if histogram.is_empty() {
                0
            } else {
                histogram.value_at_quantile(q)
            }
        };
        LatencySummary {
            count: histogram.len(),
            min_us: if histogram.is_empty() {
                0
            } else {
                histogram.min()
            },
            mean_us: histogram.mean(),
            p50_us: quantile(0.50),
            p90_us: quantile(0.90),
            p99_us: quantile(0.99),
            p999_us: quantile(0.999),
            max_us: if histogram.is_empty() {
                0
            } else {
                histogram.max()
            },
            spectrum,
        }
    }
}

/// Formats microseconds the way people read them: `850µs`, `1.25ms`, `2.00s`.
pub fn format_micros(micros: f64) -> String {
    if micros < 1_000.0 {
        format!("{micros:.0}µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2}ms", micros / 1_000.0)
    } else {
        format!("{:.2}s", micros / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_one_to_ten_thousand_microseconds_are_where_they_should_be() {
        let mut histogram = new_histogram();
        for micros in 1..=10_000u64 {
            record(&mut histogram, Duration::from_micros(micros));
        }
        let summary = LatencySummary::from_histogram(&histogram);

        assert_eq!(summary.count, 10_000);
        assert_eq!(summary.min_us, 1);
        // 3 significant digits: values above 1024 µs share buckets of width
        // 2..8 µs, so a percentile may be off by less than 0.1 %.
        let close = |actual: u64, expected: u64| {
            let tolerance = expected / 1000 + 1;
            assert!(
                actual.abs_diff(expected) <= tolerance,
                "{actual} is not within {tolerance} of {expected}"
            );
        };
        close(summary.p50_us, 5_000);
        close(summary.p90_us, 9_000);
        close(summary.p99_us, 9_900);
        close(summary.p999_us, 9_990);
        close(summary.max_us, 10_000);
        assert!((summary.mean_us - 5_000.5).abs() < 5.0);
    }

    #[test]
    fn spectrum_is_monotonic_and_ends_at_the_maximum() {
        let mut histogram = new_histogram();
        for micros in [100u64, 200, 300, 400, 5_000] {
            record(&mut histogram, Duration::from_micros(micros));
        }
        let summary = LatencySummary::from_histogram(&histogram);

        let last = summary.spectrum.last().expect("non-empty spectrum");
        assert!((last.percentile - 100.0).abs() < 1e-9);
        assert_eq!(last.value_us, histogram.highest_equivalent(5_000));
        assert!(
            summary
                .spectrum
                .windows(2)
                .all(|w| w[0].percentile <= w[1].percentile && w[0].value_us <= w[1].value_us)
        );
    }

    #[test]
    fn an_empty_histogram_summarises_to_zeros() {
        let summary = LatencySummary::from_histogram(&new_histogram());
        assert_eq!(summary.count, 0);
        assert_eq!(summary.p99_us, 0);
        assert!(summary.spectrum.is_empty());
    }

    #[test]
    fn sub_microsecond_and_huge_latencies_are_clamped_not_lost() {
        let mut histogram = new_histogram();
        record(&mut histogram, Duration::from_nanos(10));
        record(&mut histogram, Duration::from_secs(3_600));
        assert_eq!(histogram.len(), 2);
        assert_eq!(histogram.min(), 1);
    }
}
