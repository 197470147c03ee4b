//! # Exercise 6: is the database the bottleneck?
//!
//! "Bottlenecks are the database, not the framework", says the debate. The
//! committed comparison (`docs/sample-report/results.json`, made by
//! `bench-harness compare`) has, per endpoint and server, the median server
//! CPU time per request. The task (in
//! `src/starter.rs`): write [`framework_share`], the part of
//! framework-server's cost that raw-server does not have, and name the
//! endpoints where that share of CPU time per request is smallest and
//! largest. The
//! tests apply your function to the sample's figures and compare with
//! their own.

#[cfg(feature = "starter")]
#[path = "starter.rs"]
mod answers;

#[cfg(not(feature = "starter"))]
#[path = "solution.rs"]
mod answers;

pub use answers::*;
