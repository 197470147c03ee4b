//! The middleware chain's steps, in the order both servers run them, and how
//! much of the chain a server runs (`--middleware none|full|up-to=STEP`).
//!
//! The switch exists to measure: `none` is routing and the handler alone,
//! the like-for-like case of a hand-written `match` against axum's `Router`;
//! each `up-to=STEP` adds one step, so the difference between two neighbours
//! is what that step costs. `full`, the default, is the server as shipped.
//! Both servers read the same [`Chain`] and skip the same steps, so they
//! still answer identically with any prefix of the chain.
//!
//! A shortened chain is for benchmarks only: without step 9 the `/admin/`
//! endpoints are open, without step 5 request bodies have no size limit.

use std::fmt;
use std::str::FromStr;

/// One step of the middleware chain, in chain order (outermost first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// 1. the `x-request-id` a request goes by, echoed on the answer.
    RequestId,
    /// 2. one access-log line per request.
    AccessLog,
    /// 3. `400` for a missing or malformed `Host`.
    HostCheck,
    /// 4. `503` for a request that takes too long.
    Timeout,
    /// 5. `413` for a body over the limit (and draining what was refused).
    BodyLimit,
    /// 5b. `Cache-Control` from the catalogue, `ETag` and `304` where the
    /// content is stable.
    CacheHeaders,
    /// 6. gzip for clients that ask, on endpoints that allow it.
    Compression,
    /// 7. a panicking handler becomes a `500` problem.
    PanicCatcher,
    /// 8. per-endpoint request counters (`/admin/stats`).
    Counters,
    /// 9. the bearer token `/admin/` requires.
    AdminToken,
}

impl Step {
    /// Every step, in chain order.
    pub const ALL: [Step; 10] = [
        Step::RequestId,
        Step::AccessLog,
        Step::HostCheck,
        Step::Timeout,
        Step::BodyLimit,
        Step::CacheHeaders,
        Step::Compression,
        Step::PanicCatcher,
        Step::Counters,
        Step::AdminToken,
    ];

    /// The name on the command line and in reports: `request-id`, …
    pub fn name(self) -> &'static str {
        match self {
            Step::RequestId => "request-id",
            Step::AccessLog => "access-log",
            Step::HostCheck => "host-check",
            Step::Timeout => "timeout",
            Step::BodyLimit => "body-limit",
            Step::CacheHeaders => "cache-headers",
            Step::Compression => "compression",
            Step::PanicCatcher => "panic-catcher",
            Step::Counters => "counters",
            Step::AdminToken => "admin-token",
        }
    }

    fn position(self) -> usize {
        Step::ALL
            .iter()
            .position(|step| *step == self)
            .expect("ALL lists every step")
    }
}

/// How much of the chain runs: the first `len` steps of [`Step::ALL`].
///
/// Only prefixes, on purpose: adding one step at a time is what a cumulative
/// measurement needs, and it keeps the configurations that must answer
/// alike on both servers at eleven (`none`, nine `up-to=STEP`, `full`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chain {
    len: usize,
}

impl Chain {
    /// Every step: the server as shipped.
    pub const FULL: Chain = Chain {
        len: Step::ALL.len(),
    };
    /// No step: routing and the handler alone.
    pub const NONE: Chain = Chain { len: 0 };

    /// The steps from the first up to and including `last`.
    pub fn up_to(last: Step) -> Chain {
        Chain {
            len: last.position() + 1,
        }
    }

    /// Whether `step` runs.
    pub fn runs(self, step: Step) -> bool {
        step.position() < self.len
    }

    /// `none`, every `up-to=STEP` in chain order, then `full` (which is
    /// `up-to=admin-token`, so it is listed once, as `full`).
    pub fn prefixes() -> Vec<Chain> {
        (0..=Step::ALL.len()).map(|len| Chain { len }).collect()
    }
}

impl Default for Chain {
    fn default() -> Self {
        Chain::FULL
    }
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.len {
            0 => f.write_str("none"),
            len if len == Step::ALL.len() => f.write_str("full"),
            len => write!(f, "up-to={}", Step::ALL[len - 1].name()),
        }
    }
}

impl FromStr for Chain {
    type Err = String;

    fn from_str(text: &str) -> Result<Chain, String> {
        match text {
            "none" => Ok(Chain::NONE),
            "full" => Ok(Chain::FULL),
            _ => {
                let names = || {
                    Step::ALL
                        .iter()
                        .map(|step| step.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let wanted = text.strip_prefix("up-to=").ok_or_else(|| {
                    format!("expected `none`, `full` or `up-to=STEP`, got `{text}`")
                })?;
                Step::ALL
                    .into_iter()
                    .find(|step| step.name() == wanted)
                    .map(Chain::up_to)
                    .ok_or_else(|| format!("no middleware step `{wanted}`; the steps: {}", names()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_runs_its_steps_and_no_later_one() {
        let chain = Chain::up_to(Step::HostCheck);
        assert!(chain.runs(Step::RequestId));
        assert!(chain.runs(Step::HostCheck));
        assert!(!chain.runs(Step::Timeout));
        assert!(!chain.runs(Step::AdminToken));
    }

    #[test]
    fn none_runs_nothing_and_full_runs_everything() {
        for step in Step::ALL {
            assert!(!Chain::NONE.runs(step), "{step:?}");
            assert!(Chain::FULL.runs(step), "{step:?}");
        }
        assert_eq!(Chain::default(), Chain::FULL);
    }

    #[test]
    fn every_prefix_reads_back_from_its_name() {
        let prefixes = Chain::prefixes();
        assert_eq!(prefixes.len(), Step::ALL.len() + 1);
        assert_eq!(prefixes[0], Chain::NONE);
        assert_eq!(prefixes[Step::ALL.len()], Chain::FULL);
        for chain in prefixes {
            assert_eq!(chain.to_string().parse::<Chain>(), Ok(chain));
        }
        assert_eq!("up-to=admin-token".parse::<Chain>(), Ok(Chain::FULL));
    }

    #[test]
    fn unknown_names_are_refused_with_the_list_of_steps() {
        let error = "up-to=cors".parse::<Chain>().expect_err("no such step");
        assert!(error.contains("request-id") && error.contains("admin-token"));
        assert!("some".parse::<Chain>().is_err());
    }
}
