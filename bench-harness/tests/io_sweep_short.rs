//! `io-sweep` end to end, as short as it goes: the real binary starts an
//! upstream and both servers as child processes, sweeps every SQLite and
//! upstream point at a low open-loop rate, and writes its three files.
//! PostgreSQL is left out (no `--postgres`), which the results must say.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

#[test]
fn a_short_sweep_measures_every_point_on_both_servers_without_failures() {
    // Arrange
    let out = tempfile::tempdir().unwrap();

    // Act
    let output = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args([
            "io-sweep",
            "--quick",
            "--rate",
            "100",
            "--rounds",
            "2",
            "--duration",
            "300ms",
            "--warmup",
            "0s",
            "--connections",
            "8",
            "--out",
        ])
        .arg(out.path())
        .env_remove("FRAMEWORTH_POSTGRES_URL")
        .output()
        .unwrap();

    // Assert
    assert!(
        output.status.success(),
        "io-sweep failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("io-sweep.json")).unwrap())
            .unwrap();
    let points = results["points"].as_array().unwrap();
    let targets: Vec<&str> = points
        .iter()
        .map(|p| p["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "/upstream?ms=0",
            "/upstream?ms=1",
            "/upstream?ms=5",
            "/upstream?ms=20",
            "/db",
            "/queries?queries=20"
        ]
    );
    for point in points {
        for server in ["raw", "framework"] {
            let figures = &point[server];
            assert_eq!(figures["failures"], 0, "{point}");
            assert!(figures["p50_us"].as_f64().unwrap() > 0.0, "{point}");
        }
    }
    // The 20 ms upstream really waited: its p50 is at least the delay.
    assert!(points[3]["raw"]["p50_us"].as_f64().unwrap() >= 20_000.0);
    let notes = results["notes"].to_string();
    assert!(notes.contains("PostgreSQL"), "{notes}");
    let page = std::fs::read_to_string(out.path().join("io-sweep.md")).unwrap();
    let rows = |kind: &str| {
        page.lines()
            .filter(|l| l.starts_with(&format!("| {kind} |")))
            .count()
    };
    assert_eq!(
        (rows("upstream"), rows("sqlite"), rows("postgres")),
        (4, 2, 0),
        "{page}"
    );
    // Two threshold lines (5% and 1%) for each kind measured.
    assert_eq!(
        page.lines()
            .filter(|l| l.starts_with("- upstream:"))
            .count(),
        2,
        "{page}"
    );
    let svg = std::fs::read_to_string(out.path().join("io-sweep.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
}
