//! # bench-harness: the measuring instrument
//!
//! frameworth asks what a web framework costs. This crate answers with
//! numbers and says how sure it is:
//!
//! - `bench-harness load URL` is the [`loadgen`] load generator (like wrk,
//!   wrk2, oha), which this crate also uses as a library;
//! - `bench-harness compare` starts raw-server and framework-server as
//!   separate, pinned processes, loads them in alternating rounds, and
//!   reports medians and framework/raw ratios with bootstrap 95% confidence
//!   intervals, in a table and in a versioned `results.json`;
//! - `bench-harness calibrate` checks the load generator against wrk;
//! - `bench-harness cost` counts instructions (callgrind) and heap
//!   allocations per request of both servers: figures that do not move
//!   with the machine's load.
//! - `cargo bench -p bench-harness` times both servers with criterion
//!   (`benches/in_process.rs`, `benches/over_loopback.rs`), and
//!   [`criterion_estimates`] reads the results back.
//!
//! `docs/src/measuring-overhead.md` explains the method in workshop terms.
//!
//! ## Layout
//!
//! | module          | concept                                                   |
//! |-----------------|-----------------------------------------------------------|
//! | [`cli`]         | the command line                                          |
//! | [`stats`]       | medians and the bootstrap CI of a ratio of medians        |
//! | [`procstat`]    | CPU time and memory of processes from `/proc`             |
//! | [`pinning`]     | CPU affinity: server on one core, generator on another    |
//! | [`server`]      | launching servers as child processes, and stopping them   |
//! | [`environment`] | what machine and software a report was measured on        |
//! | [`compare`]     | alternating rounds, per-round metrics, client-bound flag  |
//! | [`report`]      | `results.json` (schema version 1) and the terminal table  |
//! | [`apt`]         | installing a missing wrk or valgrind from Debian's packages |
//! | [`calibrate`]   | wrk against our generator, parsing wrk's output           |
//! | [`cost`]        | instructions and allocations per request, `cost.json`     |
//! | [`cost_format`] | the cost JSON, shared by `cost` (writer) and `report`     |
//! | [`publish`]     | `report`: index.html with SVG charts, report.md, JSON     |
//! | [`criterion_estimates`] | criterion's `estimates.json`, read back defensively |

pub mod apt;
pub mod calibrate;
pub mod cli;
pub mod compare;
pub mod cost;
pub mod cost_format;
pub mod criterion_estimates;
pub mod environment;
pub mod pinning;
pub mod procstat;
pub mod publish;
pub mod report;
pub mod server;
pub mod stats;

pub use loadgen::interrupt_flag;
