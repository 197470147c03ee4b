//! The commands of `bench-harness`, one module each. Each reads as
//! `Options → plan → measure → results → render`: options resolved from
//! the command line, a plan of servers and requests, the measurement, the
//! results as a [`crate::schema`] file, and their rendering.
//!
//! `load` is [`loadgen`]'s, embedded as it is.

pub mod calibrate;
pub mod compare;
pub mod cost;
pub mod io_sweep;
pub mod report;
pub mod scale;
