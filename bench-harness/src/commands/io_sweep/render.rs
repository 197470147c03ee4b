//! `io-sweep`'s outputs besides the JSON: a Markdown page (the figures, and
//! where the share falls below 5% and 1%) and an SVG chart of the share
//! against the request's latency, one line per kind of I/O.
//!
//! The chart is a few dozen lines of SVG written here rather than through
//! the report's chart modules: one small line chart needs none of their
//! machinery, and `io-sweep` stays independent of `compare`'s results.

use std::fmt::Write as _;

use super::{IoSweepResults, PointResult};

/// The thresholds the report names.
const THRESHOLDS: &[f64] = &[0.05, 0.01];

/// The page: settings, one table row per point, thresholds, notes.
pub(super) fn markdown(results: &IoSweepResults) -> String {
    let mut page = String::new();
    let _ = writeln!(page, "# I/O sweep: the framework's share as I/O grows\n");
    let _ = writeln!(
        page,
        "Open loop at {:.0} req/s, {} connections, {} rounds of {:.1} s per server and point{}; server CPU {}, client and upstream CPU {}. Started {}, wall time {:.0} s.\n",
        results.rate,
        results.connections,
        results.rounds,
        results.round_duration_s,
        if results.quick { " (`--quick`)" } else { "" },
        cpu(results.server_cpu),
        cpu(results.client_cpu),
        results.started_at,
        results.wall_time_s,
    );
    if let Some(postgres) = &results.postgres {
        let _ = writeln!(page, "PostgreSQL: {postgres}.\n");
    }
    let _ = writeln!(
        page,
        "Share = (framework − raw) / framework of the median p50 latency, with a bootstrap 95% interval over the rounds. Latencies are corrected for coordinated omission.\n"
    );
    let _ = writeln!(
        page,
        "| I/O | request | raw p50 | raw p99 | framework p50 | framework p99 | raw CPU/req | framework CPU/req | framework's share | failures |"
    );
    let _ = writeln!(page, "|---|---|---|---|---|---|---|---|---|---|");
    for point in &results.points {
        let _ = writeln!(
            page,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            point.kind,
            point.target,
            ms(point.raw.p50_us),
            ms(point.raw.p99_us),
            ms(point.framework.p50_us),
            ms(point.framework.p99_us),
            cpu_per_request(point.raw.cpu_us_per_request),
            cpu_per_request(point.framework.cpu_us_per_request),
            share_text(point),
            point.raw.failures + point.framework.failures,
        );
    }
    let _ = writeln!(page, "\n## Where the share falls below 5% and 1%\n");
    for line in threshold_lines(results) {
        let _ = writeln!(page, "- {line}");
    }
    let _ = writeln!(page, "\n![the share against latency](io-sweep.svg)\n");
    if !results.notes.is_empty() {
        let _ = writeln!(page, "## Notes\n");
        for note in &results.notes {
            let _ = writeln!(page, "- {note}");
        }
    }
    page
}

/// Per kind of I/O: the first point (by latency) whose share is below each
/// threshold, and whether the interval is below it too.
pub(super) fn threshold_lines(results: &IoSweepResults) -> Vec<String> {
    let mut lines = Vec::new();
    for kind in kinds(results) {
        let mut points: Vec<&PointResult> =
            results.points.iter().filter(|p| p.kind == kind).collect();
        points.sort_by(|a, b| a.raw.p50_us.total_cmp(&b.raw.p50_us));
        for threshold in THRESHOLDS {
            let first = points
                .iter()
                .find(|p| p.share.is_some_and(|s| s.estimate < *threshold));
            let line = match first {
                Some(point) => format!(
                    "{kind}: below {:.0}% from `{}` on, at {} of latency (share {}{})",
                    threshold * 100.0,
                    point.target,
                    ms(point.raw.p50_us),
                    share_text(point),
                    if point.share.is_some_and(|s| s.high < *threshold) {
                        ", the whole interval below"
                    } else {
                        "; the interval still reaches above"
                    }
                ),
                None => format!(
                    "{kind}: not below {:.0}% at any point measured",
                    threshold * 100.0
                ),
            };
            lines.push(line);
        }
    }
    lines
}

/// The chart: share (%) against the raw server's p50 (ms, log scale).
pub(super) fn chart(results: &IoSweepResults) -> String {
    const W: f64 = 640.0;
    const H: f64 = 360.0;
    const LEFT: f64 = 60.0;
    const RIGHT: f64 = 140.0;
    const TOP: f64 = 20.0;
    const BOTTOM: f64 = 50.0;
    let xs: Vec<f64> = results
        .points
        .iter()
        .map(|p| p.raw.p50_us.max(1.0))
        .collect();
    let (x_min, x_max) = bounds(&xs, |v| v.log10());
    let shares: Vec<f64> = results
        .points
        .iter()
        .filter_map(|p| p.share.map(|s| s.estimate * 100.0))
        .chain([0.0, 5.0])
        .collect();
    let (y_min, y_max) = bounds(&shares, |v| v);
    let x = |us: f64| LEFT + (us.max(1.0).log10() - x_min) / (x_max - x_min) * (W - LEFT - RIGHT);
    let y = |percent: f64| TOP + (y_max - percent) / (y_max - y_min) * (H - TOP - BOTTOM);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(
        svg,
        r##"<rect width="{W}" height="{H}" fill="white"/><line x1="{LEFT}" y1="{y0}" x2="{x2}" y2="{y0}" stroke="#999"/><line x1="{LEFT}" y1="{y5}" x2="{x2}" y2="{y5}" stroke="#ccc" stroke-dasharray="4 3"/><text x="{x2}" y="{y5}" dx="4" dy="4">5%</text>"##,
        y0 = y(0.0),
        y5 = y(5.0),
        x2 = W - RIGHT,
    );
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">raw server's p50 latency (log scale)</text><text x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">framework's share (%)</text>"#,
        (LEFT + W - RIGHT) / 2.0,
        H - 10.0,
        H / 2.0,
        H / 2.0
    );
    for decade in (x_min.floor() as i32)..=(x_max.ceil() as i32) {
        let us = 10f64.powi(decade);
        if us.log10() >= x_min && us.log10() <= x_max {
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                x(us),
                H - BOTTOM + 16.0,
                ms(us)
            );
        }
    }
    draw_lines(&mut svg, results, &x, &y, (W - RIGHT, TOP));
    svg.push_str("</svg>\n");
    svg
}

/// One line per kind of I/O, with its points and its name in the legend at
/// `legend` (x, top).
fn draw_lines(
    svg: &mut String,
    results: &IoSweepResults,
    x: &dyn Fn(f64) -> f64,
    y: &dyn Fn(f64) -> f64,
    (legend_x, legend_top): (f64, f64),
) {
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    for (index, kind) in kinds(results).iter().enumerate() {
        let colour = colours[index % colours.len()];
        let mut line: Vec<(f64, f64)> = results
            .points
            .iter()
            .filter(|p| p.kind == *kind)
            .filter_map(|p| p.share.map(|s| (x(p.raw.p50_us), y(s.estimate * 100.0))))
            .collect();
        line.sort_by(|a, b| a.0.total_cmp(&b.0));
        let path: Vec<String> = line
            .iter()
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        for (px, py) in &line {
            let _ = write!(
                svg,
                r#"<circle cx="{px:.1}" cy="{py:.1}" r="3" fill="{colour}"/>"#
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" fill="{colour}">{kind}</text>"#,
            legend_x + 12.0,
            legend_top + 16.0 * (index as f64 + 1.0)
        );
    }
}

/// The kinds of I/O, in the order they were measured.
fn kinds(results: &IoSweepResults) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for point in &results.points {
        if !kinds.contains(&point.kind) {
            kinds.push(point.kind.clone());
        }
    }
    kinds
}

/// The range of `values` after `scale`, padded so no point sits on an edge.
fn bounds(values: &[f64], scale: impl Fn(f64) -> f64) -> (f64, f64) {
    let scaled: Vec<f64> = values.iter().map(|v| scale(*v)).collect();
    let low = scaled.iter().copied().fold(f64::INFINITY, f64::min);
    let high = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !low.is_finite() || !high.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((high - low) * 0.08).max(0.1);
    (low - pad, high + pad)
}

fn share_text(point: &PointResult) -> String {
    point.share.map_or_else(
        || "-".to_owned(),
        |s| {
            format!(
                "{:.1}% [{:.1}%, {:.1}%]",
                s.estimate * 100.0,
                s.low * 100.0,
                s.high * 100.0
            )
        },
    )
}

fn ms(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

fn cpu_per_request(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1} µs"))
}

fn cpu(value: Option<usize>) -> String {
    value.map_or_else(|| "unpinned".to_owned(), |cpu| cpu.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::{ServerFigures, Share};
    use super::*;

    fn point(kind: &str, raw_p50_us: f64, share: f64) -> PointResult {
        let figures = |p50_us: f64| ServerFigures {
            server: "s".to_owned(),
            p50_us,
            p99_us: p50_us * 2.0,
            cpu_us_per_request: Some(10.0),
            requests_per_second: 100.0,
            failures: 0,
            round_p50_us: vec![p50_us],
        };
        PointResult {
            kind: kind.to_owned(),
            label: format!("{raw_p50_us}"),
            target: format!("/t{raw_p50_us}"),
            raw: figures(raw_p50_us),
            framework: figures(raw_p50_us / (1.0 - share)),
            share: Some(Share {
                estimate: share,
                low: share - 0.01,
                high: share + 0.01,
            }),
        }
    }

    fn results(points: Vec<PointResult>) -> IoSweepResults {
        IoSweepResults {
            started_at: "now".to_owned(),
            wall_time_s: 1.0,
            rate: 100.0,
            connections: 8,
            rounds: 1,
            round_duration_s: 1.0,
            quick: true,
            server_cpu: Some(0),
            client_cpu: Some(1),
            postgres: None,
            points,
            notes: vec![],
        }
    }

    #[test]
    fn the_thresholds_name_the_first_point_under_each_in_latency_order() {
        let sweep = results(vec![
            point("upstream", 20_000.0, 0.002),
            point("upstream", 100.0, 0.20),
            point("upstream", 1_000.0, 0.03),
        ]);
        let lines = threshold_lines(&sweep);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("below 5% from `/t1000`"), "{}", lines[0]);
        assert!(lines[1].contains("below 1% from `/t20000`"), "{}", lines[1]);
    }

    #[test]
    fn a_kind_that_never_gets_under_says_so() {
        let lines = threshold_lines(&results(vec![point("sqlite", 100.0, 0.3)]));
        assert!(lines.iter().all(|l| l.contains("not below")), "{lines:?}");
    }

    #[test]
    fn the_chart_draws_one_line_per_kind_and_is_well_formed() {
        let sweep = results(vec![
            point("upstream", 100.0, 0.2),
            point("upstream", 5_000.0, 0.01),
            point("sqlite", 150.0, 0.15),
            point("sqlite", 900.0, 0.05),
        ]);
        let svg = chart(&sweep);
        assert_eq!(svg.matches("<polyline").count(), 2);
        roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
    }
}
