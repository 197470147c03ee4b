//! `cost`'s rendering: the terminal table (also the head of `cost.txt`)
//! and the top functions of every endpoint and server.

use std::fmt::Write as _;

use super::figures::spread;
use crate::schema::cost::{CostReport, EndpointCost, ServerCost};

/// The terminal table: per endpoint, instructions and allocations of
/// both servers, with the framework's difference and ratio.
pub fn table(report: &CostReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "cost per request: instructions (callgrind, mean of {} processes, requests {}..{}), allocations (counting allocator, {} requests)",
        report.method.repeat.max(1),
        report.method.n1 + 1,
        report.method.n2,
        report.method.alloc_requests
    );
    let _ = writeln!(
        out,
        "{:<12} {:>10} {:>10} {:>10} {:>7} {:>8} {:>8} {:>9} {:>9} {:>7} {:>10} {:>10} {:>7}",
        "endpoint",
        "instr raw",
        "instr fw",
        "fw - raw",
        "fw/raw",
        "allocs",
        "allocs",
        "bytes",
        "bytes",
        "spread",
        "no-malloc",
        "no-malloc",
        "spread"
    );
    let _ = writeln!(
        out,
        "{:<12} {:>10} {:>10} {:>10} {:>7} {:>8} {:>8} {:>9} {:>9} {:>7} {:>10} {:>10} {:>7}",
        "", "", "", "", "", "raw", "fw", "raw", "fw", "instr", "raw", "fw", "no-mal"
    );
    for endpoint in &report.endpoints {
        let _ = writeln!(out, "{}", endpoint_row(endpoint));
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// One endpoint's row of [`table`].
fn endpoint_row(endpoint: &EndpointCost) -> String {
    let raw = endpoint.servers.get("raw");
    let framework = endpoint.servers.get("framework");
    let instr = |s: Option<&ServerCost>| s.and_then(|s| s.instructions_per_request);
    let (raw_i, fw_i) = (instr(raw), instr(framework));
    let difference = raw_i.zip(fw_i).map(|(r, f)| f - r);
    let ratio = raw_i
        .zip(fw_i)
        .filter(|(r, _)| *r > 0.0)
        .map(|(r, f)| f / r);
    let allocs = |s: Option<&ServerCost>| s.and_then(|s| s.allocations_per_request);
    let bytes = |s: Option<&ServerCost>| s.and_then(|s| s.bytes_allocated_per_request);
    // The largest process-to-process spread of the two servers.
    let largest = |runs: &dyn Fn(&ServerCost) -> &Vec<f64>| {
        [raw, framework]
            .into_iter()
            .flatten()
            .filter_map(|s| spread(runs(s)))
            .fold(None, |max: Option<f64>, s| {
                Some(max.map_or(s, |m| m.max(s)))
            })
    };
    let spread = largest(&|s| &s.instructions_per_request_runs);
    let outside_spread = largest(&|s| &s.instructions_outside_allocator_per_request_runs);
    let outside =
        |s: Option<&ServerCost>| s.and_then(|s| s.instructions_outside_allocator_per_request);
    let percent =
        |s: Option<f64>| s.map_or_else(|| "-".to_owned(), |s| format!("{:.2}%", s * 100.0));
    format!(
        "{:<12} {:>10} {:>10} {:>10} {:>7} {:>8} {:>8} {:>9} {:>9} {:>7} {:>10} {:>10} {:>7}",
        endpoint.endpoint,
        count(raw_i),
        count(fw_i),
        difference.map_or_else(
            || "-".to_owned(),
            |d| if d >= 0.0 {
                format!("+{}", count(Some(d)))
            } else {
                count(Some(d))
            }
        ),
        ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x")),
        decimal(allocs(raw)),
        decimal(allocs(framework)),
        count(bytes(raw)),
        count(bytes(framework)),
        percent(spread),
        count(outside(raw)),
        count(outside(framework)),
        percent(outside_spread),
    )
}

/// The top functions of every endpoint and server, for `cost.txt`.
pub fn top_functions(report: &CostReport) -> String {
    let mut out = String::new();
    for endpoint in &report.endpoints {
        for (server, cost) in &endpoint.servers {
            if cost.top_functions.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "\n{} on {}: inclusive instructions per request (of {})",
                endpoint.endpoint,
                server,
                count(cost.instructions_per_request)
            );
            for function in &cost.top_functions {
                let _ = writeln!(
                    out,
                    "  {:>10}  {}",
                    count(Some(function.inclusive_instructions_per_request)),
                    shorten(&function.function, 110)
                );
            }
        }
    }
    out
}

/// `12,345` (rounded), or `-`.
pub(super) fn count(value: Option<f64>) -> String {
    let Some(value) = value else {
        return "-".to_owned();
    };
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < -0.5 {
        grouped.insert(0, '-');
    }
    grouped
}

/// `15.0`, or `-`.
fn decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
}

/// Long generic Rust names cut in the middle, keeping both ends.
fn shorten(name: &str, max: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        return name.to_owned();
    }
    let keep = (max - 1) / 2;
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{head}…{tail}")
}
