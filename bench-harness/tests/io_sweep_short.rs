//! `io-sweep` end to end, as short as it goes: the real binary starts an
//! upstream and both servers as child processes, sweeps every SQLite and
//! upstream point at a low open-loop rate, and writes its three files.
//! PostgreSQL is left out (`--no-postgres`), which the results must say; a
//! second sweep measures every point, PostgreSQL on a throwaway cluster of
//! the harness's own (skipped without PostgreSQL's binaries unless `CI` is
//! set).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The shortest sweep: two rounds of 0.3 s per server and point, at 100
/// requests per second, plus `extra` flags; its `io-sweep.json`.
fn short_sweep(out: &Path, extra: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args(["io-sweep", "--quick", "--rate", "100", "--rounds", "2"])
        .args([
            "--duration",
            "300ms",
            "--warmup",
            "0s",
            "--connections",
            "8",
        ])
        .args(extra)
        .arg("--out")
        .arg(out)
        .env_remove("FRAMEWORTH_POSTGRES_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "io-sweep failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("io-sweep.json")).unwrap()).unwrap()
}

#[test]
fn a_short_sweep_measures_every_point_on_both_servers_without_failures() {
    // Arrange
    let out = tempfile::tempdir().unwrap();

    // Act
    let results = short_sweep(out.path(), &["--no-postgres"]);

    // Assert
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

#[test]
fn without_a_url_the_sweep_measures_postgres_on_a_cluster_of_its_own_and_says_where() {
    if bench_harness::child::postgres::find_binaries().is_none() && std::env::var_os("CI").is_none()
    {
        eprintln!("skipped: PostgreSQL's initdb/pg_ctl are not installed (and CI is not set)");
        return;
    }
    // Arrange
    let out = tempfile::tempdir().unwrap();

    // Act
    let results = short_sweep(out.path(), &[]);

    // Assert
    let postgres: Vec<&Value> = results["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "postgres")
        .collect();
    assert_eq!(postgres.len(), 2, "{results}");
    for point in postgres {
        for server in ["raw", "framework"] {
            assert_eq!(point[server]["failures"], 0, "{point}");
            assert!(point[server]["cpu_us_per_request"].as_f64().unwrap() > 0.0);
        }
    }
    let description = results["postgres"].as_str().unwrap();
    assert!(description.contains("throwaway cluster"), "{description}");
    let page = std::fs::read_to_string(out.path().join("io-sweep.md")).unwrap();
    assert!(
        page.contains(&format!("PostgreSQL: {description}")),
        "{page}"
    );
}
