//! The `bench-harness` binary: frameworth's measuring instrument.
//!
//! ```text
//! cargo run --release -p bench-harness -- compare            # raw vs framework + cost, ~5 min
//! cargo run --release -p bench-harness -- compare --quick    # smoke run, under 90 s
//! cargo run --release -p bench-harness -- load http://127.0.0.1:3000/plaintext -c 64 -d 10s
//! cargo run --release -p bench-harness -- calibrate          # our generator vs wrk, raw-server vs minimal hyper
//! cargo run --release -p bench-harness -- cost               # instructions, allocations per request
//! ```
//!
//! Parses the command line and hands over to [`bench_harness::cli::run`].

use clap::Parser;

/// Every allocation of this binary goes through a counting allocator: so
/// do the servers it starts as children (`bench-harness serve`), which is
/// how `cost` counts their allocations per request. Counting is off until a
/// child is told to switch it on (one relaxed load and branch per
/// allocation when off), so `compare` and the callgrind runs are unaffected.
#[global_allocator]
static ALLOCATOR: counting_allocator::CountingAllocator =
    counting_allocator::CountingAllocator::new();

fn main() -> anyhow::Result<()> {
    bench_harness::cli::run(bench_harness::cli::Cli::parse())
}
