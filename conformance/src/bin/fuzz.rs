//! `fuzz`: a differential fuzzing campaign against both servers, in-process.
//!
//! ```text
//! cargo run --release -p conformance --bin fuzz -- --cases 10000000
//! cargo run --release -p conformance --bin fuzz -- --cases 100000 --seed 7 --threads 2
//! ```
//!
//! Prints the rate, the differences and the panics at the end, each finding
//! with its seed, its case number and a minimal request; exits non-zero when
//! there is any. See `conformance::fuzz` for what is generated and compared.

use std::process::ExitCode;

use clap::Parser;
use conformance::fuzz::{self, Settings};
use indicatif::{ProgressBar, ProgressStyle};

/// Differential fuzzing of raw-server against framework-server.
#[derive(Debug, Parser)]
struct Args {
    /// How many requests to generate (each goes to both servers).
    #[arg(long, default_value_t = 100_000)]
    cases: u64,
    /// The seed; the same seed and thread count repeat a run exactly.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads, each with its own pair of servers and databases.
    #[arg(long, default_value_t = default_threads())]
    threads: usize,
    /// How many distinct findings to keep (and shrink) in full.
    #[arg(long, default_value_t = 20)]
    keep: usize,
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let bar = ProgressBar::new(args.cases);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} cases, {per_sec}, eta {eta}",
        )?
        .progress_chars("=> "),
    );
    let settings = Settings {
        cases: args.cases,
        seed: args.seed,
        threads: args.threads,
        keep: args.keep,
    };
    eprintln!(
        "fuzz: {} cases, seed {}, {} threads",
        settings.cases, settings.seed, settings.threads
    );
    let report = fuzz::run(settings, &|done| bar.set_position(done))?;
    bar.finish();
    for finding in &report.findings {
        println!("\n{finding}");
    }
    println!(
        "\nfuzz: {} cases ({} not buildable, skipped) in {:.1} s: {:.0} cases/s; seed {}, {} threads",
        report.cases,
        report.skipped,
        report.elapsed.as_secs_f64(),
        report.rate(),
        settings.seed,
        settings.threads,
    );
    println!(
        "fuzz: {} differences, {} panics/hangs, {} distinct findings kept",
        report.differences,
        report.panics,
        report.findings.len()
    );
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
