//! The `framework-server` binary: frameworth's endpoints on axum.
//!
//! ```text
//! cargo run --release -p framework-server                   # http://127.0.0.1:3001
//! cargo run --release -p framework-server -- --serve axum   # plain axum::serve
//! cargo run --release -p framework-server -- --help         # all flags
//! ```
//!
//! Parses flags, opens the database, and hands over to [`framework_server::run`].

use std::net::SocketAddr;

use clap::Parser;
use connection_layer::ServerArgs;
use framework_server::ServeMode;

/// frameworth's endpoints served by axum 0.8 and tower.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,

    /// `hyper`: the same accept loop and settings as raw-server (fair
    /// comparison); `axum`: plain `axum::serve` with axum's defaults.
    #[arg(long, value_enum, default_value_t = ServeMode::Hyper)]
    serve: ServeMode,
}

const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 3001);

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    connection_layer::init_tracing();
    let state = cli.server.open_state()?;
    let settings = cli.server.connection_settings();
    let mode = cli.serve;
    connection_layer::runtime::launch(
        cli.server.addr.unwrap_or(DEFAULT_ADDR),
        cli.server.runtime,
        cli.server.workers(),
        move |listener, shutdown| {
            framework_server::run(
                listener,
                state.clone(),
                settings.clone(),
                mode,
                shutdown.cancelled_owned(),
            )
        },
    )
}
