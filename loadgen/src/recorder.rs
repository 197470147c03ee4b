//! What a client thread writes down while the load runs: latencies, status
//! codes, errors. One [`Recorder`] per thread, so the hot path takes no lock;
//! the threads' recorders are merged once at the end.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::latency::{new_histogram, record};

/// Why a request failed. Each has its own counter in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The TCP connection could not be opened (refused, unreachable).
    Connect,
    /// No complete response within the request timeout.
    Timeout,
    /// The server closed or reset the connection before the response ended.
    Reset,
    /// The bytes that came back are not a valid HTTP/1.1 response.
    Malformed,
    /// Anything else the I/O layer reported.
    Other,
}

/// Error counters, by [`ErrorKind`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCounts {
    pub connect: u64,
    pub timeout: u64,
    pub reset: u64,
    pub malformed: u64,
    pub other: u64,
}

impl ErrorCounts {
    pub fn total(&self) -> u64 {
        self.connect + self.timeout + self.reset + self.malformed + self.other
    }

    fn add(&mut self, kind: ErrorKind) {
        match kind {
            ErrorKind::Connect => self.connect += 1,
            ErrorKind::Timeout => self.timeout += 1,
            ErrorKind::Reset => self.reset += 1,
            ErrorKind::Malformed => self.malformed += 1,
            ErrorKind::Other => self.other += 1,
        }
    }

    fn merge(&mut self, other: &ErrorCounts) {
        self.connect += other.connect;
        self.timeout += other.timeout;
        self.reset += other.reset;
        self.malformed += other.malformed;
        self.other += other.other;
    }
}

/// Classifies an I/O error by what it means for a load test.
pub fn classify_io(error: &std::io::Error) -> ErrorKind {
    use std::io::ErrorKind as Io;
    match error.kind() {
        Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe | Io::UnexpectedEof => {
            ErrorKind::Reset
        }
        Io::TimedOut => ErrorKind::Timeout,
        Io::InvalidData => ErrorKind::Malformed,
        Io::ConnectionRefused | Io::AddrNotAvailable | Io::NotConnected => ErrorKind::Connect,
        _ => ErrorKind::Other,
    }
}

/// Classifies an error from hyper's client.
///
/// hyper says what went wrong with predicates (`is_parse`, ...) and keeps
/// the underlying I/O error as its `source`, so we look at both.
pub fn classify_hyper(error: &hyper::Error) -> ErrorKind {
    if error.is_parse() || error.is_parse_status() || error.is_parse_too_large() {
        return ErrorKind::Malformed;
    }
    if error.is_timeout() {
        return ErrorKind::Timeout;
    }
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return classify_io(io);
        }
        source = inner.source();
    }
    // "connection closed before message completed" and friends: the server
    // went away in the middle of an exchange.
    if error.is_incomplete_message() || error.is_closed() || error.is_canceled() {
        return ErrorKind::Reset;
    }
    ErrorKind::Other
}

/// Whether a request belongs to the warm-up or to the measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Warmup,
    Measured,
}

/// Status codes are counted in a flat array indexed by code: cheaper on the
/// hot path than a map, and 600 counters are 4.8 KB per thread.
const STATUS_SLOTS: usize = 600;

/// One thread's observations.
#[derive(Debug)]
pub struct Recorder {
    /// From the moment the request was written to the end of the response.
    pub service: Histogram<u64>,
    /// Open loop only: from the *intended* send time to the end of the
    /// response, which includes time spent waiting behind a slow response.
    pub corrected: Option<Histogram<u64>>,
    /// Open loop only: how late each request left against its schedule
    /// (`sent - intended`). Shows how much of the corrected latency is the
    /// generator's own timer (1 ms resolution) rather than the server.
    pub send_lag: Option<Histogram<u64>>,
    statuses: Vec<u64>,
    /// Responses with a status code outside 0..600 (none in practice).
    pub odd_statuses: u64,
    pub errors: ErrorCounts,
    /// Measured responses (any status).
    pub responses: u64,
    pub body_bytes: u64,
    /// Responses not yet added to the shared progress counter.
    unreported: u64,
}

impl Recorder {
    pub fn new(open_loop: bool) -> Recorder {
        Recorder {
            service: new_histogram(),
            corrected: open_loop.then(new_histogram),
            send_lag: open_loop.then(new_histogram),
            statuses: vec![0; STATUS_SLOTS],
            odd_statuses: 0,
            errors: ErrorCounts::default(),
            responses: 0,
            body_bytes: 0,
            unreported: 0,
        }
    }

    /// Records a complete response. Returns how many responses are waiting
    /// to be reported to the progress counter (the caller flushes them now
    /// and then, not on every request).
    pub fn response(
        &mut self,
        slot: Slot,
        status: u16,
        intended: Instant,
        sent: Instant,
        done: Instant,
        body_bytes: u64,
    ) -> u64 {
        if slot == Slot::Measured {
            record(&mut self.service, done.saturating_duration_since(sent));
            if let Some(corrected) = &mut self.corrected {
                record(corrected, done.saturating_duration_since(intended));
            }
            if let Some(lag) = &mut self.send_lag {
                record(lag, sent.saturating_duration_since(intended));
            }
            match self.statuses.get_mut(usize::from(status)) {
                Some(count) => *count += 1,
                None => self.odd_statuses += 1,
            }
            self.responses += 1;
            self.body_bytes += body_bytes;
        }
        self.unreported += 1;
        self.unreported
    }

    /// Takes the count of responses not yet reported to the progress bar.
    pub fn take_unreported(&mut self) -> u64 {
        std::mem::take(&mut self.unreported)
    }

    pub fn error(&mut self, slot: Slot, kind: ErrorKind) {
        if slot == Slot::Measured {
            self.errors.add(kind);
        }
    }

    /// Status code counts, only those that occurred.
    pub fn status_counts(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        self.statuses
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .filter_map(|(code, count)| Some((u16::try_from(code).ok()?, *count)))
    }

    /// Adds another thread's observations to these.
    pub fn merge(&mut self, other: &Recorder) {
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.service.add(&other.service);
        if let (Some(mine), Some(theirs)) = (&mut self.corrected, &other.corrected) {
            let _ = mine.add(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.send_lag, &other.send_lag) {
            let _ = mine.add(theirs);
        }
        for (mine, theirs) in self.statuses.iter_mut().zip(&other.statuses) {
            *mine += theirs;
        }
        self.odd_statuses += other.odd_statuses;
        self.errors.merge(&other.errors);
        self.responses += other.responses;
        self.body_bytes += other.body_bytes;
    }
}

/// How long a connection waits before trying again after a failed connect,
/// so a refused port does not turn the generator into a busy loop.
pub const RECONNECT_PAUSE: Duration = Duration::from_millis(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_requests_are_not_counted() {
        let mut recorder = Recorder::new(false);
        let now = Instant::now();
        recorder.response(Slot::Warmup, 200, now, now, now, 10);
        recorder.error(Slot::Warmup, ErrorKind::Reset);
        recorder.response(Slot::Measured, 404, now, now, now, 10);

        assert_eq!(recorder.responses, 1);
        assert_eq!(recorder.errors.total(), 0);
        assert_eq!(recorder.status_counts().collect::<Vec<_>>(), vec![(404, 1)]);
    }

    #[test]
    fn io_errors_are_classified_by_kind() {
        use std::io::{Error, ErrorKind as Io};
        assert_eq!(
            classify_io(&Error::from(Io::ConnectionReset)),
            ErrorKind::Reset
        );
        assert_eq!(
            classify_io(&Error::from(Io::ConnectionRefused)),
            ErrorKind::Connect
        );
        assert_eq!(classify_io(&Error::from(Io::TimedOut)), ErrorKind::Timeout);
    }
}
