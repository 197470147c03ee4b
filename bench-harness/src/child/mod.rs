//! Servers as child processes, both sides in one place: the harness side
//! ([`process`]: start a child, wait until it listens, stop it), the child
//! side ([`serve`]: the hidden `serve` and `exec-pinned` subcommands), and
//! the side channel between them ([`probe`]: allocation counters and
//! callgrind marks over the child's stdin and stdout), and a throwaway
//! PostgreSQL cluster the harness runs ([`postgres`]), and which database
//! the servers get ([`database`]).
//!
//! Dependencies run one way: `serve` starts the probe's responder, the
//! probe's harness side talks to a [`process::ServerProcess`], and
//! `process` knows neither.

pub mod database;
pub mod guest;
pub mod postgres;
pub mod probe;
pub mod process;
pub mod serve;
