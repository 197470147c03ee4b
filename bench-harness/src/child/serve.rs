//! The child side of a launched server: the hidden `serve` subcommand
//! runs raw-server or framework-server in this process exactly as their own
//! binaries would, and `exec-pinned` pins a process before it becomes
//! another program (how `calibrate` pins wrk).

use std::net::SocketAddr;
use std::process::Command;

use anyhow::Context;
use connection_layer::{ConnectionSettings, ServerArgs};
use framework_server::ServeMode;
use loadgen::cpu::pin_current_thread;
use nix::sys::signal::Signal;

use crate::servers::ServerKind;

/// The hidden `serve` subcommand: what a child process runs.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    #[arg(long, value_enum)]
    pub server: ServerKind,
    /// framework only: `hyper` (same connection layer) or `axum` (axum::serve).
    #[arg(long, value_enum, default_value_t = ServeMode::Hyper)]
    pub serve_mode: ServeMode,
    /// Pin the whole server process to this CPU.
    #[arg(long)]
    pub pin_cpu: Option<usize>,
    /// Read commands on stdin and answer each with one JSON line of
    /// allocation counters on stdout (how `cost` talks to its servers).
    #[arg(long)]
    pub probe: bool,
    #[command(flatten)]
    pub server_args: ServerArgs,
}

/// Runs a server in this process, exactly as its own binary would.
pub fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    // If the harness dies without stopping us, the kernel sends SIGTERM.
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
    connection_layer::init_tracing();
    if args.probe {
        super::probe::start_responder()?;
    }
    // Pin before any runtime thread exists: threads inherit the affinity.
    if let Some(cpu) = args.pin_cpu
        && let Err(e) = pin_current_thread(cpu)
    {
        eprintln!("warning: {e}; serving unpinned");
    }
    // The same flags, defaults and settings as the servers' own binaries.
    let state = args.server_args.open_state()?;
    let settings = ConnectionSettings::default();
    let addr = args
        .server_args
        .addr
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let (kind, mode) = (args.server, args.serve_mode);
    connection_layer::runtime::launch(
        addr,
        args.server_args.runtime,
        args.server_args.workers(),
        move |listener, shutdown| {
            let state = state.clone();
            let settings = settings.clone();
            async move {
                match kind {
                    ServerKind::Raw => {
                        raw_server::run(listener, state, settings, shutdown.cancelled_owned()).await
                    }
                    ServerKind::Framework => {
                        framework_server::run(
                            listener,
                            state,
                            settings,
                            mode,
                            shutdown.cancelled_owned(),
                        )
                        .await
                    }
                }
            }
        },
    )
}

/// The hidden `exec-pinned` subcommand: pin this process to `cpu`, then
/// replace it with `command` (affinity survives `exec`). This is how wrk is
/// pinned without depending on `taskset`.
pub fn exec_pinned(cpu: usize, command: &[String]) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let (program, args) = command.split_first().context("no command to run")?;
    if let Err(e) = pin_current_thread(cpu) {
        eprintln!("warning: {e}; running unpinned");
    }
    let error = Command::new(program).args(args).exec();
    Err(error).with_context(|| format!("cannot run {program}"))
}
