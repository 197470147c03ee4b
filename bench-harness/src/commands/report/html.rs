//! `index.html`: the report as one self-contained page.
//!
//! Inline CSS, inline SVG, no script, no font or image fetched from
//! anywhere: the file opens offline, from a mail attachment or a CI
//! artefact, and looks the same in ten years. The markup is well-formed
//! XHTML-compatible HTML (every element closed, attributes quoted, only
//! XML's own entities), so the tests parse it with an XML parser.
//!
//! Order of the page: the answer first (overhead with intervals, then
//! what it means in words), then the figures behind it from the most
//! trustworthy (CPU, instructions, allocations) to the noisiest
//! (throughput, latency), the lines of glue, all tables, the environment.

use std::fmt::Write as _;

use super::charts::{
    self, Bar, BarChart, BarGroup, Estimate, ForestChart, ForestRow, SpectrumChart, SpectrumLine,
};
use super::svg::escape;
use super::tables::{self, Table};
use super::{Report, median_interval, narrative, number, percent_change};
use crate::schema::results::Round;
use crate::servers::BASELINE;

/// Colours of the metrics in the overhead chart (not the servers' colours,
/// so a reader does not mistake a metric for a server).
const CPU_COLOUR: &str = "#AA3377";
const INSTRUCTIONS_COLOUR: &str = "#994F00";
const THROUGHPUT_COLOUR: &str = "#228833";
const P50_COLOUR: &str = "#0077BB";
const P99_COLOUR: &str = "#666666";

const STYLE: &str = r#"
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 60px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-top: 8px; border-top: 1px solid #e4e4e4; }
h3 { font-size: 16px; margin: 18px 0 6px; }
.subtitle { color: #555; margin: 0 0 16px; }
.warning { background: #fff4e5; border-left: 4px solid #e69f00; padding: 8px 12px; margin: 12px 0; }
.hint { background: #eef5fb; border-left: 4px solid #4477aa; padding: 8px 12px; margin: 12px 0; }
figure { margin: 12px 0 20px; }
figcaption { color: #444; font-size: 14px; margin-top: 4px; max-width: 900px; }
.chart { display: block; max-width: 100%; height: auto; }
.chart text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #222; }
.chart .axis { font-size: 11px; fill: #555; }
.chart .value { font-size: 11px; fill: #333; }
.chart .muted { fill: #999; font-style: italic; }
.chart .strong { font-weight: 600; }
.chart .title { font-size: 13px; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 8px 16px; }
.meaning p { margin: 6px 0 12px; }
.meaning .endpoint { font-weight: 600; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 8px; vertical-align: top; }
th { text-align: left; background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.short, .nw { white-space: nowrap; }
.table-wrap { overflow-x: auto; }
.table-note { color: #555; font-size: 13px; margin: 4px 0 16px; }
dl.environment { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 13px; }
dl.environment dt { font-weight: 600; }
dl.environment dd { margin: 0; }
code { background: #f4f4f4; padding: 0 3px; border-radius: 3px; }
details { margin: 8px 0; }
"#;

/// The whole page.
pub fn render(report: &Report) -> String {
    let r = &report.results;
    let mut page = String::new();
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>frameworth report {}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>raw-server against framework-server</h1>
<p class="subtitle">{} · measured {} · {} build · commit <code>{}</code></p>
"#,
        escape(&r.started_at),
        escape(&r.comparison),
        escape(&r.started_at),
        escape(&r.environment.build_profile),
        escape(&r.environment.git_commit),
    );
    if r.environment.build_profile != "release" {
        page.push_str(r#"<p class="warning">This is a <strong>debug</strong> build: its figures say nothing about release performance. Run with <code>--release</code>.</p>"#);
    }
    if r.config.quick {
        page.push_str(r#"<p class="warning">A <code>--quick</code> smoke run: few, short rounds, so the intervals are wide.</p>"#);
    }
    if r.summary.iter().any(|s| s.client_bound_rounds > 0) {
        page.push_str(r#"<p class="warning">Some rounds were <strong>client-bound</strong>: the load generator's core was saturated while the server's was not, so those rounds measured the generator. See the notes in the table.</p>"#);
    }

    section_overhead(&mut page, report);
    section_meaning(&mut page, report);
    section_cpu(&mut page, report);
    section_cost(&mut page, report);
    section_throughput(&mut page, report);
    section_latency(&mut page, report);
    section_criterion(&mut page, report);
    section_glue(&mut page, report);

    page.push_str("<h2>The numbers</h2>\n");
    for table in tables::all(report) {
        page.push_str(&html_table(&table));
    }
    page.push_str("<h2>Environment</h2>\n<dl class=\"environment\">\n");
    for (key, value) in tables::environment(report) {
        let _ = writeln!(page, "<dt>{}</dt><dd>{}</dd>", escape(&key), escape(&value));
    }
    page.push_str("</dl>\n");
    let notes = tables::notes(report);
    if !notes.is_empty() {
        page.push_str("<h3>Notes</h3>\n<ul>\n");
        for note in notes {
            let _ = writeln!(page, "<li>{}</li>", with_code(&note));
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

fn figure(page: &mut String, svg: &str, caption: &str) {
    let _ = writeln!(
        page,
        "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>",
        escape(caption)
    );
}

fn non_baseline(report: &Report) -> Vec<&str> {
    report
        .servers()
        .into_iter()
        .filter(|s| *s != BASELINE)
        .collect()
}

fn section_overhead(page: &mut String, report: &Report) {
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
            rows.push(ForestRow {
                label: if others.len() > 1 {
                    format!("{endpoint} · {server}")
                } else {
                    endpoint.to_owned()
                },
                estimates,
            });
        }
    }
    page.push_str("<h2>Overhead: framework against raw</h2>\n");
    if rows.is_empty() {
        page.push_str("<p>No server was compared against raw.</p>\n");
        return;
    }
    let chart = charts::forest_chart(&ForestChart {
        title: "Change of each figure against raw-server, per endpoint".to_owned(),
        axis_label:
            "change against raw-server (%), dot = ratio of medians, bar = bootstrap 95% interval"
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

fn section_meaning(page: &mut String, report: &Report) {
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

fn section_cpu(page: &mut String, report: &Report) {
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

fn section_cost(page: &mut String, report: &Report) {
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
    // The comparison's order first, then endpoints only the cost file has.
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
    let groups = |figure: &dyn Fn(&crate::schema::cost::ServerCost) -> Option<f64>,
                  label: &dyn Fn(f64, Option<f64>) -> String| {
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
            .collect::<Vec<_>>()
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

fn section_throughput(page: &mut String, report: &Report) {
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

fn section_latency(page: &mut String, report: &Report) {
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

fn section_criterion(page: &mut String, report: &Report) {
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

fn section_glue(page: &mut String, report: &Report) {
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

/// Escapes `text` and turns Markdown's `code` spans into `<code>`.
fn with_code(text: &str) -> String {
    let mut out = String::new();
    let mut parts = text.split('`').peekable();
    let mut inside = false;
    while let Some(part) = parts.next() {
        // An unpaired last backtick stays a backtick.
        if inside && parts.peek().is_none() && text.matches('`').count() % 2 == 1 {
            out.push('`');
            out.push_str(&escape(part));
            break;
        }
        if inside {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
        inside = !inside;
    }
    out
}

/// A table as HTML, figures right-aligned.
fn html_table(table: &Table) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<h3>{}</h3>\n<div class=\"table-wrap\">\n<table>\n<tr>",
        escape(&table.title)
    );
    for header in &table.headers {
        let _ = write!(out, "<th>{}</th>", escape(header));
    }
    out.push_str("</tr>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (header, cell) in table.headers.iter().zip(row) {
            // Plain numbers never break; a change with its interval may
            // wrap before the bracket, so the table fits the page.
            let class = if tables::is_label_column(header) {
                ""
            } else if cell.contains('[') {
                " class=\"num\""
            } else {
                " class=\"num short\""
            };
            // `+4.4% [+1.0%, +7.9%]` wraps, if it must, before the bracket.
            let content = match cell.split_once(" [") {
                Some((value, interval)) => format!(
                    "<span class=\"nw\">{}</span> <span class=\"nw\">[{}</span>",
                    escape(value),
                    escape(interval)
                ),
                None => escape(cell),
            };
            let _ = write!(out, "<td{class}>{content}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</div>\n");
    for note in &table.notes {
        let _ = writeln!(out, "<p class=\"table-note\">{}</p>", with_code(note));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    fn parse(html: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse_with_options(
            html,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..roxmltree::ParsingOptions::default()
            },
        )
        .unwrap_or_else(|error| panic!("index.html is not well-formed: {error}"))
    }

    fn full_report(endpoints: usize) -> Report {
        let names = fixtures::endpoint_names(endpoints);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut report = Report::new(fixtures::results(&names, 5));
        report.cost = Some(fixtures::cost(&names));
        report.criterion = Some(fixtures::criterion(&names));
        report.with_glue_from(&super::super::glue::default_workspace_root())
    }

    fn svgs<'a>(document: &'a roxmltree::Document<'a>) -> Vec<roxmltree::Node<'a, 'a>> {
        document
            .descendants()
            .filter(|n| n.tag_name().name() == "svg")
            .collect()
    }

    #[test]
    fn the_page_is_well_formed_and_holds_its_charts_as_svg() {
        let html = render(&full_report(3));
        let document = parse(&html);

        // overhead, CPU, instructions, allocations, throughput, one
        // spectrum per endpoint, criterion, glue.
        assert_eq!(svgs(&document).len(), 5 + 3 + 2);
        for svg in svgs(&document) {
            assert!(
                svg.descendants().any(|n| n.tag_name().name() == "title"),
                "every chart has a title"
            );
        }
        assert!(html.contains("server CPU time per request (µs, user + system)"));
        assert!(html.contains("instructions per request (callgrind"));
        assert!(html.contains("percentile (each step right: one more nine)"));
    }

    #[test]
    fn the_page_references_nothing_outside_itself() {
        let html = render(&full_report(2));
        let document = parse(&html);

        for node in document.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            assert!(
                !matches!(
                    name,
                    "script" | "link" | "img" | "iframe" | "object" | "embed"
                ),
                "<{name}> would load something"
            );
            for attribute in node.attributes() {
                if matches!(attribute.name(), "src" | "href") {
                    let value = attribute.value().trim();
                    assert!(
                        !(value.starts_with("http://")
                            || value.starts_with("https://")
                            || value.starts_with("//")),
                        "<{name} {}=\"{value}\"> is external",
                        attribute.name()
                    );
                }
            }
        }
        let style = document
            .descendants()
            .find(|n| n.tag_name().name() == "style")
            .and_then(|n| n.text())
            .expect("a stylesheet");
        assert!(!style.contains("url(") && !style.contains("@import"));
    }

    #[test]
    fn one_endpoint_gives_a_complete_page() {
        let html = render(&full_report(1));
        let document = parse(&html);
        assert_eq!(svgs(&document).len(), 5 + 1 + 2);
        assert!(!html.contains("NaN") && !html.contains("inf\""));
    }

    #[test]
    fn fifteen_endpoints_give_a_taller_page_with_every_endpoint_labelled() {
        let one = render(&full_report(1));
        let fifteen = render(&full_report(15));
        let document = parse(&fifteen);

        assert_eq!(svgs(&document).len(), 5 + 15 + 2);
        assert!(!fifteen.contains("NaN") && !fifteen.contains("inf\""));
        let height = |html: &str| -> f64 {
            let document = parse(html);
            let cpu = svgs(&document)
                .into_iter()
                .find(|svg| {
                    svg.descendants().any(|n| {
                        n.tag_name().name() == "title"
                            && n.text() == Some("Server CPU time per request")
                    })
                })
                .expect("the CPU chart");
            cpu.attribute("height")
                .and_then(|h| h.parse().ok())
                .expect("a height")
        };
        assert!(height(&fifteen) > 5.0 * height(&one));
        for i in 2..15 {
            assert!(fifteen.contains(&format!(">endpoint-number-{i}<")));
        }
    }

    #[test]
    fn code_spans_become_code_elements_and_the_rest_is_escaped() {
        assert_eq!(with_code("a `b<c` d"), "a <code>b&lt;c</code> d");
        assert_eq!(with_code("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn without_cost_figures_the_page_says_how_to_get_them() {
        let report = Report::new(fixtures::results(&["json"], 3));
        let html = render(&report);
        parse(&html);
        assert!(html.contains("bench-harness cost --json cost.json"));
        assert!(!html.contains("User-space instructions per request"));
    }
}
