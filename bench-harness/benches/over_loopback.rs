//! # over_loopback: both servers as real processes, timed from a client
//!
//! The in-process suite leaves out everything around the request layer.
//! This one puts it back: raw-server and framework-server each run as a
//! separate process (the harness binary's hidden `serve` subcommand, the
//! same way `bench-harness compare` starts them), pinned to CPU 0 when the
//! machine allows, while this benchmark, the client, runs pinned to CPU 1.
//! Requests cross the loopback interface on keep-alive HTTP/1.1
//! connections, so the time includes hyper's parsing and writing, the
//! kernel's TCP work on both ends and two context switches.
//!
//! For each endpoint below, one criterion group `over_loopback/<endpoint>`
//! with four benchmarks:
//!
//! - `raw`, `framework`: one request at a time on one connection: the
//!   round-trip latency of a request (criterion's time per iteration), and
//!   requests per second as throughput;
//! - `raw/concurrent-16`, `framework/concurrent-16`: batches of 16 requests
//!   sent at once on 16 connections, timed until the last answer is in
//!   (`iter_custom`, `Throughput::Elements(16)`): what the server does with
//!   work waiting, as a load generator sees it, in requests per second.
//!
//! Each iteration sends a request prepared once (a few reference-count
//! clones) and reads the whole response body. The client is hyper's own
//! HTTP/1 client connection on a current-thread tokio runtime, the
//! harness's `hyper` engine in miniature; both servers run a current-thread
//! runtime too (one core each, as in `bench-harness cost`).
//!
//! Loopback timings are dominated by the kernel and move with whatever
//! else runs on the machine (`docs/src/measuring-overhead.md`), so
//! prefer `bench-harness compare` (alternating rounds, CPU per request) for
//! the headline figures. Criterion runs `raw` then `framework`; it does not
//! alternate them.
//!
//! ## Run it
//!
//! ```text
//! cargo bench -p bench-harness --bench over_loopback
//! cargo bench -p bench-harness --bench over_loopback -- json/      # one group
//! cargo bench -p bench-harness --bench over_loopback -- concurrent # batches only
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use connection_layer::RuntimeFlavor;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use framework_server::ServeMode;
use futures_util::future::join_all;
use http::StatusCode;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

use bench_harness::child::process::{LaunchSpec, ServerProcess};
use bench_harness::host::pinning::{PinningPlan, allowed_cpus};
use bench_harness::servers::ServerKind;
use loadgen::cpu::pin_current_thread;
use loadgen::request::{PreparedRequest, RequestSpec};

/// The endpoints timed over loopback: the four benchmark endpoints that
/// span the range, from 13 bytes of text to a database read and a template.
/// (The in-process suite covers every endpoint; here each one costs a few
/// seconds of wall time per server.)
const ENDPOINTS: &[&str] = &["plaintext", "json", "db", "fortunes"];

/// Requests in flight in a batch, one per connection.
const CONCURRENCY: usize = 16;

/// The CPUs `bench-harness compare` uses too: server on 0, client on 1.
const SERVER_CPU: usize = 0;
const CLIENT_CPU: usize = 1;

/// One launched server and the client's connections to it.
struct Target {
    /// Kept alive for the whole run; dropping it stops the child.
    process: ServerProcess,
    /// Connection 0 serves the one-at-a-time benchmarks; all of them serve
    /// the batches. Opened afresh before each benchmark: both servers
    /// close a keep-alive connection that stays idle for 10 s (their
    /// header-read timeout covers the wait for the next request), and
    /// 15 of them sit idle while other benchmarks run.
    connections: Vec<SendRequest<Full<Bytes>>>,
}

impl Target {
    /// Replaces every connection with a new one (dropping a sender closes
    /// its connection), outside any measured time.
    fn reconnect(&mut self, runtime: &Runtime) {
        self.connections = runtime.block_on(join_all(
            (0..CONCURRENCY).map(|_| connect(self.process.addr)),
        ));
    }
}

/// Starts one server as a child process, exactly as `compare` does.
fn launch(kind: ServerKind, name: &str, folder: &Path, cpu: Option<usize>) -> ServerProcess {
    // Cargo builds the harness binary for its benches and tells us where.
    let executable = PathBuf::from(env!("CARGO_BIN_EXE_bench-harness"));
    let spec = LaunchSpec {
        name: name.to_owned(),
        kind,
        serve_mode: ServeMode::Hyper,
        runtime: RuntimeFlavor::CurrentThread,
        workers: 1,
        cpu,
        database: folder.join(format!("{name}.sqlite3")),
        log: folder.join(format!("{name}.log")),
        executable,
    };
    ServerProcess::launch(&spec).unwrap_or_else(|error| {
        panic!(
            "cannot start {name} from {}: {error:#}",
            spec.executable.display()
        )
    })
}

/// Opens one keep-alive connection: TCP with Nagle off (small requests
/// leave at once, as wrk sends them), then hyper's HTTP/1 handshake. The
/// connection's I/O runs as a task on the same current-thread runtime.
async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr)
        .await
        .unwrap_or_else(|error| panic!("cannot connect to {addr}: {error}"));
    stream.set_nodelay(true).expect("TCP_NODELAY can be set");
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("an HTTP/1 handshake needs no I/O");
    tokio::spawn(async move {
        // Its errors reach us through `send_request`.
        let _ = connection.await;
    });
    sender
}

/// Sends one request and reads the whole response body.
async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    request: http::Request<Full<Bytes>>,
) -> (StatusCode, usize) {
    sender.ready().await.expect("the connection is open");
    let response = sender
        .send_request(request)
        .await
        .expect("the server answers");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the server sends the whole body")
        .to_bytes();
    (status, body.len())
}

/// `requests` requests one after another on one connection; the elapsed time.
async fn one_at_a_time(
    sender: &mut SendRequest<Full<Bytes>>,
    request: &PreparedRequest,
    requests: u64,
) -> Duration {
    let start = Instant::now();
    for _ in 0..requests {
        black_box(exchange(sender, request.build()).await);
    }
    start.elapsed()
}

// ANCHOR: batch
/// `batches` batches, each one request on every connection at once and
/// finished when the last answer is in; the elapsed time.
async fn in_batches(
    senders: &mut [SendRequest<Full<Bytes>>],
    request: &PreparedRequest,
    batches: u64,
) -> Duration {
    let start = Instant::now();
    for _ in 0..batches {
        let batch = senders
            .iter_mut()
            .map(|sender| exchange(sender, request.build()));
        black_box(join_all(batch).await);
    }
    start.elapsed()
}
// ANCHOR_END: batch

/// The endpoint's catalogue example, addressed to `addr`.
fn request_for(endpoint: &str, addr: SocketAddr) -> PreparedRequest {
    let entry = shared_handlers::catalogue::by_name(endpoint)
        .unwrap_or_else(|| panic!("{endpoint} is not in the catalogue"));
    RequestSpec::get(&addr.to_string(), entry.example)
        .prepare()
        .expect("catalogue examples are valid request targets")
}

fn over_loopback(c: &mut Criterion) {
    let plan = PinningPlan::decide(true, SERVER_CPU, CLIENT_CPU, &allowed_cpus());
    if !plan.note.is_empty() {
        eprintln!("over_loopback: {}", plan.note);
    }
    // Pin before the runtime exists; criterion itself runs on this thread too.
    if let Some(cpu) = plan.client_cpu
        && let Err(error) = pin_current_thread(cpu)
    {
        eprintln!("over_loopback: {error}; the client runs unpinned");
    }
    let folder = tempfile::tempdir().expect("a temporary folder for databases and logs");
    let runtime: Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");

    let mut targets: Vec<(&str, Target)> = [
        (ServerKind::Raw, "raw"),
        (ServerKind::Framework, "framework"),
    ]
    .into_iter()
    .map(|(kind, name)| {
        let process = launch(kind, name, folder.path(), plan.server_cpu);
        let connections =
            runtime.block_on(join_all((0..CONCURRENCY).map(|_| connect(process.addr))));
        eprintln!(
            "over_loopback: {name} listens on {} (pid {}, {})",
            process.addr,
            process.pid,
            if process.pinned {
                "pinned"
            } else {
                "not pinned"
            }
        );
        (
            name,
            Target {
                process,
                connections,
            },
        )
    })
    .collect();

    for endpoint in ENDPOINTS {
        let mut group = c.benchmark_group(format!("over_loopback/{endpoint}"));
        let mut requests = Vec::new();
        for (name, target) in &mut targets {
            target.reconnect(&runtime);
            let request = request_for(endpoint, target.process.addr);
            // A benchmark of an error page would be a number about nothing.
            let (status, _) =
                runtime.block_on(exchange(&mut target.connections[0], request.build()));
            assert!(
                status.is_success(),
                "{name} answers {endpoint} with {status}"
            );
            requests.push(request);
        }
        // One at a time, raw then framework ...
        group.throughput(Throughput::Elements(1));
        for ((name, target), request) in targets.iter_mut().zip(&requests) {
            target.reconnect(&runtime);
            group.bench_function(*name, |b| {
                b.iter_custom(|count| {
                    runtime.block_on(one_at_a_time(&mut target.connections[0], request, count))
                });
            });
        }
        // ... then in batches, raw then framework.
        group.throughput(Throughput::Elements(CONCURRENCY as u64));
        for ((name, target), request) in targets.iter_mut().zip(&requests) {
            target.reconnect(&runtime);
            let id = BenchmarkId::new(*name, format!("concurrent-{CONCURRENCY}"));
            group.bench_function(id, |b| {
                b.iter_custom(|batches| {
                    runtime.block_on(in_batches(&mut target.connections, request, batches))
                });
            });
        }
        group.finish();
    }
    // Close the connections before the servers go (a clean end in their logs).
    for (_, target) in &mut targets {
        target.connections.clear();
    }
}

criterion_group! {
    name = benches;
    // 4 endpoints x 4 benchmarks x (1 s warm-up + 3 s measurement), about
    // 70 s plus start-up. The command line overrides these.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = over_loopback
}
criterion_main!(benches);
