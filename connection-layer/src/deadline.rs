//! A write deadline for a socket: the one timeout hyper does not have.
//!
//! hyper times the request *head* (`header_read_timeout`, which also closes
//! idle keep-alive connections), and the request layer times the *handler*
//! (`AppConfig::request_timeout`). Nothing times the response on its way
//! out: a client that sends requests and never reads the answers (a "slow
//! reader") fills its receive buffer, then the server's send buffer, and
//! from then on every write hyper attempts is pending. hyper waits for as
//! long as it takes, holding the connection, its descriptor and the unsent
//! response body, forever.
//!
//! [`DeadlineIo`] wraps the socket and fails a write that stays pending for
//! longer than the deadline with `TimedOut`. hyper treats that like any other
//! I/O error: the connection ends and the socket is closed. Reads are passed
//! through untouched, because slow *senders* are already covered by the
//! header timeout and the request timeout.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

// ANCHOR: write_deadline
/// A socket whose writes fail once one has been pending for `deadline`.
///
/// The timer starts when a write (or flush) first returns `Pending` and is
/// cleared as soon as one makes progress, so a client reading slowly but
/// steadily is never cut off: only one that stops reading for the whole
/// deadline is. A fast connection never creates the timer at all.
#[derive(Debug)]
pub struct DeadlineIo<T> {
    inner: T,
    deadline: Duration,
    /// Armed while a write is pending; boxed so `DeadlineIo` stays `Unpin`
    /// (hyper's `TokioIo` wants that, and it needs no unsafe pinning).
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> DeadlineIo<T> {
    pub fn new(inner: T, deadline: Duration) -> DeadlineIo<T> {
        DeadlineIo {
            inner,
            deadline,
            stalled: None,
        }
    }

    /// The socket underneath.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// Turns the outcome of one write attempt into the deadline's verdict:
    /// progress clears the timer; `Pending` arms it (once) and fails the
    /// write with `TimedOut` when it has run out.
    fn check<R>(
        &mut self,
        cx: &mut Context<'_>,
        attempt: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if attempt.is_ready() {
            self.stalled = None;
            return attempt;
        }
        let deadline = self.deadline;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(Instant::now() + deadline)));
        // Polling the timer registers this task for its wake-up, so the
        // connection is woken at the deadline even if the socket never is.
        ready!(timer.as_mut().poll(cx));
        self.stalled = None;
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("the client read nothing for {deadline:?}; closing the connection"),
        )))
    }
}
// ANCHOR_END: write_deadline

impl<T: AsyncRead + Unpin> AsyncRead for DeadlineIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for DeadlineIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let attempt = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.check(cx, attempt)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let attempt = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.check(cx, attempt)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let attempt = Pin::new(&mut self.inner).poll_flush(cx);
        self.check(cx, attempt)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let attempt = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.check(cx, attempt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_write_nobody_reads_fails_with_timed_out_at_the_deadline() {
        // A 64-byte pipe whose other end never reads: the second write blocks.
        let (writer, _reader) = tokio::io::duplex(64);
        let mut io = DeadlineIo::new(writer, Duration::from_millis(200));
        io.write_all(&[0; 64]).await.expect("fits in the pipe");
        let started = Instant::now();
        let error = io.write_all(&[0; 64]).await.expect_err("nobody reads");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        let waited = started.elapsed();
        // Not before the deadline; the upper bound is generous for a busy CI.
        assert!(
            waited >= Duration::from_millis(200),
            "failed early, after {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(5),
            "failed late, after {waited:?}"
        );
    }

    #[tokio::test]
    async fn a_slow_but_steady_reader_is_never_cut_off() {
        let (writer, mut reader) = tokio::io::duplex(64);
        let mut io = DeadlineIo::new(writer, Duration::from_secs(2));
        // The reader pauses 20 ms per 64 bytes: slower than the writer, so
        // the writer keeps stalling, but never for as long as the deadline.
        let drain = tokio::spawn(async move {
            let mut chunk = [0u8; 64];
            let mut total = 0;
            while total < 1280 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                total += reader.read(&mut chunk).await.expect("reads");
            }
            total
        });
        io.write_all(&[7; 1280])
            .await
            .expect("every write progresses in time");
        assert_eq!(drain.await.expect("reader finishes"), 1280);
    }
}
