//! The shutdown signal: Ctrl-C in a terminal, SIGTERM from a process manager.
//!
//! Handlers are installed *before* the server announces its address: a
//! process manager (or a test) that sends SIGTERM the moment it reads
//! `listening on ...` must find the handler in place, or the default action
//! would kill the process without draining anything.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// Installed handlers for SIGINT (Ctrl-C) and SIGTERM.
#[derive(Debug)]
pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    /// Installs the handlers. Must be called inside a tokio runtime, and the
    /// returned value awaited on that same runtime.
    pub fn install() -> std::io::Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Completes when the process receives Ctrl-C (SIGINT) or SIGTERM.
    pub async fn recv(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => tracing::info!("Ctrl-C received, shutting down"),
            _ = self.terminate.recv() => tracing::info!("SIGTERM received, shutting down"),
        }
    }
}
