//! `report.md`: the report's tables and paragraphs in GitHub-flavoured
//! Markdown, to paste into an issue or a pull request.

use std::fmt::Write as _;

use super::tables::{self, Table};
use super::{Report, narrative};

/// Escapes a table cell: a `|` would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// One table as a Markdown pipe table, with its notes below.
pub fn table(table: &Table) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", table.title);
    let _ = writeln!(
        out,
        "| {} |",
        table
            .headers
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    // Names left-aligned, figures right-aligned.
    let alignment: String = table
        .headers
        .iter()
        .map(|h| {
            if tables::is_label_column(h) {
                " --- |"
            } else {
                " ---: |"
            }
        })
        .collect();
    let _ = writeln!(out, "|{alignment}");
    for row in &table.rows {
        let _ = writeln!(
            out,
            "| {} |",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    for note in &table.notes {
        let _ = writeln!(out, "\n{note}");
    }
    out
}

/// The whole of `report.md`.
pub fn render(report: &Report) -> String {
    let r = &report.results;
    let mut out = String::new();
    let _ = writeln!(out, "# frameworth: raw-server against framework-server\n");
    let _ = writeln!(
        out,
        "{} · measured {} · {} build · commit `{}`\n",
        r.comparison, r.started_at, r.environment.build_profile, r.environment.git_commit
    );
    if r.partial {
        let _ = writeln!(
            out,
            "**PARTIAL**: the run was interrupted; this report holds only what was measured before.\n"
        );
    }
    for table_ in tables::all(report) {
        let _ = writeln!(out, "{}", table(&table_));
    }
    out.push_str(&super::ecosystems::markdown(report, table));
    out.push_str(&super::layers::markdown(report));
    let _ = writeln!(out, "## What this means\n");
    for endpoint in report.endpoints() {
        for paragraph in narrative::paragraphs(report, endpoint) {
            let _ = writeln!(out, "**{endpoint}**: {paragraph}\n");
        }
    }
    let _ = writeln!(out, "## Environment\n");
    for (key, value) in tables::environment(report) {
        let _ = writeln!(out, "- **{key}**: {}", value.replace('\n', " "));
    }
    let notes = tables::notes(report);
    if !notes.is_empty() {
        let _ = writeln!(out, "\n## Notes\n");
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::super::fixtures;
    use super::*;

    /// The pipe tables of a Markdown document: title → rows of cells
    /// (headers first).
    fn parse_tables(markdown: &str) -> BTreeMap<String, Vec<Vec<String>>> {
        let mut tables = BTreeMap::new();
        let mut title = String::new();
        for line in markdown.lines() {
            if let Some(heading) = line.strip_prefix("## ") {
                title = heading.to_owned();
            } else if line.starts_with('|') && !line.contains("---") {
                let cells = line
                    .trim_matches('|')
                    .split(" | ")
                    .map(|c| c.trim().to_owned())
                    .collect();
                tables
                    .entry(title.clone())
                    .or_insert_with(Vec::new)
                    .push(cells);
            }
        }
        tables
    }

    /// A cell as a number: separators removed, `%` dropped.
    fn parse_number(text: &str) -> f64 {
        text.replace([',', '%'], "")
            .parse()
            .unwrap_or_else(|_| panic!("`{text}` is not a number"))
    }

    /// The three numbers of `+4.4% [+1.0%, +7.9%]`.
    fn parse_change(text: &str) -> [f64; 3] {
        let parts: Vec<f64> = text
            .split(['[', ']', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(parse_number)
            .collect();
        [parts[0], parts[1], parts[2]]
    }

    /// `shown` is `actual` rounded to `decimals` places.
    fn same(shown: f64, actual: f64, decimals: i32, what: &str) {
        let half_unit = 0.5 * 10f64.powi(-decimals) + 1e-9;
        assert!(
            (shown - actual).abs() <= half_unit,
            "{what}: the table shows {shown}, results.json has {actual}"
        );
    }

    fn ratio_as_percent(value: &Value) -> [f64; 3] {
        ["ratio", "ci_low", "ci_high"].map(|k| (value[k].as_f64().expect(k) - 1.0) * 100.0)
    }

    #[test]
    fn every_number_in_the_markdown_tables_equals_the_one_in_results_json() {
        let names = ["plaintext", "json", "db"];
        let mut report = Report::new(fixtures::results(&names, 5));
        report.cost = Some(fixtures::cost(&names));
        let json = report.to_json().expect("serialises");
        let markdown = render(&report);
        let tables = parse_tables(&markdown);

        // Summary: every row against `summary` in results.json.
        let summary = &tables["Throughput, latency and CPU per request"];
        assert_eq!(summary.len(), 1 + 6, "a header and 6 rows");
        for row in &summary[1..] {
            let entry = json["summary"]
                .as_array()
                .expect("summary")
                .iter()
                .find(|s| s["endpoint"] == row[0].as_str() && s["server"] == row[1].as_str())
                .expect("the row's endpoint and server are in results.json");
            let median = &entry["median"];
            let what = format!("{} {}", row[0], row[1]);
            let f = |v: &Value| v.as_f64().expect("a number");
            same(
                parse_number(&row[2]),
                f(&median["requests_per_second"]),
                0,
                &what,
            );
            same(parse_number(&row[3]), f(&median["p50_us"]), 0, &what);
            same(parse_number(&row[4]), f(&median["p99_us"]), 0, &what);
            same(
                parse_number(&row[5]),
                f(&median["server_cpu_us_per_request"]),
                2,
                &what,
            );
            if row[1] == "raw" {
                assert_eq!(row[6], tables::NONE);
                continue;
            }
            for (column, key) in [
                (6, "server_cpu_us_per_request"),
                (7, "requests_per_second"),
                (8, "p99_us"),
            ] {
                let shown = parse_change(&row[column]);
                let actual = ratio_as_percent(&entry["vs_baseline"][key]);
                for (s, a) in shown.iter().zip(actual) {
                    same(*s, a, 1, &format!("{what} {key}"));
                }
            }
            assert_eq!(parse_number(&row[9]), f(&entry["rounds"]));
        }

        // Cost: every row against `cost.endpoints[].servers`.
        let cost = &tables["Instructions and allocations per request"];
        assert_eq!(cost.len(), 1 + 6);
        for row in &cost[1..] {
            let server = json["cost"]["endpoints"]
                .as_array()
                .expect("endpoints")
                .iter()
                .find(|e| e["endpoint"] == row[0].as_str())
                .map(|e| &e["servers"][row[1].as_str()])
                .expect("the row is in results.json");
            let f = |k: &str| server[k].as_f64().expect(k);
            same(
                parse_number(&row[2]),
                f("instructions_per_request"),
                0,
                &row[0],
            );
            same(
                parse_number(&row[4]),
                f("instructions_outside_allocator_per_request"),
                0,
                &row[0],
            );
            same(
                parse_number(&row[5]),
                f("allocations_per_request"),
                1,
                &row[0],
            );
            same(
                parse_number(&row[6]),
                f("bytes_allocated_per_request"),
                0,
                &row[0],
            );
        }
    }

    #[test]
    fn every_number_in_the_glue_table_equals_the_one_in_results_json() {
        let mut report = Report::new(fixtures::results(&["json"], 3));
        report = report.with_glue_from(&super::super::glue::default_workspace_root());
        let json = report.to_json().expect("serialises");
        let tables = parse_tables(&render(&report));

        let glue = &tables["Lines of glue per feature"];
        let features = json["lines_of_glue"]["features"]
            .as_array()
            .expect("features");
        assert_eq!(
            glue.len(),
            1 + features.len() + 1,
            "header, features, total"
        );
        for (row, feature) in glue[1..].iter().zip(features) {
            assert_eq!(row[0], feature["feature"].as_str().expect("name"));
            assert_eq!(
                parse_number(&row[1]),
                feature["raw_lines"].as_f64().expect("raw")
            );
            assert_eq!(
                parse_number(&row[2]),
                feature["framework_lines"].as_f64().expect("framework")
            );
        }
        let total = glue.last().expect("total row");
        assert_eq!(
            parse_number(&total[1]),
            json["lines_of_glue"]["raw_total"].as_f64().expect("total")
        );
    }

    #[test]
    fn a_pipe_in_a_cell_does_not_break_the_table() {
        let markdown = table(&Table {
            title: "t".into(),
            headers: vec!["a".into(), "b".into()],
            rows: vec![vec!["x|y".into(), "1".into()]],
            notes: vec![],
        });
        assert!(markdown.contains("| x\\|y | 1 |"), "{markdown}");
    }
}
