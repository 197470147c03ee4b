//! Many clients at once: 10,000 concurrent keep-alive connections served
//! without an error, and the connection cap that keeps a crowd from using
//! every descriptor the server has.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use conformance::{Kind, Target};
use connection_layer::ConnectionSettings;
use shared_handlers::AppConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::{BINARIES, WAIT, exclusive, raise_descriptor_limit, read_answer, start_child};

const CROWD: usize = 10_000;

/// Opens `count` connections, at most 256 connection attempts in flight
/// (the listen backlog is 1,024), and keeps them all.
async fn open_connections(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    let attempts = Arc::new(Semaphore::new(256));
    let mut connecting = JoinSet::new();
    for _ in 0..count {
        let attempts = Arc::clone(&attempts);
        connecting.spawn(async move {
            let _attempt = attempts.acquire_owned().await.expect("never closed");
            tokio::time::timeout(WAIT, TcpStream::connect(addr)).await
        });
    }
    let mut streams = Vec::with_capacity(count);
    while let Some(connected) = connecting.join_next().await {
        let stream = connected
            .expect("connect task")
            .expect("connects in time")
            .expect("connects");
        streams.push(stream);
    }
    streams
}

/// Sends one keep-alive `GET /plaintext` on every connection at once and
/// counts the `200`s and the errors. The connections stay open (they are
/// handed back) until every answer is in.
async fn one_request_each(streams: Vec<TcpStream>) -> (usize, usize, Vec<TcpStream>) {
    let mut requests = JoinSet::new();
    for mut stream in streams {
        requests.spawn(async move {
            let request = b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";
            let answer = match stream.write_all(request).await {
                Ok(()) => read_answer(&mut stream, WAIT * 3).await,
                Err(e) => Err(e.into()),
            };
            (answer.map(|a| a.status), stream)
        });
    }
    let (mut ok, mut errors, mut kept) = (0, 0, Vec::new());
    while let Some(done) = requests.join_next().await {
        let (answer, stream) = done.expect("request task");
        match answer {
            Ok(200) => ok += 1,
            _ => errors += 1,
        }
        kept.push(stream);
    }
    (ok, errors, kept)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_keep_alive_connections_get_ten_thousand_200s() {
    let _machine = exclusive().await;
    // 10,000 client sockets here, 10,000 in the child, plus some spare.
    let needed = (CROWD + 500) as u64;
    if let Err(reason) = raise_descriptor_limit(needed) {
        eprintln!("SKIPPED ten_thousand_concurrent_keep_alive_connections: {reason}");
        return;
    }
    for (label, binary) in BINARIES {
        // A header timeout longer than the whole test: the first
        // connections must still be open when the last one is made.
        let mut server = start_child(binary, &["--header-read-timeout-ms", "120000"], None);
        let started = Instant::now();
        let streams = open_connections(server.addr, CROWD).await;
        let connected = started.elapsed();
        let (ok, errors, kept) = one_request_each(streams).await;
        let total = started.elapsed();
        let held = server.open_descriptors().expect("the server's /proc entry");
        eprintln!(
            "{label}: {CROWD} keep-alive connections opened in {connected:?}, {ok} x 200 and \
             {errors} errors after {total:?} in all; the server held {held} descriptors"
        );
        assert_eq!((ok, errors), (CROWD, 0), "{label}");
        // All of them at once, not one after another.
        assert!(held >= CROWD, "{label}: only {held} descriptors open");
        drop(kept);
        assert!(server.is_running(), "{label}");
    }
}

// The connection cap, in-process with a cap of 4.

const CAP: usize = 4;

async fn send_plaintext(stream: &mut TcpStream) {
    stream
        .write_all(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("request sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_a_newcomer_waits_until_a_connection_closes() {
    let settings = ConnectionSettings {
        max_connections: CAP,
        ..ConnectionSettings::default()
    };
    for kind in [Kind::Raw, Kind::Framework] {
        let target = Target::start_with_settings(kind, AppConfig::default(), settings.clone())
            .await
            .expect("server starts");
        // Fill every slot with a served, still open keep-alive connection.
        let mut holders = Vec::new();
        for _ in 0..CAP {
            let mut stream = TcpStream::connect(target.addr).await.expect("connect");
            send_plaintext(&mut stream).await;
            let answer = read_answer(&mut stream, WAIT).await.expect("answered");
            assert_eq!(answer.status, 200);
            holders.push(stream);
        }
        // The newcomer's connect succeeds (the kernel's backlog takes it),
        // but nobody reads its request while the cap is reached.
        let mut newcomer = TcpStream::connect(target.addr).await.expect("backlog");
        send_plaintext(&mut newcomer).await;
        let early = read_answer(&mut newcomer, Duration::from_millis(500)).await;
        assert!(early.is_err(), "{}: answered past the cap", kind.label());
        // One holder leaves: its slot goes to the newcomer.
        let freed = Instant::now();
        drop(holders.pop());
        let answer = read_answer(&mut newcomer, WAIT)
            .await
            .expect("served once a slot is free");
        eprintln!(
            "{}: past a cap of {CAP}, the newcomer was served {:?} after a slot was freed",
            kind.label(),
            freed.elapsed()
        );
        assert_eq!(answer.status, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_serve_has_no_connection_cap_and_serves_the_newcomer_at_once() {
    let settings = ConnectionSettings {
        max_connections: CAP,
        ..ConnectionSettings::default()
    };
    let target =
        Target::start_with_settings(Kind::FrameworkAxumServe, AppConfig::default(), settings)
            .await
            .expect("server starts");
    let mut holders = Vec::new();
    for _ in 0..CAP {
        let mut stream = TcpStream::connect(target.addr).await.expect("connect");
        send_plaintext(&mut stream).await;
        read_answer(&mut stream, WAIT).await.expect("answered");
        holders.push(stream);
    }
    let mut newcomer = TcpStream::connect(target.addr).await.expect("connect");
    send_plaintext(&mut newcomer).await;
    let answer = read_answer(&mut newcomer, WAIT)
        .await
        .expect("axum::serve accepts everyone");
    assert_eq!(answer.status, 200);
}
