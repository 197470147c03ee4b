//! Reading criterion's results back (`bench_harness::schema::criterion`).
//!
//! The fixture under `tests/fixtures/criterion/` is a slice of a real
//! `target/criterion/` folder left by `cargo bench -p bench-harness` with
//! criterion 0.8: two in-process benchmarks, two over-loopback ones (one of
//! them a batch with a parameter and a throughput), and a saved baseline
//! (`before/`) whose numbers must *not* be read. The tests that change a
//! copy of it stand for a criterion upgrade that changes the format: each
//! must end in a clear error naming the file, never in a shorter list.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use bench_harness::schema::criterion::{CriterionEstimate, Error, Throughput, read_all};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion")
}

/// A writable copy of the fixture, to break on purpose.
fn copy_of_fixture() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let folder = tempfile::tempdir().unwrap();
    copy(&fixture(), folder.path());
    folder
}

/// Rewrites one file of a copied fixture with `edit`.
fn edit(root: &Path, relative: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let path = root.join(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(text, edited, "the edit must change {relative}");
    std::fs::write(&path, edited).unwrap();
    path
}

fn find<'a>(
    estimates: &'a [CriterionEstimate],
    id: (&str, &str, &str, Option<&str>),
) -> &'a CriterionEstimate {
    estimates
        .iter()
        .find(|e| {
            (
                e.suite.as_str(),
                e.endpoint.as_str(),
                e.function.as_str(),
                e.parameter.as_deref(),
            ) == id
        })
        .unwrap_or_else(|| panic!("{id:?} not found in {estimates:#?}"))
}

const IN_PROCESS_RAW: &str = "in_process_json/raw/new/estimates.json";
const LOOPBACK_BATCH: &str = "over_loopback_json/raw/concurrent-16/new";

#[test]
fn reads_every_benchmark_of_a_real_run_named_as_in_benchmark_json() {
    // Act
    let estimates = read_all(&fixture()).unwrap();

    // Assert: four benchmarks, sorted, names from benchmark.json (the
    // folder says `in_process_json`, the group is `in_process/json`).
    let ids: Vec<_> = estimates
        .iter()
        .map(|e| {
            format!(
                "{}/{}/{}{}",
                e.suite,
                e.endpoint,
                e.function,
                e.parameter
                    .as_deref()
                    .map(|p| format!("/{p}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            "in_process/json/framework",
            "in_process/json/raw",
            "over_loopback/json/raw",
            "over_loopback/json/raw/concurrent-16",
        ]
    );
}

#[test]
fn median_and_mean_are_the_point_estimates_and_intervals_of_estimates_json() {
    // Arrange: the numbers as criterion wrote them.
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture().join(IN_PROCESS_RAW)).unwrap())
            .unwrap();

    // Act
    let estimates = read_all(&fixture()).unwrap();
    let raw = find(&estimates, ("in_process", "json", "raw", None));

    // Assert
    for (estimate, name) in [(&raw.median, "median"), (&raw.mean, "mean")] {
        assert_eq!(
            estimate.point_ns,
            file[name]["point_estimate"].as_f64().unwrap()
        );
        let interval = &file[name]["confidence_interval"];
        assert_eq!(estimate.lower_ns, interval["lower_bound"].as_f64().unwrap());
        assert_eq!(estimate.upper_ns, interval["upper_bound"].as_f64().unwrap());
        assert_eq!(estimate.confidence_level, 0.95);
    }
    assert_eq!(
        raw.slope.unwrap().point_ns,
        file["slope"]["point_estimate"].as_f64().unwrap()
    );
    assert!(raw.source.ends_with(IN_PROCESS_RAW));
    assert_eq!(raw.throughput, None);
}

#[test]
fn a_batch_keeps_its_parameter_and_its_requests_per_iteration() {
    let estimates = read_all(&fixture()).unwrap();

    let batch = find(
        &estimates,
        ("over_loopback", "json", "raw", Some("concurrent-16")),
    );
    let single = find(&estimates, ("over_loopback", "json", "raw", None));

    assert_eq!(batch.throughput, Some(Throughput::Elements(16)));
    assert_eq!(single.throughput, Some(Throughput::Elements(1)));
    assert!(batch.source.starts_with(fixture().join(LOOPBACK_BATCH)));
}

#[test]
fn a_saved_baseline_is_not_mistaken_for_the_latest_run() {
    // Arrange: the fixture's `before/` baseline holds different numbers.
    let baseline: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture().join("in_process_json/raw/before/estimates.json"))
            .unwrap(),
    )
    .unwrap();

    // Act
    let estimates = read_all(&fixture()).unwrap();

    // Assert
    let raw = find(&estimates, ("in_process", "json", "raw", None));
    assert_ne!(
        raw.median.point_ns,
        baseline["median"]["point_estimate"].as_f64().unwrap()
    );
    assert_eq!(
        estimates
            .iter()
            .filter(
                |e| (e.suite.as_str(), e.endpoint.as_str(), e.function.as_str())
                    == ("in_process", "json", "raw")
            )
            .count(),
        1
    );
}

/// The error must be a format error about `path`, and say what is wrong.
fn assert_format_error(result: Result<Vec<CriterionEstimate>, Error>, path: &Path, says: &str) {
    match result {
        Err(Error::Format {
            path: reported,
            reason,
        }) => {
            assert_eq!(reported, path);
            assert!(reason.contains(says), "reason `{reason}` lacks `{says}`");
        }
        other => panic!(
            "expected a format error about {}, got {other:?}",
            path.display()
        ),
    }
}

#[test]
fn a_renamed_estimate_is_a_format_error_naming_the_file() {
    let copy = copy_of_fixture();
    let path = edit(copy.path(), IN_PROCESS_RAW, |text| {
        text.replace("\"median\"", "\"median_estimate\"")
    });

    assert_format_error(read_all(copy.path()), &path, "missing field `median`");
}

#[test]
fn a_time_that_is_not_a_number_is_a_format_error() {
    let copy = copy_of_fixture();
    let path = edit(copy.path(), IN_PROCESS_RAW, |text| {
        let mut json: Value = serde_json::from_str(&text).unwrap();
        json["mean"]["point_estimate"] = Value::from("fast");
        json.to_string()
    });

    assert_format_error(read_all(copy.path()), &path, "invalid type");
}

#[test]
fn a_negative_time_or_an_upside_down_interval_is_a_format_error() {
    let copy = copy_of_fixture();
    let path = edit(copy.path(), IN_PROCESS_RAW, |text| {
        let mut json: Value = serde_json::from_str(&text).unwrap();
        json["median"]["point_estimate"] = Value::from(-1.0);
        json.to_string()
    });
    assert_format_error(read_all(copy.path()), &path, "median: times must be finite");

    let copy = copy_of_fixture();
    let path = edit(copy.path(), IN_PROCESS_RAW, |text| {
        let mut json: Value = serde_json::from_str(&text).unwrap();
        json["mean"]["confidence_interval"]["lower_bound"] = Value::from(1e12);
        json.to_string()
    });
    assert_format_error(read_all(copy.path()), &path, "mean: confidence interval");
}

#[test]
fn a_renamed_field_of_benchmark_json_is_an_error_even_where_null_is_allowed() {
    // `throughput` may be null, but it must be there: a rename would
    // otherwise silently lose every batch's requests per iteration.
    let copy = copy_of_fixture();
    let path = edit(
        copy.path(),
        "in_process_json/raw/new/benchmark.json",
        |text| text.replace("\"throughput\"", "\"throughput_kind\""),
    );

    assert_format_error(read_all(copy.path()), &path, "missing field `throughput`");
}

#[test]
fn a_missing_benchmark_json_is_an_error_not_a_skipped_benchmark() {
    let copy = copy_of_fixture();
    let path = copy.path().join("in_process_json/raw/new/benchmark.json");
    std::fs::remove_file(&path).unwrap();

    match read_all(copy.path()) {
        Err(Error::Io { path: reported, .. }) => assert_eq!(reported, path),
        other => panic!("expected an I/O error about benchmark.json, got {other:?}"),
    }
}

#[test]
fn estimates_outside_new_folders_mean_the_layout_changed() {
    // Arrange: as if criterion renamed `new/` to `latest/` everywhere.
    let copy = copy_of_fixture();
    for dir in [
        "in_process_json/raw",
        "in_process_json/framework",
        "over_loopback_json/raw",
        "over_loopback_json/raw/concurrent-16",
    ] {
        let dir = copy.path().join(dir);
        std::fs::rename(dir.join("new"), dir.join("latest")).unwrap();
    }

    // Act + Assert: an error, not an empty list.
    match read_all(copy.path()) {
        Err(Error::Format { reason, .. }) => assert!(reason.contains("new/"), "{reason}"),
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn a_folder_without_results_is_reported_missing() {
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(read_all(empty.path()), Err(Error::Missing { .. })));
    let absent = empty.path().join("criterion");
    let error = read_all(&absent).unwrap_err();
    assert!(matches!(error, Error::Missing { .. }));
    assert!(error.to_string().contains("cargo bench -p bench-harness"));
}
