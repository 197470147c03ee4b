//! Prints the medians of the latest `cargo bench -p bench-harness` run as a
//! Markdown table, raw next to framework: the shortest use of
//! `bench_harness::schema::criterion`.
//!
//! ```text
//! cargo bench -p bench-harness
//! cargo run -p bench-harness --example criterion_medians [target/criterion]
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use bench_harness::schema::criterion::{CriterionEstimate, Estimate, read_all};

/// `1.23 µs [1.20, 1.25]`: a median and its 95% interval, in a readable unit.
fn show(estimate: &Estimate) -> String {
    let (scale, unit) = match estimate.point_ns {
        ns if ns >= 1e6 => (1e6, "ms"),
        ns if ns >= 1e3 => (1e3, "µs"),
        _ => (1.0, "ns"),
    };
    format!(
        "{:.2} {unit} [{:.2}, {:.2}]",
        estimate.point_ns / scale,
        estimate.lower_ns / scale,
        estimate.upper_ns / scale
    )
}

fn main() -> anyhow::Result<()> {
    let folder = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/criterion"), PathBuf::from);
    let estimates = read_all(&folder)?;

    // One row per (suite, endpoint, parameter), raw and framework side by side.
    type Row<'a> = BTreeMap<&'a str, &'a CriterionEstimate>;
    let mut rows: BTreeMap<(&str, &str, Option<&str>), Row<'_>> = BTreeMap::new();
    for estimate in &estimates {
        let key = (
            estimate.suite.as_str(),
            estimate.endpoint.as_str(),
            estimate.parameter.as_deref(),
        );
        rows.entry(key)
            .or_default()
            .insert(estimate.function.as_str(), estimate);
    }

    println!("| benchmark | raw median [95% CI] | framework median [95% CI] | framework/raw |");
    println!("|---|---:|---:|---:|");
    for ((suite, endpoint, parameter), functions) in &rows {
        let name = match parameter {
            Some(parameter) => format!("{suite}/{endpoint} ({parameter})"),
            None => format!("{suite}/{endpoint}"),
        };
        let median = |function: &str| functions.get(function).map(|e| e.median);
        let cell =
            |estimate: Option<Estimate>| estimate.as_ref().map_or_else(|| "-".to_owned(), show);
        let ratio = match (median("raw"), median("framework")) {
            (Some(raw), Some(framework)) if raw.point_ns > 0.0 => {
                format!("{:.2}", framework.point_ns / raw.point_ns)
            }
            _ => "-".to_owned(),
        };
        println!(
            "| {name} | {} | {} | {ratio} |",
            cell(median("raw")),
            cell(median("framework"))
        );
    }
    Ok(())
}
