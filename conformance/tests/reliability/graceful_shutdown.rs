//! SIGTERM with work in flight, on the server binaries: every in-flight
//! request is answered, new connections are refused, and the process exits
//! with code 0 before the drain deadline, or at it when a client holds on.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use conformance::process::Running;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::{
    BINARIES, WAIT, eventually_async, exclusive, raise_descriptor_limit, read_answer, requests_to,
    start_child,
};

const IN_FLIGHT: usize = 1_000;
const DELAY: &str = "/delay?ms=1500";

/// Waits until the server's counters have seen `count` requests to `path`:
/// they are in its handlers, not in a socket buffer.
async fn wait_until_counted(addr: SocketAddr, method: &str, path: &str, count: u64) {
    let reached = eventually_async(WAIT, || async move {
        requests_to(addr, method, path)
            .await
            .is_ok_and(|seen| seen >= count)
    })
    .await;
    assert!(
        reached,
        "fewer than {count} {method} {path} reached the server"
    );
}

/// Whether a fresh connection to `addr` is refused, polled for 2 s.
async fn refuses_new_connections(addr: SocketAddr) -> bool {
    eventually_async(Duration::from_secs(2), || async move {
        TcpStream::connect(addr).await.is_err()
    })
    .await
}

/// Terminates `server` and waits for its exit, in a blocking thread (the
/// wait polls the child).
async fn terminate(
    mut server: Running,
    within: Duration,
) -> (Running, std::process::ExitStatus, Duration) {
    server.send_sigterm().expect("SIGTERM sent");
    tokio::task::spawn_blocking(move || {
        let (status, took) = server.wait_for_exit(within).expect("exits in time");
        (server, status, took)
    })
    .await
    .expect("wait task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_thousand_requests_in_flight_loses_none_and_exits_0_before_the_deadline() {
    let _machine = exclusive().await;
    if let Err(reason) = raise_descriptor_limit((IN_FLIGHT + 500) as u64) {
        eprintln!("SKIPPED sigterm_with_a_thousand_requests_in_flight: {reason}");
        return;
    }
    let drain = Duration::from_secs(8);
    let drain_ms = drain.as_millis().to_string();
    for (label, binary) in BINARIES {
        for runtime in ["multi-thread", "per-core"] {
            let args = [
                "--runtime",
                runtime,
                "--workers",
                "2",
                "--drain-timeout-ms",
                &drain_ms,
            ];
            let server = start_child(binary, &args, None);
            let addr = server.addr;
            let mut requests = JoinSet::new();
            for _ in 0..IN_FLIGHT {
                requests.spawn(async move {
                    let mut stream = TcpStream::connect(addr).await?;
                    let request = format!("GET {DELAY} HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    stream.write_all(request.as_bytes()).await?;
                    read_answer(&mut stream, WAIT).await
                });
            }
            wait_until_counted(addr, "GET", "/delay", IN_FLIGHT as u64).await;
            let signalled = Instant::now();
            let exiting = tokio::spawn(terminate(server, drain + WAIT));
            let refused = refuses_new_connections(addr).await;
            let (mut answered, mut lost) = (0, 0);
            while let Some(done) = requests.join_next().await {
                match done.expect("request task") {
                    Ok(answer) if answer.status == 200 => answered += 1,
                    _ => lost += 1,
                }
            }
            let (_server, status, _) = exiting.await.expect("terminate task");
            let exit = signalled.elapsed();
            eprintln!(
                "{label} --runtime {runtime}: SIGTERM with {IN_FLIGHT} x {DELAY} in flight: \
                 {answered} answered, {lost} lost, new connections refused: {refused}, \
                 exit {status} {exit:?} after SIGTERM (drain deadline {drain:?})"
            );
            assert_eq!((answered, lost), (IN_FLIGHT, 0), "{label} {runtime}");
            assert!(refused, "{label} {runtime}: still accepting after SIGTERM");
            assert!(status.success(), "{label} {runtime}: {status}");
            assert!(exit < drain, "{label} {runtime}: exit took {exit:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_slow_client_attached_exits_0_at_the_drain_deadline() {
    let _machine = exclusive().await;
    let drain = Duration::from_secs(2);
    for (label, binary) in BINARIES {
        for runtime in ["multi-thread", "per-core"] {
            let args = [
                "--runtime",
                runtime,
                "--workers",
                "2",
                "--drain-timeout-ms",
                "2000",
            ];
            let server = start_child(binary, &args, None);
            // A body that never completes: its handler waits for the rest
            // (the request timeout, 10 s, is longer than the drain deadline).
            let mut slow = TcpStream::connect(server.addr).await.expect("connect");
            slow.write_all(
                b"POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                  Content-Length: 100\r\n\r\n{\"na",
            )
            .await
            .expect("partial request");
            wait_until_counted(server.addr, "POST", "/users", 1).await;
            let (_server, status, exit) = terminate(server, drain + WAIT).await;
            eprintln!(
                "{label} --runtime {runtime}: SIGTERM with a slow client attached: exit {status} \
                 {exit:?} after SIGTERM (drain deadline {drain:?})"
            );
            assert!(status.success(), "{label} {runtime}: {status}");
            assert!(
                exit >= drain - Duration::from_millis(100) && exit < drain + Duration::from_secs(2),
                "{label} {runtime}: exit took {exit:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_blocking_database_work_still_exits_0_by_the_drain_deadline() {
    let _machine = exclusive().await;
    let drain = Duration::from_secs(1);
    for (label, binary) in BINARIES {
        let server = start_child(binary, &["--drain-timeout-ms", "1000"], None);
        // Another process holds SQLite's write lock: the server's insert
        // waits on tokio's blocking pool for it (`busy_timeout`, 2 s, then
        // retries: several seconds in all, far past the 1 s drain deadline).
        let lock = r2d2_sqlite::rusqlite::Connection::open(
            server.database.as_ref().expect("start chose the database"),
        )
        .expect("open");
        lock.execute_batch("BEGIN EXCLUSIVE").expect("write lock");
        let mut writer = TcpStream::connect(server.addr).await.expect("connect");
        let body = r#"{"name":"Blocked Writer","email":"blocked@example.com"}"#;
        let request = format!(
            "POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        writer.write_all(request.as_bytes()).await.expect("request");
        wait_until_counted(server.addr, "POST", "/users", 1).await;
        let (_server, status, exit) = terminate(server, drain + WAIT).await;
        drop(lock);
        eprintln!(
            "{label}: SIGTERM while a database write waits for a lock: exit {status} {exit:?} \
             after SIGTERM (drain deadline {drain:?}, SQLite busy timeout 5 s)"
        );
        assert!(status.success(), "{label}: {status}");
        assert!(
            exit < drain + Duration::from_millis(1500),
            "{label}: exit took {exit:?}"
        );
    }
}
