//! The command-line flags both server binaries share, parsed with clap.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use crate::runtime::RuntimeFlavor;

/// Flags common to `raw-server` and `framework-server`.
///
/// Each binary flattens this into its own `Cli` and supplies its own default
/// address, so the two can run side by side (3000 and 3001).
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Address to listen on; `127.0.0.1:0` lets the system pick a free port.
    #[arg(long)]
    pub addr: Option<SocketAddr>,

    /// SQLite database file, created and seeded on first start
    /// [default: frameworth/frameworth.sqlite3 in the system's temp folder]
    #[arg(long, env = "FRAMEWORTH_DATABASE")]
    pub database: Option<PathBuf>,

    /// Folder served under `/static/` (both servers read the same setting)
    /// [default: the `static/` folder of the source checkout]
    #[arg(long, env = "FRAMEWORTH_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// How requests are scheduled onto threads.
    #[arg(long, value_enum, default_value_t = RuntimeFlavor::MultiThread)]
    pub runtime: RuntimeFlavor,

    /// Worker threads (multi-thread) or runtimes (per-core)
    /// [default: the number of CPUs]
    #[arg(long)]
    pub workers: Option<NonZeroUsize>,
}

impl ServerArgs {
    /// The worker count, defaulting to the CPUs this process may use.
    pub fn workers(&self) -> usize {
        self.workers
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, NonZeroUsize::get)
    }
}
