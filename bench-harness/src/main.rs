//! The `bench-harness` binary: frameworth's measuring instrument.
//!
//! ```text
//! cargo run --release -p bench-harness -- compare            # raw vs framework, ≤ 4 min
//! cargo run --release -p bench-harness -- compare --quick    # ~30 s smoke run
//! cargo run --release -p bench-harness -- load http://127.0.0.1:3000/plaintext -c 64 -d 10s
//! cargo run --release -p bench-harness -- calibrate          # our generator vs wrk
//! ```
//!
//! Parses the command line and hands over to [`bench_harness::cli::run`].

use clap::Parser;

fn main() -> anyhow::Result<()> {
    bench_harness::cli::run(bench_harness::cli::Cli::parse())
}
