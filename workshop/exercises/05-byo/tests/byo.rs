//! The guest server against the conformance runner's `hello` group: every
//! case of `/plaintext` and `/json` (their `HEAD`, `404` and `405`).

use conformance::groups::benchmark;
use conformance::remote::Remote;

#[tokio::test]
async fn the_guest_server_passes_every_hello_case() {
    // Arrange
    let guest = workshop_byo::start()
        .await
        .expect("the guest server starts");
    let remote = Remote::connect(&guest.base)
        .await
        .expect("the guest server is reachable");

    // Act
    let outcomes = remote.run("hello", &benchmark::hello_cases()).await;

    // Assert
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.failure.as_ref().map(|f| format!("{}: {f}", o.label)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} hello cases fail:\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
}
