//! Clients that ask for a large response and never read it. The server's
//! writes stall once the socket buffers are full; the write deadline
//! (`ConnectionSettings::write_timeout`) ends the connection. Responses the
//! buffers can hold whole stall nothing; the idle timer ends those
//! connections instead.
//!
//! The client cannot see that close (its FIN waits behind the unread data),
//! so the tests watch the *server's* end of the connection in
//! `/proc/net/tcp`: it leaves `ESTABLISHED` when the server closes it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use conformance::{Kind, Target};
use connection_layer::ConnectionSettings;
use shared_handlers::AppConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};

use crate::{eventually, exclusive, get};

const WRITE_TIMEOUT: Duration = Duration::from_secs(1);
/// The large static file: far more than loopback's socket buffers hold.
const FILE_SIZE: usize = 16 * 1024 * 1024;
const READERS: usize = 8;

/// The client ports of the connections to `server` whose server end is
/// `ESTABLISHED` (state `01`) in `/proc/net/tcp`. One read of the table per
/// call: it can be long (every `TIME_WAIT` of earlier tests is in it).
fn established_client_ports(server: SocketAddr) -> Vec<u16> {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return Vec::new();
    };
    let local = format!(":{:04X}", server.port());
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (from, to, state) = (fields.get(1)?, fields.get(2)?, fields.get(3)?);
            if !from.ends_with(&local) || *state != "01" {
                return None;
            }
            u16::from_str_radix(to.rsplit(':').next()?, 16).ok()
        })
        .collect()
}

/// Connects with a small receive buffer, so the stall comes quickly.
async fn reluctant_reader(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    socket.connect(addr).await.expect("connect")
}

/// This process's resident memory in KiB: the server runs in it.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
            line.trim().trim_end_matches("kB").trim().parse().ok()
        })
        .unwrap_or(0)
}

/// Sends `requests` on `readers` reluctant readers' connections, which
/// never read.
async fn stall(addr: SocketAddr, readers: usize, requests: &str) -> Vec<TcpStream> {
    let mut streams = Vec::with_capacity(readers);
    for _ in 0..readers {
        let mut stream = reluctant_reader(addr).await;
        stream
            .write_all(requests.as_bytes())
            .await
            .expect("requests sent");
        streams.push(stream);
    }
    streams
}

/// How long after `sent` each server end left `ESTABLISHED` (`None`: still
/// established 10 write timeouts later), and the peak RSS seen meanwhile.
async fn server_close_times(
    addr: SocketAddr,
    readers: &[TcpStream],
    sent: Instant,
) -> (Vec<Option<Duration>>, u64) {
    let ports: Vec<u16> = readers
        .iter()
        .map(|reader| reader.local_addr().expect("local address").port())
        .collect();
    let mut times = vec![None; ports.len()];
    let mut peak = resident_kib();
    eventually(WRITE_TIMEOUT * 10, || {
        peak = peak.max(resident_kib());
        let open = established_client_ports(addr);
        for (port, time) in ports.iter().zip(times.iter_mut()) {
            if time.is_none() && !open.contains(port) {
                *time = Some(sent.elapsed());
            }
        }
        times.iter().all(Option::is_some)
    })
    .await;
    (times, peak)
}

fn big_file_config() -> (tempfile::TempDir, AppConfig) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("big.bin"), vec![b'x'; FILE_SIZE]).expect("big file");
    let config = AppConfig {
        static_dir: dir.path().to_owned(),
        ..AppConfig::default()
    };
    (dir, config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_that_never_read_are_disconnected_by_the_write_deadline_and_memory_stays_bounded() {
    let _machine = exclusive().await;
    let (_dir, config) = big_file_config();
    let settings = ConnectionSettings {
        write_timeout: WRITE_TIMEOUT,
        header_read_timeout: WRITE_TIMEOUT,
        ..ConnectionSettings::default()
    };
    let file = "GET /static/big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n";
    // About 130 KiB of answers: loopback's socket buffers (autotuned up to
    // 4 MiB) take them all, so no write stalls. The connection then waits
    // for a next request that never comes, and the idle timer (hyper's
    // header-read timeout, which runs between requests too) ends it.
    let queries = "GET /queries?queries=500 HTTP/1.1\r\nHost: localhost\r\n\r\n".repeat(8);
    let cases = [
        ("a 16 MiB static file", READERS, file),
        ("8 x /queries?queries=500", 1, queries.as_str()),
    ];
    for kind in [Kind::Raw, Kind::Framework] {
        let target = Target::start_with_settings(kind, config.clone(), settings.clone())
            .await
            .expect("server starts");
        for (what, readers, requests) in cases {
            let before = resident_kib();
            let streams = stall(target.addr, readers, requests).await;
            let sent = Instant::now();
            let (times, peak) = server_close_times(target.addr, &streams, sent).await;
            let after = resident_kib();
            let answer = get(target.addr, "/plaintext").await.expect("still serving");
            assert_eq!(answer.status, 200);
            eprintln!(
                "{}: {readers} readers of {what}: server ends closed {:?} after the requests \
                 (write timeout {WRITE_TIMEOUT:?}); test-process RSS {before} KiB before, \
                 {peak} KiB at most while stalled, {after} KiB after",
                kind.label(),
                times,
            );
            for time in &times {
                let time = time.unwrap_or_else(|| {
                    panic!(
                        "{}: a slow reader of {what} was never disconnected",
                        kind.label()
                    )
                });
                assert!(time >= WRITE_TIMEOUT / 2, "{time:?}");
            }
            // Bounded: both servers stream files, so a stalled connection
            // holds one chunk (64 KiB) and what the kernel's socket buffers
            // took, not the file. 16 MiB for all the readers together is
            // far below one reader's whole file held in memory.
            let bound = 16 * 1024;
            let grew = peak.saturating_sub(before);
            assert!(grew < bound, "{}: RSS grew by {grew} KiB", kind.label());
            drop(streams);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_serve_has_no_write_deadline_so_a_reader_that_never_reads_stays_connected() {
    let (_dir, config) = big_file_config();
    let settings = ConnectionSettings {
        write_timeout: WRITE_TIMEOUT,
        ..ConnectionSettings::default()
    };
    let target = Target::start_with_settings(Kind::FrameworkAxumServe, config, settings)
        .await
        .expect("server starts");
    let mut reader = reluctant_reader(target.addr).await;
    reader
        .write_all(b"GET /static/big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("request sent");
    let client = reader.local_addr().expect("local address").port();
    // Three write timeouts later, axum::serve still holds the connection.
    let closed = eventually(WRITE_TIMEOUT * 3, || {
        !established_client_ports(target.addr).contains(&client)
    })
    .await;
    assert!(
        !closed,
        "axum::serve closed a stalled connection; the docs say it has no write deadline"
    );
}
