//! `scale`'s measurement: per layout the instances (and nginx) as pinned
//! child processes, then per endpoint a warm-up for each server and
//! alternating closed-loop rounds (raw, framework, raw, …), each reading
//! the CPU time of the instances, of nginx and of PostgreSQL before and
//! after.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;

use anyhow::bail;
use framework_server::ServeMode;
use loadgen::request::RequestSpec;
use loadgen::{self as load, LoadConfig, LoadReport};

use super::accounting::GroupSnapshot;
use super::database::SharedDatabase;
use super::nginx::NginxProcess;
use super::{Layout, ScaleOptions, empty_results, layouts, runtime_name};
use crate::child::process::{LaunchSpec, ServerProcess};
use crate::host::pinning::allowed_cpus;
use crate::schema::results::EndpointTarget;
use crate::schema::scale::{ScalePoint, ScaleResults, ScaleRound, ServerPoint};
use crate::servers::ServerKind;
use crate::stats::{DEFAULT_RESAMPLES, RatioEstimate, bootstrap_paired_ratio, median};

/// What [`measure`] hands back.
pub(super) struct Measured {
    pub(super) results: ScaleResults,
}

/// The CPUs: servers on the first, everything else on the second.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cpus {
    pub(super) server: Option<usize>,
    pub(super) client: Option<usize>,
}

impl Cpus {
    pub(super) fn choose() -> Cpus {
        match allowed_cpus().as_slice() {
            [server, client, ..] => Cpus {
                server: Some(*server),
                client: Some(*client),
            },
            _ => Cpus {
                server: None,
                client: None,
            },
        }
    }
}

/// Starts everything, measures every point, runs the state check, stops
/// everything.
pub(super) fn measure(options: &ScaleOptions) -> anyhow::Result<Measured> {
    let mut results = empty_results(options);
    let cpus = Cpus::choose();
    results.server_cpus = cpus.server.into_iter().collect();
    results.client_cpu = cpus.client;
    if cpus.server.is_none() {
        results
            .notes
            .push("fewer than two CPUs: nothing pinned, servers and client share".to_owned());
    }
    let (nginx, version) = super::nginx::find(&options.nginx)?;
    results.nginx = version;
    let database = super::database::shared(options, cpus);
    results.database = database.description.clone();
    let scratch = tempfile::tempdir()?;
    for layout in layouts(&options.instances) {
        let group = Group::start(options, layout, &database, scratch.path(), cpus, &nginx)?;
        for endpoint in &options.endpoints {
            results
                .points
                .push(measure_point(options, &group, endpoint, &database, cpus)?);
        }
    }
    results.state_checks =
        super::state_check::both_backends(options, &database, scratch.path(), cpus, &nginx)?;
    results
        .notes
        .extend(super::render::standing_notes(&results));
    if database.url.is_none() {
        results.notes.push(
            "no PostgreSQL: every instance ran on its own SQLite file, so `/db` read the same seeded rows but the instances shared no state".to_owned(),
        );
    } else if database.postmaster.is_none() {
        results.notes.push(
            "PostgreSQL was given by URL: its CPU is not attributed (the harness does not know its processes)".to_owned(),
        );
    }
    Ok(Measured { results })
}

/// The instances of one layout, both servers, and nginx in front of each
/// server's instances when the layout says so.
pub(super) struct Group {
    pub(super) layout: Layout,
    /// Per server (raw, framework): its instances.
    pub(super) instances: [Vec<ServerProcess>; 2],
    pub(super) nginx: [Option<NginxProcess>; 2],
    pub(super) workers: usize,
}

impl Group {
    pub(super) fn start(
        options: &ScaleOptions,
        layout: Layout,
        database: &SharedDatabase,
        scratch: &Path,
        cpus: Cpus,
        nginx: &Path,
    ) -> anyhow::Result<Group> {
        // One worker per core given to the servers (one here, pinned), or
        // every core when nothing is pinned.
        let workers = if cpus.server.is_some() {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        };
        let mut instances: [Vec<ServerProcess>; 2] = [Vec::new(), Vec::new()];
        for (kind, started) in ServerKind::ALL.iter().zip(instances.iter_mut()) {
            for index in 1..=layout.instances {
                let name = format!(
                    "{}-{}-{}x{index}",
                    kind.name(),
                    runtime_name(layout.runtime),
                    layout.instances
                );
                let spec = LaunchSpec {
                    name: name.clone(),
                    kind: *kind,
                    serve_mode: ServeMode::Hyper,
                    runtime: layout.runtime,
                    workers,
                    cpu: cpus.server,
                    database: database.location(scratch, &name),
                    log: scratch.join(format!("{name}.log")),
                    executable: options.executable.clone(),
                };
                started.push(ServerProcess::launch(&spec)?);
            }
        }
        let mut fronts: [Option<NginxProcess>; 2] = [None, None];
        if layout.behind_nginx {
            for (front, started) in fronts.iter_mut().zip(&instances) {
                let upstreams: Vec<SocketAddr> = started.iter().map(|s| s.addr).collect();
                *front = Some(NginxProcess::start(
                    nginx,
                    &upstreams,
                    cpus.client,
                    &options.executable,
                )?);
            }
        }
        Ok(Group {
            layout,
            instances,
            nginx: fronts,
            workers,
        })
    }

    /// Where the load generator sends server `index`'s requests.
    pub(super) fn entry(&self, index: usize) -> SocketAddr {
        match &self.nginx[index] {
            Some(nginx) => nginx.addr,
            None => self.instances[index][0].addr,
        }
    }
}

/// Warm-up, then alternating rounds, then the figures and the tax.
fn measure_point(
    options: &ScaleOptions,
    group: &Group,
    endpoint: &EndpointTarget,
    database: &SharedDatabase,
    cpus: Cpus,
) -> anyhow::Result<ScalePoint> {
    let stop = crate::interrupt_flag();
    for index in 0..2 {
        if !options.warmup.is_zero() {
            let mut config = load_config(options, group.entry(index), &endpoint.target, cpus);
            config.duration = options.warmup;
            load::run(&config)?;
        }
    }
    let mut rounds: [Vec<ScaleRound>; 2] = [Vec::new(), Vec::new()];
    let mut sequence = 0;
    for round in 1..=options.rounds {
        for (index, measured) in rounds.iter_mut().enumerate() {
            if stop.load(Ordering::SeqCst) {
                bail!("interrupted; servers and nginx stopped, nothing written");
            }
            let this = measure_round(options, group, index, endpoint, database, cpus, sequence)?;
            sequence += 1;
            eprintln!(
                "{:<28} {:<10} {:<10} round {round}/{}: {:>8.0} req/s  servers {} µs/req  nginx {} µs/req",
                group.layout.label(),
                endpoint.name,
                ServerKind::ALL[index].name(),
                options.rounds,
                this.requests_per_second,
                per_request_text(this.server_cpu_s, this.requests),
                per_request_text(this.nginx_cpu_s, this.requests),
            );
            measured.push(this);
        }
    }
    let [raw, framework] = rounds;
    let tax = paired(
        &framework,
        &raw,
        per_request(|r| r.server_cpu_s),
        options.seed,
    );
    let throughput_ratio = paired(
        &framework,
        &raw,
        |r: &ScaleRound| Some(r.requests_per_second),
        options.seed,
    );
    Ok(ScalePoint {
        layout: group.layout.name().to_owned(),
        runtime: runtime_name(group.layout.runtime).to_owned(),
        workers: group.workers,
        instances: group.layout.instances,
        endpoint: endpoint.name.clone(),
        target: endpoint.target.clone(),
        servers: vec![figures("raw", raw), figures("framework", framework)],
        tax,
        throughput_ratio,
    })
}

/// One round of server `index`: the three groups' CPU before and after.
fn measure_round(
    options: &ScaleOptions,
    group: &Group,
    index: usize,
    endpoint: &EndpointTarget,
    database: &SharedDatabase,
    cpus: Cpus,
    sequence: usize,
) -> anyhow::Result<ScaleRound> {
    let config = load_config(options, group.entry(index), &endpoint.target, cpus);
    let servers: Vec<u32> = group.instances[index].iter().map(|s| s.pid).collect();
    let nginx: Vec<u32> = group.nginx[index]
        .as_ref()
        .map_or_else(Vec::new, NginxProcess::pids);
    let postgres = database.pids();
    let before = [&servers, &nginx, &postgres].map(|pids| GroupSnapshot::take(pids));
    let report = load::run(&config)?;
    let after = [&servers, &nginx, &postgres].map(|pids| GroupSnapshot::take(pids));
    let used = |i: usize| after[i].seconds_since(&before[i]);
    Ok(ScaleRound {
        sequence,
        requests: report.requests,
        requests_per_second: report.requests_per_second,
        server_cpu_s: used(0),
        nginx_cpu_s: used(1),
        postgres_cpu_s: used(2),
        failures: failures(&report),
    })
}

fn load_config(options: &ScaleOptions, addr: SocketAddr, target: &str, cpus: Cpus) -> LoadConfig {
    let request = RequestSpec::get(&addr.to_string(), target);
    let mut config = LoadConfig::new(addr, request);
    config.connections = options.connections;
    config.duration = options.duration;
    config.client_cpu = cpus.client;
    config.stop = crate::interrupt_flag();
    config
}

/// Answers that were not 2xx, and errors.
fn failures(report: &LoadReport) -> u64 {
    let ok: u64 = report
        .status_counts
        .iter()
        .filter(|(status, _)| (200..300).contains(*status))
        .map(|(_, count)| count)
        .sum();
    report.requests.saturating_sub(ok) + report.errors.total()
}

/// A metric of CPU seconds turned into µs per request.
fn per_request(
    seconds: impl Fn(&ScaleRound) -> Option<f64>,
) -> impl Fn(&ScaleRound) -> Option<f64> {
    move |round| {
        seconds(round)
            .filter(|_| round.requests > 0)
            .map(|s| s * 1e6 / round.requests as f64)
    }
}

fn per_request_text(seconds: Option<f64>, requests: u64) -> String {
    match seconds.filter(|_| requests > 0) {
        Some(s) => format!("{:.1}", s * 1e6 / requests as f64),
        None => "-".to_owned(),
    }
}

/// The paired ratio of `mine` over `baseline` on `metric`: each of mine's
/// rounds over the mean of the baseline rounds right before and after it
/// in the alternation.
pub(super) fn paired(
    mine: &[ScaleRound],
    baseline: &[ScaleRound],
    metric: impl Fn(&ScaleRound) -> Option<f64>,
    seed: u64,
) -> Option<RatioEstimate> {
    let mut ratios = Vec::new();
    for round in mine {
        let Some(value) = metric(round) else { continue };
        let neighbours: Vec<f64> = baseline
            .iter()
            .filter(|b| b.sequence + 1 == round.sequence || b.sequence == round.sequence + 1)
            .filter_map(&metric)
            .collect();
        if neighbours.is_empty() {
            continue;
        }
        let reference = neighbours.iter().sum::<f64>() / neighbours.len() as f64;
        if reference > 0.0 && reference.is_finite() {
            ratios.push(value / reference);
        }
    }
    bootstrap_paired_ratio(&ratios, DEFAULT_RESAMPLES, seed)
}

/// Medians over the rounds.
fn figures(server: &str, rounds: Vec<ScaleRound>) -> ServerPoint {
    let of = |metric: &dyn Fn(&ScaleRound) -> Option<f64>| {
        median(&rounds.iter().filter_map(metric).collect::<Vec<_>>())
    };
    ServerPoint {
        server: server.to_owned(),
        requests_per_second: of(&|r| Some(r.requests_per_second)).unwrap_or(0.0),
        server_cpu_us_per_request: of(&per_request(|r| r.server_cpu_s)),
        nginx_cpu_us_per_request: of(&per_request(|r| r.nginx_cpu_s)),
        postgres_cpu_us_per_request: of(&per_request(|r| r.postgres_cpu_s)),
        failures: rounds.iter().map(|r| r.failures).sum(),
        rounds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(sequence: usize, cpu_s: f64) -> ScaleRound {
        ScaleRound {
            sequence,
            requests: 1_000,
            requests_per_second: 1_000.0,
            server_cpu_s: Some(cpu_s),
            nginx_cpu_s: None,
            postgres_cpu_s: None,
            failures: 0,
        }
    }

    #[test]
    fn each_framework_round_is_paired_with_the_raw_rounds_beside_it() {
        // raw drifts 1.0 → 2.0 → 3.0; framework is always 10% above its
        // neighbours, which a ratio of medians would blur.
        let raw = [round(0, 1.0), round(2, 2.0), round(4, 3.0)];
        let framework = [round(1, 1.65), round(3, 2.75), round(5, 3.3)];

        let tax = paired(&framework, &raw, per_request(|r| r.server_cpu_s), 1).expect("a ratio");

        assert!((tax.ratio - 1.1).abs() < 1e-9, "{tax:?}");
        assert!((tax.ci_low - 1.1).abs() < 1e-9 && (tax.ci_high - 1.1).abs() < 1e-9);
    }

    #[test]
    fn rounds_without_cpu_give_no_tax() {
        let mut raw = round(0, 1.0);
        raw.server_cpu_s = None;

        assert!(paired(&[round(1, 1.0)], &[raw], per_request(|r| r.server_cpu_s), 1).is_none());
    }
}
