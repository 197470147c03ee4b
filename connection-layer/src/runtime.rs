//! Which tokio runtime(s) serve the requests.
//!
//! - `multi-thread`: one work-stealing runtime with N worker threads, what
//!   `#[tokio::main]` gives you. The default.
//! - `current-thread`: everything on one thread. Used under valgrind, where
//!   one thread makes instruction counts repeatable.
//! - `per-core`: N independent current-thread runtimes, each on its own OS
//!   thread with its own listening socket on the same port (`SO_REUSEPORT`);
//!   the kernel spreads new connections over them. No work stealing, no
//!   cross-thread wake-ups: the layout TechEmpower's fastest hyper and axum
//!   entries use.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::serve::bind;
use crate::shutdown::Signals;

/// The runtime layout, chosen with `--runtime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuntimeFlavor {
    CurrentThread,
    MultiThread,
    PerCore,
}

/// Binds `addr`, prints `listening on http://IP:PORT`, and runs
/// `serve_on(listener, shutdown)` on the chosen runtime(s) until Ctrl-C or
/// SIGTERM cancels `shutdown` and every server has drained.
///
/// `serve_on` is what each binary's `main` passes in: a closure calling its
/// library's `run`. With `per-core` it is called once per worker thread.
pub fn launch<F, Fut>(
    addr: SocketAddr,
    flavor: RuntimeFlavor,
    workers: usize,
    serve_on: F,
) -> anyhow::Result<()>
where
    F: Fn(TcpListener, CancellationToken) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let workers = workers.max(1);
    match flavor {
        RuntimeFlavor::CurrentThread | RuntimeFlavor::MultiThread => {
            launch_one(addr, flavor, workers, serve_on)
        }
        RuntimeFlavor::PerCore => launch_per_core(addr, workers, serve_on),
    }
}

/// `current-thread` and `multi-thread`: one runtime, one listener.
fn launch_one<F, Fut>(
    addr: SocketAddr,
    flavor: RuntimeFlavor,
    workers: usize,
    serve_on: F,
) -> anyhow::Result<()>
where
    F: Fn(TcpListener, CancellationToken) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let shutdown = CancellationToken::new();
    let runtime = if flavor == RuntimeFlavor::CurrentThread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()?
    };
    let listener = bind(addr, false).with_context(|| format!("cannot listen on {addr}"))?;
    let result = runtime.block_on(async {
        let signals = Signals::install().context("cannot install signal handlers")?;
        announce(listener.local_addr()?);
        let listener = TcpListener::from_std(listener)?;
        tokio::spawn(cancel_on_signal(signals, shutdown.clone()));
        serve_on(listener, shutdown).await
    });
    abandon_leftovers(runtime);
    result
}

/// `per-core`: one current-thread runtime per worker thread, each with its
/// own `SO_REUSEPORT` listener on the same port; the main thread only waits
/// for a signal (or for a worker to stop).
fn launch_per_core<F, Fut>(addr: SocketAddr, workers: usize, serve_on: F) -> anyhow::Result<()>
where
    F: Fn(TcpListener, CancellationToken) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let shutdown = CancellationToken::new();
    // Bind the first socket (possibly on port 0), then the others on the
    // port the kernel picked, all with SO_REUSEPORT.
    let first = bind(addr, true).with_context(|| format!("cannot listen on {addr}"))?;
    let bound = first.local_addr()?;
    let mut listeners = vec![first];
    for _ in 1..workers {
        listeners.push(bind(bound, true).with_context(|| format!("cannot listen on {bound}"))?);
    }
    // The signal handlers are installed before we announce.
    let signal_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let signals = {
        let _inside = signal_runtime.enter();
        Signals::install().context("cannot install signal handlers")?
    };
    announce(bound);

    let serve_on = Arc::new(serve_on);
    let mut threads = Vec::with_capacity(workers);
    for (index, listener) in listeners.into_iter().enumerate() {
        let serve_on = Arc::clone(&serve_on);
        let shutdown = shutdown.clone();
        let thread = std::thread::Builder::new()
            .name(format!("worker-{index}"))
            .spawn(move || -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                let result = runtime.block_on(async {
                    let listener = TcpListener::from_std(listener)?;
                    serve_on(listener, shutdown.clone()).await
                });
                abandon_leftovers(runtime);
                // One worker failing takes the others down with it, rather
                // than leaving a server with fewer cores.
                shutdown.cancel();
                result
            })?;
        threads.push(thread);
    }

    signal_runtime.block_on(cancel_on_signal(signals, shutdown));
    let mut result = Ok(());
    for thread in threads {
        match thread.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => result = Err(e),
            Err(_) => result = Err(anyhow::anyhow!("a worker thread panicked")),
        }
    }
    result
}

// ANCHOR: abandon_leftovers
/// Tears a runtime down without waiting for its blocking threads.
///
/// By the time `serve` returns, every connection has either finished or
/// been aborted at the drain deadline. What can remain is blocking work
/// that an aborted request had started on tokio's blocking pool (a long
/// database query): nobody waits for its answer any more. Dropping the
/// runtime normally would wait for it, letting one slow query hold the
/// process past its drain deadline; `shutdown_timeout(ZERO)` does not, so
/// the drain deadline bounds the whole exit. SQLite's journal makes an
/// interrupted write harmless: it is rolled back on the next open.
fn abandon_leftovers(runtime: tokio::runtime::Runtime) {
    runtime.shutdown_timeout(std::time::Duration::ZERO);
}
// ANCHOR_END: abandon_leftovers

/// Prints the one line scripts and the bench harness wait for, then flushes
/// so a parent process reading our stdout through a pipe sees it at once.
fn announce(addr: SocketAddr) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    // If stdout is closed there is nobody to tell; serving still makes sense.
    let _ = writeln!(stdout, "listening on http://{addr}");
    let _ = stdout.flush();
}

/// Cancels `shutdown` on Ctrl-C or SIGTERM; returns early if something else
/// cancelled it first.
async fn cancel_on_signal(signals: Signals, shutdown: CancellationToken) {
    tokio::select! {
        () = signals.recv() => shutdown.cancel(),
        () = shutdown.cancelled() => {}
    }
}
