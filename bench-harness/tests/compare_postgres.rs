//! `compare --database postgres` end to end: the real binary starts a
//! throwaway PostgreSQL cluster of its own, both servers read and write the
//! same database, every answer is a `200`, and `results.json` and the table
//! say which database ran and where.
//!
//! Skipped (with the reason) without PostgreSQL's binaries, unless `CI` is
//! set: there it must run.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use bench_harness::child::postgres::find_binaries;
use serde_json::Value;

#[test]
fn compare_on_a_cluster_of_its_own_answers_200_and_records_where_postgres_ran() {
    if find_binaries().is_none() && std::env::var_os("CI").is_none() {
        eprintln!("skipped: PostgreSQL's initdb/pg_ctl are not installed (and CI is not set)");
        return;
    }
    // Arrange
    let out = tempfile::tempdir().unwrap();

    // Act: a read and a write, so both servers' pools and the shared seed are used.
    let output = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args([
            "compare",
            "--database",
            "postgres",
            "--rounds",
            "2",
            "--duration",
            "500ms",
            "--warmup",
            "200ms",
            "--endpoints",
            "db,updates",
            "--connections",
            "16",
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

    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "compare failed:\n{stderr}");
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    let database = &results["config"]["database"];
    assert_eq!(database["backend"], "postgres", "{database}");
    assert_eq!(database["started_by_harness"], true, "{database}");
    let description = database["description"].as_str().unwrap();
    assert!(
        description.starts_with("PostgreSQL ") && description.contains("throwaway cluster"),
        "{description}"
    );
    let table = std::fs::read_to_string(out.path().join("table.txt")).unwrap();
    assert!(
        table.contains(&format!("Database: {description}")),
        "{table}"
    );
    let rounds = results["rounds"].as_array().unwrap();
    assert_eq!(
        rounds.len(),
        2 * 2 * 2,
        "2 endpoints x 2 servers x 2 rounds"
    );
    for round in rounds {
        let statuses = round["status_counts"].as_object().unwrap();
        assert_eq!(statuses.keys().collect::<Vec<_>>(), ["200"], "{round}");
        assert!(round["requests"].as_u64().unwrap() > 0, "{round}");
    }
}

#[test]
fn compare_refuses_postgres_for_the_node_guests_and_says_why() {
    let output = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args(["compare", "--database", "postgres", "--suite", "node"])
        .args([
            "--quiet",
            "--no-cost",
            "--no-priority",
            "--no-realtime",
            "--no-report",
        ])
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Node guests read SQLite"), "{stderr}");
}
