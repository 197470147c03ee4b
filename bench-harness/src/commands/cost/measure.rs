//! `cost`'s measurement: for each endpoint and server, allocations counted
//! in one native process, then instructions counted in `--repeat`
//! processes under callgrind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;
use loadgen::request::RequestSpec;

use super::client::SequentialClient;
use super::figures::{mean, per_request_from_segments};
use super::{CostOptions, EndpointCost, Plan, SERVERS, ServerCost, callgrind};
use crate::child::probe::{self, AllocCounts};
use crate::child::process::{LaunchOptions, LaunchSpec, ServerProcess};
use crate::schema::results::EndpointTarget;
use crate::servers::ServerKind;

/// Both servers on every endpoint.
pub(super) fn measure(options: &CostOptions, plan: &Plan) -> anyhow::Result<Vec<EndpointCost>> {
    let stop = crate::interrupt_flag();
    let mut endpoints = Vec::new();
    for endpoint in &options.endpoints {
        let mut servers = BTreeMap::new();
        for (name, kind) in SERVERS {
            if stop.load(Ordering::SeqCst) {
                bail!("interrupted; servers stopped, nothing written");
            }
            let mut cost = allocations(options, plan, endpoint, (name, kind))?;
            if let Some(valgrind) = &plan.valgrind {
                instructions(options, plan, endpoint, (name, kind), valgrind, &mut cost)?;
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
    Ok(endpoints)
}

/// The allocation figures of one server on one endpoint.
fn allocations(
    options: &CostOptions,
    plan: &Plan,
    endpoint: &EndpointTarget,
    (name, kind): (&str, ServerKind),
) -> anyhow::Result<ServerCost> {
    let mut cost = ServerCost::default();
    let started = Instant::now();
    options.progress.doing(&format!(
        "{} on {name}, counting allocations",
        endpoint.name
    ));
    let allocations = measure_allocations(
        options,
        endpoint,
        name,
        kind,
        plan.scratch.path(),
        &plan.seed,
    )
    .with_context(|| format!("allocations of {} on {name}", endpoint.name))?;
    let requests = options.alloc_requests as f64;
    cost.allocations_per_request = Some(allocations.allocations as f64 / requests);
    cost.bytes_allocated_per_request = Some(allocations.bytes_allocated as f64 / requests);
    cost.deallocations_per_request = Some(allocations.deallocations as f64 / requests);
    cost.reallocations_per_request = Some(allocations.reallocations as f64 / requests);
    options.progress.advance(options.progress_step.1);
    options.progress.line(&format!(
        "{:<12} {:<10} allocations: {:.2}/request, {:.0} bytes/request ({:.1}s)",
        endpoint.name,
        name,
        allocations.allocations as f64 / requests,
        allocations.bytes_allocated as f64 / requests,
        started.elapsed().as_secs_f64()
    ));
    Ok(cost)
}

/// The instruction figures of one server on one endpoint: `--repeat`
/// processes, their mean, and the top functions of the run closest to it.
fn instructions(
    options: &CostOptions,
    plan: &Plan,
    endpoint: &EndpointTarget,
    (name, kind): (&str, ServerKind),
    valgrind: &str,
    cost: &mut ServerCost,
) -> anyhow::Result<()> {
    let stop = crate::interrupt_flag();
    let mut runs = Vec::new();
    for repetition in 1..=options.repeat.max(1) {
        if stop.load(Ordering::SeqCst) {
            bail!("interrupted; servers stopped, nothing written");
        }
        let started = Instant::now();
        options.progress.doing(&format!(
            "{} on {name}, callgrind {repetition}/{}",
            endpoint.name,
            options.repeat.max(1)
        ));
        let run = measure_instructions(
            options,
            endpoint,
            (name, kind),
            valgrind,
            &plan.profiles,
            repetition,
            (plan.scratch.path(), &plan.seed),
        )
        .with_context(|| {
            format!(
                "instructions of {} on {name}, run {repetition}",
                endpoint.name
            )
        })?;
        options.progress.advance(options.progress_step.0);
        options.progress.line(&format!(
            "{:<12} {:<10} instructions run {repetition}/{}: {:.0}/request, {:.0} outside the allocator ({:.1}s)",
            endpoint.name,
            name,
            options.repeat.max(1),
            run.per_request,
            run.outside_allocator,
            started.elapsed().as_secs_f64()
        ));
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
    let outside: Vec<f64> = runs.iter().map(|r| r.outside_allocator).collect();
    cost.instructions_outside_allocator_per_request = super::figures::mean(&outside);
    cost.instructions_outside_allocator_per_request_runs = outside;
    Ok(())
}

/// One server on one endpoint: what one callgrind run measured.
#[derive(Debug, Clone)]
struct InstructionRun {
    per_request: f64,
    /// The same without the instructions inside the C allocator.
    outside_allocator: f64,
    /// The measured part of the profile, and its total.
    segment: PathBuf,
    segment_total: u64,
}

/// Creates and seeds one database, in this process, and closes it (so its
/// write-ahead log is folded into the file). Every server gets a copy.
pub(super) fn seed_database(folder: &Path) -> anyhow::Result<PathBuf> {
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

/// `--middleware CHAIN` for the server child: always spelled out, so an
/// exported `FRAMEWORTH_MIDDLEWARE` cannot change what is measured.
fn middleware_args(options: &CostOptions) -> Vec<std::ffi::OsString> {
    vec!["--middleware".into(), options.middleware.to_string().into()]
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
    let label = format!("{}-{name}-{}-alloc", endpoint.name, options.middleware);
    let database = copy_database(seed, folder, &label)?;
    let spec = launch_spec(options, name, kind, folder, database, &label);
    let launch = LaunchOptions {
        probe: true,
        extra_args: middleware_args(options),
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
    let label = format!(
        "{}-{name}-{}-{repetition}",
        endpoint.name, options.middleware
    );
    let profile = profiles.join(format!("{label}.callgrind"));
    let database = copy_database(seed, folder, &label)?;
    let spec = launch_spec(options, name, kind, folder, database, &label);
    let launch = LaunchOptions {
        wrapper: callgrind::wrapper(valgrind, &profile),
        probe: true,
        startup_timeout: CALLGRIND_STARTUP,
        stop_timeout: CALLGRIND_STOP,
        extra_args: middleware_args(options),
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
    let allocator =
        |part: usize| callgrind::allocator_instructions(&callgrind::part_path(&profile, part));
    let (segment_allocator, empty_allocator) = (allocator(2)?, allocator(3)?);
    Ok(InstructionRun {
        per_request: per_request_from_segments(segment, empty, options.n1, options.n2)?,
        outside_allocator: per_request_from_segments(
            segment.saturating_sub(segment_allocator),
            empty.saturating_sub(empty_allocator),
            options.n1,
            options.n2,
        )?,
        segment: callgrind::part_path(&profile, 2),
        segment_total: segment,
    })
}
