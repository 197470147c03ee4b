//! The `framework-server` binary as a user runs it: both ways of serving
//! start, print their address, serve, and exit cleanly on SIGTERM; a
//! database it cannot open stops it before it listens; by default its
//! database is a private file in the user's data folder.

use std::time::Duration;

use conformance::process;

const BINARY: &str = env!("CARGO_BIN_EXE_framework-server");

#[test]
fn both_serve_modes_serve_and_stop_cleanly_on_sigterm() {
    for (serve, runtime) in [
        ("hyper", "per-core"),
        ("axum", "multi-thread"),
        ("axum", "current-thread"),
    ] {
        let server = process::start(
            BINARY,
            &["--serve", serve, "--runtime", runtime, "--workers", "2"],
        )
        .expect("starts");
        let answer = server.get("/json").expect("answers");
        assert!(
            answer.starts_with("HTTP/1.1 200 OK"),
            "{serve}/{runtime}: {answer}"
        );
        assert!(
            answer.ends_with(r#"{"message":"Hello, World!"}"#),
            "{serve}/{runtime}: {answer}"
        );
        let status = server.terminate(Duration::from_secs(15)).expect("stops");
        assert!(status.success(), "{serve}/{runtime}: exit status {status}");
    }
}

/// Database files no server can open: a folder, a file that is not a
/// database, a path below a regular file. Made in `dir`.
fn unopenable_databases(dir: &std::path::Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let folder = dir.join("a-folder");
    std::fs::create_dir(&folder).expect("folder");
    let text = dir.join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text\n".repeat(200),
    )
    .expect("file");
    vec![
        ("a folder", folder),
        ("a text file", text.clone()),
        ("a path below a file", text.join("db.sqlite3")),
    ]
}

#[test]
fn a_database_that_cannot_be_opened_stops_the_start_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (what, path) in unopenable_databases(dir.path()) {
        let database = path.to_str().expect("UTF-8 temp path");
        let output =
            process::run_to_exit(BINARY, &["--database", database], Duration::from_secs(30))
                .expect("exits");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{what}: {}", output.status);
        assert!(!stdout.contains("listening on"), "{what}: {stdout}");
        assert!(
            stderr.contains("the database") && stderr.contains(database),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn without_database_flag_the_database_is_private_in_the_users_data_folder() {
    use std::os::unix::fs::PermissionsExt;
    let data_home = tempfile::tempdir().expect("temp dir");
    let mut command = std::process::Command::new(BINARY);
    command
        .args(["--addr", "127.0.0.1:0"])
        .env("XDG_DATA_HOME", data_home.path())
        .env_remove("FRAMEWORTH_DATABASE");
    let server = process::start_command(command).expect("starts");
    let answer = server.get("/db").expect("answers");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    let folder = data_home.path().join("frameworth");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&folder.join("frameworth.sqlite3")), 0o600);
    server.terminate(Duration::from_secs(15)).expect("stops");
}
