//! # Exercise 2: read cookies by hand
//!
//! framework-server reads the `visits` cookie with axum-extra's
//! `CookieJar`; raw-server reads it by hand (`raw_server::extract::cookie`)
//! and must find the same value in every request, however odd. The task
//! (in `src/starter.rs`): write [`cookie`], the value of one cookie from a
//! request's headers, so that it agrees with the jar on every request of
//! the tests' table. The starter splits the first header naively and gets
//! most of the table wrong.

#[cfg(feature = "starter")]
#[path = "starter.rs"]
mod reader;

#[cfg(not(feature = "starter"))]
#[path = "solution.rs"]
mod reader;

pub use reader::cookie;
