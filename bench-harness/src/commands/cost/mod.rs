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
//!   with the counting global allocator switched on ([`probe`]): counters
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

pub mod callgrind;
pub mod client;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;

use crate::child::probe::{self, AllocCounts};
use crate::child::process::{LaunchOptions, LaunchSpec, ServerProcess};
use crate::host::environment::Environment;
use crate::schema::results::EndpointTarget;
use crate::servers::ServerKind;
use client::SequentialClient;
use loadgen::request::RequestSpec;

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

/// The servers compared, by report name: both on the same connection layer.
const SERVERS: [(&str, ServerKind); 2] = [
    (crate::servers::BASELINE, ServerKind::Raw),
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
    /// The bench-harness binary to start servers with.
    pub executable: PathBuf,
}

// The cost JSON's types live in `crate::schema::cost`, shared with the
// report writer that reads them.
pub use crate::schema::cost::{
    COST_SCHEMA_VERSION, CostMethod, CostReport, EndpointCost, ServerCost, TopFunction,
};

impl CostReport {
    /// The terminal table: per endpoint, instructions and allocations of
    /// both servers, with the framework's difference and ratio.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "cost per request: instructions (callgrind, mean of {} processes, requests {}..{}), allocations (counting allocator, {} requests)",
            self.method.repeat.max(1),
            self.method.n1 + 1,
            self.method.n2,
            self.method.alloc_requests
        );
        let _ = writeln!(
            out,
            "{:<12} {:>10} {:>10} {:>10} {:>7} {:>8} {:>8} {:>9} {:>9} {:>7}",
            "endpoint",
            "instr raw",
            "instr fw",
            "fw - raw",
            "fw/raw",
            "allocs",
            "allocs",
            "bytes",
            "bytes",
            "spread"
        );
        let _ = writeln!(
            out,
            "{:<12} {:>10} {:>10} {:>10} {:>7} {:>8} {:>8} {:>9} {:>9} {:>7}",
            "", "", "", "", "", "raw", "fw", "raw", "fw", "instr"
        );
        for endpoint in &self.endpoints {
            let raw = endpoint.servers.get("raw");
            let framework = endpoint.servers.get("framework");
            let instr = |s: Option<&ServerCost>| s.and_then(|s| s.instructions_per_request);
            let (raw_i, fw_i) = (instr(raw), instr(framework));
            let difference = raw_i.zip(fw_i).map(|(r, f)| f - r);
            let ratio = raw_i
                .zip(fw_i)
                .filter(|(r, _)| *r > 0.0)
                .map(|(r, f)| f / r);
            let allocs = |s: Option<&ServerCost>| s.and_then(|s| s.allocations_per_request);
            let bytes = |s: Option<&ServerCost>| s.and_then(|s| s.bytes_allocated_per_request);
            // The largest process-to-process spread of the two servers.
            let spread = [raw, framework]
                .into_iter()
                .flatten()
                .filter_map(|s| spread(&s.instructions_per_request_runs))
                .fold(None, |max: Option<f64>, s| {
                    Some(max.map_or(s, |m| m.max(s)))
                });
            let _ = writeln!(
                out,
                "{:<12} {:>10} {:>10} {:>10} {:>7} {:>8} {:>8} {:>9} {:>9} {:>7}",
                endpoint.endpoint,
                count(raw_i),
                count(fw_i),
                difference.map_or_else(
                    || "-".to_owned(),
                    |d| if d >= 0.0 {
                        format!("+{}", count(Some(d)))
                    } else {
                        count(Some(d))
                    }
                ),
                ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x")),
                decimal(allocs(raw)),
                decimal(allocs(framework)),
                count(bytes(raw)),
                count(bytes(framework)),
                spread.map_or_else(|| "-".to_owned(), |s| format!("{:.2}%", s * 100.0)),
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }

    /// The top functions of every endpoint and server, for `cost.txt`.
    pub fn render_top_functions(&self) -> String {
        let mut out = String::new();
        for endpoint in &self.endpoints {
            for (server, cost) in &endpoint.servers {
                if cost.top_functions.is_empty() {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "\n{} on {}: inclusive instructions per request (of {})",
                    endpoint.endpoint,
                    server,
                    count(cost.instructions_per_request)
                );
                for function in &cost.top_functions {
                    let _ = writeln!(
                        out,
                        "  {:>10}  {}",
                        count(Some(function.inclusive_instructions_per_request)),
                        shorten(&function.function, 110)
                    );
                }
            }
        }
        out
    }
}

/// `12,345` (rounded), or `-`.
fn count(value: Option<f64>) -> String {
    let Some(value) = value else {
        return "-".to_owned();
    };
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < -0.5 {
        grouped.insert(0, '-');
    }
    grouped
}

/// `15.0`, or `-`.
fn decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
}

/// Long generic Rust names cut in the middle, keeping both ends.
fn shorten(name: &str, max: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        return name.to_owned();
    }
    let keep = (max - 1) / 2;
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{head}…{tail}")
}

/// The arithmetic mean, or `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// (max − min) / mean of a set of runs, when there are two or more.
pub fn spread(runs: &[f64]) -> Option<f64> {
    if runs.len() < 2 {
        return None;
    }
    let mean = mean(runs)?;
    let max = runs.iter().copied().fold(f64::MIN, f64::max);
    let min = runs.iter().copied().fold(f64::MAX, f64::min);
    (mean > 0.0).then(|| (max - min) / mean)
}

// ANCHOR: differencing
/// (I(N₂) − I(N₁)) / (N₂ − N₁): the cost of one request from two cumulative
/// counts taken after N₁ and after N₂ requests. Everything before the N₁th
/// request (start-up, warm-up) is in both counts and cancels.
pub fn per_request(count_at_n1: u64, count_at_n2: u64, n1: u64, n2: u64) -> anyhow::Result<f64> {
    if n2 <= n1 {
        bail!("N2 ({n2}) must be larger than N1 ({n1})");
    }
    if count_at_n2 < count_at_n1 {
        bail!("the count went down from {count_at_n1} to {count_at_n2}: not cumulative counts");
    }
    Ok((count_at_n2 - count_at_n1) as f64 / (n2 - n1) as f64)
}

/// The same from callgrind's parts: the measured segment holds
/// I(N₂) − I(N₁) already, plus the probe's own cost, which an empty segment
/// (no request between two marks) measures and which is taken off.
pub fn per_request_from_segments(
    segment: u64,
    empty_segment: u64,
    n1: u64,
    n2: u64,
) -> anyhow::Result<f64> {
    per_request(empty_segment, segment.max(empty_segment), n1, n2)
}
// ANCHOR_END: differencing

/// One server on one endpoint: what one callgrind run measured.
#[derive(Debug, Clone)]
struct InstructionRun {
    per_request: f64,
    /// The measured part of the profile, and its total.
    segment: PathBuf,
    segment_total: u64,
}

/// Runs the whole measurement, writes `cost.json` and `cost.txt` into
/// `options.out` (and `options.json`), and returns the report.
pub fn run(options: &CostOptions) -> anyhow::Result<CostReport> {
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
    let stop = crate::interrupt_flag();
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
    let mut environment = Environment::capture();
    if environment.build_profile == "debug" {
        notes.push(
            "debug build: instruction counts are not representative; run with --release".to_owned(),
        );
    }
    let valgrind = match &options.valgrind {
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
    };

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
    let seed = seed_database(scratch.path())?;

    let mut endpoints = Vec::new();
    for endpoint in &options.endpoints {
        let mut servers = BTreeMap::new();
        for (name, kind) in SERVERS {
            if stop.load(Ordering::SeqCst) {
                bail!("interrupted; servers stopped, nothing written");
            }
            let mut cost = ServerCost::default();
            let started = Instant::now();
            let allocations =
                measure_allocations(options, endpoint, name, kind, scratch.path(), &seed)
                    .with_context(|| format!("allocations of {} on {name}", endpoint.name))?;
            let requests = options.alloc_requests as f64;
            cost.allocations_per_request = Some(allocations.allocations as f64 / requests);
            cost.bytes_allocated_per_request = Some(allocations.bytes_allocated as f64 / requests);
            cost.deallocations_per_request = Some(allocations.deallocations as f64 / requests);
            cost.reallocations_per_request = Some(allocations.reallocations as f64 / requests);
            eprintln!(
                "{:<12} {:<10} allocations: {:.2}/request, {:.0} bytes/request ({:.1}s)",
                endpoint.name,
                name,
                allocations.allocations as f64 / requests,
                allocations.bytes_allocated as f64 / requests,
                started.elapsed().as_secs_f64()
            );
            if let Some(valgrind) = &valgrind {
                let mut runs = Vec::new();
                for repetition in 1..=options.repeat.max(1) {
                    if stop.load(Ordering::SeqCst) {
                        bail!("interrupted; servers stopped, nothing written");
                    }
                    let started = Instant::now();
                    let run = measure_instructions(
                        options,
                        endpoint,
                        (name, kind),
                        valgrind,
                        &profiles,
                        repetition,
                        (scratch.path(), &seed),
                    )
                    .with_context(|| {
                        format!(
                            "instructions of {} on {name}, run {repetition}",
                            endpoint.name
                        )
                    })?;
                    eprintln!(
                        "{:<12} {:<10} instructions run {repetition}/{}: {:.0}/request ({:.1}s)",
                        endpoint.name,
                        name,
                        options.repeat.max(1),
                        run.per_request,
                        started.elapsed().as_secs_f64()
                    );
                    runs.push(run);
                }
                let figures: Vec<f64> = runs.iter().map(|r| r.per_request).collect();
                let mean = mean(&figures);
                cost.instructions_per_request = mean;
                // The functions of the run closest to the mean (annotating
                // takes a while, so only that one is).
                if options.top > 0
                    && let Some(mean) = mean
                    && let Some(closest) = runs.iter().min_by(|a, b| {
                        (a.per_request - mean)
                            .abs()
                            .total_cmp(&(b.per_request - mean).abs())
                    })
                {
                    let costs = callgrind::annotate(&closest.segment)?;
                    cost.top_functions = callgrind::top_functions(
                        &costs,
                        closest.segment_total,
                        options.n2 - options.n1,
                        options.top,
                    );
                }
                cost.instructions_per_request_runs = figures;
            }
            servers.insert(name.to_owned(), cost);
        }
        endpoints.push(EndpointCost {
            endpoint: endpoint.name.clone(),
            method: endpoint.method.clone(),
            target: endpoint.target.clone(),
            servers,
        });
    }

    let report = CostReport {
        schema_version: COST_SCHEMA_VERSION,
        kind: "cost".to_owned(),
        created: crate::output::timestamp(),
        environment,
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
        notes,
    };
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    report.write_json(&options.out.join("cost.json"))?;
    if let Some(path) = &options.json {
        report.write_json(path)?;
    }
    let text = report.render_table() + &report.render_top_functions();
    std::fs::write(options.out.join("cost.txt"), text)
        .with_context(|| format!("cannot write {}", options.out.display()))?;
    Ok(report)
}

/// Creates and seeds one database, in this process, and closes it (so its
/// write-ahead log is folded into the file). Every server gets a copy.
fn seed_database(folder: &Path) -> anyhow::Result<PathBuf> {
    let path = folder.join("seed.sqlite3");
    let state = shared_handlers::AppState::open(&path)
        .with_context(|| format!("cannot seed {}", path.display()))?;
    drop(state);
    Ok(path)
}

/// A fresh copy of the seeded database for one server process.
fn copy_database(seed: &Path, folder: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let copy = folder.join(format!("{name}.sqlite3"));
    std::fs::copy(seed, &copy).with_context(|| format!("cannot copy {}", seed.display()))?;
    // A write-ahead log exists only if closing the seeded database left one
    // behind; it is part of the database, so it travels with it.
    let log = |path: &Path| {
        let mut name = path.as_os_str().to_owned();
        name.push("-wal");
        PathBuf::from(name)
    };
    if log(seed).exists() {
        std::fs::copy(log(seed), log(&copy))
            .with_context(|| format!("cannot copy {}", log(seed).display()))?;
    }
    Ok(copy)
}

fn launch_spec(
    options: &CostOptions,
    name: &str,
    kind: ServerKind,
    folder: &Path,
    database: PathBuf,
    label: &str,
) -> LaunchSpec {
    LaunchSpec {
        name: name.to_owned(),
        kind,
        serve_mode: ServeMode::Hyper,
        // One thread: the order of work is the same in every run, which is
        // what makes instruction counts repeatable.
        runtime: RuntimeFlavor::CurrentThread,
        workers: 1,
        cpu: None,
        database,
        log: folder.join(format!("{label}.log")),
        executable: options.executable.clone(),
    }
}

fn request_for(endpoint: &EndpointTarget, server: &ServerProcess) -> anyhow::Result<RequestSpec> {
    let mut request = RequestSpec::get(&server.addr.to_string(), &endpoint.target);
    request.method = http::Method::from_bytes(endpoint.method.as_bytes())
        .with_context(|| format!("invalid method {}", endpoint.method))?;
    if let Some(body) =
        shared_handlers::catalogue::by_name(&endpoint.name).and_then(|e| e.request_body)
    {
        request.body = bytes::Bytes::from_static(body.example.as_bytes());
        request.headers.push((
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(body.content_type),
        ));
    }
    Ok(request)
}

/// How long the last response's clean-up may still be running in the
/// server when the client already has the response.
const SETTLE: Duration = Duration::from_millis(20);

/// Allocation counters before and after `alloc_requests` requests.
fn measure_allocations(
    options: &CostOptions,
    endpoint: &EndpointTarget,
    name: &str,
    kind: ServerKind,
    folder: &Path,
    seed: &Path,
) -> anyhow::Result<AllocCounts> {
    let label = format!("{}-{name}-alloc", endpoint.name);
    let database = copy_database(seed, folder, &label)?;
    let spec = launch_spec(options, name, kind, folder, database, &label);
    let launch = LaunchOptions {
        probe: true,
        ..LaunchOptions::default()
    };
    let mut server = ServerProcess::launch_with(&spec, &launch)?;
    probe::send(&mut server, probe::COUNT_ON)?;
    let request = request_for(endpoint, &server)?;
    let mut client = SequentialClient::connect(server.addr, &request)?;
    client.send(options.alloc_warmup)?;
    std::thread::sleep(SETTLE);
    let before = probe::send(&mut server, probe::COUNTS)?;
    client.send(options.alloc_requests)?;
    std::thread::sleep(SETTLE);
    let after = probe::send(&mut server, probe::COUNTS)?;
    drop(client);
    server.stop();
    let spent = after.since(&before);
    if spent.allocations == 0 {
        bail!(
            "no allocation was counted in {} requests: is the counting allocator installed in {}?",
            options.alloc_requests,
            options.executable.display()
        );
    }
    Ok(spent)
}

/// How long a server under callgrind may take to start (seeding is done,
/// but priming the cache reads 10,000 rows on the simulated CPU).
const CALLGRIND_STARTUP: Duration = Duration::from_secs(300);
/// How long it may take to shut down and write its profile.
const CALLGRIND_STOP: Duration = Duration::from_secs(120);

/// One server process under callgrind: N₁ requests, mark, N₂ − N₁ requests,
/// mark, mark (the empty segment), stop.
fn measure_instructions(
    options: &CostOptions,
    endpoint: &EndpointTarget,
    (name, kind): (&str, ServerKind),
    valgrind: &str,
    profiles: &Path,
    repetition: usize,
    (folder, seed): (&Path, &Path),
) -> anyhow::Result<InstructionRun> {
    let label = format!("{}-{name}-{repetition}", endpoint.name);
    let profile = profiles.join(format!("{label}.callgrind"));
    let database = copy_database(seed, folder, &label)?;
    let spec = launch_spec(options, name, kind, folder, database, &label);
    let launch = LaunchOptions {
        wrapper: callgrind::wrapper(valgrind, &profile),
        probe: true,
        startup_timeout: CALLGRIND_STARTUP,
        stop_timeout: CALLGRIND_STOP,
    };
    let mut server = ServerProcess::launch_with(&spec, &launch)?;
    let request = request_for(endpoint, &server)?;
    let mut client = SequentialClient::connect(server.addr, &request)?;
    client.send(options.n1)?;
    std::thread::sleep(SETTLE);
    probe::send(&mut server, probe::MARK)?; // part 1: start-up and warm-up
    client.send(options.n2 - options.n1)?;
    std::thread::sleep(SETTLE);
    probe::send(&mut server, probe::MARK)?; // part 2: the measured requests
    std::thread::sleep(SETTLE);
    probe::send(&mut server, probe::MARK)?; // part 3: nothing, the probe's cost
    drop(client);
    let status = server.terminate();
    if !status.is_some_and(|s| s.success()) {
        bail!(
            "the server under callgrind did not exit cleanly ({status:?}); its log ends with:\n{}",
            server.log_tail()
        );
    }
    let read = |part: usize| -> anyhow::Result<u64> {
        let path = callgrind::part_path(&profile, part);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("callgrind wrote no {}", path.display()))?;
        callgrind::total_instructions(&text).with_context(|| format!("in {}", path.display()))
    };
    let (segment, empty) = (read(2)?, read(3)?);
    Ok(InstructionRun {
        per_request: per_request_from_segments(segment, empty, options.n1, options.n2)?,
        segment: callgrind::part_path(&profile, 2),
        segment_total: segment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differencing_cancels_what_both_counts_share() {
        // Start-up costs 1,000,000; each request 7,500.
        let at = |n: u64| 1_000_000 + 7_500 * n;
        assert_eq!(
            per_request(at(1000), at(3000), 1000, 3000).expect("valid"),
            7_500.0
        );
        assert_eq!(per_request(at(0), at(1), 0, 1).expect("valid"), 7_500.0);
    }

    #[test]
    fn differencing_refuses_counts_that_cannot_be_cumulative() {
        assert!(per_request(10, 20, 5, 5).is_err());
        assert!(per_request(10, 20, 6, 5).is_err());
        assert!(per_request(20, 10, 1, 2).is_err());
    }

    #[test]
    fn the_empty_segment_is_taken_off_the_measured_one() {
        // 2,000 requests of 11,200 instructions, plus 3,000 for the probe.
        let per =
            per_request_from_segments(2_000 * 11_200 + 3_000, 3_000, 500, 2_500).expect("valid");
        assert_eq!(per, 11_200.0);
    }

    #[test]
    fn spread_is_range_over_mean() {
        assert_eq!(spread(&[100.0]), None);
        let s = spread(&[99.0, 100.0, 101.0]).expect("three runs");
        assert!((s - 0.02).abs() < 1e-12);
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[16_736.0, 16_890.0]), Some(16_813.0));
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(Some(1_234_567.4)), "1,234,567");
        assert_eq!(count(Some(999.0)), "999");
        assert_eq!(count(Some(-4_361.0)), "-4,361");
        assert_eq!(count(None), "-");
    }

    fn sample_report() -> CostReport {
        let mut servers = BTreeMap::new();
        servers.insert(
            "raw".to_owned(),
            ServerCost {
                instructions_per_request: Some(7_512.3),
                allocations_per_request: Some(6.0),
                bytes_allocated_per_request: Some(812.0),
                top_functions: vec![TopFunction {
                    function: "hyper::proto::h1::role::Server::encode".to_owned(),
                    inclusive_instructions_per_request: 1_234.5,
                }],
                instructions_per_request_runs: vec![7_512.3, 7_511.0, 7_515.2],
                deallocations_per_request: Some(6.0),
                reallocations_per_request: Some(0.0),
            },
        );
        servers.insert(
            "framework".to_owned(),
            ServerCost {
                instructions_per_request: Some(11_873.1),
                allocations_per_request: Some(15.0),
                bytes_allocated_per_request: Some(1_530.0),
                ..ServerCost::default()
            },
        );
        CostReport {
            schema_version: COST_SCHEMA_VERSION,
            kind: "cost".to_owned(),
            created: "2026-11-25T16:30:00Z".to_owned(),
            environment: Environment::capture(),
            method: CostMethod {
                instructions: "callgrind".to_owned(),
                allocations: "counting allocator".to_owned(),
                n1: 500,
                n2: 2500,
                repeat: 7,
                alloc_warmup: 500,
                alloc_requests: 10_000,
            },
            endpoints: vec![EndpointCost {
                endpoint: "json".to_owned(),
                method: "GET".to_owned(),
                target: "/json".to_owned(),
                servers,
            }],
            notes: Vec::new(),
        }
    }

    #[test]
    fn the_cost_json_survives_a_round_trip_with_the_shared_field_names() {
        let report = sample_report();
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("cost.json");
        report.write_json(&path).expect("writes");

        // The field names the report writer relies on.
        let value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("reads")).expect("json");
        assert_eq!(value["kind"], "cost");
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["method"]["n2"], 2500);
        let raw = &value["endpoints"][0]["servers"]["raw"];
        assert_eq!(raw["instructions_per_request"], 7_512.3);
        assert_eq!(raw["allocations_per_request"], 6.0);
        assert_eq!(raw["bytes_allocated_per_request"], 812.0);
        assert_eq!(
            raw["top_functions"][0]["inclusive_instructions_per_request"],
            1_234.5
        );
        assert!(value["environment"]["cpu_model"].is_string());
        // Not measured is null, not absent and not zero.
        let framework = &value["endpoints"][0]["servers"]["framework"];
        assert!(framework["deallocations_per_request"].is_null());

        let back = CostReport::read(&path).expect("reads back");
        assert_eq!(
            back.endpoints[0].servers["raw"]
                .instructions_per_request_runs
                .len(),
            3
        );
        assert_eq!(
            back.endpoints[0].servers["framework"].instructions_per_request,
            Some(11_873.1)
        );
    }

    #[test]
    fn a_minimal_cost_json_from_another_writer_is_read() {
        // Only the fields of the shared interface; `null` where not measured.
        let text = r#"{
          "schema_version": 1, "kind": "cost", "created": "2026-11-25T16:30:00Z",
          "environment": {"cpu_model": "x", "logical_cpus": 2, "allowed_cpus": [0, 1],
            "kernel": "6", "rustc": "rustc", "build_profile": "release",
            "crate_versions": {}, "git_commit": "unknown", "tool_versions": {}},
          "method": {"instructions": "i", "allocations": "a", "n1": 2000, "n2": 6000},
          "endpoints": [{"endpoint": "json", "method": "GET", "target": "/json",
            "servers": {"raw": {"instructions_per_request": null,
              "allocations_per_request": 6.0, "bytes_allocated_per_request": 812.0,
              "top_functions": []}}}]
        }"#;
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("cost.json");
        std::fs::write(&path, text).expect("writes");
        let report = CostReport::read(&path).expect("reads");
        assert_eq!(
            report.endpoints[0].servers["raw"].instructions_per_request,
            None
        );
        assert_eq!(
            report.endpoints[0].servers["raw"].allocations_per_request,
            Some(6.0)
        );
    }

    #[test]
    fn other_kinds_and_newer_schemas_are_refused() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("cost.json");
        let mut report = sample_report();
        report.kind = "compare".to_owned();
        report.write_json(&path).expect("writes");
        assert!(CostReport::read(&path).is_err());
        let mut report = sample_report();
        report.schema_version = COST_SCHEMA_VERSION + 1;
        report.write_json(&path).expect("writes");
        assert!(CostReport::read(&path).is_err());
    }

    #[test]
    fn the_table_shows_difference_ratio_and_both_sides() {
        let table = sample_report().render_table();
        let row = table
            .lines()
            .find(|line| line.starts_with("json"))
            .expect("a json row");
        for expected in [
            "7,512", "11,873", "+4,361", "1.58x", "6.0", "15.0", "812", "1,530",
        ] {
            assert!(row.contains(expected), "`{expected}` missing from `{row}`");
        }
        let functions = sample_report().render_top_functions();
        assert!(functions.contains("hyper::proto::h1::role::Server::encode"));
    }
}
