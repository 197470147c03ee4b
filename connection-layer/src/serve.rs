//! The accept loop: what `axum::serve` does, written out by hand.
//!
//! For every accepted TCP socket we spawn a task that drives one hyper HTTP/1
//! connection. The request layer (`service`) is whatever the caller passes:
//! raw-server's `service_fn`, or axum's `Router` wrapped for hyper. On
//! shutdown we stop accepting, ask every connection to finish gracefully,
//! and close whatever is still open when the drain deadline passes.
//!
//! Two limits protect the server from its clients: at most
//! [`ConnectionSettings::max_connections`] sockets are served at once (the
//! connection cap), and every socket's writes are bounded by
//! [`ConnectionSettings::write_timeout`] (see [`crate::deadline`]).

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Incoming};
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::deadline::DeadlineIo;
use crate::settings::ConnectionSettings;

type BoxError = Box<dyn StdError + Send + Sync>;

// ANCHOR: accept_loop
/// Serves HTTP/1 connections from `listener` with `service` until `shutdown`
/// completes, then drains open connections for at most
/// [`ConnectionSettings::drain_timeout`].
pub async fn serve<S, B>(
    listener: TcpListener,
    settings: &ConnectionSettings,
    service: S,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    // GracefulShutdown keeps a handle on every connection it `watch`es, so one
    // call can later tell them all: "finish the request you are on, then close".
    let graceful = GracefulShutdown::new();
    // Every connection task lives in this set, so that after the drain
    // deadline we can abort the stragglers instead of leaking them.
    let mut connections = JoinSet::new();
    let mut backoff = Backoff::default();
    let slots = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    tokio::pin!(shutdown);

    loop {
        tokio::select! {
            (slot, accepted) = next_connection(&listener, &slots) => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, out of memory...: the
                        // listener is fine but the machine is not. Wait a
                        // little (longer each time) instead of spinning.
                        let pause = backoff.next_pause();
                        tracing::warn!("accept failed: {e}; retrying in {pause:?}");
                        tokio::time::sleep(pause).await;
                        continue;
                    }
                };
                backoff.reset();
                if settings.tcp_nodelay
                    && let Err(e) = stream.set_nodelay(true)
                {
                    tracing::debug!("cannot set TCP_NODELAY for {peer}: {e}");
                }
                // TokioIo adapts tokio's AsyncRead/AsyncWrite to hyper's own
                // I/O traits: hyper 1.x does not depend on any one runtime.
                let io = TokioIo::new(DeadlineIo::new(stream, settings.write_timeout));
                // A builder per connection: each has its own header timer.
                let connection = settings.http1_builder().serve_connection(io, service.clone());
                let connection = graceful.watch(connection);
                connections.spawn(async move {
                    // The slot is freed when this task ends, however it ends
                    // (finished, failed, or aborted at the drain deadline).
                    let _slot = slot;
                    // Errors here are per connection (client went away, bad
                    // request head, header timeout): hyper has already
                    // answered what could be answered. Not the server's fault.
                    if let Err(e) = connection.await {
                        tracing::debug!("connection from {peer} ended with an error: {e}");
                    }
                });
            }
            // Reap finished connection tasks so the set does not grow forever.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = &mut shutdown => break,
        }
    }

    // Stop accepting: closing the listener makes new connects fail fast
    // instead of waiting in the kernel's backlog for a server that is leaving.
    drop(listener);
    drain(graceful, connections, settings.drain_timeout).await;
}

/// The shutdown half of [`serve`]: idle keep-alive connections close now,
/// busy ones after their response, and whatever is still open after
/// `deadline` is aborted.
async fn drain(graceful: GracefulShutdown, mut connections: JoinSet<()>, deadline: Duration) {
    let drained = graceful.shutdown();
    let all_done = async {
        drained.await;
        while connections.join_next().await.is_some() {}
    };
    if tokio::time::timeout(deadline, all_done).await.is_err() {
        tracing::warn!("drain deadline of {deadline:?} passed; closing the connections still open");
    }
    connections.shutdown().await;
}
// ANCHOR_END: accept_loop

// ANCHOR: connection_cap
/// Waits for a free connection slot, *then* accepts. While every slot is
/// taken the listener is simply not polled: new clients wait in the kernel's
/// listen backlog (and, past it, have their connection attempts retried by
/// their own TCP stack) until a connection closes. Nothing is accepted only
/// to be closed, and no descriptor is spent on a socket that cannot be
/// served.
///
/// Cancel-safe, as `select!` needs: if another branch wins, a slot that was
/// already acquired is released again, and tokio's `accept` loses nothing.
async fn next_connection(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> (OwnedSemaphorePermit, io::Result<(TcpStream, SocketAddr)>) {
    let slot = Arc::clone(slots)
        .acquire_owned()
        .await
        .expect("the semaphore lives as long as the loop and is never closed");
    (slot, listener.accept().await)
}
// ANCHOR_END: connection_cap

/// Exponential back-off for accept errors: 5 ms, 10 ms, ... capped at 1 s.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn next_pause(&mut self) -> Duration {
        let pause = Duration::from_millis(5) * 2u32.saturating_pow(self.failures.min(8));
        self.failures = self.failures.saturating_add(1);
        pause.min(Duration::from_secs(1))
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Binds a listener the way both servers do: `SO_REUSEADDR` so a restarted
/// server can bind at once, and optionally `SO_REUSEPORT` so several sockets
/// (one per core) can share one port and let the kernel spread connections.
pub fn bind(addr: std::net::SocketAddr, reuse_port: bool) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    #[cfg(not(unix))]
    let _ = reuse_port;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps_at_one_second() {
        let mut backoff = Backoff::default();
        let pauses: Vec<_> = (0..10).map(|_| backoff.next_pause().as_millis()).collect();
        assert_eq!(pauses, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.reset();
        assert_eq!(backoff.next_pause().as_millis(), 5);
    }
}
