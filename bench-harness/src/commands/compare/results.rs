//! `compare`'s results: medians per endpoint and server, paired ratios
//! against the baseline with bootstrap intervals, how noisy the machine
//! was, and the `results.json` document they go into.

use framework_server::ServeMode;

use super::CompareOptions;
use super::measure::Measured;
use super::plan::{Contestant, Plan};
use crate::host::environment::Environment;
use crate::output::timestamp;
use crate::schema::results::{
    EndpointTarget, Medians, Ratios, Results, Round, RunConfig, SCHEMA_VERSION, Summary,
};
use crate::servers::baseline_for;
use crate::stats::{DEFAULT_RESAMPLES, bootstrap_paired_ratio, median};

/// The results document of a comparison (finished, or interrupted).
pub(super) fn results(
    options: &CompareOptions,
    plan: &Plan,
    measured: Measured,
    (started_at, load_average_start): (String, Option<f64>),
    environment: Environment,
) -> Results {
    let rounds = measured.rounds;
    let summary = summarise(&rounds, &options.endpoints, &plan.contestants, options.seed);
    let noise = super::noise::noise(
        &rounds,
        &measured.repeated,
        &summary,
        (load_average_start, super::noise::load_average()),
    );
    let mut notes = plan.notes.clone();
    notes.extend(measured.notes);
    if measured.interrupted {
        notes.push(
            "PARTIAL: interrupted (Ctrl-C); only the rounds finished before it are here".to_owned(),
        );
    }
    if noise.rounds_repeated > 0 {
        notes.push(format!(
            "{} disturbed round(s) measured again",
            noise.rounds_repeated
        ));
    }
    if noise.rounds_kept_disturbed > 0 {
        notes.push(format!(
            "{} round(s) kept although disturbed (the repeat budget was spent)",
            noise.rounds_kept_disturbed
        ));
    }
    if rounds.iter().any(|r| r.client_bound) {
        notes.push(
            "some rounds were client-bound: the load generator's core was saturated and the server's was not; those rounds measure the generator"
                .to_owned(),
        );
    }
    let comparison = if options.framework_modes == [ServeMode::Axum] {
        "defaults: framework-server on axum::serve against raw-server on connection-layer"
    } else if options.framework_modes.len() > 1 {
        "two comparisons: same connection layer (framework-hyper: only the request layer differs from raw-server) and defaults: axum::serve (framework-axum: framework-server as axum's defaults serve it)"
    } else {
        "same connection layer: raw-server and framework-server share connection-layer's accept loop and hyper settings; only the request layer differs"
    };
    Results {
        schema_version: SCHEMA_VERSION,
        tool: format!("bench-harness {}", env!("CARGO_PKG_VERSION")),
        started_at,
        finished_at: timestamp(),
        comparison: comparison.to_owned(),
        config: RunConfig {
            database: Some(plan.database.info().clone()),
            ..run_config(options, plan.workers)
        },
        environment,
        pinning: plan.pinning.clone(),
        servers: plan.contestants.iter().map(|c| c.info.clone()).collect(),
        rounds,
        summary,
        notes,
        noise: Some(noise),
        repeated_rounds: measured.repeated,
        partial: measured.interrupted,
    }
}

/// How the comparison was run, as `results.json` states it.
fn run_config(options: &CompareOptions, workers: usize) -> RunConfig {
    RunConfig {
        endpoints: options.endpoints.clone(),
        load_model: options.open_loop.map_or_else(
            || "closed loop".to_owned(),
            |f| {
                format!(
                    "open loop at {:.0}% of the slowest server's warm-up throughput",
                    f * 100.0
                )
            },
        ),
        connections: options.connections,
        client_threads: options.threads,
        pipeline: options.pipeline,
        engine: options.engine,
        rounds: options.rounds,
        duration_s: options.duration.as_secs_f64(),
        warmup_s: options.warmup.as_secs_f64(),
        quick: options.quick,
        server_runtime: clap::ValueEnum::to_possible_value(&options.server_runtime).map_or_else(
            || format!("{:?}", options.server_runtime),
            |v| v.get_name().to_owned(),
        ),
        server_workers: workers,
        bootstrap_resamples: DEFAULT_RESAMPLES,
        bootstrap_seed: options.seed,
        ratio_method: RATIO_METHOD.to_owned(),
        repeat_disturbed: options.repeat_disturbed,
        database: None,
    }
}

/// How the ratios are estimated, as `results.json` states it.
const RATIO_METHOD: &str = "paired: each round over the mean of the baseline rounds right before and after it; \
     Hodges-Lehmann estimate of those ratios on a log scale; percentile bootstrap 95% interval over the pairs";

/// Each of `mine`'s rounds over the baseline rounds adjacent to it in the
/// run (the one just before and the one just after, or the one there is),
/// on `metric`.
pub(super) fn paired_ratios(
    mine: &[&Round],
    baseline: &[&Round],
    metric: &dyn Fn(&Round) -> Option<f64>,
) -> Vec<f64> {
    let mut ratios = Vec::new();
    for round in mine {
        let Some(value) = metric(round) else { continue };
        let before = baseline
            .iter()
            .filter(|b| b.sequence < round.sequence)
            .max_by_key(|b| b.sequence);
        let after = baseline
            .iter()
            .filter(|b| b.sequence > round.sequence)
            .min_by_key(|b| b.sequence);
        let neighbours: Vec<f64> = [before, after]
            .into_iter()
            .flatten()
            .filter_map(|b| metric(b))
            .collect();
        if neighbours.is_empty() {
            continue;
        }
        let reference = neighbours.iter().sum::<f64>() / neighbours.len() as f64;
        if reference > 0.0 && reference.is_finite() {
            ratios.push(value / reference);
        }
    }
    ratios
}

pub(super) fn summarise(
    rounds: &[Round],
    endpoints: &[EndpointTarget],
    contestants: &[Contestant],
    seed: u64,
) -> Vec<Summary> {
    let mut summaries = Vec::new();
    for endpoint in endpoints {
        let of = |server: &str| -> Vec<&Round> {
            rounds
                .iter()
                .filter(|r| r.endpoint == endpoint.name && r.server == server)
                .collect()
        };
        for contestant in contestants {
            let mine = of(&contestant.info.name);
            if mine.is_empty() {
                continue;
            }
            // Each server against its own ecosystem's baseline.
            let baseline = baseline_for(&contestant.info.name);
            summaries.push(summarise_server(
                &contestant.info.name,
                endpoint,
                &mine,
                (baseline, &of(baseline)),
                seed,
            ));
        }
    }
    summaries
}

/// One server's summary on one endpoint: medians of its rounds, and ratios
/// against the baseline's rounds unless it is the baseline.
fn summarise_server(
    name: &str,
    endpoint: &EndpointTarget,
    mine: &[&Round],
    (baseline_name, baseline): (&str, &[&Round]),
    seed: u64,
) -> Summary {
    let values = |rounds: &[&Round], metric: &dyn Fn(&Round) -> Option<f64>| -> Vec<f64> {
        rounds.iter().filter_map(|r| metric(r)).collect()
    };
    let rps = |r: &Round| Some(r.requests_per_second);
    let p50 = |r: &Round| Some(r.latency.p50_us as f64);
    let p90 = |r: &Round| Some(r.latency.p90_us as f64);
    let p99 = |r: &Round| Some(r.latency.p99_us as f64);
    let cpu = |r: &Round| r.server_cpu_us_per_request;
    let client = |r: &Round| Some(r.client_cpu_us_per_request);
    let rss = |r: &Round| r.server_rss_kib.map(|kib| kib as f64);
    let ratio = |metric: &dyn Fn(&Round) -> Option<f64>| {
        bootstrap_paired_ratio(
            &paired_ratios(mine, baseline, metric),
            DEFAULT_RESAMPLES,
            seed,
        )
    };
    let vs_baseline = (name != baseline_name && !baseline.is_empty()).then(|| Ratios {
        baseline: baseline_name.to_owned(),
        requests_per_second: ratio(&rps),
        p50_us: ratio(&p50),
        p99_us: ratio(&p99),
        server_cpu_us_per_request: ratio(&cpu),
    });
    Summary {
        endpoint: endpoint.name.clone(),
        server: name.to_owned(),
        rounds: mine.len(),
        client_bound_rounds: mine.iter().filter(|r| r.client_bound).count(),
        errors: mine.iter().map(|r| r.errors.total()).sum(),
        non_success_responses: mine
            .iter()
            .flat_map(|r| r.status_counts.iter())
            .filter(|(code, _)| !(200..400).contains(*code))
            .map(|(_, count)| count)
            .sum(),
        median: Medians {
            requests_per_second: median(&values(mine, &rps)).unwrap_or(0.0),
            p50_us: median(&values(mine, &p50)).unwrap_or(0.0),
            p90_us: median(&values(mine, &p90)).unwrap_or(0.0),
            p99_us: median(&values(mine, &p99)).unwrap_or(0.0),
            server_cpu_us_per_request: median(&values(mine, &cpu)),
            client_cpu_us_per_request: median(&values(mine, &client)).unwrap_or(0.0),
            server_rss_kib: median(&values(mine, &rss)),
        },
        vs_baseline,
    }
}
