//! # conformance: proof that both servers answer identically
//!
//! This crate is the project's spine. Its tests start raw-server and
//! framework-server **in-process**, each on `127.0.0.1:0` with its own
//! temporary database, and send every case to each of them over real TCP
//! with a real HTTP client. Two things must hold for every case:
//!
//! 1. the servers agree: same status, same headers (except `Date`), same
//!    body — byte for byte where the endpoint is deterministic;
//! 2. they are *right*: each case states its expected outcome, so "both
//!    wrong in the same way" fails too.
//!
//! framework-server also runs in its `axum::serve` mode as a third target
//! for HTTP-level cases: the request layer must not depend on the way it is
//! served. Connection-level behaviour (malformed request lines, oversized
//! heads) is compared between the two servers on the shared connection layer.
//!
//! ## Layout
//!
//! | item                | role                                                     |
//! |---------------------|----------------------------------------------------------|
//! | [`Target`]          | one running server under test, with its state            |
//! | [`start_all`]       | raw, framework (shared connection layer), framework (`axum::serve`) |
//! | [`Observed`]        | a response reduced to what the comparison looks at       |
//! | [`raw_exchange`]    | bytes in, parsed responses out, for what reqwest cannot send |
//! | [`raw_exchange_streaming`] | the same, writing while reading, optionally half-closing |
//! | [`cases`]           | the case-table machinery: [`cases::Case`], [`cases::run_cases`] |
//! | [`compare`]         | when two answers agree: the one comparison cases and fuzzer share |
//! | [`contract`]        | an answer held against the OpenAPI document: declared status, media type, problem type, headers |
//! | [`groups`]          | the case tables, one module per group of endpoints       |
//! | [`fuzz`]            | the in-process differential fuzzer (the `fuzz` binary, `tests/differential.rs`) |
//! | [`guests`]          | servers outside Rust (`guests/node/`) on the portable cases, with their listed deviations |
//! | [`remote`]          | the same cases against any running server, by URL (the `conformance` binary) |
//! | [`postgres`]        | the suite against PostgreSQL: a schema per target when `FRAMEWORTH_TEST_POSTGRES` is set |
//! | [`upstream`]        | upstream services for `/upstream`: a live one and an unreachable address |
//! | [`process`]         | a server binary as a child process: smoke tests, failed starts, descriptor limits, `/proc` figures, `kill -9` and restart |
//!
//! The tests themselves live in `tests/`.

pub mod cases;
pub mod compare;
pub mod contract;
pub mod fuzz;
pub mod groups;
pub mod guests;
pub mod postgres;
pub mod process;
pub mod remote;
pub mod upstream;

use std::net::SocketAddr;
use std::time::Duration;

use connection_layer::ConnectionSettings;
use framework_server::ServeMode;
use shared_handlers::db::Location;
use shared_handlers::{AppConfig, AppState};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Which server a [`Target`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Raw,
    Framework,
    FrameworkAxumServe,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Raw => "raw-server",
            Kind::Framework => "framework-server",
            Kind::FrameworkAxumServe => "framework-server (axum::serve)",
        }
    }
}

/// A server running inside the test process on an ephemeral port.
#[derive(Debug)]
pub struct Target {
    pub kind: Kind,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    /// The server's own state, for reading the database behind its back.
    pub state: AppState,
    shutdown: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    _database_dir: tempfile::TempDir,
    _postgres_schema: Option<postgres::Scratch>,
}

impl Target {
    /// Starts one server of `kind` on `127.0.0.1:0` with a fresh database:
    /// a SQLite file, or a PostgreSQL schema when `FRAMEWORTH_TEST_POSTGRES`
    /// is set (see [`postgres`]).
    pub async fn start(kind: Kind) -> anyhow::Result<Target> {
        Target::start_with(kind, AppConfig::default()).await
    }

    /// Like [`Target::start`], with explicit request-layer settings.
    pub async fn start_with(kind: Kind, config: AppConfig) -> anyhow::Result<Target> {
        Target::start_with_settings(kind, config, ConnectionSettings::default()).await
    }

    /// Like [`Target::start_with`], with explicit connection settings too.
    pub async fn start_with_settings(
        kind: Kind,
        config: AppConfig,
        settings: ConnectionSettings,
    ) -> anyhow::Result<Target> {
        let database_dir = tempfile::tempdir()?;
        let (location, postgres_schema) = match postgres::server_url() {
            Some(server) => {
                let scratch = postgres::Scratch::create(&server).await?;
                (Location::Postgres(scratch.url()), Some(scratch))
            }
            None => (
                Location::File(database_dir.path().join("conformance.sqlite3")),
                None,
            ),
        };
        // Opening seeds 10,000 rows: blocking work, kept off the test runtime.
        let state =
            tokio::task::spawn_blocking(move || AppState::open_at(&location, config)).await??;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let signal = shutdown.clone().cancelled_owned();
        let server_state = state.clone();
        let task = match kind {
            Kind::Raw => tokio::spawn(raw_server::run(listener, server_state, settings, signal)),
            Kind::Framework => tokio::spawn(framework_server::run(
                listener,
                server_state,
                settings,
                ServeMode::Hyper,
                signal,
            )),
            Kind::FrameworkAxumServe => tokio::spawn(framework_server::run(
                listener,
                server_state,
                settings,
                ServeMode::Axum,
                signal,
            )),
        };
        Ok(Target {
            kind,
            addr,
            base: format!("http://{addr}"),
            state,
            shutdown,
            task: Some(task),
            _database_dir: database_dir,
            _postgres_schema: postgres_schema,
        })
    }

    /// The URL of `target` (a path with optional query) on this server.
    pub fn url(&self, target: &str) -> String {
        format!("{}{}", self.base, target)
    }

    /// Signals shutdown and waits for the server to drain and return.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        match self.task.take() {
            Some(task) => task.await?,
            None => Ok(()),
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Starts raw-server, framework-server and framework-server in `axum::serve`
/// mode, in that order.
pub async fn start_all() -> anyhow::Result<Vec<Target>> {
    start_all_with(AppConfig::default()).await
}

/// Like [`start_all`], with explicit request-layer settings.
pub async fn start_all_with(config: AppConfig) -> anyhow::Result<Vec<Target>> {
    let (raw, framework, axum_serve) = tokio::try_join!(
        Target::start_with(Kind::Raw, config.clone()),
        Target::start_with(Kind::Framework, config.clone()),
        Target::start_with(Kind::FrameworkAxumServe, config),
    )?;
    Ok(vec![raw, framework, axum_serve])
}

/// A response reduced to what the comparison looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub status: u16,
    /// Header names lowercased, sorted by name then value.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Observed {
    /// The first value of header `name` (lowercase), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All values of header `name` (lowercase).
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The headers without those named in `skip`: what two servers must share.
    pub fn headers_except(&self, skip: &[&str]) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(name, _)| !skip.contains(&name.as_str()))
            .cloned()
            .collect()
    }
}

/// Sends one request with reqwest and reduces the answer to an [`Observed`].
pub async fn fetch(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> anyhow::Result<Observed> {
    let method = reqwest::Method::from_bytes(method.as_bytes())?;
    let mut request = client.request(method, url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body.to_vec());
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort();
    let body = response.bytes().await?.to_vec();
    Ok(Observed {
        status,
        headers,
        body,
    })
}

/// A client that never follows redirects, never decompresses, and keeps
/// connections alive: it reports exactly what the server sent.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client with no TLS and no proxy settings always builds")
}

/// A response parsed from raw bytes by [`raw_exchange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What happened to the connection after the responses were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionOutcome {
    /// The server closed the connection.
    Closed,
    /// The connection was still open when we stopped waiting.
    Open,
}

/// Writes `request` in one write, reads `expected` responses (or fewer, if
/// the server closes first), then reports whether the connection is closed.
///
/// Bounded: gives up after `timeout` overall, so a hanging server fails the
/// test instead of hanging it.
pub async fn raw_exchange(
    addr: SocketAddr,
    request: &[u8],
    expected: usize,
    timeout: Duration,
) -> anyhow::Result<(Vec<RawResponse>, ConnectionOutcome)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    tokio::time::timeout(timeout, read_responses(&mut stream, expected))
        .await
        .map_err(|_| anyhow::anyhow!("no complete answer within {timeout:?}"))?
}

/// Like [`raw_exchange`], but writes `request` from a background task
/// while reading, as a client that streams an upload does (the server may
/// answer before it has read everything), and then, if `half_close`, shuts
/// down the writing half of the socket: the client has said all it will.
///
/// A write that fails because the server closed first is not an error here:
/// what counts is what the client could read.
pub async fn raw_exchange_streaming(
    addr: SocketAddr,
    request: Vec<u8>,
    half_close: bool,
    expected: usize,
    timeout: Duration,
) -> anyhow::Result<(Vec<RawResponse>, ConnectionOutcome)> {
    let (mut reader, mut writer) = TcpStream::connect(addr).await?.into_split();
    let writing = tokio::spawn(async move {
        let written = writer.write_all(&request).await;
        if half_close && written.is_ok() {
            let _ = writer.shutdown().await;
        }
        // Keeps the writing half open (dropping it would half-close).
        writer
    });
    let read = tokio::time::timeout(timeout, read_responses(&mut reader, expected)).await;
    writing.abort();
    read.map_err(|_| anyhow::anyhow!("no complete answer within {timeout:?}"))?
}

/// Reads `expected` responses from `stream` (or fewer, if the server closes
/// first), then reports whether the connection is closed. Unbounded in
/// time: callers wrap it in a timeout.
pub async fn read_responses(
    stream: &mut (impl AsyncRead + Unpin),
    expected: usize,
) -> anyhow::Result<(Vec<RawResponse>, ConnectionOutcome)> {
    let mut buffer = Vec::new();
    let mut responses = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        while responses.len() < expected {
            match parse_one(&buffer)? {
                Some((response, used)) => {
                    buffer.drain(..used);
                    responses.push(response);
                }
                None => break,
            }
        }
        if responses.len() == expected {
            // Is the connection closed? Wait briefly for EOF.
            return match tokio::time::timeout(Duration::from_millis(300), stream.read(&mut chunk))
                .await
            {
                Ok(Ok(0)) | Ok(Err(_)) => Ok((responses, ConnectionOutcome::Closed)),
                Ok(Ok(_)) => Err(anyhow::anyhow!(
                    "unexpected extra bytes after {expected} responses"
                )),
                Err(_) => Ok((responses, ConnectionOutcome::Open)),
            };
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Ok((responses, ConnectionOutcome::Closed)),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Parses one `Content-Length`-framed response from the front of `buffer`.
fn parse_one(buffer: &[u8]) -> anyhow::Result<Option<(RawResponse, usize)>> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buffer)? {
        httparse::Status::Complete(len) => len,
        httparse::Status::Partial => return Ok(None),
    };
    let status = response.code.unwrap_or_default();
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let body_len: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map(|(_, value)| value.parse())
        .transpose()?
        .unwrap_or(0);
    if buffer.len() < head_len + body_len {
        return Ok(None);
    }
    let body = buffer[head_len..head_len + body_len].to_vec();
    Ok(Some((
        RawResponse {
            status,
            headers,
            body,
        },
        head_len + body_len,
    )))
}
