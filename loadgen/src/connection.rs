//! What the connection tasks of a run share: the run's limits
//! ([`Control`]), each connection's send schedule ([`Schedule`]), a cheap
//! per-connection request timeout ([`Watchdog`]), and the per-thread
//! context the engines ([`crate::raw`], [`crate::http1`]) read.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::recorder::{Recorder, Slot};
use crate::request::PreparedRequest;

/// The limits shared by all threads of a run.
#[derive(Debug)]
pub(crate) struct Control {
    pub(crate) measure_start: Instant,
    pub(crate) deadline: Instant,
    pub(crate) budget: Option<u64>,
    pub(crate) claimed: AtomicU64,
    pub(crate) stop: Arc<AtomicBool>,
    /// Responses so far (warm-up included), for the progress bar.
    pub(crate) progress: AtomicU64,
}

impl Control {
    /// May a request due at `intended` be sent, and does it count?
    /// `None` means the run is over for this connection.
    pub(crate) fn claim(&self, intended: Instant) -> Option<Slot> {
        if self.stop.load(Ordering::Relaxed) || intended >= self.deadline {
            return None;
        }
        if intended < self.measure_start {
            return Some(Slot::Warmup);
        }
        if let Some(budget) = self.budget
            && self.claimed.fetch_add(1, Ordering::Relaxed) >= budget
        {
            return None;
        }
        Some(Slot::Measured)
    }
}

/// When each request of one connection is due.
#[derive(Debug)]
pub(crate) struct Schedule {
    /// Open loop: the next intended send time. Closed loop: `None` (now).
    pub(crate) next: Option<Instant>,
    pub(crate) interval: Duration,
    pub(crate) deadline: Instant,
}

impl Schedule {
    pub(crate) fn next_intended(&mut self) -> Instant {
        match self.next {
            None => Instant::now(),
            Some(due) => {
                self.next = Some(due + self.interval);
                due
            }
        }
    }

    /// Closed loop: lets the connection's next request wait for the next
    /// turn of the event loop, after every response that is ready now has
    /// been read. This is what wrk does (it re-arms a connection for writing
    /// when its response completes and writes on the next loop iteration),
    /// and it matters for what latency means: written at once, every
    /// connection's next request would queue at the busy server while the
    /// client is still reading other responses, and the measured latency
    /// would include that queueing (ours was ~20% above wrk's p50 at the same
    /// throughput before this). `yield_now` on tokio defers the task until
    /// the I/O driver has been polled again.
    pub(crate) async fn pace(&self) {
        if self.next.is_none() {
            tokio::task::yield_now().await;
        }
    }

    /// Waits until `intended` (open loop) and returns the actual send time.
    /// A request that is already late is sent at once: the lateness shows up
    /// in the corrected latency.
    pub(crate) async fn wait_until(&self, intended: Instant) -> Instant {
        if self.next.is_none() {
            return intended;
        }
        let now = Instant::now();
        if now < intended {
            tokio::time::sleep_until(intended.min(self.deadline).into()).await;
            return Instant::now();
        }
        now
    }
}

/// A per-connection request timeout that costs almost nothing per request.
///
/// `tokio::time::timeout` registers a fresh timer for every request, which
/// on a fast server is a noticeable part of the generator's CPU per request.
/// Instead each connection keeps one timer and moves it forward only when
/// half the timeout has passed since it was last set. The price: a request
/// times out somewhere between `timeout / 2` and `timeout` after it was
/// sent, which is all a timeout of seconds needs to be precise to.
#[derive(Debug)]
pub(crate) struct Watchdog {
    pub(crate) sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
    pub(crate) armed_at: Instant,
    pub(crate) timeout: Duration,
}

impl Watchdog {
    pub(crate) fn new(timeout: Duration) -> Watchdog {
        let now = Instant::now();
        Watchdog {
            sleep: Box::pin(tokio::time::sleep_until((now + timeout).into())),
            armed_at: now,
            timeout,
        }
    }

    /// Runs `work`, giving up (`None`) when the timer fires first.
    pub(crate) async fn guard<F: std::future::Future>(
        &mut self,
        now: Instant,
        work: F,
    ) -> Option<F::Output> {
        if now.saturating_duration_since(self.armed_at) >= self.timeout / 2 {
            self.sleep.as_mut().reset((now + self.timeout).into());
            self.armed_at = now;
        }
        tokio::select! {
            biased;
            output = work => Some(output),
            () = &mut self.sleep => None,
        }
    }
}

/// What every connection task of one thread shares (single-threaded, so
/// `Rc` and `RefCell` are enough).
#[derive(Debug)]
pub(crate) struct ThreadContext {
    pub(crate) control: Arc<Control>,
    pub(crate) recorder: RefCell<Recorder>,
    pub(crate) addr: SocketAddr,
    pub(crate) prepared: PreparedRequest,
    /// Pipelining: the request bytes repeated `pipeline` times.
    pub(crate) wire: Vec<u8>,
    /// Where a per-request [`crate::request::UNIQUE`] token goes in one
    /// request's bytes (empty for most requests), and the run's random id.
    pub(crate) unique_at: Vec<usize>,
    pub(crate) run_id: u32,
    pub(crate) pipeline: usize,
    pub(crate) head_request: bool,
    pub(crate) timeout: Duration,
    /// Open loop: `(start, per-connection interval, total connections)`.
    pub(crate) open_loop: Option<(Instant, Duration, usize)>,
}

impl ThreadContext {
    pub(crate) fn schedule(&self, index: usize) -> Schedule {
        let deadline = self.control.deadline;
        match self.open_loop {
            None => Schedule {
                next: None,
                interval: Duration::ZERO,
                deadline,
            },
            Some((start, interval, connections)) => Schedule {
                // Spread the connections' first requests over one interval
                // so the load is smooth, not in bursts of `connections`.
                next: Some(start + interval.mul_f64(index as f64 / connections as f64)),
                interval,
                deadline,
            },
        }
    }

    pub(crate) fn response(
        &self,
        slot: Slot,
        status: u16,
        intended: Instant,
        sent: Instant,
        done: Instant,
        bytes: u64,
    ) {
        let mut recorder = self.recorder.borrow_mut();
        // The progress counter is shared between threads: touch it every 64
        // responses, not on each, to keep its cache line quiet.
        if recorder.response(slot, status, intended, sent, done, bytes) >= 64 {
            let pending = recorder.take_unreported();
            self.control.progress.fetch_add(pending, Ordering::Relaxed);
        }
    }
}
