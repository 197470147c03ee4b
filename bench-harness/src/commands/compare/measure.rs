//! `compare`'s measurement: per endpoint, a warm-up for each server, then
//! alternating rounds (raw, framework, raw, framework, …). A round that
//! other processes disturbed on the server's core is measured again while
//! the endpoint's repeat budget lasts; Ctrl-C ends the run after the
//! rounds already finished, which are kept.

use std::sync::atomic::Ordering;
use std::time::Duration;

use loadgen::request::RequestSpec;
use loadgen::{self as load, LoadConfig};

use super::CompareOptions;
use super::plan::{Contestant, Plan, request_for};
use super::round::{Place, measure_round};
use crate::progress::Progress;
use crate::schema::results::{EndpointTarget, Round};

/// What the measurement produced.
#[derive(Debug, Default)]
pub(super) struct Measured {
    /// The rounds every statistic uses, in the order they ran.
    pub(super) rounds: Vec<Round>,
    /// Disturbed rounds that were measured again.
    pub(super) repeated: Vec<Round>,
    pub(super) notes: Vec<String>,
    /// Ctrl-C ended the run early.
    pub(super) interrupted: bool,
}

/// The planned load time of the whole measurement (for the progress bar).
pub(super) fn planned(options: &CompareOptions, contestants: usize) -> Duration {
    let per_endpoint =
        (options.warmup + options.duration * options.rounds as u32) * contestants as u32;
    per_endpoint * options.endpoints.len() as u32
}

/// Every round of every endpoint, until done or interrupted.
pub(super) fn measure(
    options: &CompareOptions,
    plan: &mut Plan,
    progress: &Progress,
) -> anyhow::Result<Measured> {
    let stop = crate::interrupt_flag();
    let mut measured = Measured::default();
    let mut sequence = 0;
    progress.phase("compare");
    'endpoints: for endpoint in &options.endpoints {
        let requests: Vec<RequestSpec> = plan
            .contestants
            .iter()
            .map(|c| request_for(options, endpoint, c))
            .collect::<anyhow::Result<_>>()?;
        let mut rate = None;
        if !options.warmup.is_zero() {
            let (notes, slowest) = warm_up(options, plan, endpoint, &requests, progress)?;
            measured.notes.extend(notes);
            rate = options.open_loop.map(|fraction| fraction * slowest);
        }
        let mut repeats_left = options.repeat_disturbed;
        for round in 1..=options.rounds {
            for (contestant, request) in plan.contestants.iter().zip(&requests) {
                loop {
                    if stop.load(Ordering::SeqCst) {
                        measured.interrupted = true;
                        break 'endpoints;
                    }
                    progress.doing(&format!(
                        "{} on {}, round {round}/{}",
                        endpoint.name, contestant.info.name, options.rounds
                    ));
                    let mut config =
                        load_config(options, contestant, request.clone(), plan, progress);
                    config.rate = rate.filter(|r| *r > 0.0);
                    let place = Place {
                        contestant,
                        endpoint,
                        round,
                        sequence,
                    };
                    let this = measure_round(&config, &place, &plan.pinning, options.threads)?;
                    progress.advance(options.duration);
                    if stop.load(Ordering::SeqCst) {
                        // Cut short by Ctrl-C: not a full round, not kept.
                        measured.interrupted = true;
                        break 'endpoints;
                    }
                    sequence += 1;
                    let repeat = this.disturbed && repeats_left > 0;
                    progress.line(&round_line(&this, options.rounds, repeat));
                    if repeat {
                        repeats_left -= 1;
                        progress.extend(options.duration);
                        measured.repeated.push(this);
                        continue;
                    }
                    measured.rounds.push(this);
                    break;
                }
            }
        }
    }
    Ok(measured)
}

/// Loads each server for the warm-up time, unrecorded; with the
/// throughput of the slowest server (the open-loop rate follows from it).
fn warm_up(
    options: &CompareOptions,
    plan: &Plan,
    endpoint: &EndpointTarget,
    requests: &[RequestSpec],
    progress: &Progress,
) -> anyhow::Result<(Vec<String>, f64)> {
    let mut notes = Vec::new();
    let mut slowest = f64::INFINITY;
    for (contestant, request) in plan.contestants.iter().zip(requests) {
        progress.doing(&format!(
            "{} on {}, warm-up {:?}",
            endpoint.name, contestant.info.name, options.warmup
        ));
        if !progress.has_bar() {
            progress.line(&format!(
                "{:<14} {:<12} warm-up {:?}",
                endpoint.name, contestant.info.name, options.warmup
            ));
        }
        let mut config = load_config(options, contestant, request.clone(), plan, progress);
        config.duration = options.warmup;
        let warm = load::run(&config)?;
        progress.advance(options.warmup);
        slowest = slowest.min(warm.requests_per_second);
        if warm.requests == 0 && !crate::interrupt_flag().load(Ordering::SeqCst) {
            notes.push(format!(
                "{} on {}: no response during warm-up ({} errors)",
                endpoint.name,
                contestant.info.name,
                warm.errors.total()
            ));
        }
    }
    Ok((notes, if slowest.is_finite() { slowest } else { 0.0 }))
}

/// One line per round.
fn round_line(measured: &Round, rounds: usize, repeated: bool) -> String {
    let share = |others: Option<f64>| {
        others.map_or_else(
            || "-".to_owned(),
            |s| format!("{:.0}%", 100.0 * s / measured.duration_s.max(1e-9)),
        )
    };
    format!(
        "{:<14} {:<12} round {}/{rounds}: {:>9.0} req/s  p50 {:>8}  server {:>6} µs/req  client {:>5.1} µs/req  {:>5} req/wake-up  others on server core {:>4}{}{}",
        measured.endpoint,
        measured.server,
        measured.round,
        measured.requests_per_second,
        loadgen::latency::format_micros(measured.latency.p50_us as f64),
        measured
            .server_cpu_us_per_request
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.2}")),
        measured.client_cpu_us_per_request,
        measured.server_wakeups.filter(|w| *w > 0).map_or_else(
            || "-".to_owned(),
            |w| format!("{:.1}", measured.requests as f64 / w as f64)
        ),
        share(measured.server_core_others_s),
        if measured.client_bound {
            "  CLIENT-BOUND"
        } else {
            ""
        },
        if repeated {
            "  disturbed: measured again"
        } else if measured.disturbed {
            "  disturbed"
        } else {
            ""
        },
    )
}

fn load_config(
    options: &CompareOptions,
    contestant: &Contestant,
    request: RequestSpec,
    plan: &Plan,
    progress: &Progress,
) -> LoadConfig {
    let mut config = LoadConfig::new(contestant.addr, request);
    config.connections = options.connections;
    config.threads = options.threads;
    config.duration = options.duration;
    config.warmup = Duration::ZERO;
    config.pipeline = options.pipeline;
    config.engine = options.engine;
    config.client_cpu = plan.client_cpu();
    // The run's one bar replaces loadgen's bar per round.
    config.progress = options.progress && !progress.has_bar();
    config.stop = crate::interrupt_flag();
    config
}
