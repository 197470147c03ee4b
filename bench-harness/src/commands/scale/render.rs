//! `scale`'s outputs besides the JSON: the tables (terminal and
//! `scale.md`), the notes every run carries, and an SVG bar chart of req/s
//! per layout, one panel per endpoint.

use std::fmt::Write as _;

use super::state_check::READS;
use crate::commands::report::svg::{
    Anchor, LinearScale, Svg, colour, compact, nice_max, nice_ticks,
};
use crate::schema::scale::{ScalePoint, ScaleResults, ServerPoint};
use crate::stats::RatioEstimate;

/// What the figures of this machine can and cannot say.
pub(super) fn standing_notes(results: &ScaleResults) -> Vec<String> {
    let cores = results.server_cpus.len().max(1);
    vec![
        format!(
            "the servers had {cores} core(s) (CPU {}), the load generator, nginx and the harness's PostgreSQL the other (CPU {}): every instance shares the same server core, so N instances measure the overhead of N processes and a proxy hop, not added capacity",
            cpu_list(&results.server_cpus),
            results.client_cpu.map_or_else(|| "-".to_owned(), |c| c.to_string()),
        ),
        format!(
            "with one core per server the flavours differ only in their scheduler: per-core is one runtime, multi-thread one worker plus its blocking pool; {} points in all, each {} rounds of {:.1} s per server",
            results.points.len(),
            results.rounds,
            results.round_duration_s
        ),
        "behind nginx the load generator and nginx share one core: once it is full, req/s are the client side's, and only CPU per request tells the servers apart".to_owned(),
        "the framework tax is per request (framework/raw CPU per request of the servers, all instances summed): more instances change capacity, not the cost of a request".to_owned(),
    ]
}

fn cpu_list(cpus: &[usize]) -> String {
    if cpus.is_empty() {
        return "unpinned".to_owned();
    }
    cpus.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The page: settings, the two tables, the state check, the chart, notes.
pub(super) fn markdown(results: &ScaleResults) -> String {
    let mut page = String::new();
    let _ = writeln!(
        page,
        "# Scaling out: runtime flavours and N instances behind nginx\n"
    );
    let _ = writeln!(
        page,
        "Closed loop, {} connections, {} rounds of {:.1} s per server and point{}, raw and framework alternating. Database: {}. {}. Started {}, wall time {:.0} s.\n",
        results.connections,
        results.rounds,
        results.round_duration_s,
        if results.quick { " (`--quick`)" } else { "" },
        results.database,
        results.nginx,
        results.started_at,
        results.wall_time_s,
    );
    page.push_str(&tables(results));
    let _ = writeln!(page, "\n![req/s per layout](scale.svg)\n");
    if !results.notes.is_empty() {
        let _ = writeln!(page, "## Notes\n");
        for note in &results.notes {
            let _ = writeln!(page, "- {note}");
        }
    }
    page
}

/// The tables, also what the terminal shows.
pub(super) fn tables(results: &ScaleResults) -> String {
    let mut text = String::new();
    direct_table(results, &mut text);
    nginx_table(results, &mut text);
    state_table(results, &mut text);
    text
}

fn direct_table(results: &ScaleResults, text: &mut String) {
    let _ = writeln!(text, "## Runtime flavours, one instance, loaded directly\n");
    let _ = writeln!(
        text,
        "| runtime | endpoint | raw req/s | framework req/s | raw CPU/req | framework CPU/req | tax (framework/raw CPU per request) | failures |"
    );
    let _ = writeln!(text, "|---|---|---|---|---|---|---|---|");
    for point in results.points.iter().filter(|p| p.layout == "direct") {
        let (raw, framework) = pair(point);
        let _ = writeln!(
            text,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} |",
            point.runtime,
            point.target,
            rate(raw),
            rate(framework),
            us(raw.and_then(|s| s.server_cpu_us_per_request)),
            us(framework.and_then(|s| s.server_cpu_us_per_request)),
            ratio(point.tax),
            failures(point),
        );
    }
}

fn nginx_table(results: &ScaleResults, text: &mut String) {
    let _ = writeln!(
        text,
        "\n## N instances behind nginx (current-thread, one worker each)\n"
    );
    let _ = writeln!(
        text,
        "| N | endpoint | raw req/s | framework req/s | servers CPU/req raw / framework | nginx CPU/req raw / framework | PostgreSQL CPU/req raw / framework | tax | failures |"
    );
    let _ = writeln!(text, "|---|---|---|---|---|---|---|---|---|");
    for point in results.points.iter().filter(|p| p.layout == "nginx") {
        let (raw, framework) = pair(point);
        let both = |pick: fn(&ServerPoint) -> Option<f64>| {
            format!(
                "{} / {}",
                us(raw.and_then(pick)),
                us(framework.and_then(pick))
            )
        };
        let _ = writeln!(
            text,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} |",
            point.instances,
            point.target,
            rate(raw),
            rate(framework),
            both(|s| s.server_cpu_us_per_request),
            both(|s| s.nginx_cpu_us_per_request),
            both(|s| s.postgres_cpu_us_per_request),
            ratio(point.tax),
            failures(point),
        );
    }
}

fn state_table(results: &ScaleResults, text: &mut String) {
    let _ = writeln!(
        text,
        "\n## State: one user created through nginx, read back {READS} times\n"
    );
    let _ = writeln!(
        text,
        "| database | instances | POST /users | reads | 200 | 404 | other |"
    );
    let _ = writeln!(text, "|---|---|---|---|---|---|---|");
    for check in &results.state_checks {
        let _ = writeln!(
            text,
            "| {} | {} | {} {} | {} | {} | {} | {} |",
            check.backend,
            check.instances,
            check.created_status,
            check.location.as_deref().unwrap_or(""),
            check.reads,
            check.found,
            check.not_found,
            check.other
        );
    }
}

fn pair(point: &ScalePoint) -> (Option<&ServerPoint>, Option<&ServerPoint>) {
    let find = |name: &str| point.servers.iter().find(|s| s.server == name);
    (find("raw"), find("framework"))
}

fn rate(server: Option<&ServerPoint>) -> String {
    server.map_or_else(
        || "-".to_owned(),
        |s| format!("{:.0}", s.requests_per_second),
    )
}

fn us(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1} µs"))
}

fn ratio(value: Option<RatioEstimate>) -> String {
    value.map_or_else(
        || "-".to_owned(),
        |r| format!("{:.3} [{:.3}, {:.3}]", r.ratio, r.ci_low, r.ci_high),
    )
}

fn failures(point: &ScalePoint) -> u64 {
    point.servers.iter().map(|s| s.failures).sum()
}

/// The label of a point on the chart's axis.
fn axis_label(point: &ScalePoint) -> String {
    if point.layout == "nginx" {
        format!("nginx N={}", point.instances)
    } else {
        point.runtime.clone()
    }
}

/// Grouped bars: req/s of raw and framework per layout, one panel per
/// endpoint, each panel on its own scale (`/plaintext` and `/db` differ
/// several times over).
pub(super) fn chart(results: &ScaleResults) -> String {
    const W: f64 = 720.0;
    const PANEL: f64 = 220.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 20.0;
    const TOP: f64 = 40.0;
    const GAP: f64 = 60.0;
    let mut endpoints: Vec<&str> = Vec::new();
    for point in &results.points {
        if !endpoints.contains(&point.target.as_str()) {
            endpoints.push(&point.target);
        }
    }
    let height = TOP + endpoints.len() as f64 * (PANEL + GAP);
    let mut svg = Svg::new(W, height, "req/s per layout, raw and framework");
    svg.legend(
        (LEFT, 20.0),
        &[("raw", colour(0)), ("framework", colour(1))],
    );
    for (panel, endpoint) in endpoints.iter().enumerate() {
        let points: Vec<&ScalePoint> = results
            .points
            .iter()
            .filter(|p| p.target == *endpoint)
            .collect();
        let top = TOP + panel as f64 * (PANEL + GAP);
        let bottom = top + PANEL;
        let max = points
            .iter()
            .flat_map(|p| p.servers.iter().map(|s| s.requests_per_second))
            .fold(0.0, f64::max);
        let max = nice_max(max.max(1.0));
        let y = LinearScale::new((0.0, max), (bottom, top + 20.0));
        svg.text(
            (LEFT, top + 10.0),
            Anchor::Start,
            "title",
            &format!("GET {endpoint}: req/s"),
        );
        for tick in nice_ticks(0.0, max, 4) {
            svg.line((LEFT, y.map(tick)), (W - RIGHT, y.map(tick)), "#ddd", 1.0);
            svg.text(
                (LEFT - 6.0, y.map(tick) + 4.0),
                Anchor::End,
                "label",
                &compact(tick),
            );
        }
        let slot = (W - LEFT - RIGHT) / points.len().max(1) as f64;
        for (index, point) in points.iter().enumerate() {
            let x = LEFT + index as f64 * slot;
            let bar = slot * 0.35;
            for (side, server) in point.servers.iter().enumerate() {
                let left = x + slot * 0.15 + side as f64 * bar;
                let value = server.requests_per_second;
                let tip = format!("{} {}: {value:.0} req/s", axis_label(point), server.server);
                svg.rect(
                    left,
                    y.map(value),
                    bar,
                    bottom - y.map(value),
                    colour(side),
                    Some(&tip),
                );
            }
            svg.text(
                (x + slot / 2.0, bottom + 16.0),
                Anchor::Middle,
                "label",
                &axis_label(point),
            );
        }
        svg.line((LEFT, bottom), (W - RIGHT, bottom), "#333", 1.0);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::scale::{SCHEMA_VERSION, StateCheck};

    fn point(layout: &str, instances: usize, target: &str, raw: f64, framework: f64) -> ScalePoint {
        let server = |name: &str, rate: f64| ServerPoint {
            server: name.to_owned(),
            requests_per_second: rate,
            server_cpu_us_per_request: Some(1e6 / rate),
            nginx_cpu_us_per_request: None,
            postgres_cpu_us_per_request: None,
            failures: 0,
            rounds: Vec::new(),
        };
        ScalePoint {
            layout: layout.to_owned(),
            runtime: "current-thread".to_owned(),
            workers: 1,
            instances,
            endpoint: target.trim_start_matches('/').to_owned(),
            target: target.to_owned(),
            servers: vec![server("raw", raw), server("framework", framework)],
            tax: Some(RatioEstimate {
                ratio: 1.08,
                ci_low: 1.05,
                ci_high: 1.11,
            }),
            throughput_ratio: None,
        }
    }

    fn results() -> ScaleResults {
        ScaleResults {
            schema_version: SCHEMA_VERSION,
            tool: "bench-harness".to_owned(),
            started_at: "now".to_owned(),
            wall_time_s: 1.0,
            quick: true,
            connections: 64,
            rounds: 3,
            round_duration_s: 1.0,
            server_cpus: vec![0],
            client_cpu: Some(1),
            database: "sqlite".to_owned(),
            nginx: "nginx version: nginx/1.22.1".to_owned(),
            points: vec![
                point("direct", 1, "/plaintext", 40_000.0, 36_000.0),
                point("nginx", 2, "/plaintext", 20_000.0, 19_000.0),
                point("nginx", 2, "/db", 9_000.0, 8_500.0),
            ],
            state_checks: vec![StateCheck {
                backend: "sqlite (one file per instance)".to_owned(),
                instances: 2,
                created_status: 201,
                location: Some("/users/2".to_owned()),
                reads: 8,
                found: 4,
                not_found: 4,
                other: 0,
            }],
            notes: Vec::new(),
        }
    }

    #[test]
    fn each_layout_lands_in_its_own_table_with_its_tax() {
        let text = tables(&results());

        let direct = text.split("## N instances").next().expect("a first table");
        assert!(direct.contains("| current-thread | `/plaintext` | 40000 | 36000 |"));
        assert!(!direct.contains("20000"));
        assert!(text.contains("| 2 | `/db` | 9000 | 8500 |"));
        assert!(text.contains("1.080 [1.050, 1.110]"));
        assert!(
            text.contains("| sqlite (one file per instance) | 2 | 201 /users/2 | 8 | 4 | 4 | 0 |")
        );
    }

    #[test]
    fn the_chart_has_one_bar_per_server_and_point_and_a_panel_per_endpoint() {
        let svg = chart(&results());

        assert_eq!(
            svg.matches("<rect").count(),
            2 + 3 * 2,
            "legend swatches and bars"
        );
        assert!(svg.contains("GET /plaintext: req/s") && svg.contains("GET /db: req/s"));
        assert!(svg.contains("nginx N=2 framework: 19000 req/s"));
    }
}
