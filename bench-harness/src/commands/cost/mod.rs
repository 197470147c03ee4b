//! `bench-harness cost`: what one request costs each server, in figures
//! that do not move when the machine is busy.
//!
//! Timings on a shared 2-core machine wobble by ±15%; two counts do not:
//!
//! - **instructions per request** — each server runs under callgrind
//!   ([`callgrind`]) on a current-thread runtime. One keep-alive client
//!   sends N₁ requests (warm-up: connection set up, caches filled), the
//!   server's probe cuts the profile (`mark`), the client sends N₂ − N₁
//!   more, the probe cuts again. The second part holds I(N₂) − I(N₁):
//!   exactly the instructions of the last N₂ − N₁ requests, with start-up,
//!   warm-up and shutdown cut away. A third, empty part (two marks with no
//!   request between) measures what the probe itself costs, and is
//!   subtracted.
//! - **allocations and bytes per request** — the same servers, natively,
//!   with the counting global allocator switched on ([`crate::child::probe`]): counters
//!   read before and after N requests, after a warm-up, and differenced.
//!
//! Why the cut is *inside one process* rather than the difference of two
//! runs with N₁ and N₂ requests: glibc's malloc takes a slower path for
//! some requests depending on how the heap was laid out at start-up, and
//! start-up has threads racing (the connection pool opens its connections
//! in the background), so two processes of the same server differ by up to
//! ~2% per request, while two segments of one process agree to 0.02%.
//! Differencing two processes adds both processes' noise; cutting one
//! process adds none. The process-to-process spread is still real (and
//! often two-valued: a process lands in one heap layout or another), so
//! each server runs `--repeat` times (7 by default) and the **mean** is
//! reported — a median would jump between the two values — with every run
//! and the spread in `cost.json`.
//!
//! Each server process gets a fresh copy of one pre-seeded database, so
//! every start does the same work. The harness, its client and every
//! server share **one CPU** (`--cpu`, default 0): a database request hands
//! work from the runtime thread to tokio's blocking pool and back, and on
//! two CPUs whether the runtime thread wakes up once or twice per request
//! depends on which thread the kernel runs first. On one CPU the woken
//! thread waits until the other one blocks, every time. Measured: the
//! process-to-process spread of `/db` fell from 5.6% to 1.5%.
//! And under `SCHED_FIFO` when allowed ([`crate::host::realtime`]): on a
//! busy machine other processes on that CPU would change the order again.

pub mod callgrind;
pub mod client;
mod figures;
pub mod layers;
mod measure;
pub mod render;

use std::path::PathBuf;

use anyhow::{Context, bail};
use shared_handlers::chain::Chain;

use crate::host::environment::Environment;
use crate::schema::results::EndpointTarget;
use crate::servers::{BASELINE, ServerKind};
pub use figures::{mean, per_request, per_request_from_segments, spread};

/// The endpoints measured by default: the benchmark endpoints with a fixed
/// amount of work per request (`/updates` writes, and would change the
/// database under the measurement), plus one users read.
pub const DEFAULT_ENDPOINTS: &[&str] = &[
    "plaintext",
    "json",
    "db",
    "queries",
    "fortunes",
    "users-show",
];

/// How many servers `cost` measures.
pub const SERVER_COUNT: usize = SERVERS.len();

/// The servers compared, by report name: both on the same connection layer.
const SERVERS: [(&str, ServerKind); 2] = [
    (BASELINE, ServerKind::Raw),
    ("framework", ServerKind::Framework),
];

/// Everything `cost` needs, after the command line is resolved.
#[derive(Debug, Clone)]
pub struct CostOptions {
    pub endpoints: Vec<EndpointTarget>,
    /// Requests before the measured segment (warm-up).
    pub n1: u64,
    /// Requests at the end of the measured segment.
    pub n2: u64,
    /// Server processes per endpoint and server under callgrind; the mean
    /// is reported.
    pub repeat: usize,
    /// Allocation counting: requests before counting, and counted.
    pub alloc_warmup: u64,
    pub alloc_requests: u64,
    /// The valgrind executable, or `None` to measure allocations only.
    pub valgrind: Option<String>,
    /// Functions listed per server and endpoint.
    pub top: usize,
    pub out: PathBuf,
    /// Also write `cost.json` here.
    pub json: Option<PathBuf>,
    /// Keep callgrind's profiles in `out/callgrind/` (for kcachegrind).
    pub keep_profiles: bool,
    /// The CPU the harness and its servers run on, or `None` to leave
    /// scheduling to the kernel.
    pub cpu: Option<usize>,
    /// Run under `SCHED_FIFO` when allowed ([`crate::host::realtime`]).
    pub realtime: bool,
    /// The bench-harness binary to start servers with.
    pub executable: PathBuf,
    /// Where progress goes (a bar, or lines).
    pub progress: crate::progress::Progress,
    /// What one callgrind process and one allocation count are expected
    /// to take, to move the progress bar by.
    pub progress_step: (std::time::Duration, std::time::Duration),
    /// How much of the middleware chain the servers run (`full` unless
    /// [`layers`] sets one configuration after the other).
    pub middleware: Chain,
    /// `--layers`: measure every configuration of the chain, not only
    /// `middleware`.
    pub layers: bool,
}

impl CostOptions {
    /// The planned time of the whole measurement, for a progress bar.
    pub fn planned(&self) -> std::time::Duration {
        let (callgrind, alloc) = self.progress_step;
        let per = callgrind * self.repeat.max(1) as u32 + alloc;
        let configurations = if self.layers {
            Chain::prefixes().len()
        } else {
            1
        };
        per * (self.endpoints.len() * SERVER_COUNT * configurations) as u32
    }
}

// The cost JSON's types live in `crate::schema::cost`, shared with the
// report writer that reads them.
pub use crate::schema::cost::{
    COST_SCHEMA_VERSION, CostMethod, CostReport, EndpointCost, ServerCost, TopFunction,
};

/// What is decided before the first server starts.
#[derive(Debug)]
struct Plan {
    notes: Vec<String>,
    environment: Environment,
    /// The valgrind to run, if it is there and was asked for.
    valgrind: Option<String>,
    /// Databases, logs and (unless kept) profiles; removed when dropped.
    scratch: tempfile::TempDir,
    profiles: PathBuf,
    /// The seeded database every server process gets a copy of.
    seed: PathBuf,
    /// The real-time policy, held for the measurement (normal again when
    /// dropped).
    _realtime: Option<crate::host::realtime::Realtime>,
}

/// Runs the whole measurement, writes `cost.json` and `cost.txt` into
/// `options.out` (and `options.json`), and returns the report.
pub fn run(options: &CostOptions) -> anyhow::Result<CostReport> {
    validate(options)?;
    let plan = plan(options)?;
    let (endpoints, layers) = if options.layers {
        let (endpoints, layers) = layers::measure(options, &plan)?;
        (endpoints, Some(layers))
    } else {
        (measure::measure(options, &plan)?, None)
    };
    let mut report = results(options, plan, endpoints);
    report.layers = layers;
    write(options, &report)?;
    Ok(report)
}

fn validate(options: &CostOptions) -> anyhow::Result<()> {
    if options.n2 <= options.n1 {
        bail!(
            "--n2 ({}) must be larger than --n1 ({})",
            options.n2,
            options.n1
        );
    }
    if options.alloc_requests == 0 {
        bail!("--alloc-requests must be at least 1");
    }
    Ok(())
}

/// Pins this process (children inherit it), finds valgrind, and seeds the
/// database.
fn plan(options: &CostOptions) -> anyhow::Result<Plan> {
    let mut notes = Vec::new();
    // Before anything else: threads and children inherit the affinity.
    if let Some(cpu) = options.cpu {
        match loadgen::cpu::pin_current_thread(cpu) {
            Ok(()) => notes.push(format!("harness, client and servers pinned to CPU {cpu}")),
            Err(e) => {
                eprintln!("warning: {e}; running unpinned");
                notes.push(format!(
                    "could not pin to CPU {cpu} ({e}): instruction counts of database endpoints vary more"
                ));
            }
        }
    }
    // Also before: the servers and their threads inherit the policy.
    let realtime = options.realtime.then(|| {
        crate::host::realtime::enter_with(crate::host::realtime::Policy::Fifo, "callgrind runs")
    });
    notes.extend(realtime.as_ref().map(|r| r.note.clone()));
    let mut environment = Environment::capture();
    if environment.build_profile == "debug" {
        notes.push(
            "debug build: instruction counts are not representative; run with --release".to_owned(),
        );
    }
    let valgrind = find_valgrind(options, &mut environment, &mut notes);
    let scratch = tempfile::Builder::new()
        .prefix("bench-harness-cost-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let profiles = if options.keep_profiles {
        options.out.join("callgrind")
    } else {
        scratch.path().join("callgrind")
    };
    std::fs::create_dir_all(&profiles)
        .with_context(|| format!("cannot create {}", profiles.display()))?;
    let seed = measure::seed_database(scratch.path())?;
    Ok(Plan {
        notes,
        environment,
        valgrind,
        scratch,
        profiles,
        seed,
        _realtime: realtime,
    })
}

/// The valgrind to use, with its version in the environment; or `None`
/// with a note saying why instructions are not measured.
fn find_valgrind(
    options: &CostOptions,
    environment: &mut Environment,
    notes: &mut Vec<String>,
) -> Option<String> {
    match &options.valgrind {
        None => {
            notes.push("--no-valgrind: instructions per request not measured".to_owned());
            None
        }
        Some(valgrind) => match callgrind::ensure_valgrind(valgrind) {
            Ok(version) => {
                environment
                    .tool_versions
                    .insert("valgrind".to_owned(), version);
                Some(valgrind.clone())
            }
            Err(message) => {
                eprintln!("warning: {message}");
                notes.push(message);
                None
            }
        },
    }
}

/// The `cost.json` document of a finished measurement.
fn results(options: &CostOptions, plan: Plan, endpoints: Vec<EndpointCost>) -> CostReport {
    CostReport {
        schema_version: COST_SCHEMA_VERSION,
        kind: "cost".to_owned(),
        created: crate::output::timestamp(),
        environment: plan.environment,
        method: CostMethod {
            instructions: format!(
                "valgrind --tool=callgrind, current-thread runtime, one keep-alive connection, \
                 sequential requests; the profile is cut after request {} and after request {} \
                 inside one server process, so the segment holds I(N2) - I(N1); the probe's own \
                 cost (an empty segment) is subtracted; divided by N2 - N1; mean of {} processes",
                options.n1,
                options.n2,
                options.repeat.max(1)
            ),
            allocations: format!(
                "counting global allocator in the server process (alloc + alloc_zeroed + realloc \
                 calls, and the bytes they asked for), current-thread runtime, counters read after \
                 {} warm-up requests and after {} more, differenced and divided by {}",
                options.alloc_warmup, options.alloc_requests, options.alloc_requests
            ),
            n1: options.n1,
            n2: options.n2,
            repeat: options.repeat.max(1),
            alloc_warmup: options.alloc_warmup,
            alloc_requests: options.alloc_requests,
        },
        endpoints,
        notes: plan.notes,
        layers: None,
    }
}

/// `cost.json` (and `--json`), and `cost.txt` with the top functions.
fn write(options: &CostOptions, report: &CostReport) -> anyhow::Result<()> {
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    report.write_json(&options.out.join("cost.json"))?;
    if let Some(path) = &options.json {
        report.write_json(path)?;
    }
    let text = render::table(report) + &layers::table(report) + &render::top_functions(report);
    std::fs::write(options.out.join("cost.txt"), text)
        .with_context(|| format!("cannot write {}", options.out.display()))
}

#[cfg(test)]
mod tests;
