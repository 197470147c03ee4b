//! The report section "The framework tax in two ecosystems": what Express,
//! Express 4 and Fastify cost over Node's own `http`, beside what axum
//! costs over bare hyper, measured in the same run (`compare --suite all`),
//! and the figures the Node debate quotes, each answered by one of ours.
//!
//! Every figure here is read from the summaries `compare` wrote: the ratio
//! of medians of each framework against its own ecosystem's baseline, with
//! its bootstrap 95% interval. Nothing is recomputed.

use std::fmt::Write as _;

use super::charts::{Estimate, ForestChart, ForestRow, forest_chart};
use super::svg::{colour, escape};
use super::tables::{NONE, Table};
use super::{Report, change, number};
use crate::schema::results::Ratios;
use crate::stats::RatioEstimate;

/// The pairs the section compares: (framework, its ecosystem's baseline).
/// The like-for-like Rust pair (`--middleware none`) joins here once
/// framework-server can run without its middleware.
pub const PAIRS: [(&str, &str); 4] = [
    ("express", "node-http"),
    ("express4", "node-http"),
    ("fastify", "node-http"),
    ("framework", "raw"),
];

/// The section's title, in both renderings.
pub const TITLE: &str = "The framework tax in two ecosystems";

/// The figures the debate quotes, answered by [`claims`].
pub const QUOTED_RPS: f64 = 11_202.0;

/// The ratios of `server` against `baseline` on `endpoint`, if both ran.
fn ratios<'a>(
    report: &'a Report,
    endpoint: &str,
    (server, baseline): (&str, &str),
) -> Option<&'a Ratios> {
    report
        .summary(endpoint, server)
        .and_then(|s| s.vs_baseline.as_ref())
        .filter(|r| r.baseline == baseline)
}

/// The pairs present in this report (both servers measured).
pub fn pairs_in(report: &Report) -> Vec<(&'static str, &'static str)> {
    let servers = report.servers();
    PAIRS
        .into_iter()
        .filter(|(a, b)| servers.contains(a) && servers.contains(b))
        .collect()
}

/// `4.73× [4.51, 4.98]`: how many times the baseline's figure.
fn times(estimate: Option<RatioEstimate>) -> String {
    estimate.map_or_else(
        || NONE.to_owned(),
        |e| format!("{:.2}× [{:.2}, {:.2}]", e.ratio, e.ci_low, e.ci_high),
    )
}

/// One row per endpoint and pair: CPU per request and req/s as ratios.
pub fn table(report: &Report) -> Option<Table> {
    let pairs = pairs_in(report);
    if !pairs.iter().any(|(_, b)| *b == "node-http") {
        return None;
    }
    let mut rows = Vec::new();
    for endpoint in report.endpoints() {
        for pair in &pairs {
            let Some(r) = ratios(report, endpoint, *pair) else {
                continue;
            };
            rows.push(vec![
                endpoint.to_owned(),
                format!("{}/{}", pair.0, pair.1),
                times(r.server_cpu_us_per_request),
                times(r.requests_per_second),
                r.server_cpu_us_per_request
                    .map_or_else(|| NONE.to_owned(), |e| change(&e)),
            ]);
        }
    }
    Some(Table {
        title: TITLE.to_owned(),
        headers: [
            "endpoint",
            "server",
            "CPU/request ×",
            "req/s ×",
            "CPU/request change",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        notes: vec![
            "Each framework against its own ecosystem's baseline, in the same run: ratio of \
             medians [bootstrap 95% interval]. CPU/request above 1× is the framework's tax; \
             req/s below 1× is its cost in throughput on one core."
                .to_owned(),
        ],
    })
}

/// The debate's own sentences, each with the figure measured here.
pub fn claims(report: &Report) -> Vec<String> {
    let mut answers = Vec::new();
    for endpoint in ["plaintext", "json"] {
        let Some(summary) = report.summary(endpoint, "express4") else {
            continue;
        };
        let served = summary.median.requests_per_second;
        // Throughput depends on what else the machine runs; CPU time per
        // request does not, and bounds what one free core could serve.
        let ceiling = summary
            .median
            .server_cpu_us_per_request
            .filter(|us| *us > 0.0)
            .map_or_else(String::new, |us| {
                format!(
                    "; its {} µs of CPU per request put one free core's ceiling at {} req/s",
                    number(us, 1),
                    number(1e6 / us, 0)
                )
            });
        answers.push(format!(
            "\"handles over 11,202 requests per second\": Express 4 served {} req/s on \
             `/{endpoint}` here, on one pinned core ({:.2}× the quoted figure){ceiling}.",
            number(served, 0),
            served / QUOTED_RPS
        ));
    }
    let cpu = |endpoint: &str, pair| {
        ratios(report, endpoint, pair).and_then(|r| r.server_cpu_us_per_request)
    };
    if let Some(e) = cpu("plaintext", ("express", "node-http")) {
        answers.push(format!(
            "\"so minimal it's practically immeasurable\": Express 5 spent {} the CPU per \
             `/plaintext` request of Node's own http ({}).",
            times(Some(e)),
            change(&e)
        ));
    }
    if let Some(e) = cpu("plaintext", ("fastify", "node-http")) {
        answers.push(format!(
            "\"very little overhead\": Fastify spent {} the CPU per `/plaintext` request of \
             Node's http ({}).",
            times(Some(e)),
            change(&e)
        ));
    }
    if let Some(e) = cpu("plaintext", ("framework", "raw")) {
        answers.push(format!(
            "For comparison, axum over bare hyper: {} ({}) on `/plaintext`.",
            times(Some(e)),
            change(&e)
        ));
    }
    answers
}

/// One forest chart: every pair's CPU/request and req/s changes.
fn chart(report: &Report) -> Option<String> {
    let mut rows = Vec::new();
    for endpoint in report.endpoints() {
        for pair in pairs_in(report) {
            let Some(r) = ratios(report, endpoint, pair) else {
                continue;
            };
            let metrics = [
                ("CPU per request", colour(0), r.server_cpu_us_per_request),
                ("requests per second", colour(1), r.requests_per_second),
            ];
            let estimates = metrics
                .into_iter()
                .filter_map(|(label, colour, e)| {
                    e.map(|e| Estimate {
                        label: label.to_owned(),
                        colour,
                        value: (e.ratio - 1.0) * 100.0,
                        low: (e.ci_low - 1.0) * 100.0,
                        high: (e.ci_high - 1.0) * 100.0,
                    })
                })
                .collect();
            rows.push(ForestRow {
                label: format!("{endpoint} · {}/{}", pair.0, pair.1),
                estimates,
            });
        }
    }
    (!rows.is_empty()).then(|| {
        forest_chart(&ForestChart {
            title: "Each framework against its own ecosystem's baseline".to_owned(),
            axis_label: "change against node-http or raw (%), bar = bootstrap 95% interval"
                .to_owned(),
            rows,
        })
    })
}

/// The section in Markdown (nothing when the guests did not run).
pub fn markdown(report: &Report, table_markdown: impl Fn(&Table) -> String) -> String {
    let Some(table) = table(report) else {
        return String::new();
    };
    // The table's own heading is the section's.
    let mut out = format!("{}\n", table_markdown(&table));
    for claim in claims(report) {
        let _ = writeln!(out, "- {claim}");
    }
    out.push('\n');
    out
}

/// The section in HTML: the chart, the table and the answered claims.
pub fn html(page: &mut String, report: &Report, table_html: impl Fn(&Table) -> String) {
    let Some(table) = table(report) else {
        return;
    };
    let _ = writeln!(page, "<h2>{TITLE}</h2>");
    if let Some(svg) = chart(report) {
        super::html::figure(
            page,
            &svg,
            "Express, Express 4 and Fastify against node-http, axum against raw, in one run \
             on one machine. Right of 0 on CPU per request is the framework's tax; left of 0 \
             on requests per second is what it costs in throughput.",
        );
    }
    page.push_str(&table_html(&Table {
        title: "Ratio against the baseline, endpoint by endpoint".to_owned(),
        ..table
    }));
    page.push_str("<ul>\n");
    for claim in claims(report) {
        let _ = writeln!(page, "<li>{}</li>", escape(&claim));
    }
    page.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    /// A synthetic run with the Rust pair and, renamed from them, a
    /// node-http baseline and an express that is as much slower.
    fn report_with_guests() -> Report {
        let mut results = fixtures::results(&["plaintext", "json"], 5);
        let renamed: Vec<_> = results
            .summary
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.server = if s.server == "raw" {
                    "node-http"
                } else {
                    "express"
                }
                .to_owned();
                if let Some(r) = &mut s.vs_baseline {
                    r.baseline = "node-http".to_owned();
                }
                s
            })
            .collect();
        results.summary.extend(renamed);
        for name in ["node-http", "express"] {
            let mut info = results.servers[0].clone();
            info.name = name.to_owned();
            results.servers.push(info);
        }
        Report::new(results)
    }

    #[test]
    fn without_guests_the_section_is_left_out() {
        let report = Report::new(fixtures::results(&["plaintext"], 3));
        assert!(table(&report).is_none());
        assert!(markdown(&report, |_| String::new()).is_empty());
    }

    #[test]
    fn each_pair_shows_the_ratio_compare_computed_against_its_own_baseline() {
        let report = report_with_guests();
        let table = table(&report).expect("guests ran");
        let row = table
            .rows
            .iter()
            .find(|r| r[0] == "json" && r[1] == "express/node-http")
            .expect("a json express row");
        let summary = report.summary("json", "express").expect("express on json");
        let cpu = summary
            .vs_baseline
            .as_ref()
            .and_then(|r| r.server_cpu_us_per_request)
            .expect("a CPU ratio");
        assert_eq!(row[2], times(Some(cpu)));
        assert!(table.rows.iter().any(|r| r[1] == "framework/raw"));
        assert!(!table.rows.iter().any(|r| r[1].starts_with("fastify")));
    }

    #[test]
    fn the_quoted_claims_are_answered_with_measured_figures() {
        let report = report_with_guests();
        let claims = claims(&report);
        let cpu = report
            .summary("plaintext", "express")
            .and_then(|s| s.vs_baseline.as_ref())
            .and_then(|r| r.server_cpu_us_per_request)
            .expect("a CPU ratio");
        assert!(
            claims
                .iter()
                .any(|c| c.contains("practically immeasurable") && c.contains(&change(&cpu)))
        );
        let mut page = String::new();
        html(&mut page, &report, |_| String::new());
        assert!(page.contains(TITLE) && page.contains("<svg"));
    }
}
