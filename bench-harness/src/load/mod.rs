//! `bench-harness load`: an HTTP/1.1 load generator in the spirit of wrk,
//! wrk2 and oha.
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
//!   this machine's plaintext). The raw engine reaches wrk's rate; the hyper
//!   engine stays as a cross-check that speaks every HTTP/1.1 framing
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
//!   busy the generator itself was: a generator near 100% of its core is
//!   the bottleneck, and its numbers say nothing about the server.
//!
//! ## Layout
//!
//! | module        | concept                                              |
//! |---------------|------------------------------------------------------|
//! | this file     | configuration, threads, schedule, the report         |
//! | [`recorder`]  | per-thread histograms, status counts, error kinds    |
//! | [`raw`]       | the default engine: raw socket, `httparse`, pipelining |
//! | [`http1`]     | the hyper client engine (`--engine hyper`)           |

mod http1;
pub mod raw;
pub mod recorder;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::latency::{LatencySummary, format_micros};
use crate::pinning::pin_current_thread;
use crate::procstat::self_cpu;
use crate::request::{PreparedRequest, RequestSpec};
use recorder::{ErrorCounts, Recorder, Slot};

/// Everything a load run needs to know.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub addr: SocketAddr,
    pub request: RequestSpec,
    pub connections: usize,
    pub threads: usize,
    /// Length of the measured part (after warm-up). Always bounded.
    pub duration: Duration,
    /// Stop after this many measured requests (errors included), if sooner.
    pub requests: Option<u64>,
    pub warmup: Duration,
    /// Open loop: total requests per second across all connections.
    pub rate: Option<f64>,
    /// Requests per write (1 = no pipelining).
    pub pipeline: usize,
    /// Which client drives the connections.
    pub engine: Engine,
    /// A request without a complete response after this long is an error.
    pub timeout: Duration,
    /// Pin every client thread to this CPU.
    pub client_cpu: Option<usize>,
    /// Show a progress bar (only honoured on a terminal).
    pub progress: bool,
    /// Set from outside (Ctrl-C) to end the run early.
    pub stop: Arc<AtomicBool>,
}

impl LoadConfig {
    /// A closed-loop configuration with the defaults of `bench-harness load`.
    pub fn new(addr: SocketAddr, request: RequestSpec) -> LoadConfig {
        LoadConfig {
            addr,
            request,
            connections: 64,
            threads: 1,
            duration: Duration::from_secs(10),
            requests: None,
            warmup: Duration::ZERO,
            rate: None,
            pipeline: 1,
            engine: Engine::Raw,
            timeout: Duration::from_secs(10),
            client_cpu: None,
            progress: false,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// The client implementation behind each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Prepared bytes on a `TcpStream`, responses parsed with `httparse`
    /// (needs `Content-Length` framing). Supports pipelining.
    #[default]
    Raw,
    /// hyper's HTTP/1.1 client connection API. No pipelining.
    Hyper,
}

impl Engine {
    /// The engine's name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Raw => "raw",
            Engine::Hyper => "hyper",
        }
    }
}

/// Everything a load run found out; serialised as `--json` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    pub method: String,
    pub url: String,
    /// `closed loop` or `open loop`.
    pub load_model: String,
    /// Open loop: the requested rate (req/s).
    pub target_rate: Option<f64>,
    pub connections: usize,
    pub threads: usize,
    pub pipeline: usize,
    pub engine: Engine,
    pub warmup_s: f64,
    /// Measured wall-clock time, from the end of warm-up to the last response.
    pub duration_s: f64,
    /// Measured responses, whatever their status.
    pub requests: u64,
    pub requests_per_second: f64,
    pub body_bytes: u64,
    /// Service time: from writing the request to the end of the response.
    pub latency: LatencySummary,
    /// Open loop only: from the *intended* send time (coordinated-omission
    /// corrected, as wrk2 reports it).
    pub corrected_latency: Option<LatencySummary>,
    /// Open loop only: how late requests left against their schedule.
    pub send_lag: Option<LatencySummary>,
    pub status_counts: BTreeMap<u16, u64>,
    pub errors: ErrorCounts,
    pub client_cpu: ClientCpu,
    /// The CPU every client thread was pinned to, if pinning worked.
    pub client_pinned_cpu: Option<usize>,
    pub notes: Vec<String>,
}

/// The load generator's own CPU use during the measured part.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ClientCpu {
    pub user_s: f64,
    pub system_s: f64,
    /// CPU seconds per wall-clock second (1.0 = one core fully busy).
    pub cores_busy: f64,
    pub us_per_request: f64,
}

/// The limits shared by all threads of a run.
#[derive(Debug)]
struct Control {
    measure_start: Instant,
    deadline: Instant,
    budget: Option<u64>,
    claimed: AtomicU64,
    stop: Arc<AtomicBool>,
    /// Responses so far (warm-up included), for the progress bar.
    progress: AtomicU64,
}

impl Control {
    /// May a request due at `intended` be sent, and does it count?
    /// `None` means the run is over for this connection.
    fn claim(&self, intended: Instant) -> Option<Slot> {
        if self.stop.load(Ordering::Relaxed) || intended >= self.deadline {
            return None;
        }
        if intended < self.measure_start {
            return Some(Slot::Warmup);
        }
        if let Some(budget) = self.budget
            && self.claimed.fetch_add(1, Ordering::Relaxed) >= budget
        {
            return None;
        }
        Some(Slot::Measured)
    }
}

/// When each request of one connection is due.
#[derive(Debug)]
struct Schedule {
    /// Open loop: the next intended send time. Closed loop: `None` (now).
    next: Option<Instant>,
    interval: Duration,
    deadline: Instant,
}

impl Schedule {
    fn next_intended(&mut self) -> Instant {
        match self.next {
            None => Instant::now(),
            Some(due) => {
                self.next = Some(due + self.interval);
                due
            }
        }
    }

    /// Closed loop: lets the connection's next request wait for the next
    /// turn of the event loop, after every response that is ready now has
    /// been read. This is what wrk does (it re-arms a connection for writing
    /// when its response completes and writes on the next loop iteration),
    /// and it matters for what latency means: written at once, every
    /// connection's next request would queue at the busy server while the
    /// client is still reading other responses, and the measured latency
    /// would include that queueing (ours was ~20% above wrk's p50 at the same
    /// throughput before this). `yield_now` on tokio defers the task until
    /// the I/O driver has been polled again.
    async fn pace(&self) {
        if self.next.is_none() {
            tokio::task::yield_now().await;
        }
    }

    /// Waits until `intended` (open loop) and returns the actual send time.
    /// A request that is already late is sent at once: the lateness shows up
    /// in the corrected latency.
    async fn wait_until(&self, intended: Instant) -> Instant {
        if self.next.is_none() {
            return intended;
        }
        let now = Instant::now();
        if now < intended {
            tokio::time::sleep_until(intended.min(self.deadline).into()).await;
            return Instant::now();
        }
        now
    }
}

/// A per-connection request timeout that costs almost nothing per request.
///
/// `tokio::time::timeout` registers a fresh timer for every request, which
/// on a fast server is a noticeable part of the generator's CPU per request.
/// Instead each connection keeps one timer and moves it forward only when
/// half the timeout has passed since it was last set. The price: a request
/// times out somewhere between `timeout / 2` and `timeout` after it was
/// sent, which is all a timeout of seconds needs to be precise to.
#[derive(Debug)]
struct Watchdog {
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
    armed_at: Instant,
    timeout: Duration,
}

impl Watchdog {
    fn new(timeout: Duration) -> Watchdog {
        let now = Instant::now();
        Watchdog {
            sleep: Box::pin(tokio::time::sleep_until((now + timeout).into())),
            armed_at: now,
            timeout,
        }
    }

    /// Runs `work`, giving up (`None`) when the timer fires first.
    async fn guard<F: std::future::Future>(&mut self, now: Instant, work: F) -> Option<F::Output> {
        if now.saturating_duration_since(self.armed_at) >= self.timeout / 2 {
            self.sleep.as_mut().reset((now + self.timeout).into());
            self.armed_at = now;
        }
        tokio::select! {
            biased;
            output = work => Some(output),
            () = &mut self.sleep => None,
        }
    }
}

/// What every connection task of one thread shares (single-threaded, so
/// `Rc` and `RefCell` are enough).
#[derive(Debug)]
struct ThreadContext {
    control: Arc<Control>,
    recorder: RefCell<Recorder>,
    addr: SocketAddr,
    prepared: PreparedRequest,
    /// Pipelining: the request bytes repeated `pipeline` times.
    wire: Vec<u8>,
    /// Where a per-request [`crate::request::UNIQUE`] token goes in one
    /// request's bytes (empty for most requests), and the run's random id.
    unique_at: Vec<usize>,
    run_id: u32,
    pipeline: usize,
    head_request: bool,
    timeout: Duration,
    /// Open loop: `(start, per-connection interval, total connections)`.
    open_loop: Option<(Instant, Duration, usize)>,
}

impl ThreadContext {
    fn schedule(&self, index: usize) -> Schedule {
        let deadline = self.control.deadline;
        match self.open_loop {
            None => Schedule {
                next: None,
                interval: Duration::ZERO,
                deadline,
            },
            Some((start, interval, connections)) => Schedule {
                // Spread the connections' first requests over one interval
                // so the load is smooth, not in bursts of `connections`.
                next: Some(start + interval.mul_f64(index as f64 / connections as f64)),
                interval,
                deadline,
            },
        }
    }

    fn response(
        &self,
        slot: Slot,
        status: u16,
        intended: Instant,
        sent: Instant,
        done: Instant,
        bytes: u64,
    ) {
        let mut recorder = self.recorder.borrow_mut();
        // The progress counter is shared between threads: touch it every 64
        // responses, not on each, to keep its cache line quiet.
        if recorder.response(slot, status, intended, sent, done, bytes) >= 64 {
            let pending = recorder.take_unreported();
            self.control.progress.fetch_add(pending, Ordering::Relaxed);
        }
    }
}

/// Runs a load test and returns its report. Blocks until the run is over.
pub fn run(config: &LoadConfig) -> anyhow::Result<LoadReport> {
    if config.connections == 0 || config.threads == 0 || config.pipeline == 0 {
        bail!("connections, threads and pipeline depth must be at least 1");
    }
    if config.duration.is_zero() {
        bail!("the duration must be positive (it bounds every run)");
    }
    if let Some(rate) = config.rate {
        if !(rate > 0.0 && rate.is_finite()) {
            bail!("--rate must be a positive number of requests per second");
        }
        if config.pipeline > 1 {
            bail!("open loop (--rate) and pipelining cannot be combined");
        }
    }
    if config.pipeline > 1 && config.engine == Engine::Hyper {
        bail!("hyper's client does not pipeline; use the raw engine for --pipeline");
    }
    let threads = config.threads.min(config.connections);
    let prepared = config.request.prepare()?;
    let (one_request, unique_at) = config.request.to_wire_with_unique();
    let wire = one_request.repeat(config.pipeline);
    // Tokens from two runs against the same server must not collide either.
    let run_id = fastrand::u32(..);
    let head_request = config.request.method == http::Method::HEAD;

    let run_start = Instant::now();
    let measure_start = run_start + config.warmup;
    let control = Arc::new(Control {
        measure_start,
        deadline: measure_start + config.duration,
        budget: config.requests,
        claimed: AtomicU64::new(0),
        stop: Arc::clone(&config.stop),
        progress: AtomicU64::new(0),
    });
    let open_loop = config.rate.map(|rate| {
        let interval = Duration::from_secs_f64(config.connections as f64 / rate);
        (run_start, interval, config.connections)
    });

    let mut handles = Vec::with_capacity(threads);
    for thread in 0..threads {
        let connections: Vec<usize> = (thread..config.connections).step_by(threads).collect();
        let control = Arc::clone(&control);
        let prepared = prepared.clone();
        let wire = wire.clone();
        let unique_at = unique_at.clone();
        let (addr, pipeline, timeout, pin, engine) = (
            config.addr,
            config.pipeline,
            config.timeout,
            config.client_cpu,
            config.engine,
        );
        let handle = std::thread::Builder::new()
            .name(format!("load-{thread}"))
            .spawn(move || -> anyhow::Result<(Recorder, Option<String>)> {
                let pin_error = pin.and_then(|cpu| pin_current_thread(cpu).err());
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("cannot start a client runtime")?;
                let context = Rc::new(ThreadContext {
                    control,
                    recorder: RefCell::new(Recorder::new(open_loop.is_some())),
                    addr,
                    prepared,
                    wire,
                    unique_at,
                    run_id,
                    pipeline,
                    head_request,
                    timeout,
                    open_loop,
                });
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async {
                    let mut tasks = Vec::with_capacity(connections.len());
                    for index in connections {
                        let context = Rc::clone(&context);
                        tasks.push(match engine {
                            Engine::Raw => {
                                tokio::task::spawn_local(raw::connection_loop(context, index))
                            }
                            Engine::Hyper => {
                                tokio::task::spawn_local(http1::connection_loop(context, index))
                            }
                        });
                    }
                    for task in tasks {
                        // A connection task only ends by returning; a panic
                        // in one would be a bug we want to hear about.
                        if let Err(e) = task.await {
                            eprintln!("a load connection task failed: {e}");
                        }
                    }
                });
                drop(local);
                let recorder = Rc::try_unwrap(context)
                    .map(|context| context.recorder.into_inner())
                    .map_err(|_| anyhow::anyhow!("connection tasks outlived their thread"))?;
                Ok((recorder, pin_error))
            })
            .context("cannot start a client thread")?;
        handles.push(handle);
    }

    let progress = Progress::new(config, run_start);
    // Wait for the warm-up to pass, then take the CPU reading that opens the
    // measured part.
    while Instant::now() < measure_start && !handles.iter().all(|h| h.is_finished()) {
        progress.tick(&control);
        std::thread::sleep(
            Duration::from_millis(50).min(measure_start - Instant::now().min(measure_start)),
        );
    }
    let cpu_before = self_cpu();
    let measured_from = Instant::now().max(measure_start);
    while !handles.iter().all(|h| h.is_finished()) {
        progress.tick(&control);
        std::thread::sleep(Duration::from_millis(50));
    }
    let cpu_used = self_cpu().since(&cpu_before);
    let measured = Instant::now().saturating_duration_since(measured_from);
    progress.finish();

    let mut merged = Recorder::new(open_loop.is_some());
    let mut notes = Vec::new();
    let mut pinned = config.client_cpu;
    for handle in handles {
        let (recorder, pin_error) = handle
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))??;
        merged.merge(&recorder);
        if let Some(error) = pin_error {
            pinned = None;
            notes.push(format!("client not pinned: {error}"));
        }
    }
    if config.stop.load(Ordering::Relaxed) {
        notes.push("stopped early (interrupted)".to_owned());
    }
    if merged.odd_statuses > 0 {
        notes.push(format!(
            "{} responses had a status code outside 0..600",
            merged.odd_statuses
        ));
    }

    let seconds = measured.as_secs_f64().max(1e-9);
    let requests = merged.responses;
    let cpu_seconds = cpu_used.total().as_secs_f64();
    Ok(LoadReport {
        method: config.request.method.to_string(),
        url: format!(
            "http://{}{}",
            config.request.authority, config.request.target
        ),
        load_model: if config.rate.is_some() {
            "open loop".to_owned()
        } else {
            "closed loop".to_owned()
        },
        target_rate: config.rate,
        connections: config.connections,
        threads,
        pipeline: config.pipeline,
        engine: config.engine,
        warmup_s: config.warmup.as_secs_f64(),
        duration_s: seconds,
        requests,
        requests_per_second: requests as f64 / seconds,
        body_bytes: merged.body_bytes,
        latency: LatencySummary::from_histogram(&merged.service),
        corrected_latency: merged
            .corrected
            .as_ref()
            .map(LatencySummary::from_histogram),
        send_lag: merged.send_lag.as_ref().map(LatencySummary::from_histogram),
        status_counts: merged.status_counts().collect(),
        errors: merged.errors,
        client_cpu: ClientCpu {
            user_s: cpu_used.user.as_secs_f64(),
            system_s: cpu_used.system.as_secs_f64(),
            cores_busy: cpu_seconds / seconds,
            us_per_request: if requests > 0 {
                cpu_seconds * 1e6 / requests as f64
            } else {
                0.0
            },
        },
        client_pinned_cpu: pinned,
        notes,
    })
}

/// The live progress bar: drawn on stderr when it is a terminal and the
/// user did not ask for quiet; otherwise hidden (indicatif draws nothing).
#[derive(Debug)]
struct Progress {
    bar: indicatif::ProgressBar,
    run_start: Instant,
    warmup: Duration,
}

impl Progress {
    fn new(config: &LoadConfig, run_start: Instant) -> Progress {
        use std::io::IsTerminal;
        let total = config.warmup + config.duration;
        let bar = if config.progress && std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total.as_millis() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{bar:30}] {elapsed:>3} / {prefix}  {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_prefix(humantime::format_duration(total).to_string());
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress {
            bar,
            run_start,
            warmup: config.warmup,
        }
    }

    fn tick(&self, control: &Control) {
        if self.bar.is_hidden() {
            return;
        }
        let elapsed = self.run_start.elapsed();
        let done = control.progress.load(Ordering::Relaxed);
        let phase = if elapsed < self.warmup {
            "warm-up"
        } else {
            "measuring"
        };
        self.bar.set_position(elapsed.as_millis() as u64);
        self.bar.set_message(format!(
            "{phase}: {done} responses, {:.0} req/s",
            done as f64 / elapsed.as_secs_f64().max(1e-3)
        ));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl LoadReport {
    /// The report as text for a terminal, in the spirit of wrk's output.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} {}", self.method, self.url);
        let model = match self.target_rate {
            Some(rate) => format!(
                "open loop: target {rate:.0} req/s, achieved {:.0} req/s",
                self.requests_per_second
            ),
            None => {
                "closed loop (each connection sends as soon as the last response is in)".to_owned()
            }
        };
        let _ = writeln!(out, "  {model}");
        let _ = writeln!(
            out,
            "  {} connections on {} thread(s), {} engine, pipeline depth {}, warm-up {:.1}s, measured {:.2}s",
            self.connections,
            self.threads,
            self.engine.name(),
            self.pipeline,
            self.warmup_s,
            self.duration_s
        );
        let _ = writeln!(
            out,
            "  {} responses, {:.0} req/s, {:.2} MB of bodies",
            self.requests,
            self.requests_per_second,
            self.body_bytes as f64 / 1e6
        );
        let mut latency = |label: &str, summary: &LatencySummary| {
            let _ = writeln!(
                out,
                "  {label}\n    p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
                format_micros(summary.p50_us as f64),
                format_micros(summary.p90_us as f64),
                format_micros(summary.p99_us as f64),
                format_micros(summary.p999_us as f64),
                format_micros(summary.max_us as f64),
            );
        };
        if let Some(corrected) = &self.corrected_latency {
            latency(
                "latency from intended send time (corrected for coordinated omission):",
                corrected,
            );
            latency(
                "service time, from actual send (uncorrected):",
                &self.latency,
            );
            if let Some(lag) = &self.send_lag {
                latency(
                    "send lag behind schedule (includes the generator's 1 ms timer resolution):",
                    lag,
                );
            }
        } else {
            latency("latency (from send to end of response):", &self.latency);
        }
        let statuses: Vec<String> = self
            .status_counts
            .iter()
            .map(|(code, count)| format!("{code}: {count}"))
            .collect();
        let _ = writeln!(out, "  status codes: {}", statuses.join(", "));
        let e = &self.errors;
        let _ = writeln!(
            out,
            "  errors: connect {}, timeout {}, reset {}, malformed {}, other {}",
            e.connect, e.timeout, e.reset, e.malformed, e.other
        );
        let pinned = self.client_pinned_cpu.map_or_else(
            || "unpinned".to_owned(),
            |cpu| format!("pinned to CPU {cpu}"),
        );
        let _ = writeln!(
            out,
            "  load generator CPU: user {:.2}s + system {:.2}s = {:.0}% of one core, {:.1} µs/request ({pinned})",
            self.client_cpu.user_s,
            self.client_cpu.system_s,
            self.client_cpu.cores_busy * 100.0,
            self.client_cpu.us_per_request
        );
        for note in &self.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        out
    }
}
