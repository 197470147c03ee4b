//! The report's tables, built once and rendered twice (Markdown and HTML),
//! so `report.md` and `index.html` cannot disagree.
//!
//! Units live in the column headings, cells hold plain numbers (with
//! thousands separators): a reader can compare them at a glance, and a test
//! can parse them back and check them against `results.json`.

use super::{Report, change, number, percent_change};

/// A table: a heading, column names, rows of cells, and notes below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

/// Shown for a figure that does not exist (the baseline's change against
/// itself, a server that was not launched).
pub const NONE: &str = "–";

/// Whether a column holds names (left-aligned) rather than figures.
pub fn is_label_column(header: &str) -> bool {
    matches!(
        header,
        "endpoint" | "server" | "feature" | "suite" | "notes" | "measure" | "configuration"
    )
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// Per endpoint and server: medians of the rounds and the changes against raw.
pub fn summary(report: &Report) -> Table {
    let mut rows = Vec::new();
    for endpoint in report.endpoints() {
        for server in report.servers() {
            let Some(s) = report.summary(endpoint, server) else {
                continue;
            };
            let m = &s.median;
            let ratios = s.vs_baseline.as_ref();
            let show = |estimate: Option<crate::stats::RatioEstimate>| {
                estimate.map_or_else(|| NONE.to_owned(), |e| change(&e))
            };
            let notes = s.notes();
            rows.push(vec![
                endpoint.to_owned(),
                server.to_owned(),
                number(m.requests_per_second, 0),
                number(m.p50_us, 0),
                number(m.p99_us, 0),
                m.server_cpu_us_per_request
                    .map_or_else(|| NONE.to_owned(), |v| number(v, 2)),
                show(ratios.and_then(|r| r.server_cpu_us_per_request)),
                show(ratios.and_then(|r| r.requests_per_second)),
                show(ratios.and_then(|r| r.p99_us)),
                s.rounds.to_string(),
                notes.join("; "),
            ]);
        }
    }
    Table {
        title: "Throughput, latency and CPU per request".to_owned(),
        headers: headers(&[
            "endpoint",
            "server",
            "req/s",
            "p50 (µs)",
            "p99 (µs)",
            "CPU µs/request",
            "CPU/request vs raw [95% CI]",
            "req/s vs raw [95% CI]",
            "p99 vs raw [95% CI]",
            "rounds",
            "notes",
        ]),
        rows,
        notes: vec![
            "Medians over the rounds. CPU is the server process's user + system time per request \
             (summed over its threads), so it includes the kernel's work on the socket. Changes \
             are paired: each round against the raw rounds right before and after it, the \
             Hodges-Lehmann estimate of those ratios, with a bootstrap 95% interval; an interval \
             containing 0% means no difference was detected."
                .to_owned(),
        ],
    }
}

/// Instructions and allocations per request, when a cost file was given.
pub fn cost(report: &Report) -> Option<Table> {
    let cost = report.cost.as_ref()?;
    let mut rows = Vec::new();
    for endpoint in &cost.endpoints {
        let baseline = endpoint.servers.get(crate::servers::BASELINE);
        let mut names: Vec<&String> = endpoint.servers.keys().collect();
        // raw first, then the others in name order.
        names.sort_by_key(|name| (name.as_str() != crate::servers::BASELINE, name.as_str()));
        for name in names {
            let Some(figures) = endpoint.servers.get(name) else {
                continue;
            };
            let optional = |value: Option<f64>, decimals: usize| {
                value.map_or_else(|| NONE.to_owned(), |v| number(v, decimals))
            };
            let versus = if name == crate::servers::BASELINE {
                NONE.to_owned()
            } else {
                figures
                    .instructions_per_request
                    .zip(baseline.and_then(|b| b.instructions_per_request))
                    .and_then(|(mine, theirs)| percent_change(theirs, mine))
                    .map_or_else(|| NONE.to_owned(), |p| format!("{p:+.1}%"))
            };
            rows.push(vec![
                endpoint.endpoint.clone(),
                name.clone(),
                optional(figures.instructions_per_request, 0),
                versus,
                optional(figures.instructions_outside_allocator_per_request, 0),
                optional(figures.allocations_per_request, 1),
                optional(figures.bytes_allocated_per_request, 0),
            ]);
        }
    }
    Some(Table {
        title: "Instructions and allocations per request".to_owned(),
        headers: headers(&[
            "endpoint",
            "server",
            "instructions/request",
            "instructions vs raw",
            "outside malloc/request",
            "allocations/request",
            "bytes allocated/request",
        ]),
        rows,
        notes: vec![format!(
            "Deterministic figures (measured {}, N₁ = {}, N₂ = {} requests): instructions: {}; allocations: {}. \
             Outside malloc: the instructions not spent inside the C allocator (glibc's malloc and free), \
             the part that repeats from process to process to about 0.1%; the allocator's share depends \
             on how start-up left the heap and varies by a few percent.",
            cost.created,
            cost.method.n1,
            cost.method.n2,
            cost.method.instructions,
            cost.method.allocations
        )],
    })
}

/// Criterion's timings, when present.
pub fn criterion(report: &Report) -> Option<Table> {
    let figures = report.criterion.as_ref()?;
    let rows = figures
        .iter()
        .map(|f| {
            let versus = if f.server == crate::servers::BASELINE {
                NONE.to_owned()
            } else {
                report
                    .criterion(&f.suite, &f.endpoint, crate::servers::BASELINE)
                    .and_then(|raw| percent_change(raw.median_ns, f.median_ns))
                    .map_or_else(|| NONE.to_owned(), |p| format!("{p:+.1}%"))
            };
            vec![
                f.suite.clone(),
                f.endpoint.clone(),
                f.server.clone(),
                number(f.median_ns, 0),
                format!("{} – {}", number(f.ci_low_ns, 0), number(f.ci_high_ns, 0)),
                versus,
            ]
        })
        .collect();
    Some(Table {
        title: "Time per request without load (criterion)".to_owned(),
        headers: headers(&[
            "suite",
            "endpoint",
            "server",
            "median (ns)",
            "95% CI (ns)",
            "vs raw",
        ]),
        rows,
        notes: vec![
            "in_process: the service called directly, no sockets — routing, extraction and \
             response building only. over_loopback: one request at a time over a keep-alive \
             connection."
                .to_owned(),
        ],
    })
}

/// Lines of glue per feature, when the source was found.
pub fn glue(report: &Report) -> Option<Table> {
    let glue = report.glue.as_ref()?;
    let difference = |raw: usize, framework: usize| {
        let d = framework as i64 - raw as i64;
        format!("{d:+}")
    };
    let mut rows: Vec<Vec<String>> = glue
        .features
        .iter()
        .map(|f| {
            vec![
                f.feature.clone(),
                f.raw_lines.to_string(),
                f.framework_lines.to_string(),
                difference(f.raw_lines, f.framework_lines),
            ]
        })
        .collect();
    rows.push(vec![
        "total".to_owned(),
        glue.raw_total.to_string(),
        glue.framework_total.to_string(),
        difference(glue.raw_total, glue.framework_total),
    ]);
    let mut notes = vec![format!("Counted: {}.", glue.counting)];
    for left_out in &glue.not_counted {
        notes.push(format!(
            "Not counted: `{}` in {}-server ({} lines), {}.",
            left_out.anchor,
            left_out.side.name(),
            left_out.lines,
            left_out.reason
        ));
    }
    Some(Table {
        title: "Lines of glue per feature".to_owned(),
        headers: headers(&[
            "feature",
            "raw-server lines",
            "framework-server lines",
            "framework − raw",
        ]),
        rows,
        notes,
    })
}

/// Each launched server's executable size, when compare found them.
pub fn binaries(report: &Report) -> Option<Table> {
    let mega = |bytes: u64| number(bytes as f64 / 1e6, 2);
    let rows: Vec<Vec<String>> = report
        .results
        .servers
        .iter()
        .filter_map(|s| {
            let binary = s.binary.as_ref()?;
            Some(vec![
                s.name.clone(),
                binary.stripped_bytes.map_or_else(|| NONE.to_owned(), mega),
                mega(binary.bytes),
            ])
        })
        .collect();
    (!rows.is_empty()).then(|| Table {
        title: "Binary size".to_owned(),
        headers: headers(&["server", "stripped (MB)", "as built (MB)"]),
        rows,
        notes: vec![
            "The servers' own executables (raw-server, framework-server) built beside the \
             harness in target/release (a debug run reports no sizes); stripped with binutils' \
             strip. framework-axum is the framework-server executable."
                .to_owned(),
        ],
    })
}

/// Every table the report has, in page order.
pub fn all(report: &Report) -> Vec<Table> {
    std::iter::once(summary(report))
        .chain(cost(report))
        .chain(super::layers::table(report))
        .chain(criterion(report))
        .chain(glue(report))
        .chain(binaries(report))
        .chain(super::noise::table(report))
        .collect()
}

/// The environment block: what was measured, on what, how.
pub fn environment(report: &Report) -> Vec<(String, String)> {
    let r = &report.results;
    let e = &r.environment;
    let c = &r.config;
    let mut items = vec![
        ("comparison", r.comparison.clone()),
        (
            "servers",
            r.servers
                .iter()
                .map(|s| format!("{} = {}", s.name, s.description))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ("load", c.describe_load()),
        (
            "server runtime",
            format!("{}, {} worker(s)", c.server_runtime, c.server_workers),
        ),
        ("pinning", r.pinning.note.clone()),
        ("database", c.describe_database()),
        (
            "machine",
            format!(
                "{} ({} logical CPUs, allowed {:?})",
                e.cpu_model, e.logical_cpus, e.allowed_cpus
            ),
        ),
        ("kernel", e.kernel.clone()),
        ("compiler", e.rustc.clone()),
        ("build", e.build_profile.clone()),
        (
            "crates",
            e.crate_versions
                .iter()
                .map(|(name, version)| format!("{name} {version}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("commit", e.git_commit.clone()),
        ("measured", format!("{} – {}", r.started_at, r.finished_at)),
        ("tool", r.tool.clone()),
        ("report written", report.generated_at.clone()),
    ];
    if !e.tool_versions.is_empty() {
        items.push((
            "tools",
            e.tool_versions
                .iter()
                .map(|(name, version)| format!("{name} {version}"))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let Some(cost) = &report.cost {
        items.push((
            "cost figures measured on",
            format!(
                "{}, {}, {} build, commit {}",
                cost.environment.cpu_model,
                cost.environment.rustc,
                cost.environment.build_profile,
                cost.environment.git_commit
            ),
        ));
    }
    items.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Notes of the comparison and of the report, for the bottom of the page.
pub fn notes(report: &Report) -> Vec<String> {
    report
        .results
        .notes
        .iter()
        .chain(&report.notes)
        .cloned()
        .collect()
}
