//! `compare --quick` end to end: the real binary starts both servers as
//! child processes, loads them, and writes a `results.json` we check
//! against schema version 1.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

#[test]
fn compare_quick_writes_valid_results_for_both_servers() {
    // Arrange: the shortest run that still exercises every step.
    let out = tempfile::tempdir().unwrap();

    // Act
    let output = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args([
            "compare",
            "--quick",
            "--rounds",
            "2",
            "--duration",
            "500ms",
            "--warmup",
            "0s",
            "--endpoints",
            "plaintext,json",
            "--connections",
            "8",
            "--quiet",
            "--no-cost",
            "--no-priority",
            "--no-realtime",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();

    // Assert
    assert!(
        output.status.success(),
        "compare failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("framework/raw: CPU/request"), "{table}");

    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["schema_version"], 1);
    for key in ["tool", "started_at", "finished_at", "comparison"] {
        assert!(results[key].is_string(), "{key}");
    }
    let environment = &results["environment"];
    for key in [
        "cpu_model",
        "kernel",
        "rustc",
        "git_commit",
        "build_profile",
    ] {
        assert!(environment[key].is_string(), "environment.{key}");
    }
    assert!(environment["crate_versions"]["hyper"].is_string());
    assert!(environment["crate_versions"]["axum"].is_string());
    assert!(results["pinning"]["applied"].is_boolean());
    assert!(results["config"]["server_runtime"].is_string());

    let servers: Vec<&str> = results["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(servers, vec!["raw", "framework"]);

    // 2 endpoints x 2 servers x 2 rounds, every one with positive figures.
    let rounds = results["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 8);
    for round in rounds {
        assert_eq!(round["errors"]["connect"], 0, "{round}");
        for key in [
            "requests",
            "requests_per_second",
            "server_cpu_s",
            "server_cpu_us_per_request",
            "server_rss_kib",
            "client_cpu_s",
            "client_cpu_us_per_request",
        ] {
            assert!(round[key].as_f64().unwrap() > 0.0, "{key} in {round}");
        }
        assert!(round["latency"]["p50_us"].as_u64().unwrap() > 0);
        assert!(round["latency"]["p99_us"].as_u64().unwrap() > 0);
        assert!(round["client_bound"].is_boolean());
        // The server woke up at least once to answer its requests (counted
        // whenever its threads held still through the round).
        if round["server_cpu_from_threads"] == true {
            assert!(round["server_wakeups"].as_u64().unwrap() > 0, "{round}");
        }
    }
    // The report names the scheduling the rounds ran under.
    assert_eq!(
        results["noise"]["scheduling"],
        "SCHED_OTHER (--no-realtime)"
    );

    let summary = results["summary"].as_array().unwrap();
    assert_eq!(summary.len(), 4);
    for entry in summary {
        assert!(entry["median"]["requests_per_second"].as_f64().unwrap() > 0.0);
        if entry["server"] == "framework" {
            let cpu = &entry["vs_baseline"]["server_cpu_us_per_request"];
            assert!(cpu["ratio"].as_f64().unwrap() > 0.0);
            assert!(cpu["ci_low"].as_f64().unwrap() <= cpu["ci_high"].as_f64().unwrap());
        } else {
            assert!(entry["vs_baseline"].is_null());
        }
    }
    assert!(out.path().join("table.txt").exists());

    // The report lands beside the results, and its path is printed.
    let html = out.path().join("index.html");
    assert!(
        table.contains("report: ") && table.contains("index.html"),
        "{table}"
    );
    assert!(html.exists() && out.path().join("report.md").exists());
    assert_eq!(results["report_schema_version"], 1);
    assert!(results["lines_of_glue"]["features"].is_array());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("json"));

    // `report` reads it back and adds the cost figures.
    let again = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args(["report", "--results"])
        .arg(out.path().join("results.json"))
        .arg("--cost")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/cost-v1.json"
        ))
        .arg("--out")
        .arg(again.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "report failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let markdown = std::fs::read_to_string(again.path().join("report.md")).unwrap();
    assert!(
        markdown.contains("## Instructions and allocations per request"),
        "{markdown}"
    );
    assert!(markdown.contains("7,512"), "{markdown}");
}
