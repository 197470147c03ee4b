//! The answers against the committed cost profile: each expected figure is
//! computed here from `docs/sample-report/cost.json`.

use serde_json::Value;
use workshop_cost_profile::*;

fn profile() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../docs/sample-report/cost.json"
    );
    let text = std::fs::read_to_string(path).expect("the committed cost profile");
    serde_json::from_str(&text).expect("cost.json is JSON")
}

/// `servers[server][field]` of `endpoint`.
fn figure(profile: &Value, endpoint: &str, server: &str, field: &str) -> f64 {
    profile["endpoints"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["endpoint"] == endpoint))
        .and_then(|e| e["servers"][server][field].as_f64())
        .unwrap_or_else(|| panic!("cost.json has no {field} for {server} on {endpoint}"))
}

fn close(answer: f64, expected: f64, tolerance: f64) -> bool {
    (answer - expected).abs() <= tolerance
}

#[test]
fn the_extra_instructions_per_json_request_are_framework_minus_raw() {
    let p = profile();
    let expected = figure(&p, "json", "framework", "instructions_per_request")
        - figure(&p, "json", "raw", "instructions_per_request");

    assert!(
        close(JSON_EXTRA_INSTRUCTIONS, expected, 1.0),
        "JSON_EXTRA_INSTRUCTIONS is {JSON_EXTRA_INSTRUCTIONS}: not what the profile says (extra)"
    );
}

#[test]
fn the_json_ratio_is_framework_over_raw() {
    let p = profile();
    let expected = figure(&p, "json", "framework", "instructions_per_request")
        / figure(&p, "json", "raw", "instructions_per_request");

    assert!(
        close(JSON_RATIO, expected, 0.01),
        "JSON_RATIO is {JSON_RATIO}: not what the profile says (ratio)"
    );
}

#[test]
fn the_extra_allocations_per_json_request_are_framework_minus_raw() {
    let p = profile();
    let expected = figure(&p, "json", "framework", "allocations_per_request")
        - figure(&p, "json", "raw", "allocations_per_request");

    assert!(
        close(JSON_EXTRA_ALLOCATIONS, expected, 0.5),
        "JSON_EXTRA_ALLOCATIONS is {JSON_EXTRA_ALLOCATIONS}: not what the profile says (extra)"
    );
}

#[test]
fn the_framework_share_of_a_queries_request_is_extra_over_framework() {
    let p = profile();
    let framework = figure(&p, "queries", "framework", "instructions_per_request");
    let expected =
        (framework - figure(&p, "queries", "raw", "instructions_per_request")) / framework;

    assert!(
        close(QUERIES_FRAMEWORK_SHARE, expected, 0.01),
        "QUERIES_FRAMEWORK_SHARE is {QUERIES_FRAMEWORK_SHARE}: not what the profile says (share)"
    );
}

#[test]
fn the_top_axum_function_of_json_is_named_and_no_other() {
    let p = profile();
    let mut ranked: Vec<(f64, String)> = p["endpoints"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["endpoint"] == "json"))
        .and_then(|e| e["servers"]["framework"]["top_functions"].as_array())
        .expect("cost.json lists framework-server's top functions on json")
        .iter()
        .filter_map(|f| {
            Some((
                f["inclusive_instructions_per_request"].as_f64()?,
                f["function"].as_str()?.to_owned(),
            ))
        })
        .filter(|(_, name)| name.starts_with("axum::") || name.starts_with("<axum::"))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let functions: Vec<String> = ranked.into_iter().map(|(_, name)| name).collect();
    let (top, others) = functions.split_first().expect("at least one axum function");

    let named = !JSON_TOP_AXUM_FUNCTION.is_empty() && top.contains(JSON_TOP_AXUM_FUNCTION);
    let ambiguous = others
        .iter()
        .any(|other| other.contains(JSON_TOP_AXUM_FUNCTION));

    assert!(
        named && !ambiguous,
        "JSON_TOP_AXUM_FUNCTION {JSON_TOP_AXUM_FUNCTION:?} does not name the top axum function alone (function)"
    );
}
