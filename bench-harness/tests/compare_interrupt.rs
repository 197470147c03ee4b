//! Ctrl-C during `compare`: the real binary stops its servers, keeps the
//! rounds finished before the signal, and writes a report marked partial.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

#[test]
fn ctrl_c_after_the_first_round_leaves_a_partial_report_of_what_was_measured() {
    // Arrange: far more rounds than the test will wait for.
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args([
            "compare",
            "--rounds",
            "50",
            "--duration",
            "300ms",
            "--warmup",
            "0s",
            "--endpoints",
            "plaintext",
            "--connections",
            "4",
            "--quiet",
            "--no-cost",
            "--no-priority",
            "--no-realtime",
            "--out",
        ])
        .arg(out.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut lines = stderr.lines();
    let started = Instant::now();
    // The round lines are how the binary says it is measuring.
    loop {
        let line = lines.next().expect("compare ended before a round").unwrap();
        if line.contains("round 2/50") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no round in time"
        );
    }

    // Act
    kill(
        Pid::from_raw(i32::try_from(child.id()).unwrap()),
        Signal::SIGINT,
    )
    .unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();

    // Assert
    assert!(
        status.success(),
        "compare failed after Ctrl-C:\n{}",
        rest.join("\n")
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["partial"], true);
    let rounds = results["rounds"].as_array().unwrap();
    assert!(
        !rounds.is_empty() && rounds.len() < 100,
        "{} rounds",
        rounds.len()
    );
    let notes = results["notes"].to_string();
    assert!(notes.contains("PARTIAL"), "{notes}");
    let markdown = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(markdown.contains("**PARTIAL**"), "{markdown}");
}
