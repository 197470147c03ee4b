//! The `loadgen` binary: load one URL and report what came back.
//!
//! ```text
//! cargo run --release -p loadgen -- http://127.0.0.1:3000/plaintext -c 64 -d 10s
//! cargo run --release -p loadgen -- http://127.0.0.1:3000/plaintext --rate 20000
//! ```

use clap::Parser;

/// An HTTP/1.1 load generator: throughput, latency (coordinated-omission
/// corrected in open loop), errors and its own CPU.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    load: loadgen::cli::LoadArgs,
}

fn main() -> anyhow::Result<()> {
    loadgen::cli::run(&Cli::parse().load)
}
