//! `cost`'s figures, its JSON and its table, on fixed reports.

use std::collections::BTreeMap;

use super::render::{self, count};
use super::*;

#[test]
fn differencing_cancels_what_both_counts_share() {
    // Start-up costs 1,000,000; each request 7,500.
    let at = |n: u64| 1_000_000 + 7_500 * n;
    assert_eq!(
        per_request(at(1000), at(3000), 1000, 3000).expect("valid"),
        7_500.0
    );
    assert_eq!(per_request(at(0), at(1), 0, 1).expect("valid"), 7_500.0);
}

#[test]
fn differencing_refuses_counts_that_cannot_be_cumulative() {
    assert!(per_request(10, 20, 5, 5).is_err());
    assert!(per_request(10, 20, 6, 5).is_err());
    assert!(per_request(20, 10, 1, 2).is_err());
}

#[test]
fn the_empty_segment_is_taken_off_the_measured_one() {
    // 2,000 requests of 11,200 instructions, plus 3,000 for the probe.
    let per = per_request_from_segments(2_000 * 11_200 + 3_000, 3_000, 500, 2_500).expect("valid");
    assert_eq!(per, 11_200.0);
}

#[test]
fn spread_is_range_over_mean() {
    assert_eq!(spread(&[100.0]), None);
    let s = spread(&[99.0, 100.0, 101.0]).expect("three runs");
    assert!((s - 0.02).abs() < 1e-12);
    assert_eq!(mean(&[]), None);
    assert_eq!(mean(&[16_736.0, 16_890.0]), Some(16_813.0));
}

#[test]
fn counts_are_grouped_by_thousands() {
    assert_eq!(count(Some(1_234_567.4)), "1,234,567");
    assert_eq!(count(Some(999.0)), "999");
    assert_eq!(count(Some(-4_361.0)), "-4,361");
    assert_eq!(count(None), "-");
}

pub(super) fn sample_report() -> CostReport {
    let mut servers = BTreeMap::new();
    servers.insert(
        "raw".to_owned(),
        ServerCost {
            instructions_per_request: Some(7_512.3),
            allocations_per_request: Some(6.0),
            bytes_allocated_per_request: Some(812.0),
            top_functions: vec![TopFunction {
                function: "hyper::proto::h1::role::Server::encode".to_owned(),
                inclusive_instructions_per_request: 1_234.5,
            }],
            instructions_per_request_runs: vec![7_512.3, 7_511.0, 7_515.2],
            deallocations_per_request: Some(6.0),
            reallocations_per_request: Some(0.0),
            instructions_outside_allocator_per_request: Some(6_000.0),
            instructions_outside_allocator_per_request_runs: vec![6_000.0, 6_000.5, 5_999.5],
        },
    );
    servers.insert(
        "framework".to_owned(),
        ServerCost {
            instructions_per_request: Some(11_873.1),
            allocations_per_request: Some(15.0),
            bytes_allocated_per_request: Some(1_530.0),
            ..ServerCost::default()
        },
    );
    CostReport {
        schema_version: COST_SCHEMA_VERSION,
        kind: "cost".to_owned(),
        created: "2026-11-25T16:30:00Z".to_owned(),
        environment: Environment::capture(),
        method: CostMethod {
            instructions: "callgrind".to_owned(),
            allocations: "counting allocator".to_owned(),
            n1: 500,
            n2: 2500,
            repeat: 7,
            alloc_warmup: 500,
            alloc_requests: 10_000,
        },
        endpoints: vec![EndpointCost {
            endpoint: "json".to_owned(),
            method: "GET".to_owned(),
            target: "/json".to_owned(),
            servers,
        }],
        notes: Vec::new(),
        layers: None,
    }
}

#[test]
fn the_cost_json_survives_a_round_trip_with_the_shared_field_names() {
    let report = sample_report();
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("cost.json");
    report.write_json(&path).expect("writes");

    // The field names the report writer relies on.
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("reads")).expect("json");
    assert_eq!(value["kind"], "cost");
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["method"]["n2"], 2500);
    let raw = &value["endpoints"][0]["servers"]["raw"];
    assert_eq!(raw["instructions_per_request"], 7_512.3);
    assert_eq!(raw["allocations_per_request"], 6.0);
    assert_eq!(raw["bytes_allocated_per_request"], 812.0);
    assert_eq!(
        raw["top_functions"][0]["inclusive_instructions_per_request"],
        1_234.5
    );
    assert!(value["environment"]["cpu_model"].is_string());
    // Not measured is null, not absent and not zero.
    let framework = &value["endpoints"][0]["servers"]["framework"];
    assert!(framework["deallocations_per_request"].is_null());

    let back = CostReport::read(&path).expect("reads back");
    assert_eq!(
        back.endpoints[0].servers["raw"]
            .instructions_per_request_runs
            .len(),
        3
    );
    assert_eq!(
        back.endpoints[0].servers["framework"].instructions_per_request,
        Some(11_873.1)
    );
}

#[test]
fn a_minimal_cost_json_from_another_writer_is_read() {
    // Only the fields of the shared interface; `null` where not measured.
    let text = r#"{
      "schema_version": 1, "kind": "cost", "created": "2026-11-25T16:30:00Z",
      "environment": {"cpu_model": "x", "logical_cpus": 2, "allowed_cpus": [0, 1],
        "kernel": "6", "rustc": "rustc", "build_profile": "release",
        "crate_versions": {}, "git_commit": "unknown", "tool_versions": {}},
      "method": {"instructions": "i", "allocations": "a", "n1": 2000, "n2": 6000},
      "endpoints": [{"endpoint": "json", "method": "GET", "target": "/json",
        "servers": {"raw": {"instructions_per_request": null,
          "allocations_per_request": 6.0, "bytes_allocated_per_request": 812.0,
          "top_functions": []}}}]
    }"#;
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("cost.json");
    std::fs::write(&path, text).expect("writes");
    let report = CostReport::read(&path).expect("reads");
    assert_eq!(
        report.endpoints[0].servers["raw"].instructions_per_request,
        None
    );
    assert_eq!(
        report.endpoints[0].servers["raw"].allocations_per_request,
        Some(6.0)
    );
}

#[test]
fn other_kinds_and_newer_schemas_are_refused() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("cost.json");
    let mut report = sample_report();
    report.kind = "compare".to_owned();
    report.write_json(&path).expect("writes");
    assert!(CostReport::read(&path).is_err());
    let mut report = sample_report();
    report.schema_version = COST_SCHEMA_VERSION + 1;
    report.write_json(&path).expect("writes");
    assert!(CostReport::read(&path).is_err());
}

#[test]
fn the_table_shows_difference_ratio_and_both_sides() {
    let table = render::table(&sample_report());
    let row = table
        .lines()
        .find(|line| line.starts_with("json"))
        .expect("a json row");
    for expected in [
        "7,512", "11,873", "+4,361", "1.58x", "6.0", "15.0", "812", "1,530",
    ] {
        assert!(row.contains(expected), "`{expected}` missing from `{row}`");
    }
    let functions = render::top_functions(&sample_report());
    assert!(functions.contains("hyper::proto::h1::role::Server::encode"));
}
