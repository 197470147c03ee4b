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
//! trustworthy (CPU, instructions, allocations, what each middleware
//! layer adds) to the noisiest
//! (throughput, latency), the lines of glue, all tables, the environment.

use std::fmt::Write as _;

mod answer;
mod figures;
mod layers;

use super::Report;
use super::svg::escape;
use super::tables::{self, Table};
use answer::{section_meaning, section_overhead};
use figures::{
    section_cost, section_cpu, section_criterion, section_glue, section_latency, section_throughput,
};

/// Colours of the metrics in the overhead chart (not the servers' colours,
/// so a reader does not mistake a metric for a server).
pub(super) const CPU_COLOUR: &str = "#AA3377";
pub(super) const INSTRUCTIONS_COLOUR: &str = "#994F00";
pub(super) const THROUGHPUT_COLOUR: &str = "#228833";
pub(super) const P50_COLOUR: &str = "#0077BB";
pub(super) const P99_COLOUR: &str = "#666666";

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
    if r.partial {
        page.push_str(r#"<p class="warning"><strong>PARTIAL</strong>: the run was interrupted; this report holds only what was measured before.</p>"#);
    }
    if r.config.quick {
        page.push_str(r#"<p class="warning">A <code>--quick</code> smoke run: few, short rounds, so the intervals are wide.</p>"#);
    }
    if r.summary.iter().any(|s| s.client_bound_rounds > 0) {
        page.push_str(r#"<p class="warning">Some rounds were <strong>client-bound</strong>: the load generator's core was saturated while the server's was not, so those rounds measured the generator. See the notes in the table.</p>"#);
    }

    section_overhead(&mut page, report);
    super::ecosystems::html(&mut page, report, html_table);
    section_meaning(&mut page, report);
    section_cpu(&mut page, report);
    section_cost(&mut page, report);
    layers::section_layers(&mut page, report);
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

pub(super) fn figure(page: &mut String, svg: &str, caption: &str) {
    let _ = writeln!(
        page,
        "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>",
        escape(caption)
    );
}

/// Escapes `text` and turns Markdown's `code` spans into `<code>`.
pub(super) fn with_code(text: &str) -> String {
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
    fn a_page_with_layers_is_well_formed_and_draws_one_waterfall_per_endpoint() {
        let mut report = full_report(2);
        let names = fixtures::endpoint_names(2);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        report.cost = Some(fixtures::cost_with_layers(&names));

        let html = render(&report);
        let document = parse(&html);

        assert_eq!(svgs(&document).len(), (5 + 2 + 2) + 2);
        assert!(html.contains("<h2>What each layer costs</h2>"));
        assert!(
            html.contains("What each middleware layer costs"),
            "the table"
        );
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
