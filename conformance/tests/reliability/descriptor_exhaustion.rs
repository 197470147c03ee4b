//! A server with only 256 file descriptors and 2,000 clients knocking. It
//! must stay up, answer `503` problems (never `500`) to the work that cannot
//! get a descriptor, and answer normally again once the clients have left.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::{
    BINARIES, WAIT, eventually_async, exclusive, get, raise_descriptor_limit, read_answer,
    start_child,
};

const DESCRIPTORS: u64 = 256;
const ATTEMPTS: usize = 2_000;

/// Work that needs descriptors (a file, the database) and work that does not.
const TARGETS: [&str; 3] = ["/static/index.html", "/db", "/plaintext"];

/// What became of one connection attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Status(u16),
    /// Connected, but closed or silent without an answer.
    NoAnswer,
    /// The connection attempt itself failed or timed out.
    NotConnected,
}

async fn attempt(
    addr: SocketAddr,
    target: &'static str,
    patience: Duration,
) -> (Outcome, Option<String>) {
    let Ok(Ok(mut stream)) = tokio::time::timeout(patience, TcpStream::connect(addr)).await else {
        return (Outcome::NotConnected, None);
    };
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return (Outcome::NoAnswer, None);
    }
    match read_answer(&mut stream, patience).await {
        Ok(answer) if answer.status == 200 => (Outcome::Status(200), None),
        Ok(answer) => (
            Outcome::Status(answer.status),
            Some(String::from_utf8_lossy(&answer.body).into_owned()),
        ),
        Err(_) => (Outcome::NoAnswer, None),
    }
}

/// Sends all `ATTEMPTS` at once; tallies the outcomes, and checks every
/// non-`200` answer is a `503` problem.
async fn knock(addr: SocketAddr, patience: Duration) -> BTreeMap<Outcome, usize> {
    let mut attempts = JoinSet::new();
    for index in 0..ATTEMPTS {
        attempts.spawn(attempt(addr, TARGETS[index % TARGETS.len()], patience));
    }
    let mut tally = BTreeMap::new();
    while let Some(done) = attempts.join_next().await {
        let (outcome, body) = done.expect("attempt task");
        if let Some(body) = body {
            assert_eq!(
                outcome,
                Outcome::Status(503),
                "an answer other than 200 or 503: {body}"
            );
            assert!(
                body.contains("urn:frameworth:problem"),
                "a 503 that is not a problem: {body}"
            );
        }
        *tally.entry(outcome).or_insert(0) += 1;
    }
    tally
}

/// Every target answers `200` again (retrying while the crowd drains).
async fn recovers(addr: SocketAddr) -> Duration {
    let started = Instant::now();
    for target in TARGETS {
        let ok = eventually_async(WAIT, || async move {
            matches!(get(addr, target).await, Ok(answer) if answer.status == 200)
        })
        .await;
        assert!(ok, "{target} does not answer 200 after the crowd left");
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_out_of_descriptors_stays_up_answers_503_problems_and_recovers() {
    let _machine = exclusive().await;
    if let Err(reason) = raise_descriptor_limit((ATTEMPTS + 500) as u64) {
        eprintln!("SKIPPED a_server_out_of_descriptors: {reason}");
        return;
    }
    for (label, binary) in BINARIES {
        // A cap above the descriptor limit, so that the server really runs
        // out: accept fails with EMFILE, and so do files and the database.
        let mut server = start_child(binary, &["--max-connections", "1000"], Some(DESCRIPTORS));
        let started = Instant::now();
        let tally = knock(server.addr, Duration::from_secs(10)).await;
        let knocking = started.elapsed();
        assert!(server.is_running(), "{label} died");
        let recovery = recovers(server.addr).await;
        eprintln!(
            "{label} with {DESCRIPTORS} descriptors and a cap of 1000: {ATTEMPTS} attempts in \
             {knocking:?}: {tally:?}; all of {TARGETS:?} answer 200 again {recovery:?} later"
        );
        assert!(server.is_running(), "{label} died");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_default_cap_a_256_descriptor_server_answers_all_two_thousand_clients() {
    let _machine = exclusive().await;
    if let Err(reason) = raise_descriptor_limit((ATTEMPTS + 500) as u64) {
        eprintln!("SKIPPED with_the_default_cap: {reason}");
        return;
    }
    for (label, binary) in BINARIES {
        // The default cap leaves a quarter of the descriptors for the work.
        let mut server = start_child(binary, &[], Some(DESCRIPTORS));
        let started = Instant::now();
        let tally = knock(server.addr, Duration::from_secs(60)).await;
        eprintln!(
            "{label} with {DESCRIPTORS} descriptors and the default cap: {ATTEMPTS} attempts in {:?}: {tally:?}",
            started.elapsed()
        );
        // Every client gets an answer: 200, or a 503 problem when its file
        // found no descriptor free (`knock` checked that). None is dropped.
        let answered: usize = tally
            .iter()
            .filter(|(outcome, _)| matches!(outcome, Outcome::Status(_)))
            .map(|(_, count)| count)
            .sum();
        assert_eq!(answered, ATTEMPTS, "{label}: {tally:?}");
        assert!(server.is_running(), "{label} died");
    }
}
