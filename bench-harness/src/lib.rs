//! # bench-harness: the measuring instrument
//!
//! frameworth asks what a web framework costs. This crate answers with
//! numbers and says how sure it is:
//!
//! - `bench-harness load URL` is the [`loadgen`] load generator (like wrk,
//!   wrk2, oha), which this crate also uses as a library;
//! - `bench-harness compare` starts raw-server and framework-server as
//!   separate, pinned processes at a raised priority, loads them in
//!   alternating rounds, and reports medians and paired framework/raw
//!   ratios with bootstrap 95% confidence intervals, how noisy the machine
//!   was, and (its cost phase) instructions and allocations per request,
//!   in a table and in a versioned `results.json`; with `--suite node` or
//!   `all` it measures the Node guests of `guests/node/` too, each against
//!   node-http;
//! - `bench-harness calibrate` checks the load generator against wrk;
//! - `bench-harness cost` counts instructions (callgrind) and heap
//!   allocations per request of both servers: figures that do not move
//!   with the machine's load.
//! - `cargo bench -p bench-harness` times both servers with criterion
//!   (`benches/in_process.rs`, `benches/over_loopback.rs`), and
//!   [`schema::criterion`] reads the results back.
//!
//! `docs/src/measuring-overhead.md` explains the method in workshop terms.
//!
//! ## Layout
//!
//! | module               | concept                                                  |
//! |----------------------|----------------------------------------------------------|
//! | [`cli`]              | the command line, handing over to a command              |
//! | [`commands`]         | `compare`, `calibrate`, `cost`, `io-sweep`, `scale`, `report`, one module each |
//! | [`schema`]           | versioned files: `results.json`, `cost.json`, criterion's estimates |
//! | [`host`]             | pinning, `/proc` accounting, environment, apt installs   |
//! | [`child`]            | servers as child processes: launch, `serve`, probe       |
//! | [`endpoints`]        | catalogue names resolved to method and target            |
//! | [`servers`]          | [`servers::ServerKind`], the one "which server", and the baseline |
//! | [`stats`]            | medians, bootstrap CIs of paired ratios and of ratios of medians |
//! | [`progress`]         | one progress bar for a whole run, or plain lines         |
//! | [`output`]           | timestamps and default output folders                    |
//! | [`loadgen`] (crate)  | the load generator behind `load`, `compare`, `calibrate` |

pub mod child;
pub mod cli;
pub mod commands;
pub mod endpoints;
pub mod host;
pub mod output;
pub mod progress;
pub mod schema;
pub mod servers;
pub mod stats;

pub use loadgen::interrupt_flag;
