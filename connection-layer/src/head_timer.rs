//! The header-read timeout's clock: one tokio timer per connection, moved
//! forward for each request head instead of created and destroyed.
//!
//! hyper times every request head (`header_read_timeout`, the slowloris
//! protection, which also closes idle keep-alive connections) with a
//! [`Timer`] it is given. hyper-util's `TokioTimer` answers each head with a
//! fresh `tokio::time::Sleep` in a fresh box: registered in tokio's timer
//! wheel the first time hyper waits for bytes, removed from it again when
//! the head has arrived. Two trips through the wheel's lock per request,
//! for a deadline that almost never passes.
//!
//! [`HeadTimer`] keeps one `Sleep` for the whole connection and lends it to
//! each head. Moving a registered `Sleep` *later* is an atomic store in
//! tokio (the wheel notices when the old deadline comes up and files the
//! timer again), and each head's deadline is later than the one before, so
//! a keep-alive connection touches the wheel about once per timeout period
//! instead of twice per request. What hyper sees is the same: a future that
//! is ready when the head's deadline has passed.
//!
//! A `HeadTimer` is per connection: hyper keeps its timer in the connection
//! builder, so [`crate::serve`] hands each connection a builder of its own.
//! One sleep is lent at a time, which is how hyper's HTTP/1 server uses its
//! timer (in hyper 1.12 the request head is the only wait it times); a
//! sleep asked for while the one is out gets a new tokio timer of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

type TokioSleep = Pin<Box<tokio::time::Sleep>>;

// ANCHOR: head_timer
/// hyper's [`Timer`] for one connection's request heads.
#[derive(Debug, Clone, Default)]
pub struct HeadTimer {
    /// The connection's tokio timer while no head has it. A `Mutex` because
    /// hyper wants its timers `Send + Sync`; one task drives the
    /// connection, so it is never contended.
    spare: Arc<Mutex<Option<TokioSleep>>>,
}

impl Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        let deadline = deadline.into();
        let spare = self
            .spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let sleep = match spare {
            Some(mut sleep) => {
                // Later than the last head's: tokio only moves a number. (If
                // that deadline has passed meanwhile, tokio files it anew.)
                sleep.as_mut().reset(deadline);
                sleep
            }
            // The first head (tokio files it when it is first polled), or
            // a second sleep while the first is lent.
            None => Box::pin(tokio::time::sleep_until(deadline)),
        };
        Box::pin(HeadDeadline {
            sleep: Some(sleep),
            home: Arc::clone(&self.spare),
        })
    }

    /// tokio's clock, so that a test with tokio's time paused sees these
    /// deadlines move with it.
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HeadDeadline>() {
            Some(mut head) => head.sleep_mut().as_mut().reset(new_deadline.into()),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// One head's deadline: the connection's tokio timer, lent until the head
/// has come (hyper then drops this) and given back for the next one.
struct HeadDeadline {
    /// Always `Some` until `drop` gives it back.
    sleep: Option<TokioSleep>,
    home: Arc<Mutex<Option<TokioSleep>>>,
}

impl HeadDeadline {
    fn sleep_mut(&mut self) -> &mut TokioSleep {
        self.sleep
            .as_mut()
            .expect("the timer is given back only on drop")
    }
}

impl Future for HeadDeadline {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.sleep_mut().as_mut().poll(cx)
    }
}

impl Drop for HeadDeadline {
    fn drop(&mut self) {
        // A panic elsewhere cannot leave the `Option` half-written.
        let mut home = self.home.lock().unwrap_or_else(PoisonError::into_inner);
        if home.is_none() {
            *home = self.sleep.take();
        }
    }
}

impl Sleep for HeadDeadline {}
// ANCHOR_END: head_timer

#[cfg(test)]
mod tests {
    use super::*;

    /// Polls `sleep` once, as hyper does while it waits for bytes.
    fn poll_once(sleep: &mut Pin<Box<dyn Sleep>>) -> Poll<()> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        sleep.as_mut().poll(&mut cx)
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_deadline_is_ready_only_once_it_has_passed() {
        let timer = HeadTimer::default();
        let mut head = timer.sleep(Duration::from_secs(10));
        assert!(poll_once(&mut head).is_pending());
        tokio::time::advance(Duration::from_millis(9_999)).await;
        assert!(poll_once(&mut head).is_pending());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(poll_once(&mut head).is_ready());
    }

    #[tokio::test(start_paused = true)]
    async fn each_head_gets_its_own_deadline_from_the_one_timer() {
        let timer = HeadTimer::default();
        // The first head waits 6 s, then arrives: hyper drops its sleep.
        let mut first = timer.sleep(Duration::from_secs(10));
        assert!(poll_once(&mut first).is_pending());
        tokio::time::advance(Duration::from_secs(6)).await;
        drop(first);
        // The next head starts at 6 s; the first deadline (10 s) is not its.
        let mut second = timer.sleep(Duration::from_secs(10));
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(poll_once(&mut second).is_pending(), "11 s < 16 s");
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(poll_once(&mut second).is_ready(), "16 s have passed");
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_after_the_timer_fired_unused_waits_its_full_time() {
        let timer = HeadTimer::default();
        let mut first = timer.sleep(Duration::from_secs(1));
        assert!(poll_once(&mut first).is_pending());
        drop(first);
        // A long request: the shared sleep fires with no head waiting.
        tokio::time::advance(Duration::from_secs(30)).await;
        let mut next = timer.sleep(Duration::from_secs(1));
        assert!(poll_once(&mut next).is_pending());
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(poll_once(&mut next).is_ready());
    }

    #[tokio::test(start_paused = true)]
    async fn two_sleeps_at_once_each_wake_their_own_task_at_their_own_deadline() {
        let timer = HeadTimer::default();
        let start = tokio::time::Instant::now();
        let (long, short) = (
            timer.sleep(Duration::from_secs(10)),
            timer.sleep(Duration::from_secs(2)),
        );
        let long = tokio::spawn(async move {
            long.await;
            start.elapsed()
        });
        let short = tokio::spawn(async move {
            short.await;
            start.elapsed()
        });
        // Sharing one tokio timer, the second would take it over and the
        // first task would never be woken: the minute would pass instead.
        let both = async { (long.await.expect("long"), short.await.expect("short")) };
        let (long, short) = tokio::time::timeout(Duration::from_secs(60), both)
            .await
            .expect("both sleeps end");
        assert_eq!(
            (long, short),
            (Duration::from_secs(10), Duration::from_secs(2))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn reset_moves_a_heads_deadline() {
        let timer = HeadTimer::default();
        let mut head = timer.sleep(Duration::from_secs(1));
        assert!(poll_once(&mut head).is_pending());
        timer.reset(&mut head, timer.now() + Duration::from_secs(5));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(poll_once(&mut head).is_pending());
        tokio::time::advance(Duration::from_secs(3)).await;
        assert!(poll_once(&mut head).is_ready());
    }
}
