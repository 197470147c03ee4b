//! Clients too slow to be served: heads trickling in (slowloris), bodies
//! trickling in, and readers that never read. Each is cut off by its own
//! deadline, and other clients are served meanwhile.

use std::time::{Duration, Instant};

use conformance::{Kind, Target};
use connection_layer::ConnectionSettings;
use shared_handlers::AppConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::{WAIT, closed_by_server, exclusive, get, max_of, read_answer};

const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
const SLOWLORIS_CONNECTIONS: usize = 500;

/// Opens a connection, then sends a request head one byte every 100 ms
/// without ever finishing it; returns how long after connecting the server
/// closed it (or `None` if it was still open after `give_up_after`).
async fn trickle_head(target: std::net::SocketAddr, give_up_after: Duration) -> Option<Duration> {
    let mut stream = TcpStream::connect(target).await.ok()?;
    let connected = Instant::now();
    let give_up = connected + give_up_after;
    let head = b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Trickle: ";
    let mut next = 0;
    loop {
        // One byte, then wait 100 ms for the server to close on us.
        let byte = [head.get(next).copied().unwrap_or(b'a')];
        next += 1;
        if stream.write_all(&byte).await.is_err() {
            return Some(connected.elapsed());
        }
        let pause = (Instant::now() + Duration::from_millis(100)).min(give_up);
        if let Some(closed) = closed_by_server(&mut stream, pause).await {
            return Some(closed - connected);
        }
        if Instant::now() >= give_up {
            return None;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_slowloris_heads_are_all_closed_within_the_header_timeout_while_others_are_served()
 {
    let _machine = exclusive().await;
    let settings = ConnectionSettings {
        header_read_timeout: HEADER_TIMEOUT,
        ..ConnectionSettings::default()
    };
    for kind in [Kind::Raw, Kind::Framework] {
        let target = Target::start_with_settings(kind, AppConfig::default(), settings.clone())
            .await
            .expect("server starts");
        let mut attackers = JoinSet::new();
        for _ in 0..SLOWLORIS_CONNECTIONS {
            attackers.spawn(trickle_head(target.addr, HEADER_TIMEOUT * 10));
        }
        // A well-behaved client, served throughout the attack.
        let stop = tokio_util::sync::CancellationToken::new();
        let good = tokio::spawn(well_behaved_client(target.addr, stop.clone()));
        let mut closed_after = Vec::new();
        while let Some(outcome) = attackers.join_next().await {
            let outcome = outcome.expect("attacker task");
            closed_after.push(outcome.expect("every slowloris connection is closed by the server"));
        }
        stop.cancel();
        let latencies = good.await.expect("the well-behaved client finishes");
        let served = latencies.len();
        assert!(
            served > 0,
            "{}: nobody was served during the attack",
            kind.label()
        );
        let slowest = max_of(&closed_after);
        eprintln!(
            "{}: {} slowloris connections closed, slowest {:?} after connecting (timeout {:?}); \
             {served} requests served meanwhile, slowest {:?}",
            kind.label(),
            closed_after.len(),
            slowest,
            HEADER_TIMEOUT,
            max_of(&latencies),
        );
        assert_eq!(closed_after.len(), SLOWLORIS_CONNECTIONS);
        assert!(
            slowest <= HEADER_TIMEOUT + Duration::from_secs(1),
            "{}: a slowloris connection lived {slowest:?}",
            kind.label()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_serve_has_no_header_timer_so_a_slowloris_head_stays_open() {
    // The documented difference: `axum::serve` sets no header-read timeout,
    // so `ConnectionSettings::header_read_timeout` does not apply to it.
    let settings = ConnectionSettings {
        header_read_timeout: HEADER_TIMEOUT,
        ..ConnectionSettings::default()
    };
    let target =
        Target::start_with_settings(Kind::FrameworkAxumServe, AppConfig::default(), settings)
            .await
            .expect("server starts");
    let outcome = trickle_head(target.addr, HEADER_TIMEOUT * 3).await;
    assert_eq!(
        outcome, None,
        "axum::serve closed a slowloris head after {outcome:?}"
    );
}

/// `GET /plaintext` one after another until `stop`; every answer must be a
/// `200`. Returns the latency of each.
async fn well_behaved_client(
    addr: std::net::SocketAddr,
    stop: tokio_util::sync::CancellationToken,
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    while !stop.is_cancelled() {
        let started = Instant::now();
        let answer = get(addr, "/plaintext")
            .await
            .expect("served during the attack");
        assert_eq!(answer.status, 200);
        latencies.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    latencies
}

const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);

/// Sends a complete head announcing a 64-byte JSON body, then one body byte
/// per second; returns the answer's status (`None`: closed without one) and
/// how long after the head it came.
async fn trickle_body(target: std::net::SocketAddr) -> (Option<u16>, Duration) {
    let mut stream = TcpStream::connect(target).await.expect("connect");
    let head = "POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                Content-Length: 64\r\n\r\n{";
    stream.write_all(head.as_bytes()).await.expect("head");
    let sent = Instant::now();
    let mut reader = stream;
    let answer = tokio::select! {
        answer = read_answer(&mut reader, WAIT) => answer.ok().map(|a| a.status),
        () = async {
            // Never sends enough: 1 byte a second, stopping well short of 64.
            for _ in 0..30 {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        } => None,
    };
    (answer, sent.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_trickling_in_ends_with_503_within_the_request_timeout_and_holds_nothing() {
    let _machine = exclusive().await;
    let config = AppConfig {
        request_timeout: REQUEST_TIMEOUT,
        ..AppConfig::default()
    };
    for kind in [Kind::Raw, Kind::Framework, Kind::FrameworkAxumServe] {
        let target = Target::start_with(kind, config.clone())
            .await
            .expect("server starts");
        // Fifty at once: none of them may hold the server.
        let mut slow = JoinSet::new();
        for _ in 0..50 {
            slow.spawn(trickle_body(target.addr));
        }
        let answer = get(target.addr, "/plaintext")
            .await
            .expect("served meanwhile");
        assert_eq!(answer.status, 200);
        let mut slowest = Duration::ZERO;
        while let Some(outcome) = slow.join_next().await {
            let (status, after) = outcome.expect("task");
            assert!(
                matches!(status, Some(503) | None),
                "{}: a slow body got {status:?}",
                kind.label()
            );
            slowest = slowest.max(after);
        }
        eprintln!(
            "{}: 50 slow bodies ended (503 or closed), slowest {slowest:?} after the head (request timeout {REQUEST_TIMEOUT:?})",
            kind.label()
        );
        assert!(
            slowest <= REQUEST_TIMEOUT + Duration::from_secs(2),
            "{}: a slow body was held {slowest:?}",
            kind.label()
        );
    }
}
