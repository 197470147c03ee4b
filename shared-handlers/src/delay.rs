//! Slow I/O on purpose: `GET /delay?ms=N` waits N milliseconds, then answers
//! `{"delayed_ms":N}`.
//!
//! The wait stands in for a slow database or a remote API. It is an async
//! sleep, so a waiting request holds no thread: thousands can wait at once.
//! Benchmarks use it to show that a few milliseconds of I/O dwarf the
//! microseconds a framework adds.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::validation::quote;

/// The longest wait a client may ask for, in milliseconds.
pub const MAX_DELAY_MS: u64 = 10_000;

/// The query string as it arrives; `ms` stays a string so that a bad value
/// gets our message (naming the parameter and its range).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DelayParams {
    pub ms: Option<String>,
}

/// A validated wait, `0..=10000` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelayMs(u64);

impl DelayMs {
    /// `ms` is required: a whole number from 0 to 10000.
    pub fn parse(params: &DelayParams) -> Result<DelayMs, Error> {
        let Some(raw) = params.ms.as_deref() else {
            return Err(Error::InvalidQuery(format!(
                "query parameter `ms` is required: the milliseconds to wait, 0 to {MAX_DELAY_MS}"
            )));
        };
        raw.parse::<u64>()
            .ok()
            .filter(|ms| *ms <= MAX_DELAY_MS)
            .map(DelayMs)
            .ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "query parameter `ms` must be a whole number from 0 to {MAX_DELAY_MS}, got {}",
                    quote(raw)
                ))
            })
    }

    /// The wait in milliseconds.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// The answer: how long the request waited (read back by [`crate::upstream`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delayed {
    pub delayed_ms: u64,
}

/// `GET /delay`: sleeps, then says for how long.
pub async fn delay(ms: DelayMs) -> Delayed {
    tokio::time::sleep(Duration::from_millis(ms.0)).await;
    Delayed { delayed_ms: ms.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(ms: Option<&str>) -> DelayParams {
        DelayParams {
            ms: ms.map(str::to_owned),
        }
    }

    #[test]
    fn accepts_zero_to_ten_thousand_and_names_the_parameter_otherwise() {
        assert!(DelayMs::parse(&params(Some("0"))).is_ok());
        assert!(DelayMs::parse(&params(Some("10000"))).is_ok());
        for bad in [
            None,
            Some(""),
            Some("-1"),
            Some("10001"),
            Some("1.5"),
            Some("x"),
        ] {
            let error = DelayMs::parse(&params(bad)).expect_err("invalid");
            assert!(error.to_string().contains("`ms`"), "{error}");
            assert_eq!(error.status(), 400);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_the_requested_time_on_tokio_s_clock() {
        let start = tokio::time::Instant::now();
        let delayed = delay(DelayMs(2500)).await;
        assert_eq!(delayed.delayed_ms, 2500);
        // With the clock paused, the sleep advances virtual time exactly.
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
    }
}
