//! # loadgen: an HTTP/1.1 load generator
//!
//! A wrk-class load generator that knows only URLs, requests and
//! responses: `cargo run --release -p loadgen -- http://127.0.0.1:3000/ -c 64 -d 10s`
//! on its own, or [`run`] with a [`LoadConfig`] as a library (how
//! `bench-harness load` and `bench-harness compare` load their servers).
//!
//! ## What it measures
//!
//! One run ([`LoadReport`]) reports, for its measured part (after warm-up):
//! responses and responses per second; body bytes; latency percentiles in
//! an HdrHistogram (1 µs up to one minute, 3 significant digits, the full
//! spectrum in `--json`); status codes; errors by kind (connect, timeout,
//! reset, malformed, other); and the generator's own CPU (user and system
//! seconds, cores busy, µs per request), so a run whose generator saturated
//! its core can be told apart from one that measured the server.
//!
//! ## How it is built, and why
//!
//! - **Threads × connections.** `threads` OS threads, each running its own
//!   *current-thread* tokio runtime; the `connections` are spread over them
//!   (connection `i` lives on thread `i % threads`). No work stealing, no
//!   cross-thread wake-ups, no locks: the fewest CPU cycles per request, so
//!   that the generator measures the server and not itself.
//! - **Engines.** The default engine ([`raw`]) writes the request bytes,
//!   prepared once, straight to a `TcpStream` and parses responses with
//!   `httparse`; with `--pipeline K` it writes K requests at once. The
//!   `hyper` engine ([`http1`], `--engine hyper`) drives each connection with
//!   hyper's client connection API instead. Why two: calibration against wrk
//!   showed that on a fast server hyper's client spends about 2 µs of user
//!   CPU per request where wrk spends 0.5 µs, so a hyper-based generator
//!   saturates its core first and measures itself (~185k vs ~240k req/s on
//!   a 2-core machine's plaintext). The raw engine reaches wrk's rate; the
//!   hyper engine stays as a cross-check that speaks every HTTP/1.1 framing
//!   (chunked bodies included), which the raw engine does not.
//! - **Load models.** *Closed loop* (default): each connection sends its
//!   next request as soon as the previous response is in, so the server's
//!   speed sets the rate. *Open loop* (`--rate R`): requests are due on a
//!   fixed schedule; connection `i` of `C` sends at `start + (i/C + k)·C/R`.
//!   If the server stalls, requests fall behind schedule; measuring latency
//!   only from the moment they were actually sent would hide that wait
//!   (*coordinated omission*), so we also measure from the *intended* send
//!   time, as wrk2 does. Both are reported, labelled.
//! - **Warm-up** requests are sent but not recorded.
//! - **Bounded always**: the run ends at `warmup + duration`, or earlier
//!   after `requests` measured requests, or on Ctrl-C; nothing runs forever.
//! - **Own CPU.** `getrusage` before and after the measured part tells how
//!   busy the generator itself was.
//!
//! ## Compared with wrk, wrk2 and oha
//!
//! - **wrk**: the same shape — a few threads, each with its own event loop
//!   and its share of keep-alive connections, closed loop, latency measured
//!   from the actual send. Like wrk, a connection writes its next request on
//!   the event loop's next turn, not inside the read of the last response.
//!   wrk scripts requests in Lua (pipelining included); here pipelining is a
//!   flag (`--pipeline`), and the only per-request variation is a
//!   `{unique}` token ([`request::UNIQUE`]) replaced in every request.
//! - **wrk2**: `--rate` is wrk2's constant-throughput mode — a fixed send
//!   schedule and latency from the intended send time, corrected for
//!   coordinated omission, in an HdrHistogram. We report the uncorrected
//!   service time and the send lag beside it.
//! - **oha**: also Rust on tokio; its client is hyper's. That is our `hyper`
//!   engine; the default `raw` engine exists because that client costs the
//!   generator more CPU per request than the server it measures.
//! - **Limits**: plain `http://` and HTTP/1.1 only (no TLS, no HTTP/2); one
//!   request shape per run; the raw engine needs `Content-Length` framing.
//!
//! ## Layout
//!
//! | module          | concept                                                 |
//! |-----------------|---------------------------------------------------------|
//! | [`cli`]         | the flags of a run (`loadgen URL`, `bench-harness load`) |
//! | [`config`]      | what a run is asked to do, which engine                 |
//! | [`run()`]       | threads, warm-up, measuring, merging                    |
//! | `connection`    | run limits, send schedule, timeout shared by engines    |
//! | [`raw`]         | the default engine: raw socket, `httparse`, pipelining  |
//! | [`http1`]       | the hyper client engine (`--engine hyper`)              |
//! | [`recorder`]    | per-thread histograms, status counts, error kinds       |
//! | [`request`]     | a request prepared once, sent millions of times         |
//! | [`latency`]     | HdrHistogram recording and percentile summaries         |
//! | [`cpu`]         | own CPU time (`getrusage`) and pinning to a core        |
//! | [`report`]      | the report of a run, and its terminal rendering         |
//! | `progress`      | the live progress bar                                   |

pub mod cli;
pub mod config;
mod connection;
pub mod cpu;
pub mod http1;
pub mod latency;
mod progress;
pub mod raw;
pub mod recorder;
pub mod report;
pub mod request;
mod run;

pub use config::{Engine, LoadConfig};
pub use report::{ClientCpu, LoadReport};
pub use run::run;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag raised by Ctrl-C or SIGTERM. Load runs end early when it is set,
/// and commands built on them can return an error, so every child process
/// is stopped by its guard on the way out (no orphans).
pub fn interrupt_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    Arc::clone(FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let raised = Arc::clone(&flag);
        // Fails only if another handler was installed first; then that one
        // decides, and our runs simply end at their deadlines.
        let _ = ctrlc::set_handler(move || raised.store(true, Ordering::SeqCst));
        flag
    }))
}
