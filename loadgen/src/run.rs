//! One load run from start to finish: start the client threads, let the
//! warm-up pass, measure, then merge the threads' recorders into a
//! [`LoadReport`].
//!
//! `threads` OS threads each run their own *current-thread* tokio runtime
//! with their share of the connections (connection `i` lives on thread
//! `i % threads`): no work stealing, no cross-thread wake-ups, no locks on
//! the hot path.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::config::{Engine, LoadConfig};
use crate::connection::{Control, ThreadContext};
use crate::cpu::{CpuTime, pin_current_thread, self_cpu};
use crate::latency::LatencySummary;
use crate::progress::Progress;
use crate::recorder::Recorder;
use crate::report::{ClientCpu, LoadReport};
use crate::request::PreparedRequest;

/// What one client thread hands back: its recorder, and why pinning it
/// failed, if it did.
type ThreadResult = anyhow::Result<(Recorder, Option<String>)>;

/// Open loop: `(start, per-connection interval, total connections)`.
type OpenLoop = Option<(Instant, Duration, usize)>;

/// What the threads of one run share before they start.
#[derive(Debug, Clone)]
struct Plan {
    control: Arc<Control>,
    prepared: PreparedRequest,
    wire: Vec<u8>,
    unique_at: Vec<usize>,
    run_id: u32,
    head_request: bool,
    open_loop: OpenLoop,
}

/// Runs a load test and returns its report. Blocks until the run is over.
pub fn run(config: &LoadConfig) -> anyhow::Result<LoadReport> {
    config.validate()?;
    let threads = config.threads.min(config.connections);
    let run_start = Instant::now();
    let plan = plan(config, run_start)?;
    let mut handles = Vec::with_capacity(threads);
    for thread in 0..threads {
        handles.push(spawn_thread(config, &plan, thread, threads)?);
    }
    let (cpu_used, measured) = wait_for(config, &plan.control, &handles, run_start);
    let (merged, mut notes, pinned) = merge(config, handles)?;
    if config.stop.load(Ordering::Relaxed) {
        notes.push("stopped early (interrupted)".to_owned());
    }
    if merged.odd_statuses > 0 {
        notes.push(format!(
            "{} responses had a status code outside 0..600",
            merged.odd_statuses
        ));
    }
    Ok(report(
        config, threads, &merged, cpu_used, measured, pinned, notes,
    ))
}

/// Prepares the request once, and the limits every thread obeys.
fn plan(config: &LoadConfig, run_start: Instant) -> anyhow::Result<Plan> {
    let prepared = config.request.prepare()?;
    let (one_request, unique_at) = config.request.to_wire_with_unique();
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
    Ok(Plan {
        control,
        prepared,
        wire: one_request.repeat(config.pipeline),
        unique_at,
        // Tokens from two runs against the same server must not collide either.
        run_id: fastrand::u32(..),
        head_request: config.request.method == http::Method::HEAD,
        open_loop,
    })
}

/// Starts client thread `thread` of `threads` with its share of the
/// connections.
fn spawn_thread(
    config: &LoadConfig,
    plan: &Plan,
    thread: usize,
    threads: usize,
) -> anyhow::Result<JoinHandle<ThreadResult>> {
    let connections: Vec<usize> = (thread..config.connections).step_by(threads).collect();
    let plan = plan.clone();
    let (addr, pipeline, timeout, pin, engine) = (
        config.addr,
        config.pipeline,
        config.timeout,
        config.client_cpu,
        config.engine,
    );
    std::thread::Builder::new()
        .name(format!("load-{thread}"))
        .spawn(move || -> ThreadResult {
            let pin_error = pin.and_then(|cpu| pin_current_thread(cpu).err());
            let context = Rc::new(ThreadContext {
                control: plan.control,
                recorder: RefCell::new(Recorder::new(plan.open_loop.is_some())),
                addr,
                prepared: plan.prepared,
                wire: plan.wire,
                unique_at: plan.unique_at,
                run_id: plan.run_id,
                pipeline,
                head_request: plan.head_request,
                timeout,
                open_loop: plan.open_loop,
            });
            drive_connections(&context, connections, engine)?;
            let recorder = Rc::try_unwrap(context)
                .map(|context| context.recorder.into_inner())
                .map_err(|_| anyhow::anyhow!("connection tasks outlived their thread"))?;
            Ok((recorder, pin_error))
        })
        .context("cannot start a client thread")
}

/// Runs one thread's connections to the end on a current-thread runtime.
fn drive_connections(
    context: &Rc<ThreadContext>,
    connections: Vec<usize>,
    engine: Engine,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start a client runtime")?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let mut tasks = Vec::with_capacity(connections.len());
        for index in connections {
            let context = Rc::clone(context);
            tasks.push(match engine {
                Engine::Raw => {
                    tokio::task::spawn_local(crate::raw::connection_loop(context, index))
                }
                Engine::Hyper => {
                    tokio::task::spawn_local(crate::http1::connection_loop(context, index))
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
    Ok(())
}

/// Waits for the warm-up to pass, takes the CPU reading that opens the
/// measured part, and waits for every thread to finish. Returns the CPU
/// this process used while measuring and how long measuring took.
fn wait_for(
    config: &LoadConfig,
    control: &Control,
    handles: &[JoinHandle<ThreadResult>],
    run_start: Instant,
) -> (CpuTime, Duration) {
    let progress = Progress::new(config, run_start);
    let measure_start = control.measure_start;
    while Instant::now() < measure_start && !handles.iter().all(|h| h.is_finished()) {
        progress.tick(control);
        std::thread::sleep(
            Duration::from_millis(50).min(measure_start - Instant::now().min(measure_start)),
        );
    }
    let cpu_before = self_cpu();
    let measured_from = Instant::now().max(measure_start);
    while !handles.iter().all(|h| h.is_finished()) {
        progress.tick(control);
        // Finely once the deadline has passed: a coarse poll would add up to
        // its period to every run, a fifth of a quarter-second round.
        let to_deadline = control.deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(to_deadline.clamp(Duration::from_millis(1), Duration::from_millis(50)));
    }
    let cpu_used = self_cpu().since(&cpu_before);
    let measured = Instant::now().saturating_duration_since(measured_from);
    progress.finish();
    (cpu_used, measured)
}

/// Joins the threads and adds their recorders together; notes say which
/// threads could not be pinned.
fn merge(
    config: &LoadConfig,
    handles: Vec<JoinHandle<ThreadResult>>,
) -> anyhow::Result<(Recorder, Vec<String>, Option<usize>)> {
    let mut merged = Recorder::new(config.rate.is_some());
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
    Ok((merged, notes, pinned))
}

/// The report of a finished run.
fn report(
    config: &LoadConfig,
    threads: usize,
    merged: &Recorder,
    cpu_used: CpuTime,
    measured: Duration,
    pinned: Option<usize>,
    notes: Vec<String>,
) -> LoadReport {
    let seconds = measured.as_secs_f64().max(1e-9);
    let requests = merged.responses;
    let cpu_seconds = cpu_used.total().as_secs_f64();
    LoadReport {
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
    }
}
