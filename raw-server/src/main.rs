//! The `raw-server` binary: frameworth's endpoints on bare hyper.
//!
//! ```text
//! cargo run --release -p raw-server                 # http://127.0.0.1:3000
//! cargo run --release -p raw-server -- --help       # all flags
//! ```
//!
//! Parses flags, opens the database, and hands over to [`raw_server::run`].

use std::net::SocketAddr;

use clap::Parser;
use connection_layer::ServerArgs;

/// frameworth's endpoints served by hand-written code on bare hyper.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 3000);

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    connection_layer::init_tracing();
    let state = cli.server.open_state()?;
    let settings = cli.server.connection_settings();
    connection_layer::runtime::launch(
        cli.server.addr.unwrap_or(DEFAULT_ADDR),
        cli.server.runtime,
        cli.server.workers(),
        move |listener, shutdown| {
            raw_server::run(
                listener,
                state.clone(),
                settings.clone(),
                shutdown.cancelled_owned(),
            )
        },
    )
}
