//! Synthetic comparisons for the report's tests: any number of endpoints
//! and rounds, with the framework a known amount slower, so tests can check
//! what the report says against what they put in.

use std::collections::BTreeMap;

use crate::host::environment::Environment;
use crate::host::pinning::PinningPlan;
use crate::schema::cost::{CostMethod, CostReport, EndpointCost, ServerCost};
use crate::schema::results::{
    EndpointTarget, Medians, Ratios, Results, Round, RunConfig, ServerInfo, Summary,
};
use crate::stats::{DEFAULT_SEED, bootstrap_ratio_of_medians, median};
use loadgen::Engine;
use loadgen::latency::{LatencySummary, Percentile};
use loadgen::recorder::ErrorCounts;

use super::criterion::CriterionFigure;

pub(crate) fn environment() -> Environment {
    Environment {
        cpu_model: "Synthetic CPU".into(),
        logical_cpus: 2,
        allowed_cpus: vec![0, 1],
        kernel: "6.1.0".into(),
        rustc: "rustc 1.95.0".into(),
        build_profile: "release".into(),
        crate_versions: [("axum", "0.8.4"), ("hyper", "1.7.0")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        git_commit: "0123abcd".into(),
        tool_versions: BTreeMap::new(),
    }
}

/// A latency spectrum from 50% to the maximum, scaled by `base_us`.
fn latency(base_us: f64, count: u64) -> LatencySummary {
    let points = [
        (0.0, 0.5),
        (50.0, 1.0),
        (75.0, 1.2),
        (90.0, 1.5),
        (99.0, 2.5),
        (99.9, 6.0),
        (100.0, 20.0),
    ];
    let at = |q: f64| (base_us * q).round() as u64;
    LatencySummary {
        count,
        min_us: at(0.5),
        mean_us: base_us * 1.1,
        p50_us: at(1.0),
        p90_us: at(1.5),
        p99_us: at(2.5),
        p999_us: at(6.0),
        max_us: at(20.0),
        spectrum: points
            .iter()
            .map(|(p, q)| Percentile {
                percentile: *p,
                value_us: at(*q),
            })
            .collect(),
    }
}

/// A comparison of `endpoints` (names need not be in the catalogue) with
/// `rounds` rounds per server; the framework is ~8% slower on CPU and
/// throughput, and the rounds wobble by a few percent.
pub(crate) fn results(endpoints: &[&str], rounds: usize) -> Results {
    let servers = ["raw", "framework"];
    let mut all_rounds = Vec::new();
    for (e, endpoint) in endpoints.iter().enumerate() {
        for round in 1..=rounds {
            for (s, server) in servers.iter().enumerate() {
                let wobble = 1.0 + 0.02 * ((round * 7 + e * 3 + s) % 5) as f64 / 4.0;
                let slower = if s == 0 { 1.0 } else { 1.08 };
                let rps = 60_000.0 / (1.0 + e as f64 * 0.3) / slower / wobble;
                let cpu_us = 1e6 / rps * 0.95;
                let requests = (rps * 2.0) as u64;
                all_rounds.push(Round {
                    endpoint: (*endpoint).to_owned(),
                    server: (*server).to_owned(),
                    round,
                    requests,
                    duration_s: 2.0,
                    requests_per_second: rps,
                    latency: latency(1e6 / rps * 64.0, requests),
                    status_counts: [(200, requests)].into_iter().collect(),
                    errors: ErrorCounts::default(),
                    server_cpu_s: Some(cpu_us * requests as f64 / 1e6),
                    server_cpu_us_per_request: Some(cpu_us),
                    server_cores_busy: Some(0.95),
                    server_rss_kib: Some(8_000 + 1_000 * s as u64),
                    client_cpu_s: 1.2,
                    client_cpu_us_per_request: 9.5,
                    client_cores_busy: 0.6,
                    client_bound: false,
                    sequence: all_rounds.len(),
                    server_cpu_from_threads: true,
                    server_core_others_s: Some(0.02 * (round % 3) as f64),
                    client_core_others_s: Some(0.1),
                    server_core_steal_s: Some(0.0),
                    server_wakeups: Some(requests / 8),
                    disturbed: false,
                });
            }
        }
    }
    let mut summary = Vec::new();
    for endpoint in endpoints {
        let of = |server: &str, metric: &dyn Fn(&Round) -> f64| -> Vec<f64> {
            all_rounds
                .iter()
                .filter(|r| r.endpoint == *endpoint && r.server == server)
                .map(metric)
                .collect()
        };
        for server in servers {
            let rps = |r: &Round| r.requests_per_second;
            let cpu = |r: &Round| r.server_cpu_us_per_request.unwrap_or(0.0);
            let p50 = |r: &Round| r.latency.p50_us as f64;
            let p99 = |r: &Round| r.latency.p99_us as f64;
            let ratio = |metric: &dyn Fn(&Round) -> f64| {
                bootstrap_ratio_of_medians(&of("raw", metric), &of(server, metric), 1_000, 1)
            };
            summary.push(Summary {
                endpoint: (*endpoint).to_owned(),
                server: server.to_owned(),
                rounds,
                client_bound_rounds: 0,
                errors: 0,
                non_success_responses: 0,
                median: Medians {
                    requests_per_second: median(&of(server, &rps)).unwrap_or(0.0),
                    p50_us: median(&of(server, &p50)).unwrap_or(0.0),
                    p90_us: median(&of(server, &|r: &Round| r.latency.p90_us as f64))
                        .unwrap_or(0.0),
                    p99_us: median(&of(server, &p99)).unwrap_or(0.0),
                    server_cpu_us_per_request: median(&of(server, &cpu)),
                    client_cpu_us_per_request: 9.5,
                    server_rss_kib: Some(8_000.0),
                },
                vs_baseline: (server != "raw").then(|| Ratios {
                    baseline: "raw".into(),
                    requests_per_second: ratio(&rps),
                    p50_us: ratio(&p50),
                    p99_us: ratio(&p99),
                    server_cpu_us_per_request: ratio(&cpu),
                }),
            });
        }
    }
    Results {
        schema_version: 1,
        tool: "bench-harness 0.1.0".into(),
        started_at: "2026-05-01T12:00:00Z".into(),
        finished_at: "2026-05-01T12:01:00Z".into(),
        comparison: "same connection layer".into(),
        config: RunConfig {
            endpoints: endpoints
                .iter()
                .map(|name| EndpointTarget {
                    name: (*name).to_owned(),
                    method: "GET".into(),
                    target: format!("/{name}"),
                })
                .collect(),
            load_model: "closed loop".into(),
            connections: 64,
            client_threads: 1,
            pipeline: 1,
            engine: Engine::Raw,
            rounds,
            duration_s: 2.0,
            warmup_s: 1.0,
            quick: false,
            server_runtime: "multi-thread".into(),
            server_workers: 1,
            bootstrap_resamples: 1_000,
            bootstrap_seed: DEFAULT_SEED,
            ratio_method: "paired".into(),
            repeat_disturbed: 0,
            database: None,
        },
        environment: environment(),
        pinning: PinningPlan {
            requested: true,
            applied: true,
            server_cpu: Some(0),
            client_cpu: Some(1),
            note: "servers pinned to CPU 0, load generator to CPU 1".into(),
        },
        servers: servers
            .iter()
            .map(|name| ServerInfo {
                name: (*name).to_owned(),
                description: format!("{name} server"),
                launched: true,
                url: "http://127.0.0.1:1".into(),
                pinned_cpu: Some(0),
                binary: None,
            })
            .collect(),
        rounds: all_rounds,
        summary,
        notes: vec!["a synthetic comparison".into()],
        noise: None,
        repeated_rounds: Vec::new(),
        partial: false,
    }
}

/// Cost figures for `endpoints`: the framework uses 1.58× the instructions
/// and 15 allocations against 6.
pub(crate) fn cost(endpoints: &[&str]) -> CostReport {
    let server = |instructions: f64, allocations: f64| ServerCost {
        instructions_per_request: Some(instructions),
        instructions_outside_allocator_per_request: Some(instructions * 0.7),
        allocations_per_request: Some(allocations),
        bytes_allocated_per_request: Some(allocations * 100.0),
        ..ServerCost::default()
    };
    CostReport {
        schema_version: 1,
        kind: "cost".into(),
        created: "2026-05-01T12:00:00Z".into(),
        environment: environment(),
        notes: Vec::new(),
        layers: None,
        method: CostMethod {
            instructions: "callgrind".into(),
            allocations: "counting allocator".into(),
            n1: 2000,
            n2: 6000,
            repeat: 1,
            alloc_warmup: 0,
            alloc_requests: 4000,
        },
        endpoints: endpoints
            .iter()
            .enumerate()
            .map(|(i, name)| EndpointCost {
                endpoint: (*name).to_owned(),
                method: "GET".into(),
                target: format!("/{name}"),
                servers: [
                    ("raw".to_owned(), server(7_500.0 + 100.0 * i as f64, 6.0)),
                    (
                        "framework".to_owned(),
                        server((7_500.0 + 100.0 * i as f64) * 1.58, 15.0),
                    ),
                ]
                .into_iter()
                .collect(),
            })
            .collect(),
    }
}

/// In-process criterion figures for `endpoints`.
pub(crate) fn criterion(endpoints: &[&str]) -> Vec<CriterionFigure> {
    endpoints
        .iter()
        .flat_map(|name| {
            [("raw", 1_000.0), ("framework", 1_700.0)].map(|(server, ns)| CriterionFigure {
                suite: "in_process".into(),
                endpoint: (*name).to_owned(),
                server: server.into(),
                median_ns: ns,
                ci_low_ns: ns * 0.98,
                ci_high_ns: ns * 1.02,
            })
        })
        .collect()
}

/// `n` endpoint names, the catalogue's first and then made-up ones.
pub(crate) fn endpoint_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i {
            0 => "plaintext".to_owned(),
            1 => "json".to_owned(),
            i => format!("endpoint-number-{i}"),
        })
        .collect()
}

/// A cost file with layers for `endpoints`: raw walks from 7,500
/// instructions with host-check the largest step, framework from 11,000
/// with compression the largest; allocations rise by one per step.
pub(crate) fn cost_with_layers(endpoints: &[&str]) -> CostReport {
    use shared_handlers::chain::Chain;
    let raw_steps = [
        0.0, 100.0, 200.0, 900.0, 50.0, 60.0, 70.0, 300.0, 20.0, 40.0, 10.0,
    ];
    let fw_steps = [
        0.0, 400.0, 800.0, 600.0, 500.0, 700.0, 650.0, 1_500.0, 300.0, 450.0, 420.0,
    ];
    let level = |start: f64, steps: &[f64], i: usize| start + steps[..=i].iter().sum::<f64>();
    let mut cost = cost(endpoints);
    let measured: Vec<_> = Chain::prefixes()
        .into_iter()
        .enumerate()
        .map(|(i, chain)| {
            let mut endpoints = cost.endpoints.clone();
            for endpoint in &mut endpoints {
                for (name, server) in &mut endpoint.servers {
                    let (start, steps) = if name == "raw" {
                        (7_500.0, &raw_steps)
                    } else {
                        (11_000.0, &fw_steps)
                    };
                    server.instructions_per_request = Some(level(start, steps, i));
                    server.instructions_outside_allocator_per_request =
                        Some(0.9 * level(start, steps, i));
                    server.allocations_per_request = Some(5.0 + i as f64);
                    server.bytes_allocated_per_request = Some(800.0 + 40.0 * i as f64);
                }
            }
            (chain, endpoints)
        })
        .collect();
    cost.layers = Some(crate::commands::cost::layers::pivot(&measured));
    cost
}
