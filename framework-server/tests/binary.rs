//! The `framework-server` binary as a user runs it: both ways of serving
//! start, print their address, serve, and exit cleanly on SIGTERM. (What
//! happens at start with a database it cannot use is in the conformance
//! crate's reliability suite, for both binaries.)

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
