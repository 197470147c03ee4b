//! `io-sweep`'s command line, resolved into [`IoSweepOptions`].

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use loadgen::cli::duration;

use super::{IoSweepOptions, PostgresPoints};

/// Flags of `bench-harness io-sweep`.
#[derive(Debug, clap::Args)]
pub struct IoSweepArgs {
    /// Open-loop rate, requests per second, the same at every point
    /// [default: 400; --quick: 300]
    #[arg(long)]
    pub rate: Option<f64>,
    /// Connections the open-loop client spreads the rate over.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Rounds per server and point [default: 5; --quick: 3]
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Length of one round [default: 4s; --quick: 1.5s]
    #[arg(long, value_parser = duration)]
    pub duration: Option<Duration>,
    /// Warm-up per server and point [default: 1s; --quick: 0.5s]
    #[arg(long, value_parser = duration)]
    pub warmup: Option<Duration>,
    /// A running PostgreSQL server for the `postgres` points [default: a
    /// throwaway cluster the harness starts, off the servers' CPU]
    #[arg(long, env = "FRAMEWORTH_POSTGRES_URL")]
    pub postgres: Option<String>,
    /// Leave the `postgres` points out: no cluster is started, and
    /// `--postgres` (or `FRAMEWORTH_POSTGRES_URL`) is ignored.
    #[arg(long)]
    pub no_postgres: bool,
    /// A short run (under 2 minutes): fewer, shorter rounds.
    #[arg(long)]
    pub quick: bool,
    /// Seed of the bootstrap resampling.
    #[arg(long, default_value_t = 12)]
    pub seed: u64,
    /// Output folder [default: reports/<timestamp>-io-sweep]
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl IoSweepArgs {
    /// The options, with `--quick`'s defaults where a flag is not given.
    pub fn options(&self) -> anyhow::Result<IoSweepOptions> {
        let quick = self.quick;
        let time = |short: u64, long: u64| Duration::from_millis(if quick { short } else { long });
        Ok(IoSweepOptions {
            rate: self.rate.unwrap_or(if quick { 300.0 } else { 400.0 }),
            connections: self.connections.max(1),
            rounds: self.rounds.unwrap_or(if quick { 3 } else { 5 }).max(1),
            duration: self.duration.unwrap_or(time(1500, 4000)),
            warmup: self.warmup.unwrap_or(time(500, 1000)),
            postgres: match self.postgres.as_deref().map(str::trim) {
                _ if self.no_postgres => PostgresPoints::LeftOut,
                Some(url) if !url.is_empty() => PostgresPoints::Url(url.to_owned()),
                _ => PostgresPoints::OwnCluster,
            },
            out: self
                .out
                .clone()
                .unwrap_or_else(|| crate::output::default_out_dir("io-sweep")),
            seed: self.seed,
            quick: self.quick,
            executable: std::env::current_exe().context("cannot find our own executable")?,
        })
    }
}

/// `io-sweep`: measure, write, print where the outputs are.
pub fn run(args: &IoSweepArgs) -> anyhow::Result<()> {
    let options = args.options()?;
    let results = super::run(&options)?;
    for line in super::render::threshold_lines(&results) {
        println!("{line}");
    }
    println!(
        "wall time {:.0} s; results: {} (and io-sweep.md, io-sweep.svg)",
        results.wall_time_s,
        options.out.join("io-sweep.json").display()
    );
    Ok(())
}
