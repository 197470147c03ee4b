//! `scale`'s command line, resolved into [`ScaleOptions`].

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use loadgen::cli::duration;

use super::{DEFAULT_ENDPOINTS, INSTANCES, ScaleOptions};

/// Flags of `bench-harness scale`.
#[derive(Debug, clap::Args)]
pub struct ScaleArgs {
    /// Catalogue endpoint names, comma separated [default: plaintext,db]
    #[arg(long, value_delimiter = ',')]
    pub endpoints: Option<Vec<String>>,
    /// Instance counts behind nginx, comma separated [default: 1,2,4]
    #[arg(long, value_delimiter = ',')]
    pub instances: Option<Vec<usize>>,
    /// Closed-loop connections of the load generator.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Rounds per server and point [default: 6; --quick: 3]
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Length of one round [default: 1.5s; --quick: 0.8s]
    #[arg(long, value_parser = duration)]
    pub duration: Option<Duration>,
    /// Warm-up per server and point [default: 0.5s; --quick: 0.3s]
    #[arg(long, value_parser = duration)]
    pub warmup: Option<Duration>,
    /// The PostgreSQL server every instance shares; without one the
    /// harness starts a throwaway cluster of its own
    #[arg(long, env = "FRAMEWORTH_POSTGRES_URL")]
    pub postgres: Option<String>,
    /// The nginx executable (installed from apt when missing and root).
    #[arg(long, default_value = "nginx")]
    pub nginx: String,
    /// Leave the scheduling priority alone (by default the harness and its
    /// children run at nice -20 when allowed).
    #[arg(long)]
    pub no_priority: bool,
    /// A short run (under 2 minutes): fewer, shorter rounds.
    #[arg(long)]
    pub quick: bool,
    /// Seed of the bootstrap resampling.
    #[arg(long, default_value_t = crate::stats::DEFAULT_SEED)]
    pub seed: u64,
    /// Output folder [default: reports/<timestamp>-scale]
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl ScaleArgs {
    /// The options, with `--quick`'s defaults where a flag is not given.
    pub fn options(&self) -> anyhow::Result<ScaleOptions> {
        let quick = self.quick;
        let time = |short: u64, long: u64| Duration::from_millis(if quick { short } else { long });
        let names: Vec<String> = match &self.endpoints {
            Some(names) => names.clone(),
            None => DEFAULT_ENDPOINTS.iter().map(|s| (*s).to_owned()).collect(),
        };
        Ok(ScaleOptions {
            endpoints: crate::endpoints::resolve_endpoints(&names, false)?,
            instances: self.instances.clone().unwrap_or_else(|| INSTANCES.to_vec()),
            connections: self.connections.max(1),
            rounds: self.rounds.unwrap_or(if quick { 3 } else { 6 }).max(1),
            duration: self.duration.unwrap_or(time(800, 1500)),
            warmup: self.warmup.unwrap_or(time(300, 500)),
            postgres: self.postgres.clone().filter(|url| !url.trim().is_empty()),
            nginx: self.nginx.clone(),
            priority: !self.no_priority,
            out: self
                .out
                .clone()
                .unwrap_or_else(|| crate::output::default_out_dir("scale")),
            seed: self.seed,
            quick,
            executable: std::env::current_exe().context("cannot find our own executable")?,
        })
    }
}

/// `scale`: measure, write, print the tables and where the outputs are.
pub fn run(args: &ScaleArgs) -> anyhow::Result<()> {
    let options = args.options()?;
    let results = super::run(&options)?;
    println!("\n{}", super::render::tables(&results));
    println!(
        "wall time {:.0} s; results: {} (and scale.md, scale.svg)",
        results.wall_time_s,
        options.out.join("scale.json").display()
    );
    Ok(())
}
