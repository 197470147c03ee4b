//! `conformance-server raw|framework [flags]`: either server as a child
//! process, built from this very checkout.
//!
//! Tests that measure a server's own memory (`/proc/<pid>/status`) need it
//! in a process of its own, apart from the test and its client. Each
//! server's binary lives in another package, where a conformance test
//! cannot ask cargo to build it; this binary belongs to the conformance
//! package, so cargo builds it fresh with every test run. It takes the same
//! flags as the two server binaries and hands over to the same `run`.

use std::net::{Ipv4Addr, SocketAddr};

use clap::Parser;
use connection_layer::{ConnectionSettings, ServerArgs};
use framework_server::ServeMode;

/// Which server to run.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Server {
    Raw,
    Framework,
}

/// Runs raw-server or framework-server (on the shared connection layer).
#[derive(Debug, Parser)]
struct Cli {
    #[arg(value_enum)]
    which: Server,
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let state = cli.server.open_state()?;
    let settings = ConnectionSettings::default();
    let addr = cli
        .server
        .addr
        .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    let (runtime, workers) = (cli.server.runtime, cli.server.workers());
    match cli.which {
        Server::Raw => connection_layer::runtime::launch(addr, runtime, workers, move |l, stop| {
            raw_server::run(l, state.clone(), settings.clone(), stop.cancelled_owned())
        }),
        Server::Framework => {
            connection_layer::runtime::launch(addr, runtime, workers, move |l, stop| {
                let (state, settings) = (state.clone(), settings.clone());
                framework_server::run(l, state, settings, ServeMode::Hyper, stop.cancelled_owned())
            })
        }
    }
}
