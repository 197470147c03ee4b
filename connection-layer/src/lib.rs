//! # connection-layer: everything below the request layer, shared by both servers
//!
//! The question frameworth asks is "what does the *framework* cost?". To
//! answer it fairly, raw-server and framework-server must accept and drive
//! connections in exactly the same way, so that only the request layer
//! differs: a hand-written `service_fn` on one side, an axum `Router` with
//! tower layers on the other. This crate is that common ground. It is plain
//! hyper + hyper-util + tokio, written by hand, and it is part of the raw
//! server's lesson: this is what `axum::serve` does for you.
//!
//! framework-server can also skip this crate and use `axum::serve`
//! (`--serve axum`), so reports can show what the framework's *defaults* cost.
//!
//! ## Layout
//!
//! | module       | concept                                                            |
//! |--------------|--------------------------------------------------------------------|
//! | [`settings`] | one [`ConnectionSettings`] value: timeouts, limits, keep-alive, `TCP_NODELAY` |
//! | [`serve`]    | the accept loop: spawn a hyper connection per socket, cap their number, back off on errors, drain on shutdown |
//! | [`head_timer`] | hyper's header-read timer: one tokio timer per connection, moved forward for each request head |
//! | [`deadline`] | the socket wrapper that fails a write pending longer than the write timeout (slow readers) |
//! | [`shutdown`] | Ctrl-C / SIGTERM as a future                                       |
//! | [`runtime`]  | current-thread, multi-thread, or one runtime per core with `SO_REUSEPORT` |
//! | [`cli`]      | the command-line flags both binaries accept                        |

pub mod cli;
pub mod deadline;
pub mod head_timer;
pub mod runtime;
pub mod serve;
pub mod settings;
pub mod shutdown;

pub use cli::ServerArgs;
pub use runtime::RuntimeFlavor;
pub use serve::serve;
pub use settings::ConnectionSettings;

/// Sets up `tracing` output on stderr, filtered by `RUST_LOG`.
///
/// Quiet by default (`warn`): logging every request would cost more than
/// the framework overhead we want to measure. stdout is left alone, because
/// the one line `listening on http://IP:PORT` goes there for scripts to read.
// ANCHOR: init_tracing
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    // `try_init` fails only when a subscriber is already set (e.g. twice in
    // one test process); keeping the first one is the right outcome.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // When a log line cannot be written (stderr on a full disk), the
        // default reports it with `eprintln!`, which panics when stderr
        // fails: every request that logs would then be reset, and the task
        // waiting for SIGTERM would die on its log line. A lost log line is
        // the lesser harm (see the reliability suite's `full_log`).
        .log_internal_errors(false)
        .try_init();
}
// ANCHOR_END: init_tracing
