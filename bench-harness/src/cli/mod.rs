//! The command line: `load`, `compare`, `calibrate`, `cost`, `io-sweep`, `scale`, `report`, and two hidden
//! subcommands the harness uses to start its own children (`serve`,
//! `exec-pinned`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use connection_layer::RuntimeFlavor;

use crate::child::database::DatabaseChoice;
use crate::child::serve::ServeArgs;
use crate::commands::calibrate::CalibrateOptions;
use crate::output::shown_path;
use crate::servers::Suite;
use crate::stats::DEFAULT_SEED;
use compare_options::compare_options;
use loadgen::Engine;
use loadgen::cli::duration;

mod compare_options;

/// frameworth's measuring instrument: load generator, raw-vs-framework
/// comparison, and calibration against wrk.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load one URL and report throughput, latency, errors and own CPU.
    Load(loadgen::cli::LoadArgs),
    /// Start raw-server and framework-server and compare them (the main job).
    Compare(CompareArgs),
    /// Check the load generator against wrk on the same server.
    Calibrate(CalibrateArgs),
    /// Instructions (callgrind) and heap allocations per request, both servers.
    Cost(CostArgs),
    /// Both servers at a fixed open-loop rate while the I/O behind each
    /// request grows (upstream delay, SQLite, PostgreSQL): the framework's share.
    IoSweep(crate::commands::io_sweep::IoSweepArgs),
    /// Both servers in each runtime flavour, then N instances behind nginx
    /// sharing one PostgreSQL: req/s, CPU per request, the framework tax.
    Scale(crate::commands::scale::ScaleArgs),
    /// Write a report (index.html, report.md, results.json) from compare's
    /// results, with cost and criterion figures when present.
    Report(ReportArgs),
    /// Run a server in this process (how compare starts its children).
    #[command(hide = true)]
    Serve(ServeArgs),
    /// Pin to a CPU, then exec a command (how calibrate pins wrk).
    #[command(hide = true)]
    ExecPinned(ExecPinnedArgs),
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Catalogue endpoint names, comma separated; `name=/target` overrides
    /// the request target [default: plaintext,json,db,queries,fortunes
    /// (+ users endpoints once they exist)]
    #[arg(long, value_delimiter = ',')]
    pub endpoints: Option<Vec<String>>,
    /// Connections per round.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Client threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Measured rounds per server and endpoint [default: 112; --quick: 48]
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Length of one round [default: 125ms]
    #[arg(long, value_parser = duration)]
    pub duration: Option<Duration>,
    /// Warm-up per server and endpoint [default: 500ms]
    #[arg(long, value_parser = duration)]
    pub warmup: Option<Duration>,
    /// Disturbed rounds (other processes took over a tenth of the server's
    /// core) measured again, at most, per endpoint [default: rounds / 8]
    #[arg(long)]
    pub repeat_disturbed: Option<usize>,
    /// Skip the cost phase (instructions and allocations per request).
    #[arg(long)]
    pub no_cost: bool,
    /// Leave the scheduling priority alone (by default harness, generator
    /// and servers run at nice -20 when allowed, so other processes on a
    /// shared machine run when they wait).
    #[arg(long)]
    pub no_priority: bool,
    /// Run the rounds under normal scheduling (by default harness,
    /// generator and servers run under SCHED_RR during the rounds when
    /// allowed and bounded by the kernel's real-time throttling).
    #[arg(long)]
    pub no_realtime: bool,
    /// Open loop: offer every server the same rate, this fraction (0–1) of
    /// the slowest server's warm-up throughput, instead of a closed loop.
    #[arg(long, value_parser = fraction)]
    pub open_loop: Option<f64>,
    /// A smoke run under 90 s: plaintext and json, 48 rounds of 125 ms, one
    /// callgrind process per endpoint and server.
    #[arg(long)]
    pub quick: bool,
    /// HTTP/1.1 pipelining depth (1 = off).
    #[arg(long, default_value_t = 1)]
    pub pipeline: usize,
    /// Client engine of the load generator.
    #[arg(long, value_enum, default_value_t = Engine::Raw)]
    pub engine: Engine,
    /// Output folder [default: reports/<timestamp>/]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also compare an already running server: `NAME=http://127.0.0.1:8080` (repeatable).
    #[arg(long = "target")]
    pub targets: Vec<String>,
    /// Which servers: `rust` (raw and framework), `node` (the Node guests of
    /// guests/node/, node-http the baseline), or `all` (both, in the same
    /// rounds; each guest against node-http, framework against raw).
    #[arg(long, value_enum, default_value_t = Suite::Rust)]
    pub suite: Suite,
    /// How framework-server is served: `hyper` (same connection layer as
    /// raw), `axum` (axum::serve defaults), or `both`.
    #[arg(long, default_value = "hyper")]
    pub framework_serve: String,
    /// Tokio runtime of both servers.
    #[arg(long, value_enum, default_value_t = RuntimeFlavor::MultiThread)]
    pub server_runtime: RuntimeFlavor,
    /// Worker threads of both servers [default: 1 when pinned, else all CPUs]
    #[arg(long)]
    pub server_workers: Option<usize>,
    /// Do not pin servers and load generator to CPUs.
    #[arg(long)]
    pub no_pin: bool,
    #[arg(long, default_value_t = 0)]
    pub server_cpu: usize,
    #[arg(long, default_value_t = 1)]
    pub client_cpu: usize,
    /// Extra header on every request, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    pub headers: Vec<String>,
    /// Request body for an endpoint, `NAME=BODY` or `NAME=@FILE` (repeatable),
    /// for POST endpoints; sent as application/json unless -H says otherwise.
    #[arg(long = "body")]
    pub bodies: Vec<String>,
    /// Seed of the bootstrap (same seed, same intervals).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// No progress bars.
    #[arg(short, long)]
    pub quiet: bool,
    /// Write only results.json and table.txt, not the HTML/Markdown report.
    #[arg(long)]
    pub no_report: bool,
    /// The servers' database: `sqlite` (a file per server), `postgres` (a
    /// throwaway cluster the harness starts, off the servers' CPU), or
    /// `postgres://USER@HOST:PORT/DB` (a running server). PostgreSQL is for
    /// the Rust servers: the Node guests read SQLite only.
    #[arg(long, default_value = "sqlite", value_parser = DatabaseChoice::parse)]
    pub database: DatabaseChoice,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// compare's results.json, or a report's [default: the newest reports/*/results.json]
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Cost figures from `bench-harness cost --json FILE` [default: cost.json
    /// beside the results, if present]
    #[arg(long)]
    pub cost: Option<PathBuf>,
    /// criterion's output folder [default: target/criterion, if present]
    #[arg(long)]
    pub criterion: Option<PathBuf>,
    /// Workspace whose raw-server and framework-server source the lines of
    /// glue are counted in [default: the workspace this binary was built from]
    #[arg(long)]
    pub source: Option<PathBuf>,
    /// Output folder [default: reports/<timestamp>/]
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// The catalogue endpoint to load.
    #[arg(long, default_value = "plaintext")]
    pub endpoint: String,
    #[arg(short = 'c', long, default_value_t = 64)]
    pub connections: usize,
    #[arg(short = 't', long, default_value_t = 1)]
    pub threads: usize,
    /// Rounds per tool (at least 5 for the target to be meaningful).
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Length of one round (wrk takes whole seconds).
    #[arg(long, value_parser = duration, default_value = "5s")]
    pub duration: Duration,
    #[arg(long, value_parser = duration, default_value = "2s")]
    pub warmup: Duration,
    #[arg(long)]
    pub no_pin: bool,
    #[arg(long, default_value_t = 0)]
    pub server_cpu: usize,
    #[arg(long, default_value_t = 1)]
    pub client_cpu: usize,
    #[arg(long, value_enum, default_value_t = RuntimeFlavor::MultiThread)]
    pub server_runtime: RuntimeFlavor,
    /// Client engine of our generator.
    #[arg(long, value_enum, default_value_t = Engine::Raw)]
    pub engine: Engine,
    /// The wrk executable.
    #[arg(long, default_value = "wrk")]
    pub wrk: String,
    /// Output folder [default: reports/<timestamp>-calibrate/]
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Run only one check: `generator` (ours against wrk) or `baseline`
    /// (raw-server `--middleware none` against a minimal hyper server)
    /// [default: both]
    #[arg(long, value_enum)]
    pub only: Option<crate::commands::calibrate::Check>,
}

#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// Catalogue endpoint names, comma separated; `name=/target` overrides
    /// the request target [default: plaintext,json,db,queries,fortunes,users-show;
    /// with --layers: plaintext,json,db]
    #[arg(long, value_delimiter = ',')]
    pub endpoints: Option<Vec<String>>,
    /// Measure every middleware configuration on both servers (`none`, each
    /// cumulative `up-to=STEP`, `full`: 11 per server) and what each step
    /// adds; written under `layers` in cost.json. About 4 minutes with the
    /// default --repeat 2 on 2 busy cores (much longer when other work
    /// saturates them), about 1.7 minutes more per extra repeat: time grows
    /// linearly with --repeat, the spread of the mean total instructions
    /// shrinks only with its square root (instructions outside malloc repeat
    /// to ~0.1% already).
    #[arg(long)]
    pub layers: bool,
    /// Requests before the measured segment (warm-up).
    #[arg(long, default_value_t = 200)]
    pub n1: u64,
    /// Requests at the end of the measured segment (N2 - N1 are measured).
    #[arg(long, default_value_t = 1200)]
    pub n2: u64,
    /// Server processes under callgrind per endpoint and server (mean
    /// reported; their spread is in cost.json) [default: 7; with --layers: 2,
    /// per configuration]
    #[arg(long)]
    pub repeat: Option<usize>,
    /// Requests before allocations are counted.
    #[arg(long, default_value_t = 500)]
    pub alloc_warmup: u64,
    /// Requests whose allocations are counted.
    #[arg(long, default_value_t = 10_000)]
    pub alloc_requests: u64,
    /// Measure allocations only (no valgrind needed).
    #[arg(long)]
    pub no_valgrind: bool,
    /// The valgrind executable.
    #[arg(long, default_value = "valgrind")]
    pub valgrind: String,
    /// Functions listed per endpoint and server (0: none, faster).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Output folder for cost.json and cost.txt [default: reports/<timestamp>-cost/]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write cost.json to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Keep callgrind's profiles in OUT/callgrind/ (open them with kcachegrind).
    #[arg(long)]
    pub keep_profiles: bool,
    /// The CPU harness, client and servers share (one CPU makes the
    /// database endpoints' thread hand-offs repeatable).
    #[arg(long, default_value_t = 0)]
    pub cpu: usize,
    /// Do not pin to a CPU.
    #[arg(long)]
    pub no_pin: bool,
    /// Leave the scheduling priority alone (by default the harness and its
    /// servers run at nice -20 when allowed: callgrind finishes sooner on a
    /// busy machine; the counts do not change).
    #[arg(long)]
    pub no_priority: bool,
    /// Leave the scheduling policy alone (by default the harness and its
    /// servers run under SCHED_FIFO when allowed, which keeps the database
    /// endpoints' thread hand-offs in the same order on a busy machine).
    #[arg(long)]
    pub no_realtime: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExecPinnedArgs {
    #[arg(long)]
    pub cpu: usize,
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Load(args) => loadgen::cli::run(&args),
        Command::Compare(args) => run_compare(args),
        Command::Report(args) => run_report(args),
        Command::Calibrate(args) => run_calibrate(args),
        Command::Cost(args) => run_cost(args),
        Command::IoSweep(args) => crate::commands::io_sweep::run_cli(&args),
        Command::Scale(args) => crate::commands::scale::run_cli(&args),
        Command::Serve(args) => crate::child::serve::serve(&args),
        Command::ExecPinned(args) => crate::child::serve::exec_pinned(args.cpu, &args.command),
    }
}

/// `compare` (with its cost phase), then its report unless `--no-report`.
fn run_compare(args: CompareArgs) -> anyhow::Result<()> {
    let options = compare_options(&args)?;
    let started = std::time::Instant::now();
    let outcome = crate::commands::compare::run(&options)?;
    println!("\n{}", outcome.results.render_table());
    match &outcome.cost {
        Some(cost) => println!("{}", crate::commands::cost::render::table(cost)),
        None => {
            for note in &outcome.cost_notes {
                println!("cost: {note}");
            }
        }
    }
    println!("results: {}", options.out.join("results.json").display());
    if !args.no_report {
        let mut report = crate::commands::report::Report::new(outcome.results)
            .with_glue_from(&crate::commands::report::glue::default_workspace_root());
        // The cost phase's own notes (valgrind missing, pinning) belong
        // on the page too.
        report
            .notes
            .extend(outcome.cost.iter().flat_map(|c| c.notes.iter().cloned()));
        report.cost = outcome.cost;
        report.notes.extend(outcome.cost_notes);
        if let Some(dir) =
            Some(crate::commands::report::criterion::default_dir()).filter(|dir| dir.is_dir())
            && let Ok(figures) = crate::commands::report::criterion::read(&dir)
        {
            report.criterion = Some(figures);
        }
        let written = report.write(&options.out)?;
        println!("report: {}", shown_path(&written.html).display());
    }
    println!("wall time: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `report` from the newest (or given) results.
fn run_report(args: ReportArgs) -> anyhow::Result<()> {
    let options = crate::commands::report::ReportOptions {
        results: args.results,
        cost: args.cost,
        criterion: args.criterion,
        source: args.source,
        out: args
            .out
            .unwrap_or_else(|| crate::output::default_out_dir("")),
    };
    let written = crate::commands::report::run(&options)?;
    println!("report: {}", shown_path(&written.html).display());
    println!("markdown: {}", written.markdown.display());
    println!("results: {}", written.json.display());
    Ok(())
}

/// `calibrate` against wrk.
fn run_calibrate(args: CalibrateArgs) -> anyhow::Result<()> {
    let options = CalibrateOptions {
        endpoint: args.endpoint,
        connections: args.connections,
        threads: args.threads,
        rounds: args.rounds,
        duration: args.duration,
        warmup: args.warmup,
        pin: !args.no_pin,
        server_cpu: args.server_cpu,
        client_cpu: args.client_cpu,
        server_runtime: args.server_runtime,
        wrk: args.wrk,
        engine: args.engine,
        out: args
            .out
            .unwrap_or_else(|| crate::output::default_out_dir("calibrate")),
        seed: args.seed,
        executable: std::env::current_exe().context("cannot find our own executable")?,
        only: args.only,
    };
    let calibration = crate::commands::calibrate::run(&options)?;
    println!("\n{}", calibration.render());
    println!(
        "results: {}",
        options.out.join("calibration.json").display()
    );
    Ok(())
}

/// `cost`: instructions and allocations per request.
fn run_cost(args: CostArgs) -> anyhow::Result<()> {
    // Before any child exists: they inherit it. Restored when dropped.
    let priority = (!args.no_priority).then(crate::host::priority::raise);
    let names = match &args.endpoints {
        Some(names) => names.clone(),
        None if args.layers => crate::commands::cost::layers::DEFAULT_ENDPOINTS
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        None => crate::commands::cost::DEFAULT_ENDPOINTS
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    };
    let options = crate::commands::cost::CostOptions {
        endpoints: crate::endpoints::resolve_endpoints(&names, args.endpoints.is_none())?,
        n1: args.n1,
        n2: args.n2,
        repeat: args.repeat.unwrap_or(if args.layers {
            crate::commands::cost::layers::DEFAULT_REPEAT
        } else {
            7
        }),
        alloc_warmup: args.alloc_warmup,
        alloc_requests: args.alloc_requests,
        valgrind: (!args.no_valgrind).then_some(args.valgrind),
        top: args.top,
        out: args
            .out
            .unwrap_or_else(|| crate::output::default_out_dir("cost")),
        json: args.json,
        keep_profiles: args.keep_profiles,
        cpu: (!args.no_pin).then_some(args.cpu),
        realtime: !args.no_realtime,
        executable: std::env::current_exe().context("cannot find our own executable")?,
        progress: crate::progress::Progress::default(),
        progress_step: (Duration::from_secs(6), Duration::from_secs(1)),
        middleware: shared_handlers::chain::Chain::FULL,
        layers: args.layers,
    };
    let options = crate::commands::cost::CostOptions {
        progress: crate::progress::Progress::new(options.planned(), true),
        ..options
    };
    options.progress.phase("cost");
    let report = crate::commands::cost::run(&options);
    options.progress.finish();
    drop(priority);
    let report = report?;
    println!("\n{}", crate::commands::cost::render::table(&report));
    println!(
        "results: {} (top functions: {})",
        options.out.join("cost.json").display(),
        options.out.join("cost.txt").display()
    );
    Ok(())
}

/// A fraction strictly between 0 and 1 (`--open-loop 0.7`).
fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if f > 0.0 && f < 1.0 => Ok(f),
        _ => Err(format!("expected a fraction between 0 and 1, got `{text}`")),
    }
}
