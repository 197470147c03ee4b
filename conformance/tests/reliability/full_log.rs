//! A log that cannot be written: stderr on a full disk (`/dev/full`
//! answers every write with `ENOSPC`). Logging is the server's business,
//! not the client's: requests are still answered, and SIGTERM still stops
//! the server cleanly.
//!
//! Found when this machine's disk filled up under a benchmark: every log
//! line then made tracing-subscriber report its own write error with
//! `eprintln!`, which panics when stderr fails, so requests that logged
//! were reset, and the task waiting for SIGTERM died on its log line and
//! left the signal ignored.

use std::process::Command;
use std::time::Duration;

use conformance::process;

use crate::BINARIES;

#[test]
fn a_log_on_a_full_disk_neither_breaks_requests_nor_stops_sigterm_from_working() {
    for (label, binary) in BINARIES {
        // Arrange: the server with `RUST_LOG=info` (a log line per request)
        // and its stderr on /dev/full; `sh` redirects, then `exec`s it.
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new("sh");
        command
            .args(["-c", r#"exec "$0" "$@" 2>/dev/full"#, binary])
            .args(["--addr", "127.0.0.1:0", "--database"])
            .arg(dir.path().join("full-log.sqlite3"))
            .env("RUST_LOG", "info");
        let server = process::start_command(command).expect("starts");

        // Act and assert: requests that log are answered...
        for target in ["/plaintext", "/nope", "/db"] {
            let answer = server
                .get(target)
                .unwrap_or_else(|e| panic!("{label}: {target}: {e}"));
            assert!(
                answer.starts_with("HTTP/1.1 200 ") || answer.starts_with("HTTP/1.1 404 "),
                "{label}: {target}: {answer}"
            );
        }
        // ...and SIGTERM, whose handler logs too, still stops the server.
        let status = server
            .terminate(Duration::from_secs(15))
            .unwrap_or_else(|e| panic!("{label}: does not stop on SIGTERM: {e}"));
        assert!(status.success(), "{label}: exit status {status}");
    }
}
