//! The framework's share per endpoint, from the committed comparison: the
//! learner's function on the sample's medians against this file's own
//! arithmetic, and the endpoints where the share is smallest.

use serde_json::Value;
use workshop_database::{LARGEST_CPU_SHARE, SMALLEST_CPU_SHARE, framework_share};

fn results() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../docs/sample-report/results.json"
    );
    let text = std::fs::read_to_string(path).expect("the committed comparison");
    serde_json::from_str(&text).expect("results.json is JSON")
}

/// `(endpoint, raw median, framework median)` of one median field, for
/// every endpoint both servers were measured on.
fn medians(results: &Value, field: &str) -> Vec<(String, f64, f64)> {
    let summary = results["summary"]
        .as_array()
        .expect("results.json has a summary");
    let of = |endpoint: &str, server: &str| {
        summary
            .iter()
            .find(|s| s["endpoint"] == endpoint && s["server"] == server)
            .and_then(|s| s["median"][field].as_f64())
    };
    let mut rows = Vec::new();
    for s in summary.iter().filter(|s| s["server"] == "raw") {
        let endpoint = s["endpoint"].as_str().unwrap_or_default();
        if let (Some(raw), Some(framework)) = (of(endpoint, "raw"), of(endpoint, "framework")) {
            rows.push((endpoint.to_owned(), raw, framework));
        }
    }
    assert!(
        rows.len() >= 2,
        "results.json compares fewer than two endpoints"
    );
    rows
}

/// The endpoints ranked by their share of `field`, smallest first, by this
/// file's arithmetic.
fn ranked(results: &Value, field: &str) -> Vec<String> {
    let mut shares: Vec<(f64, String)> = medians(results, field)
        .into_iter()
        .map(|(endpoint, raw, framework)| ((framework - raw) / framework, endpoint))
        .collect();
    shares.sort_by(|a, b| a.0.total_cmp(&b.0));
    shares.into_iter().map(|(_, endpoint)| endpoint).collect()
}

#[test]
fn the_share_is_the_part_of_the_framework_cost_that_raw_does_not_have() {
    assert!(
        (framework_share(10.0, 15.0) - 1.0 / 3.0).abs() < 1e-9,
        "raw 10, framework 15: a third of 15 is the framework's (share)"
    );
    assert!(
        framework_share(10.0, 10.0).abs() < 1e-9,
        "equal costs: no share (share)"
    );
    assert!(
        framework_share(12.0, 10.0) < 0.0,
        "a cheaper framework has a negative share (share)"
    );
}

#[test]
fn the_share_of_cpu_time_per_request_matches_the_sample_on_every_endpoint() {
    for (endpoint, raw, framework) in medians(&results(), "server_cpu_us_per_request") {
        let expected = (framework - raw) / framework;

        let yours = framework_share(raw, framework);

        assert!(
            (yours - expected).abs() < 1e-6,
            "{endpoint}: raw {raw:.2} µs, framework {framework:.2} µs: share {expected:.3}, yours {yours:.3} (sample)"
        );
    }
}

#[test]
fn the_endpoint_with_the_smallest_cpu_share_is_named() {
    let ranked = ranked(&results(), "server_cpu_us_per_request");

    let right = ranked.first().is_some_and(|e| e == SMALLEST_CPU_SHARE);
    assert!(
        right,
        "SMALLEST_CPU_SHARE {SMALLEST_CPU_SHARE:?} is not the endpoint with the smallest share of CPU time per request (smallest)"
    );
}

#[test]
fn the_endpoint_with_the_largest_cpu_share_is_named() {
    let ranked = ranked(&results(), "server_cpu_us_per_request");

    let right = ranked.last().is_some_and(|e| e == LARGEST_CPU_SHARE);
    assert!(
        right,
        "LARGEST_CPU_SHARE {LARGEST_CPU_SHARE:?} is not the endpoint with the largest share of CPU time per request (largest)"
    );
}
