//! The report's "Noise" table: how busy the machine was while `compare`
//! measured (what other processes took on the server's and the load
//! generator's cores, hypervisor steal, load average), how many rounds
//! were disturbed and measured again, and how much the paired ratios
//! spread per endpoint — the figures a reader needs to judge how far the
//! intervals can be trusted on a shared machine.

use super::tables::{NONE, Table};
use super::{Report, number};

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| NONE.to_owned(), |s| format!("{:.1}%", s * 100.0))
}

/// The noise table, when the results carry noise figures (compare runs
/// from before they existed do not).
pub fn table(report: &Report) -> Option<Table> {
    let noise = report.results.noise.as_ref()?;
    let mut rows = vec![
        vec![
            "scheduling of the rounds".to_owned(),
            noise.scheduling.clone().unwrap_or_else(|| NONE.to_owned()),
        ],
        vec![
            "rounds kept / measured again / kept although disturbed".to_owned(),
            format!(
                "{} / {} / {}",
                noise.rounds_kept, noise.rounds_repeated, noise.rounds_kept_disturbed
            ),
        ],
        vec![
            "other processes on the server's core, median (max) per round".to_owned(),
            format!(
                "{} ({})",
                percent(noise.server_core_others_median),
                percent(noise.server_core_others_max)
            ),
        ],
        vec![
            "other processes on the load generator's core, median per round".to_owned(),
            percent(noise.client_core_others_median),
        ],
        vec![
            "hypervisor steal on the server's core, total".to_owned(),
            noise
                .server_core_steal_s
                .map_or_else(|| NONE.to_owned(), |s| format!("{} s", number(s, 2))),
        ],
        vec![
            "load average (1 min) at start → end".to_owned(),
            format!(
                "{} → {}",
                noise
                    .load_average_start
                    .map_or_else(|| NONE.to_owned(), |l| number(l, 2)),
                noise
                    .load_average_end
                    .map_or_else(|| NONE.to_owned(), |l| number(l, 2))
            ),
        ],
    ];
    for spread in &noise.paired_cpu_ratio_cv {
        rows.push(vec![
            format!(
                "spread of paired CPU/request ratios, {} {}/raw ({} pairs)",
                spread.endpoint, spread.server, spread.pairs
            ),
            format!("{:.1}%", spread.cv * 100.0),
        ]);
    }
    let round_s = report.results.config.duration_s;
    Some(Table {
        title: "Noise: how busy the machine was".to_owned(),
        headers: vec!["measure".to_owned(), "value".to_owned()],
        rows,
        notes: std::iter::once(format!(
            "A round in which other processes took more than {:.0}% of the server's core \
             (its busy time in /proc/stat minus the server's own CPU time) is disturbed and \
             measured again, up to {} times per endpoint. The spread is the coefficient of \
             variation of the per-round ratios; the interval of the paired ratio narrows with \
             the square root of the pairs.",
            crate::schema::results::DISTURBED_SHARE * 100.0,
            report.results.config.repeat_disturbed
        ))
        .chain(
            noise
                .unexplained_spread(round_s)
                .map(|note| capitalised(&note) + "."),
        )
        .collect(),
    })
}

/// "the pairs ..." → "The pairs ...", for a note that stands as a sentence.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;
    use crate::schema::results::{Noise, PairSpread};

    #[test]
    fn without_noise_figures_there_is_no_noise_table() {
        let report = Report::new(fixtures::results(&["json"], 3));
        assert!(table(&report).is_none());
    }

    /// The figures of the run of 2026-12-07 in the docs: a quiet guest on
    /// an unsteady host.
    fn quiet_guest(spreads: &[f64]) -> Noise {
        Noise {
            rounds_kept: 1568,
            rounds_repeated: 0,
            rounds_kept_disturbed: 0,
            server_core_others_median: Some(0.0),
            server_core_others_max: Some(0.15),
            client_core_others_median: Some(0.0),
            server_core_steal_s: Some(1.94),
            load_average_start: Some(0.19),
            load_average_end: Some(11.78),
            paired_cpu_ratio_cv: spreads
                .iter()
                .map(|&cv| PairSpread {
                    endpoint: "json".into(),
                    server: "framework".into(),
                    pairs: 112,
                    cv,
                })
                .collect(),
            scheduling: Some("SCHED_RR 1".into()),
        }
    }

    #[test]
    fn a_wide_spread_on_a_quiet_looking_machine_is_put_down_to_the_host() {
        let mut results = fixtures::results(&["json"], 3);
        results.config.duration_s = 0.125;
        results.noise = Some(quiet_guest(&[
            0.207, 0.221, 0.170, 0.141, 0.174, 0.170, 0.347,
        ]));
        let table = table(&Report::new(results)).expect("a table");
        let note = &table.notes[1];
        assert!(
            note.starts_with("The paired ratios spread 17% (median over endpoints)"),
            "{note}"
        );
        assert!(
            note.contains("load average 0.19 when the run began"),
            "{note}"
        );
        assert!(note.contains("0.0% of the server's core"), "{note}");
        assert!(note.contains("1.9 s of steal"), "{note}");
        assert!(note.ends_with("longer one."), "{note}");
    }

    #[test]
    fn a_narrow_spread_or_a_visibly_busy_machine_needs_no_such_note() {
        // A quiet run's spreads, one wild endpoint among them.
        assert!(
            quiet_guest(&[0.05, 0.07, 0.09, 0.35])
                .unexplained_spread(0.125)
                .is_none()
        );
        // The same wide spread, but others were running when the run began.
        let mut busy = quiet_guest(&[0.2, 0.2, 0.2]);
        busy.load_average_start = Some(8.8);
        assert!(busy.unexplained_spread(0.125).is_none());
        // ... or took the server's core, or the hypervisor stole a tenth of it.
        let mut shared = quiet_guest(&[0.2, 0.2, 0.2]);
        shared.server_core_others_median = Some(0.1);
        assert!(shared.unexplained_spread(0.125).is_none());
        let mut stolen = quiet_guest(&[0.2, 0.2, 0.2]);
        stolen.server_core_steal_s = Some(19.6);
        assert!(stolen.unexplained_spread(0.125).is_none());
    }

    #[test]
    fn the_noise_table_shows_repeats_shares_and_spreads() {
        let mut results = fixtures::results(&["json"], 3);
        results.noise = Some(Noise {
            rounds_kept: 6,
            rounds_repeated: 2,
            rounds_kept_disturbed: 1,
            server_core_others_median: Some(0.125),
            server_core_others_max: Some(0.5),
            client_core_others_median: Some(0.3),
            server_core_steal_s: Some(0.0),
            load_average_start: Some(4.0),
            load_average_end: Some(6.5),
            paired_cpu_ratio_cv: vec![PairSpread {
                endpoint: "json".into(),
                server: "framework".into(),
                pairs: 3,
                cv: 0.034,
            }],
            scheduling: Some("SCHED_RR 1".into()),
        });
        let table = table(&Report::new(results)).expect("a table");
        let cells: Vec<&str> = table.rows.iter().map(|r| r[1].as_str()).collect();
        assert_eq!(cells[0], "SCHED_RR 1");
        assert_eq!(cells[1], "6 / 2 / 1");
        assert_eq!(cells[2], "12.5% (50.0%)");
        assert_eq!(cells[5], "4.00 → 6.50");
        assert_eq!(cells[6], "3.4%");
        assert_eq!(
            table.notes.len(),
            1,
            "a spread of 3.4% needs no word on the host"
        );
    }
}
