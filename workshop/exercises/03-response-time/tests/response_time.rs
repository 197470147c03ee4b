//! `x-response-time` on every answer of both servers (`200`, `404`, `405`),
//! well formed, and the rest of each answer unchanged.

use conformance::groups::benchmark;
use conformance::remote::Remote;
use workshop_response_time::{HEADER, start_axum, start_raw};

/// `METHOD path` → the `x-response-time` value each answer carried.
async fn header_values(base: &str) -> Vec<(String, Option<String>)> {
    let client = conformance::client();
    let mut values = Vec::new();
    for (method, path, status) in [
        ("GET", "/plaintext", 200),
        ("GET", "/nope", 404),
        ("POST", "/json", 405),
    ] {
        let observed = conformance::fetch(&client, method, &format!("{base}{path}"), &[], None)
            .await
            .expect("the server answers");
        assert_eq!(observed.status, status, "{method} {path}");
        values.push((
            format!("{method} {path} ({status})"),
            observed.header(HEADER).map(str::to_owned),
        ));
    }
    values
}

/// `12.345ms`: digits, a point, three digits, `ms`.
fn well_formed(value: &str) -> bool {
    value
        .strip_suffix("ms")
        .and_then(|number| number.split_once('.'))
        .is_some_and(|(whole, fraction)| {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.len() == 3
                && fraction.bytes().all(|b| b.is_ascii_digit())
        })
}

async fn check_server(name: &str, base: &str) {
    let values = header_values(base).await;
    let missing: Vec<&str> = values
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(what, _)| what.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "{name}: no {HEADER} on {}",
        missing.join(", ")
    );
    for (what, value) in values {
        let value = value.unwrap_or_default();
        assert!(
            well_formed(&value),
            "{name}: {what}: {HEADER} {value:?} is not like \"0.042ms\" (format)"
        );
    }
}

#[tokio::test]
async fn the_raw_step_times_200_404_and_405_answers() {
    let base = start_raw().await.expect("raw server starts");

    check_server("raw", &base).await;
}

#[tokio::test]
async fn the_axum_layer_times_200_404_and_405_answers() {
    let base = start_axum().await.expect("axum server starts");

    check_server("axum", &base).await;
}

#[tokio::test]
async fn every_hello_world_case_still_passes_with_the_middleware() {
    for base in [
        start_raw().await.expect("raw"),
        start_axum().await.expect("axum"),
    ] {
        let remote = Remote::connect(&base).await.expect("reachable");

        let outcomes = remote.run("hello", &benchmark::hello_cases()).await;

        let failures: Vec<String> = outcomes
            .into_iter()
            .filter_map(|o| o.failure.map(|f| format!("{}: {f}", o.label)))
            .collect();
        assert!(failures.is_empty(), "{base}: {}", failures.join("\n"));
    }
}

#[test]
fn the_format_check_accepts_milliseconds_with_three_decimals_only() {
    assert!(well_formed("0.042ms"));
    assert!(well_formed("1234.500ms"));
    assert!(!well_formed("0.42ms"));
    assert!(!well_formed("42us"));
    assert!(!well_formed(".042ms"));
}
