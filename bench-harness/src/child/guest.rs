//! The Node guests as child processes: `node guests/node/<name>.js --addr
//! 127.0.0.1:0 --database PATH`, pinned by `exec-pinned` (the harness pins
//! itself, then becomes `node`, so the child's pid is node's and its
//! `/proc` CPU times are the guest's), stopped like the Rust servers.
//!
//! A guest reads the database a Rust server creates: [`seed_database`]
//! creates and seeds it with shared-handlers' own code, and closes it so
//! the guests' in-memory copy sees every row.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use super::process::{LaunchOptions, ServerProcess};
use crate::servers::{Guest, node_guests_dir};

/// How to start one guest.
#[derive(Debug, Clone)]
pub struct GuestSpec {
    pub guest: Guest,
    pub cpu: Option<usize>,
    /// A seeded database ([`seed_database`]); guests only read it.
    pub database: PathBuf,
    pub log: PathBuf,
    /// The bench-harness binary, for `exec-pinned`.
    pub executable: PathBuf,
}

/// Creates and seeds the database at `path`, then closes it.
pub fn seed_database(path: &Path) -> anyhow::Result<()> {
    let state = shared_handlers::AppState::open(path)
        .with_context(|| format!("cannot seed {}", path.display()))?;
    drop(state);
    Ok(())
}

/// `node --version`, or why the guests cannot run.
pub fn node_version() -> anyhow::Result<String> {
    let modules = node_guests_dir().join("node_modules");
    if !modules.is_dir() {
        bail!(
            "{} is missing: run `npm ci --prefix guests/node`",
            modules.display()
        );
    }
    let output = Command::new("node")
        .arg("--version")
        .output()
        .context("`node` does not run; install Node.js 20 or later")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Starts the guest and waits until it listens.
pub fn launch(spec: &GuestSpec) -> anyhow::Result<ServerProcess> {
    let script = node_guests_dir().join(format!("{}.js", spec.guest.name));
    let mut command = match spec.cpu {
        Some(cpu) => {
            let mut command = Command::new(&spec.executable);
            command.args(["exec-pinned", "--cpu", &cpu.to_string(), "--", "node"]);
            command
        }
        None => Command::new("node"),
    };
    let log = std::fs::File::create(&spec.log)
        .with_context(|| format!("cannot create {}", spec.log.display()))?;
    command
        .arg(script)
        .args(["--addr", "127.0.0.1:0", "--database"])
        .arg(&spec.database)
        // What Express's guide asks of production: view caching, less checking.
        .env("NODE_ENV", "production")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log));
    ServerProcess::spawn(
        spec.guest.name,
        command,
        &spec.log,
        spec.cpu,
        &LaunchOptions::default(),
    )
}
