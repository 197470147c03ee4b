//! `bench-harness scale`: what runtime flavours and more instances change,
//! and what they cannot change.
//!
//! Two parts, both servers in each:
//!
//! 1. **Runtime flavours**: one instance of each server, loaded directly,
//!    in tokio's `current-thread`, `multi-thread` and `per-core` flavours
//!    with one worker per core given to the servers;
//! 2. **N instances behind nginx**: N = 1, 2, 4 stateless instances of each
//!    server (current-thread, one worker each: the process-per-core layout)
//!    behind nginx as a round-robin load balancer ([`nginx`]), all sharing
//!    one PostgreSQL.
//!
//! At each point and endpoint (`/plaintext`, `/db`) the load generator runs
//! closed-loop rounds alternating raw and framework; each round reads the
//! CPU time of every instance (summed), of nginx and of PostgreSQL
//! ([`accounting`]). The **framework tax** is framework/raw CPU per request
//! of the servers, estimated from paired rounds as `compare` does it: each
//! framework round over the raw rounds right before and after it,
//! Hodges–Lehmann estimate, percentile bootstrap interval
//! ([`crate::stats::bootstrap_paired_ratio`]).
//!
//! Then the **state check** ([`state_check`]): two instances behind nginx,
//! a user created through nginx and read back through it, first with each
//! instance on its own SQLite file (the default), then on the shared
//! PostgreSQL.
//!
//! What a 2-core machine can say, said out loud: the servers get one core
//! and everything else (load generator, nginx, PostgreSQL) the other, so
//! N instances on one core measure the *overhead* of N processes and a
//! proxy hop, not added capacity; the per-core flavour with one core is
//! one runtime. On more cores the same command spreads the instances.

use std::path::PathBuf;
use std::time::Duration;

use connection_layer::RuntimeFlavor;

use crate::output::timestamp;
use crate::schema::results::EndpointTarget;
use crate::schema::scale::{SCHEMA_VERSION, ScaleResults};

pub mod accounting;
mod args;
mod database;
mod measure;
pub mod nginx;
mod render;
pub mod state_check;

pub use args::{ScaleArgs, run as run_cli};

/// The instance counts behind nginx by default.
pub const INSTANCES: &[usize] = &[1, 2, 4];

/// The endpoints measured by default: no I/O, and one database read.
pub const DEFAULT_ENDPOINTS: &[&str] = &["plaintext", "db"];

/// Everything `scale` needs, after the command line is resolved.
#[derive(Debug, Clone)]
pub struct ScaleOptions {
    pub endpoints: Vec<EndpointTarget>,
    pub instances: Vec<usize>,
    pub connections: usize,
    pub rounds: usize,
    pub duration: Duration,
    pub warmup: Duration,
    /// A PostgreSQL server every instance shares (`postgres://...`); without
    /// one the harness starts its own cluster.
    pub postgres: Option<String>,
    /// The nginx executable.
    pub nginx: String,
    /// Raise the scheduling priority of harness and children.
    pub priority: bool,
    pub out: PathBuf,
    pub seed: u64,
    pub quick: bool,
    /// The bench-harness binary to start servers with.
    pub executable: PathBuf,
}

/// How one point's servers run: alone and loaded directly, or N behind nginx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub behind_nginx: bool,
    pub instances: usize,
    pub runtime: RuntimeFlavor,
}

impl Layout {
    /// `direct` or `nginx`.
    pub fn name(&self) -> &'static str {
        if self.behind_nginx { "nginx" } else { "direct" }
    }

    /// How tables and progress lines name it.
    pub fn label(&self) -> String {
        if self.behind_nginx {
            format!("nginx + {} × current-thread", self.instances)
        } else {
            format!("direct, {}", runtime_name(self.runtime))
        }
    }
}

/// The flavours first, then each instance count behind nginx.
pub fn layouts(instances: &[usize]) -> Vec<Layout> {
    let flavours = [
        RuntimeFlavor::CurrentThread,
        RuntimeFlavor::MultiThread,
        RuntimeFlavor::PerCore,
    ];
    let direct = flavours.into_iter().map(|runtime| Layout {
        behind_nginx: false,
        instances: 1,
        runtime,
    });
    let behind = instances.iter().map(|&instances| Layout {
        behind_nginx: true,
        instances: instances.max(1),
        runtime: RuntimeFlavor::CurrentThread,
    });
    direct.chain(behind).collect()
}

/// The flag's spelling of a flavour.
pub fn runtime_name(runtime: RuntimeFlavor) -> &'static str {
    match runtime {
        RuntimeFlavor::CurrentThread => "current-thread",
        RuntimeFlavor::MultiThread => "multi-thread",
        RuntimeFlavor::PerCore => "per-core",
    }
}

/// Runs everything, writes `scale.json`, `scale.md` and `scale.svg` into
/// `options.out`, and returns the results.
pub fn run(options: &ScaleOptions) -> anyhow::Result<ScaleResults> {
    let started = std::time::Instant::now();
    let started_at = timestamp();
    std::fs::create_dir_all(&options.out)?;
    // Before any child exists: they inherit it. Restored when dropped.
    let priority = options.priority.then(crate::host::priority::raise);
    let measured = measure::measure(options);
    drop(priority);
    let mut measured = measured?;
    measured.results.started_at = started_at;
    measured.results.wall_time_s = started.elapsed().as_secs_f64();
    let results = measured.results;
    std::fs::write(
        options.out.join("scale.json"),
        serde_json::to_vec_pretty(&results)?,
    )?;
    std::fs::write(options.out.join("scale.md"), render::markdown(&results))?;
    std::fs::write(options.out.join("scale.svg"), render::chart(&results))?;
    Ok(results)
}

/// An empty result for `options`, filled in by [`measure`].
fn empty_results(options: &ScaleOptions) -> ScaleResults {
    ScaleResults {
        schema_version: SCHEMA_VERSION,
        tool: format!("bench-harness {}", env!("CARGO_PKG_VERSION")),
        started_at: String::new(),
        wall_time_s: 0.0,
        quick: options.quick,
        connections: options.connections,
        rounds: options.rounds,
        round_duration_s: options.duration.as_secs_f64(),
        server_cpus: Vec::new(),
        client_cpu: None,
        database: String::new(),
        nginx: String::new(),
        points: Vec::new(),
        state_checks: Vec::new(),
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_flavours_run_direct_before_each_instance_count_behind_nginx() {
        let layouts = layouts(INSTANCES);

        let names: Vec<String> = layouts.iter().map(Layout::label).collect();

        assert_eq!(
            names,
            [
                "direct, current-thread",
                "direct, multi-thread",
                "direct, per-core",
                "nginx + 1 × current-thread",
                "nginx + 2 × current-thread",
                "nginx + 4 × current-thread",
            ]
        );
        assert!(layouts[..3].iter().all(|l| l.instances == 1));
    }
}
