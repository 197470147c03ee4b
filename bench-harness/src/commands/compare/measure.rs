//! `compare`'s measurement: per endpoint, a warm-up for each server, then
//! alternating rounds (raw, framework, raw, framework, …), each with the
//! server's CPU time read from `/proc` before and after.

use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::bail;
use loadgen::request::RequestSpec;
use loadgen::{self as load, LoadConfig};

use super::plan::{Contestant, Plan, request_for};
use super::{CompareOptions, SATURATED};
use crate::host::pinning::{PinningPlan, allowed_cpus};
use crate::host::procstat::{process_cpu, resident_kib};
use crate::schema::results::{EndpointTarget, Round};

/// Every round of every endpoint; warm-ups that got no answer leave a note.
pub(super) fn measure(options: &CompareOptions, plan: &mut Plan) -> anyhow::Result<Vec<Round>> {
    let stop = crate::interrupt_flag();
    let client_cpu = plan.client_cpu();
    let mut rounds = Vec::new();
    let total_rounds = options.endpoints.len() * options.rounds * plan.contestants.len();
    for endpoint in &options.endpoints {
        let requests: Vec<RequestSpec> = plan
            .contestants
            .iter()
            .map(|c| request_for(options, endpoint, c))
            .collect::<anyhow::Result<_>>()?;
        if !options.warmup.is_zero() {
            let notes = warm_up(options, plan, endpoint, &requests, client_cpu)?;
            plan.notes.extend(notes);
        }
        for round in 1..=options.rounds {
            for (contestant, request) in plan.contestants.iter().zip(&requests) {
                if stop.load(Ordering::SeqCst) {
                    bail!("interrupted; servers stopped, nothing written");
                }
                let config = load_config(options, contestant, request.clone(), client_cpu);
                let measured =
                    measure_round(&config, contestant, endpoint, round, &plan.pinning, options)?;
                print_round(&measured, options.rounds, rounds.len() + 1, total_rounds);
                rounds.push(measured);
            }
        }
    }
    Ok(rounds)
}

/// Loads each server for the warm-up time, unrecorded.
fn warm_up(
    options: &CompareOptions,
    plan: &Plan,
    endpoint: &EndpointTarget,
    requests: &[RequestSpec],
    client_cpu: Option<usize>,
) -> anyhow::Result<Vec<String>> {
    let mut notes = Vec::new();
    for (contestant, request) in plan.contestants.iter().zip(requests) {
        eprintln!(
            "{:<14} {:<12} warm-up {:?}",
            endpoint.name, contestant.info.name, options.warmup
        );
        let mut config = load_config(options, contestant, request.clone(), client_cpu);
        config.duration = options.warmup;
        let warm = load::run(&config)?;
        if warm.requests == 0 {
            notes.push(format!(
                "{} on {}: no response during warm-up ({} errors)",
                endpoint.name,
                contestant.info.name,
                warm.errors.total()
            ));
        }
    }
    Ok(notes)
}

/// One progress line per round on stderr.
fn print_round(measured: &Round, rounds: usize, done: usize, total_rounds: usize) {
    eprintln!(
        "{:<14} {:<12} round {}/{rounds} [{done}/{total_rounds}]: {:>9.0} req/s  p50 {:>8}  server {:>6} µs/req  client {:>5.1} µs/req{}",
        measured.endpoint,
        measured.server,
        measured.round,
        measured.requests_per_second,
        loadgen::latency::format_micros(measured.latency.p50_us as f64),
        measured
            .server_cpu_us_per_request
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.2}")),
        measured.client_cpu_us_per_request,
        if measured.client_bound {
            "  CLIENT-BOUND"
        } else {
            ""
        }
    );
}

fn load_config(
    options: &CompareOptions,
    contestant: &Contestant,
    request: RequestSpec,
    client_cpu: Option<usize>,
) -> LoadConfig {
    let mut config = LoadConfig::new(contestant.addr, request);
    config.connections = options.connections;
    config.threads = options.threads;
    config.duration = options.duration;
    config.warmup = Duration::ZERO;
    config.pipeline = options.pipeline;
    config.engine = options.engine;
    config.client_cpu = client_cpu;
    config.progress = options.progress;
    config.stop = crate::interrupt_flag();
    config
}

/// One round: server CPU before, load, server CPU and memory after.
fn measure_round(
    config: &LoadConfig,
    contestant: &Contestant,
    endpoint: &EndpointTarget,
    round: usize,
    pinning: &PinningPlan,
    options: &CompareOptions,
) -> anyhow::Result<Round> {
    let pid = contestant.process.as_ref().map(|p| p.pid);
    let before = pid.and_then(|pid| process_cpu(pid).ok());
    let report = load::run(config)?;
    let after = pid.and_then(|pid| process_cpu(pid).ok());
    let rss = pid.and_then(|pid| resident_kib(pid).ok());

    let server_cpu = before
        .zip(after)
        .map(|(before, after)| after.since(&before).total().as_secs_f64());
    let seconds = report.duration_s.max(1e-9);
    let requests = report.requests;
    let per_request = |cpu: f64| {
        if requests > 0 {
            cpu * 1e6 / requests as f64
        } else {
            0.0
        }
    };
    let server_cores_busy = server_cpu.map(|cpu| cpu / seconds);
    // How many cores each side may use: one each when pinned.
    let cpus = allowed_cpus().len().max(1) as f64;
    let (server_cores, client_cores) = if pinning.applied {
        (1.0, 1.0)
    } else {
        (cpus, (options.threads as f64).min(cpus))
    };
    let client_saturated = report.client_cpu.cores_busy / client_cores >= SATURATED;
    let server_saturated = server_cores_busy.is_some_and(|busy| busy / server_cores >= SATURATED);
    let client_cpu_s = report.client_cpu.user_s + report.client_cpu.system_s;
    Ok(Round {
        endpoint: endpoint.name.clone(),
        server: contestant.info.name.clone(),
        round,
        requests,
        duration_s: report.duration_s,
        requests_per_second: report.requests_per_second,
        latency: report.latency,
        status_counts: report.status_counts,
        errors: report.errors,
        server_cpu_s: server_cpu,
        server_cpu_us_per_request: server_cpu.map(per_request),
        server_cores_busy,
        server_rss_kib: rss,
        client_cpu_s,
        client_cpu_us_per_request: report.client_cpu.us_per_request,
        client_cores_busy: report.client_cpu.cores_busy,
        client_bound: client_saturated && !server_saturated,
    })
}
