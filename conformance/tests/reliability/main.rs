//! The reliability suite: what the servers do when clients misbehave or
//! come in crowds, at the connection level,
//! and when the machine around them misbehaves (the database file, the
//! descriptors).
//!
//! Every test runs over loopback against raw-server and framework-server on
//! the shared connection layer, and, where `axum::serve` behaves differently
//! by design (no header timer, no write deadline, no connection cap),
//! asserts that documented difference for framework-server's
//! `ServeMode::Axum` too. Each test is bounded in count and time and stops
//! by itself; the figures it observed go to stderr (`--nocapture` shows them).
//!
//! Two ways to run a server:
//! - in-process ([`conformance::Target`]), with short timeouts configured
//!   through `ConnectionSettings` and `AppConfig`;
//! - as a child process ([`conformance::process`]), built from each
//!   server's own `main.rs` as this package's `*-under-test` binaries, when a
//!   test needs the server's own descriptor limit, its `/proc` entry, or a
//!   real SIGTERM.
//!
//! The tests share the machine's two cores with each other, so the heavy
//! ones take [`exclusive`] first: one crowd at a time, and the timing of
//! one test is not the load of another.
//!
//! | module                  | theme                                                |
//! |-------------------------|------------------------------------------------------|
//! | `slow_clients`          | slowloris heads, slow request bodies                  |
//! | `slow_readers`          | readers that never read a large response: the write deadline |
//! | `crowds`                | 10,000 keep-alive connections, the connection cap     |
//! | `descriptor_exhaustion` | a server with 256 descriptors and 2,000 clients       |
//! | `full_log`              | stderr on a full disk: requests and SIGTERM still work |
//! | `graceful_shutdown`     | SIGTERM with 1,000 requests in flight, with a slow client |
//! | `abrupt_clients`        | connections reset mid-body and mid-response            |
//! | `database_faults`       | a read-only, vanished or `kill -9`ed database       |
//! | `startup`               | a database that cannot be opened; the private default |
//! | `static_streaming`      | large static files stream: byte-identical, memory bounded |

mod abrupt_clients;
mod crowds;
mod database_faults;
mod descriptor_exhaustion;
mod full_log;
mod graceful_shutdown;
mod slow_clients;
mod slow_readers;
mod startup;
mod static_streaming;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use conformance::process::{self, Running};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, MutexGuard};

/// raw-server's binary, built from `raw-server/src/main.rs`.
pub const RAW_BINARY: &str = env!("CARGO_BIN_EXE_raw-server-under-test");
/// framework-server's binary, built from `framework-server/src/main.rs`.
pub const FRAMEWORK_BINARY: &str = env!("CARGO_BIN_EXE_framework-server-under-test");

/// Both binaries, with a label for messages.
pub const BINARIES: [(&str, &str); 2] = [
    ("raw-server", RAW_BINARY),
    ("framework-server", FRAMEWORK_BINARY),
];

/// How long any single exchange may take before the test calls it a hang.
pub const WAIT: Duration = Duration::from_secs(20);

static EXCLUSIVE: Mutex<()> = Mutex::const_new(());

/// Held by a test while it loads the machine. A tokio mutex, because it is
/// held across `.await`s and each test has its own runtime.
pub async fn exclusive() -> MutexGuard<'static, ()> {
    EXCLUSIVE.lock().await
}

/// Raises this process's soft `RLIMIT_NOFILE` to its hard limit and returns
/// the new soft limit, or why that is fewer than `needed` descriptors.
/// Child servers inherit the raised limit.
pub fn raise_descriptor_limit(needed: u64) -> Result<u64, String> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)
        .map_err(|e| format!("cannot read RLIMIT_NOFILE: {e}"))?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard)
            .map_err(|e| format!("cannot raise RLIMIT_NOFILE to {hard}: {e}"))?;
    }
    if hard < needed {
        return Err(format!(
            "the hard descriptor limit is {hard}, this test needs {needed}"
        ));
    }
    Ok(hard)
}

/// Starts a server binary as a child on `127.0.0.1:0`, failing the test
/// with the reason if it cannot.
pub fn start_child(binary: &str, args: &[&str], descriptors: Option<u64>) -> Running {
    process::start_limited(binary, args, descriptors).expect("the server binary starts")
}

/// One response read off a raw socket.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Reads one `Content-Length`-framed response from `stream`, or fails if
/// the connection ends first or `within` passes.
pub async fn read_answer(stream: &mut TcpStream, within: Duration) -> anyhow::Result<Answer> {
    tokio::time::timeout(within, async {
        let mut buffer = Vec::with_capacity(1024);
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(answer) = parse_answer(&buffer)? {
                return Ok(answer);
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                anyhow::bail!("the connection closed after {} bytes", buffer.len());
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .map_err(|_| anyhow::anyhow!("no answer within {within:?}"))?
}

fn parse_answer(buffer: &[u8]) -> anyhow::Result<Option<Answer>> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(head) = response.parse(buffer)? else {
        return Ok(None);
    };
    let length = response
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .map(|h| std::str::from_utf8(h.value).map(str::parse::<usize>))
        .transpose()?
        .transpose()?
        .unwrap_or(0);
    if buffer.len() < head + length {
        return Ok(None);
    }
    Ok(Some(Answer {
        status: response.code.unwrap_or_default(),
        body: buffer[head..head + length].to_vec(),
    }))
}

/// `GET target` on a fresh connection (`Connection: close`).
pub async fn get(addr: SocketAddr, target: &str) -> anyhow::Result<Answer> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    read_answer(&mut stream, WAIT).await
}

/// Reads and discards until the server ends the connection (EOF or reset);
/// returns when that happened, or `None` if it was still open at `give_up`.
pub async fn closed_by_server(stream: &mut TcpStream, give_up: Instant) -> Option<Instant> {
    let mut chunk = [0u8; 4096];
    loop {
        let read = tokio::time::timeout_at(give_up.into(), stream.read(&mut chunk)).await;
        match read {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(Instant::now()),
            Ok(Ok(_)) => {}
        }
    }
}

/// Waits (polling, up to `within`) until `condition` holds; whether it did.
pub async fn eventually(within: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let give_up = Instant::now() + within;
    while Instant::now() < give_up {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    condition()
}

/// Like [`eventually`], for a condition that must itself wait (a request).
pub async fn eventually_async<F, Fut>(within: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let give_up = Instant::now() + within;
    loop {
        if condition().await {
            return true;
        }
        if Instant::now() >= give_up {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many `method path` requests the server at `addr` has counted, from
/// its `/admin/stats` (with the default admin token).
pub async fn requests_to(addr: SocketAddr, method: &str, path: &str) -> anyhow::Result<u64> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "GET /admin/stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Authorization: Bearer {}\r\n\r\n",
        shared_handlers::config::DEFAULT_ADMIN_TOKEN
    );
    stream.write_all(request.as_bytes()).await?;
    let answer = read_answer(&mut stream, WAIT).await?;
    let stats: serde_json::Value = serde_json::from_slice(&answer.body)?;
    stats["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["method"] == method && e["path"] == path)
        .and_then(|e| e["requests"].as_u64())
        .ok_or_else(|| anyhow::anyhow!("no count for {method} {path} in {stats}"))
}

/// The largest of `durations`, zero if there are none.
pub fn max_of(durations: &[Duration]) -> Duration {
    durations.iter().copied().max().unwrap_or_default()
}

#[tokio::test]
async fn the_suite_helpers_parse_a_framed_answer_only_once_it_is_complete() {
    let whole = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";
    let partial = parse_answer(&whole[..whole.len() - 1]).expect("parses");
    assert!(partial.is_none(), "a body one byte short is not an answer");
    let answer = parse_answer(whole).expect("parses").expect("complete");
    assert_eq!(
        (answer.status, answer.body.as_slice()),
        (200, &b"hello"[..])
    );
}
