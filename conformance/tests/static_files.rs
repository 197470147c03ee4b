//! `/static/...`: tower-http's `ServeDir` (framework-server) and the
//! hand-written file server (raw-server) must answer every request alike,
//! header for header and byte for byte, and correctly: content types, dates,
//! conditional and range requests, folders, and every way of trying to
//! climb out of the folder.
//!
//! The expected bodies and `Last-Modified` dates come from the files in the
//! repository's `static/` folder, read when the test runs, so editing a file
//! does not break the table.

use conformance::cases::{not_found, run_cases};
use conformance::groups::static_files::cases;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_static_file_case_gets_the_same_correct_answer_from_every_server() {
    let count = run_cases(&cases()).await;
    println!("{count} static-file cases passed on every server");
}

/// Found by the differential fuzzer: when `Accept-Encoding` names
/// `identity`, framework-server's `ServeDir` looks the file up under a name
/// with its last (empty) extension removed. A trailing `.` is lost
/// (`pixel.png%2e` and `index.html.` serve `pixel.png` and `index.html`,
/// as `application/octet-stream`), and `..\` becomes `.`, the folder
/// itself, which it then fails to read (`200` head, failed body: the
/// connection closes with no answer; with a `Range` it answers `416`). None
/// of these names exists: raw-server answers `404`, as framework-server
/// does without `identity` (tower-rs/tower-http#664; framework-server works
/// around it, see its `static_files.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_that_does_not_exist_is_not_found_whatever_the_accept_encoding() {
    let identity = |target: &'static str| {
        not_found("GET", target)
            .header("accept-encoding", "gzip, identity;q=1")
            .raw_socket()
    };
    // The ones whose connection closes come last: an answer that never
    // comes stops the table where it is.
    let cases = [
        not_found("GET", "/static/pixel.png%2e").raw_socket(),
        not_found("GET", "/static/..%5c").raw_socket(),
        identity("/static/pixel.png%2e"),
        identity("/static/index.html."),
        identity("/static/index.html.").header("range", "bytes=0-"),
        identity("/static/..%5c").header("range", "items=0-1"),
        identity("/static/..%5c"),
    ];

    run_cases(&cases).await;
}
