//! The figures behind the answer, from the most trustworthy (CPU,
//! instructions, allocations) to the noisiest (throughput, latency), then
//! criterion's timings and the lines of glue.

use std::fmt::Write as _;

use super::super::charts::{self, Bar, BarChart, BarGroup, SpectrumChart, SpectrumLine};
use super::super::svg::escape;
use super::super::{Report, median_interval, number, percent_change};
use super::figure;
use crate::schema::cost::{CostReport, ServerCost};
use crate::schema::results::Round;
use crate::servers::BASELINE;

/// Bars of one per-round metric: median, its interval, and the rounds.
fn round_bars(
    report: &Report,
    metric: &dyn Fn(&Round) -> Option<f64>,
    label: &dyn Fn(f64) -> String,
) -> Vec<BarGroup> {
    report
        .endpoints()
        .into_iter()
        .map(|endpoint| BarGroup {
            label: endpoint.to_owned(),
            bars: report
                .servers()
                .into_iter()
                .map(|server| {
                    let values: Vec<f64> = report
                        .rounds(endpoint, server)
                        .into_iter()
                        .filter_map(metric)
                        .collect();
                    let value = crate::stats::median(&values)?;
                    Some(Bar {
                        value,
                        interval: median_interval(&values, report.seed()),
                        points: values,
                        label: label(value),
                    })
                })
                .collect(),
        })
        .collect()
}

fn series(report: &Report) -> Vec<String> {
    report.servers().into_iter().map(|s| s.to_owned()).collect()
}

pub(super) fn section_cpu(page: &mut String, report: &Report) {
    page.push_str("<h2>CPU time per request</h2>\n");
    let groups = round_bars(report, &|r| r.server_cpu_us_per_request, &|v| {
        format!("{} µs", number(v, 2))
    });
    let chart = charts::bar_chart(&BarChart {
        title: "Server CPU time per request".to_owned(),
        axis_label: "server CPU time per request (µs, user + system) — shorter is cheaper"
            .to_owned(),
        series: series(report),
        groups,
    });
    figure(
        page,
        &chart,
        "CPU time the server process spent per request, user and kernel together, read from \
         /proc before and after each round. Bar = median of the rounds, dots = the rounds, \
         whisker = 95% interval of the median. This is the headline figure: unlike throughput it \
         does not depend on how busy the client was.",
    );
}

pub(super) fn section_cost(page: &mut String, report: &Report) {
    page.push_str("<h2>Instructions and allocations per request</h2>\n");
    let Some(cost) = &report.cost else {
        page.push_str(
            "<p class=\"hint\">No cost figures in this report. Measure them with \
             <code>bench-harness cost --json cost.json</code> and add them with \
             <code>bench-harness report --results results.json --cost cost.json</code>: \
             instructions and allocations per request are deterministic, so they show \
             differences throughput cannot.</p>\n",
        );
        return;
    };
    let servers = series(report);
    let endpoints = cost_endpoints(report, cost);
    let groups = |figure: &dyn Fn(&ServerCost) -> Option<f64>,
                  label: &dyn Fn(f64, Option<f64>) -> String| {
        cost_groups(report, &endpoints, &servers, figure, label)
    };
    let with_change = |text: String, change: Option<f64>| match change {
        Some(c) => format!("{text} ({c:+.0}%)"),
        None => text,
    };
    let instructions = groups(&|c| c.instructions_per_request, &|v, change| {
        with_change(number(v, 0), change)
    });
    if instructions
        .iter()
        .any(|g| g.bars.iter().any(Option::is_some))
    {
        let chart = charts::bar_chart(&BarChart {
            title: "User-space instructions per request".to_owned(),
            axis_label: "instructions per request (callgrind, user space only)".to_owned(),
            series: servers.clone(),
            groups: instructions,
        });
        figure(
            page,
            &chart,
            "Instructions the server's own code executes per request, counted by callgrind at two \
             request counts and differenced so start-up cancels out. Deterministic: two runs agree \
             to a fraction of a percent, so even small differences are real. The kernel's work is \
             not included.",
        );
    } else {
        page.push_str("<p>Instructions were not measured (valgrind was not available).</p>\n");
    }
    let allocations = groups(&|c| c.allocations_per_request, &|v, change| {
        with_change(format!("{} allocations", number(v, 1)), change)
    });
    let chart = charts::bar_chart(&BarChart {
        title: "Heap allocations per request".to_owned(),
        axis_label: "heap allocations per request (counting allocator)".to_owned(),
        series: servers,
        groups: allocations,
    });
    figure(
        page,
        &chart,
        "Calls to the allocator per request in the server process, counted by a counting global \
         allocator and differenced like the instructions. Each allocation costs time now and \
         memory traffic later.",
    );
}

/// The endpoints with cost figures: the comparison's order first, then
/// endpoints only the cost file has.
fn cost_endpoints<'a>(report: &'a Report, cost: &'a CostReport) -> Vec<&'a str> {
    let mut endpoints: Vec<&str> = report
        .endpoints()
        .into_iter()
        .filter(|name| cost.endpoints.iter().any(|e| e.endpoint == *name))
        .collect();
    for extra in &cost.endpoints {
        if !endpoints.contains(&extra.endpoint.as_str()) {
            endpoints.push(&extra.endpoint);
        }
    }
    endpoints
}

/// One bar group per endpoint of one cost figure, each bar labelled with
/// its change against the baseline.
fn cost_groups(
    report: &Report,
    endpoints: &[&str],
    servers: &[String],
    figure: &dyn Fn(&ServerCost) -> Option<f64>,
    label: &dyn Fn(f64, Option<f64>) -> String,
) -> Vec<BarGroup> {
    endpoints
        .iter()
        .map(|endpoint| BarGroup {
            label: (*endpoint).to_owned(),
            bars: servers
                .iter()
                .map(|server| {
                    let value = report.cost(endpoint, server).and_then(figure)?;
                    let base = report.cost(endpoint, BASELINE).and_then(figure);
                    let change = (server != BASELINE)
                        .then(|| base.and_then(|b| percent_change(b, value)))
                        .flatten();
                    Some(Bar {
                        value,
                        interval: None,
                        points: Vec::new(),
                        label: label(value, change),
                    })
                })
                .collect(),
        })
        .collect()
}

pub(super) fn section_throughput(page: &mut String, report: &Report) {
    page.push_str("<h2>Throughput</h2>\n");
    let groups = round_bars(report, &|r| Some(r.requests_per_second), &|v| {
        format!("{} req/s", number(v, 0))
    });
    let c = &report.results.config;
    let chart = charts::bar_chart(&BarChart {
        title: "Requests per second".to_owned(),
        axis_label: format!(
            "requests per second ({}, {} connections) — longer is faster",
            c.load_model, c.connections
        ),
        series: series(report),
        groups,
    });
    figure(
        page,
        &chart,
        "Requests answered per second in each round. Bar = median of the rounds, dots = the \
         rounds, whisker = 95% interval of the median. On loopback most of the work is the \
         kernel's, so this figure is noisy and differences between two fast servers are small.",
    );
}

pub(super) fn section_latency(page: &mut String, report: &Report) {
    page.push_str("<h2>Latency by percentile</h2>\n<div class=\"grid\">\n");
    let servers = report.servers();
    let c = &report.results.config;
    for endpoint in report.endpoints() {
        let mut lines = Vec::new();
        for (index, server) in servers.iter().enumerate() {
            let rounds = report.rounds(endpoint, server);
            // The round whose p99 is the median one is drawn thick: a
            // typical round, not a lucky or an unlucky one.
            let mut by_p99: Vec<&&Round> = rounds.iter().collect();
            by_p99.sort_by_key(|r| r.latency.p99_us);
            let typical = by_p99.get(by_p99.len() / 2).map(|r| r.round);
            for round in &rounds {
                lines.push(SpectrumLine {
                    series: index,
                    points: round
                        .latency
                        .spectrum
                        .iter()
                        .map(|p| (p.percentile, p.value_us as f64))
                        .collect(),
                    count: round.latency.count,
                    emphasis: Some(round.round) == typical,
                });
            }
        }
        let chart = charts::spectrum_chart(&SpectrumChart {
            title: format!(
                "{endpoint} ({}, {} connections)",
                c.load_model, c.connections
            ),
            series: servers.iter().map(|s| (*s).to_owned()).collect(),
            lines,
        });
        let _ = writeln!(page, "<div>{chart}</div>");
    }
    page.push_str("</div>\n");
    page.push_str(
        "<p class=\"table-note\">How long requests took, from the fastest (left) to the slowest \
         (right). The x axis gives every extra nine the same room — 90%, 99%, 99.9% — as \
         HdrHistogram plots do, so the tail is visible; the last point of each line is the \
         slowest request of the round. Thick line: the round with the median p99; thin lines: \
         the other rounds. Under a closed loop, latency is mostly queueing behind the other \
         connections: compare the two servers' shapes rather than the absolute values.</p>\n",
    );
}

pub(super) fn section_criterion(page: &mut String, report: &Report) {
    let Some(figures) = &report.criterion else {
        return;
    };
    page.push_str("<h2>Time per request without load (criterion)</h2>\n");
    let servers = series(report);
    let mut suites: Vec<&str> = figures.iter().map(|f| f.suite.as_str()).collect();
    suites.dedup();
    for suite in suites {
        let mut endpoints: Vec<&str> = figures
            .iter()
            .filter(|f| f.suite == suite)
            .map(|f| f.endpoint.as_str())
            .collect();
        endpoints.dedup();
        let groups = endpoints
            .iter()
            .map(|endpoint| BarGroup {
                label: (*endpoint).to_owned(),
                bars: servers
                    .iter()
                    .map(|server| {
                        let f = report.criterion(suite, endpoint, server)?;
                        Some(Bar {
                            value: f.median_ns,
                            interval: Some((f.ci_low_ns, f.ci_high_ns)),
                            points: Vec::new(),
                            label: format!("{} ns", number(f.median_ns, 0)),
                        })
                    })
                    .collect(),
            })
            .collect();
        let chart = charts::bar_chart(&BarChart {
            title: format!("criterion: {suite}"),
            axis_label: format!("{suite}: median time per iteration (ns) — shorter is faster"),
            series: servers.clone(),
            groups,
        });
        figure(
            page,
            &chart,
            &format!(
                "criterion's {suite} suite: median time per iteration with criterion's 95% interval. \
                 in_process calls each server's request handling directly, with no socket: the \
                 pure cost of routing, extraction and building the response."
            ),
        );
    }
}

pub(super) fn section_glue(page: &mut String, report: &Report) {
    page.push_str("<h2>Lines of glue: what the framework saves you</h2>\n");
    let Some(glue) = &report.glue else {
        page.push_str("<p>The servers' source was not found, so lines were not counted.</p>\n");
        return;
    };
    let groups = glue
        .features
        .iter()
        .map(|f| BarGroup {
            label: f.feature.clone(),
            bars: vec![
                Some(Bar {
                    value: f.raw_lines as f64,
                    interval: None,
                    points: Vec::new(),
                    label: format!("{} lines", f.raw_lines),
                }),
                Some(Bar {
                    value: f.framework_lines as f64,
                    interval: None,
                    points: Vec::new(),
                    label: format!("{} lines", f.framework_lines),
                }),
            ],
        })
        .collect();
    let chart = charts::bar_chart(&BarChart {
        title: "Lines of code per feature".to_owned(),
        axis_label: "non-blank, non-comment lines in the ANCHOR regions of each server".to_owned(),
        series: vec!["raw-server".to_owned(), "framework-server".to_owned()],
        groups,
    });
    figure(
        page,
        &chart,
        &format!(
            "What each server needs to write by hand, per feature: {} lines in raw-server, {} in \
             framework-server. Shared business logic (shared-handlers) and the connection layer \
             are the same for both and not counted. Next to the cost figures above, this is \
             the other half of the trade.",
            glue.raw_total, glue.framework_total
        ),
    );
    page.push_str("<details><summary>Lines per ANCHOR region</summary>\n<table>\n<tr><th>feature</th><th>raw-server regions</th><th>framework-server regions</th></tr>\n");
    for f in &glue.features {
        let list = |anchors: &std::collections::BTreeMap<String, usize>| {
            anchors
                .iter()
                .map(|(name, lines)| format!("{name} {lines}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.feature),
            escape(&list(&f.raw_anchors)),
            escape(&list(&f.framework_anchors))
        );
    }
    page.push_str("</table>\n</details>\n");
}
