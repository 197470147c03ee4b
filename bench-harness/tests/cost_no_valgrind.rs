//! `cost --no-valgrind` end to end: the real binary starts both servers
//! with the probe, counts their allocations over a few requests and writes
//! a `cost.json` in the shared format. No valgrind needed, so it runs on any
//! CI machine; the instruction figures must then be `null`, not zero.
//!
//! What is measured is not asserted (whether the framework allocates more
//! is the question the tool answers, not a property of the tool); that it
//! is measured, positive and in the right place is.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

#[test]
fn cost_without_valgrind_counts_allocations_of_both_servers() {
    // Arrange
    let out = tempfile::tempdir().unwrap();
    let extra = out.path().join("elsewhere.json");

    // Act
    let output = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args([
            "cost",
            "--no-valgrind",
            "--no-priority",
            "--endpoints",
            "json",
            "--alloc-warmup",
            "20",
            "--alloc-requests",
            "200",
            "--out",
        ])
        .arg(out.path())
        .arg("--json")
        .arg(&extra)
        .output()
        .unwrap();

    // Assert
    assert!(
        output.status.success(),
        "cost failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.lines().any(|line| line.starts_with("json")),
        "{table}"
    );
    assert!(out.path().join("cost.txt").is_file());

    let cost: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("cost.json")).unwrap())
            .unwrap();
    let elsewhere: Value = serde_json::from_str(&std::fs::read_to_string(&extra).unwrap()).unwrap();
    assert_eq!(cost["endpoints"], elsewhere["endpoints"]);
    assert_eq!(cost["schema_version"], 1);
    assert_eq!(cost["kind"], "cost");
    assert_eq!(cost["method"]["alloc_requests"], 200);
    let endpoint = &cost["endpoints"][0];
    assert_eq!(endpoint["endpoint"], "json");
    assert_eq!(endpoint["target"], "/json");
    for server in ["raw", "framework"] {
        let figures = &endpoint["servers"][server];
        assert!(figures["instructions_per_request"].is_null(), "{server}");
        let allocations = figures["allocations_per_request"].as_f64().unwrap();
        let bytes = figures["bytes_allocated_per_request"].as_f64().unwrap();
        assert!(allocations > 0.0, "{server}: {allocations}");
        assert!(
            bytes >= allocations,
            "{server}: {bytes} bytes, {allocations} allocations"
        );
    }
}
