//! The differential fuzzer: generated requests, sent in-process to both
//! servers in lock step, every pair of answers compared as the conformance
//! suite compares them.
//!
//! cargo-fuzz needs a nightly compiler; this runs on stable. It does not
//! steer by coverage: it draws requests from a grammar of what is odd about
//! HTTP input ([`generate`]), which for two servers that must agree finds
//! the same kind of bug a coverage-guided fuzzer would, cheaply.
//!
//! | module       | role                                                         |
//! |--------------|--------------------------------------------------------------|
//! | [`generate`] | a request from a seed: catalogue paths, odd bytes and headers, bodies |
//! | [`vocabulary`] | the tables of odd spellings the generator draws from     |
//! | [`exchange`] | both servers in-process ([`exchange::Pair`]), answers as [`Observed`] |
//! | [`judge`]    | when two answers disagree, and what counts as a finding      |
//! | [`shrink`]   | a smaller request that still shows the finding               |
//!
//! **Deterministic**: case `i` of seed `s` is always the same request, and a
//! worker sends its cases in order, so a run is repeated by its seed (and
//! `threads`). Each worker has its own [`exchange::Pair`]: two fresh states,
//! one per server, that see the same writes in the same order.
//!
//! [`Observed`]: crate::Observed

pub mod exchange;
pub mod generate;
pub mod judge;
pub mod shrink;
pub mod vocabulary;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use exchange::{Built, Pair};
use generate::FuzzRequest;
use judge::{Finding, FindingKind};

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How many requests to generate (each goes to both servers).
    pub cases: u64,
    pub seed: u64,
    /// Worker threads, each with its own pair of servers.
    pub threads: usize,
    /// At most this many findings kept in full (each shrunk); the others
    /// are only counted.
    pub keep: usize,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Requests generated.
    pub cases: u64,
    /// Of those, how many `http` refused to build (never sent).
    pub skipped: u64,
    /// Cases where the servers disagreed (or both answered `500`).
    pub differences: u64,
    /// Cases where a panic escaped, a call hung or a body failed.
    pub panics: u64,
    /// One finding per distinct signature, up to [`Settings::keep`].
    pub findings: Vec<Finding>,
    pub elapsed: Duration,
}

impl Report {
    /// Cases per second over the whole run.
    pub fn rate(&self) -> f64 {
        self.cases as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Whether the run found nothing.
    pub fn is_clean(&self) -> bool {
        self.differences == 0 && self.panics == 0
    }
}

/// The request of case `index` under `seed`.
pub fn case_request(seed: u64, index: u64) -> FuzzRequest {
    let mut rng = fastrand::Rng::with_seed(splitmix(seed ^ splitmix(index)));
    generate::request(&mut rng)
}

/// A 64-bit mixer, so that neighbouring case numbers get unrelated streams.
fn splitmix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Shared between the workers while a run is going.
struct Shared {
    settings: Settings,
    done: AtomicU64,
    skipped: AtomicU64,
    differences: AtomicU64,
    panics: AtomicU64,
    findings: Mutex<Vec<Finding>>,
}

/// Runs `settings.cases` cases on `settings.threads` workers. `progress`
/// is called now and then with the number of cases done so far.
pub fn run(settings: Settings, progress: &(dyn Fn(u64) + Sync)) -> anyhow::Result<Report> {
    judge::quiet_deliberate_panics();
    let started = Instant::now();
    let threads = settings.threads.max(1);
    let shared = Shared {
        settings,
        done: AtomicU64::new(0),
        skipped: AtomicU64::new(0),
        differences: AtomicU64::new(0),
        panics: AtomicU64::new(0),
        findings: Mutex::new(Vec::new()),
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let shared = &shared;
                scope.spawn(move || work(shared, worker as u64, threads as u64, progress))
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .map_err(|_| anyhow::anyhow!("a fuzz worker panicked outside any case"))?
            })
            .collect::<anyhow::Result<Vec<()>>>()
    })?;
    let mut findings = shared
        .findings
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a worker panicked while recording a finding"))?;
    findings.sort_by_key(|finding| finding.case);
    Ok(Report {
        cases: shared.done.load(Ordering::Relaxed),
        skipped: shared.skipped.load(Ordering::Relaxed),
        differences: shared.differences.load(Ordering::Relaxed),
        panics: shared.panics.load(Ordering::Relaxed),
        findings,
        elapsed: started.elapsed(),
    })
}

/// One worker: cases `worker`, `worker + threads`, ... in order, on its own
/// runtime and its own pair of servers.
fn work(
    shared: &Shared,
    worker: u64,
    threads: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let pair = Pair::open()?;
    let settings = shared.settings;
    let mut index = worker;
    while index < settings.cases {
        let request = case_request(settings.seed, index);
        match Built::new(&request) {
            None => {
                shared.skipped.fetch_add(1, Ordering::Relaxed);
            }
            Some(built) => {
                let (raw, framework) = runtime.block_on(pair.exchange(&built));
                if let Some((kind, details)) = judge::judge(&built, &raw, &framework) {
                    record(shared, &runtime, index, request, kind, details);
                }
            }
        }
        let done = shared.done.fetch_add(1, Ordering::Relaxed) + 1;
        if done.is_multiple_of(256) {
            progress(done);
        }
        index += threads;
    }
    Ok(())
}

/// Counts a finding, and keeps it (shrunk) if its signature is new.
fn record(
    shared: &Shared,
    runtime: &tokio::runtime::Runtime,
    case: u64,
    request: FuzzRequest,
    kind: FindingKind,
    details: String,
) {
    let counter = match kind {
        FindingKind::Difference | FindingKind::ServerError => &shared.differences,
        FindingKind::Panic | FindingKind::Hang | FindingKind::BodyFailed => &shared.panics,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    let signature = judge::signature(&request, kind, &details);
    let is_new = {
        let findings = shared.findings.lock().unwrap_or_else(|e| e.into_inner());
        findings.len() < shared.settings.keep && findings.iter().all(|f| f.signature != signature)
    };
    if !is_new {
        return;
    }
    let minimal = shrink::shrink(runtime, &request);
    let mut findings = shared.findings.lock().unwrap_or_else(|e| e.into_inner());
    if findings.len() < shared.settings.keep && findings.iter().all(|f| f.signature != signature) {
        findings.push(Finding {
            kind,
            seed: shared.settings.seed,
            case,
            signature,
            request,
            minimal,
            details,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_and_a_case_number_always_give_the_same_request() {
        let first: Vec<FuzzRequest> = (0..200).map(|case| case_request(7, case)).collect();
        let again: Vec<FuzzRequest> = (0..200).map(|case| case_request(7, case)).collect();
        let other_seed: Vec<FuzzRequest> = (0..200).map(|case| case_request(8, case)).collect();

        assert_eq!(first, again);
        assert_ne!(first, other_seed);
    }
}
