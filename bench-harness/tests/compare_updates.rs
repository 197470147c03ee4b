//! `compare --endpoints updates` at TechEmpower's connection counts: the
//! real binary loads both servers' `/updates?queries=20` with 64 and then
//! 512 connections, and every answer must be a `200` (writes that meet a
//! busy database wait for the lock instead of failing).

#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

/// Runs a short `compare` of `/updates` at `connections` and returns its
/// `results.json`.
fn compare_updates(connections: usize) -> Value {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args([
            "compare",
            "--rounds",
            "2",
            "--duration",
            "700ms",
            "--warmup",
            "200ms",
            "--endpoints",
            "updates",
            "--connections",
            &connections.to_string(),
            "--quiet",
            "--no-cost",
            "--no-priority",
            "--no-realtime",
            "--no-report",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "compare at {connections} connections failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
        .unwrap()
}

#[test]
fn updates_answer_only_2xx_on_both_servers_at_64_and_512_connections() {
    for connections in [64, 512] {
        // Act
        let results = compare_updates(connections);

        // Assert: both servers answered, every answer a 200, no errors.
        let summary = results["summary"].as_array().unwrap();
        assert_eq!(summary.len(), 2, "{connections}: {summary:?}");
        for entry in summary {
            let server = entry["server"].as_str().unwrap();
            assert_eq!(entry["endpoint"], "updates");
            assert_eq!(
                entry["non_success_responses"], 0,
                "{server} at {connections} connections: {entry}"
            );
            assert_eq!(entry["errors"], 0, "{server} at {connections}: {entry}");
        }
        for round in results["rounds"].as_array().unwrap() {
            let statuses = round["status_counts"].as_object().unwrap();
            assert_eq!(
                statuses.keys().collect::<Vec<_>>(),
                ["200"],
                "{connections} connections: {round}"
            );
            assert!(round["requests"].as_u64().unwrap() > 0, "{round}");
        }
    }
}
