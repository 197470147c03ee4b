//! The `conformance` binary against servers it did not start: raw-server
//! passes every case of every group, a deliberately broken server gets its
//! failures named, and an unreachable target is one clear error.

use std::process::Output;

use conformance::groups::GROUPS;
use conformance::{Kind, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Runs the runner binary with `args` and waits for it (bounded by its own
/// per-request timeouts).
async fn runner(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .expect("the runner starts")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A server that answers every request with the same wrong page: `200`,
/// `text/plain`, `hello`, none of the headers frameworth promises.
async fn broken_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head).await;
                let answer = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\
                              content-length: 5\r\nconnection: close\r\n\r\nhello";
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_server_passes_every_case_of_every_group() {
    // Arrange
    let server = Target::start(Kind::Raw).await.expect("raw-server starts");
    let expected: usize = GROUPS.iter().map(|g| (g.cases)().len()).sum();

    // Act
    let output = runner(&["--target", &server.base, "--quiet"]).await;

    // Assert
    let text = stdout(&output);
    assert!(output.status.success(), "runner failed:\n{text}");
    assert_eq!(
        text.lines().last(),
        Some(format!("{expected} passed, 0 failed").as_str())
    );
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_server_fails_and_each_failure_names_its_case_and_difference() {
    // Arrange
    let base = broken_server().await;

    // Act
    let output = runner(&["--target", &base, "--groups", "benchmark"]).await;

    // Assert
    let text = stdout(&output);
    assert!(
        !output.status.success(),
        "the runner passed a broken server:\n{text}"
    );
    assert!(
        text.contains("FAIL [benchmark] GET /plaintext: content-type Some(\"text/plain\") instead of Some(\"text/plain; charset=utf-8\")"),
        "{text}"
    );
    assert!(
        text.contains("FAIL [benchmark] GET /nope: status 200 instead of 404"),
        "{text}"
    );
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("0 passed, ") && last.ends_with(" failed"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_target_is_one_clear_error() {
    // Arrange: a port that was free a moment ago and is closed now.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);

    // Act
    let output = runner(&["--target", &base]).await;

    // Assert
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(errors.contains(&format!("cannot reach {base}")), "{errors}");
    assert!(stdout(&output).is_empty());
}

#[tokio::test]
async fn an_unknown_group_is_refused_with_the_list_of_groups() {
    let output = runner(&["--target", "http://127.0.0.1:9", "--groups", "nope"]).await;

    let errors = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        errors.contains("no group \"nope\"; groups: hello, benchmark, users"),
        "{errors}"
    );
}
