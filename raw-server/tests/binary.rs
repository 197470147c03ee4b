//! The `raw-server` binary as a user runs it: every runtime flavour starts,
//! prints its address, serves, and exits cleanly on SIGTERM. (What happens at
//! start with a database it cannot use is in the conformance crate's
//! reliability suite, for both binaries.)

use std::time::Duration;

use conformance::process;

const BINARY: &str = env!("CARGO_BIN_EXE_raw-server");

#[test]
fn every_runtime_flavour_serves_and_stops_cleanly_on_sigterm() {
    for runtime in ["multi-thread", "current-thread", "per-core"] {
        let server =
            process::start(BINARY, &["--runtime", runtime, "--workers", "2"]).expect("starts");
        for _ in 0..4 {
            // per-core: several connections, so both listeners get a chance.
            let answer = server.get("/plaintext").expect("answers");
            assert!(answer.starts_with("HTTP/1.1 200 OK"), "{runtime}: {answer}");
            assert!(answer.ends_with("Hello, World!"), "{runtime}: {answer}");
        }
        let status = server.terminate(Duration::from_secs(15)).expect("stops");
        assert!(status.success(), "{runtime}: exit status {status}");
    }
}
