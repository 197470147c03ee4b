//! The differential fuzzer at CI size: a few thousand generated requests
//! sent in-process to both servers, which must agree on every one (see
//! `conformance::fuzz`). The `fuzz` binary runs the same thing for millions.

use conformance::fuzz::{self, Settings};

/// Enough cases to cross every endpoint with odd paths, queries, headers
/// and bodies many times, small enough for CI in a debug build.
const CASES: u64 = 5_000;

#[test]
fn both_servers_agree_on_thousands_of_generated_requests() {
    let settings = Settings {
        cases: CASES,
        seed: 20_261_203,
        threads: 1,
        keep: 10,
    };

    let report = fuzz::run(settings, &|_| {}).expect("the fuzzer runs");

    let findings: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert!(
        report.is_clean(),
        "{} differences and {} panics in {} cases:\n\n{}",
        report.differences,
        report.panics,
        report.cases,
        findings.join("\n\n")
    );
    assert_eq!(report.cases, CASES);
    assert!(
        report.skipped < CASES / 2,
        "most generated requests must be sendable, {} were not",
        report.skipped
    );
    println!(
        "differential: {} cases ({} skipped) in {:.1} s",
        report.cases,
        report.skipped,
        report.elapsed.as_secs_f64()
    );
}
