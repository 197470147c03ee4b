//! The page's answer: the overhead of each server against the baseline
//! with its intervals, and what it means in words.

use std::fmt::Write as _;

use super::super::charts::{self, Estimate, ForestChart, ForestRow};
use super::super::svg::escape;
use super::super::{Report, comparison_name, narrative, percent_change};
use super::{CPU_COLOUR, INSTRUCTIONS_COLOUR, P50_COLOUR, P99_COLOUR, THROUGHPUT_COLOUR, figure};
use crate::servers::{BASELINE, baseline_for};

/// The Rust servers compared with raw (the Node guests have their own
/// section, against node-http: see `report::ecosystems`).
fn non_baseline(report: &Report) -> Vec<&str> {
    report
        .servers()
        .into_iter()
        .filter(|s| *s != BASELINE && baseline_for(s) == BASELINE)
        .collect()
}

pub(super) fn section_overhead(page: &mut String, report: &Report) {
    let others = non_baseline(report);
    let mut rows = Vec::new();
    for endpoint in report.endpoints() {
        for server in &others {
            let Some(ratios) = report
                .summary(endpoint, server)
                .and_then(|s| s.vs_baseline.as_ref())
            else {
                continue;
            };
            let estimates = overhead_estimates(report, endpoint, server, ratios);
            rows.push(ForestRow {
                label: if others.len() > 1 {
                    format!("{endpoint} · {}", comparison_name(server).unwrap_or(server))
                } else {
                    endpoint.to_owned()
                },
                estimates,
            });
        }
    }
    let names: Vec<&str> = others
        .iter()
        .map(|server| comparison_name(server).unwrap_or(server))
        .collect();
    let _ = writeln!(
        page,
        "<h2>Overhead: framework against raw ({})</h2>",
        escape(&names.join("; "))
    );
    if rows.is_empty() {
        page.push_str("<p>No server was compared against raw.</p>\n");
        return;
    }
    let chart = charts::forest_chart(&ForestChart {
        title: "Change of each figure against raw-server, per endpoint".to_owned(),
        axis_label:
            "change against raw-server (%), dot = paired ratio, bar = bootstrap 95% interval"
                .to_owned(),
        rows,
    });
    figure(
        page,
        &chart,
        "Each dot is framework ÷ raw − 1 for one figure; the bar around it is its 95% confidence \
         interval. A bar that crosses the black 0% line means no difference was detected. For CPU, \
         instructions and latency, right of 0 means the framework costs more; for requests per \
         second, left of 0 means it is slower. Instructions are deterministic, so they have no bar.",
    );
}

/// The estimates of one endpoint and server against the baseline, in
/// percent: CPU, instructions (exact), throughput, p50 and p99.
fn overhead_estimates(
    report: &Report,
    endpoint: &str,
    server: &str,
    ratios: &crate::schema::results::Ratios,
) -> Vec<Estimate> {
    let mut estimates = Vec::new();
    let as_percent = |label: &str, colour, e: Option<crate::stats::RatioEstimate>| {
        e.map(|e| Estimate {
            label: label.to_owned(),
            colour,
            value: (e.ratio - 1.0) * 100.0,
            low: (e.ci_low - 1.0) * 100.0,
            high: (e.ci_high - 1.0) * 100.0,
        })
    };
    estimates.extend(as_percent(
        "CPU per request",
        CPU_COLOUR,
        ratios.server_cpu_us_per_request,
    ));
    let instructions = report
        .cost(endpoint, server)
        .and_then(|c| c.instructions_per_request)
        .zip(
            report
                .cost(endpoint, BASELINE)
                .and_then(|c| c.instructions_per_request),
        )
        .and_then(|(mine, theirs)| percent_change(theirs, mine));
    if let Some(change) = instructions {
        estimates.push(Estimate {
            label: "instructions per request".to_owned(),
            colour: INSTRUCTIONS_COLOUR,
            value: change,
            low: change,
            high: change,
        });
    }
    estimates.extend(as_percent(
        "requests per second",
        THROUGHPUT_COLOUR,
        ratios.requests_per_second,
    ));
    estimates.extend(as_percent("p50 latency", P50_COLOUR, ratios.p50_us));
    estimates.extend(as_percent("p99 latency", P99_COLOUR, ratios.p99_us));
    estimates
}

pub(super) fn section_meaning(page: &mut String, report: &Report) {
    page.push_str("<h2>What this means</h2>\n<div class=\"meaning\">\n");
    for endpoint in report.endpoints() {
        for paragraph in narrative::paragraphs(report, endpoint) {
            let _ = writeln!(
                page,
                "<p><span class=\"endpoint\">{}</span>: {}</p>",
                escape(endpoint),
                escape(&paragraph)
            );
        }
    }
    page.push_str("</div>\n");
}
