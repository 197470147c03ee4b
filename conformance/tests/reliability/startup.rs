//! Starting with a database the server cannot use: a `--database` that
//! cannot be opened stops either binary before it prints `listening on`,
//! with a clear error; without `--database`, the file is private to its
//! user, in the user's data folder.

use std::time::Duration;

use conformance::process;

use crate::BINARIES;

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
    let databases = unopenable_databases(dir.path());
    for (label, binary) in BINARIES {
        for (what, path) in &databases {
            refuses_to_start(label, binary, what, path);
        }
    }
}

/// Starts `binary` on `path` and checks it stops before listening, naming
/// the file.
fn refuses_to_start(label: &str, binary: &str, what: &str, path: &std::path::Path) {
    let database = path.to_str().expect("UTF-8 temp path");
    let output = process::run_to_exit(binary, &["--database", database], Duration::from_secs(30))
        .expect("exits");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "{label}, {what}: {}",
        output.status
    );
    assert!(
        !stdout.contains("listening on"),
        "{label}, {what}: {stdout}"
    );
    assert!(
        stderr.contains("the database") && stderr.contains(database),
        "{label}, {what}: {stderr}"
    );
}

#[test]
fn without_database_flag_the_database_is_private_in_the_users_data_folder() {
    for (label, binary) in BINARIES {
        private_default_database(label, binary);
    }
}

/// Starts `binary` without `--database` and checks the modes of the folder
/// and file it creates in `XDG_DATA_HOME`.
fn private_default_database(label: &str, binary: &str) {
    use std::os::unix::fs::PermissionsExt;
    let data_home = tempfile::tempdir().expect("temp dir");
    let mut command = std::process::Command::new(binary);
    command
        .args(["--addr", "127.0.0.1:0"])
        .env("XDG_DATA_HOME", data_home.path())
        .env_remove("FRAMEWORTH_DATABASE");
    let server = process::start_command(command).expect("starts");
    let answer = server.get("/db").expect("answers");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{label}: {answer}");
    let folder = data_home.path().join("frameworth");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700, "{label}");
    assert_eq!(mode(&folder.join("frameworth.sqlite3")), 0o600, "{label}");
    server.terminate(Duration::from_secs(15)).expect("stops");
}
