//! How noisy the machine was during a comparison: what other processes
//! took on the server's and the generator's cores, how many rounds were
//! disturbed and measured again, and how much the paired ratios spread.
//! The report's "Noise" section shows it.

use crate::schema::results::{Noise, PairSpread, Round, Summary};
use crate::servers::BASELINE;
use crate::stats::{coefficient_of_variation, median};

use super::results::paired_ratios;

/// The 1-minute load average from `/proc/loadavg`, if readable.
pub(super) fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_ascii_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The noise figures of the kept and the repeated rounds.
pub(super) fn noise(
    rounds: &[Round],
    repeated: &[Round],
    summary: &[Summary],
    (load_average_start, load_average_end): (Option<f64>, Option<f64>),
) -> Noise {
    let share = |r: &Round, others: Option<f64>| others.map(|s| s / r.duration_s.max(1e-9));
    let server: Vec<f64> = rounds
        .iter()
        .filter_map(|r| share(r, r.server_core_others_s))
        .collect();
    let client: Vec<f64> = rounds
        .iter()
        .filter_map(|r| share(r, r.client_core_others_s))
        .collect();
    let steal: Vec<f64> = rounds
        .iter()
        .filter_map(|r| r.server_core_steal_s)
        .collect();
    Noise {
        rounds_kept: rounds.len(),
        rounds_repeated: repeated.len(),
        rounds_kept_disturbed: rounds.iter().filter(|r| r.disturbed).count(),
        server_core_others_median: median(&server),
        server_core_others_max: server.iter().copied().reduce(f64::max),
        client_core_others_median: median(&client),
        server_core_steal_s: (!steal.is_empty()).then(|| steal.iter().sum()),
        load_average_start,
        load_average_end,
        paired_cpu_ratio_cv: spreads(rounds, summary),
        // Set by the caller, which chose it.
        scheduling: None,
    }
}

/// The coefficient of variation of each server's paired CPU ratios.
fn spreads(rounds: &[Round], summary: &[Summary]) -> Vec<PairSpread> {
    let cpu = |r: &Round| r.server_cpu_us_per_request;
    summary
        .iter()
        .filter(|s| s.server != BASELINE)
        .filter_map(|s| {
            let of = |server: &str| -> Vec<&Round> {
                rounds
                    .iter()
                    .filter(|r| r.endpoint == s.endpoint && r.server == server)
                    .collect()
            };
            let ratios = paired_ratios(&of(&s.server), &of(BASELINE), &cpu);
            Some(PairSpread {
                endpoint: s.endpoint.clone(),
                server: s.server.clone(),
                pairs: ratios.len(),
                cv: coefficient_of_variation(&ratios)?,
            })
        })
        .collect()
}
