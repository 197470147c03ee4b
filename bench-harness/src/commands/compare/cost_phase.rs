//! `compare`'s cost phase: after the rounds, the deterministic figures —
//! instructions (callgrind) and allocations per request — of both servers
//! on the compared endpoints that do not write, so the one report holds
//! CPU time, throughput and cost side by side. `bench-harness cost` is the
//! same measurement with every knob; this phase picks settings that fit
//! the run's time budget. Without valgrind (and no way to install it) the
//! instruction figures stay `null` and a note says why.

use std::time::Duration;

use super::CompareOptions;
use crate::commands::cost::{self, CostOptions};
use crate::progress::Progress;
use crate::schema::cost::CostReport;
use crate::schema::results::EndpointTarget;

/// Callgrind processes per endpoint and server (one in `--quick`): the
/// instructions outside the allocator agree to about 0.1% between
/// processes, so three give them; the allocator's share, which varies by a
/// few percent between processes, gets a mean of three.
const REPEAT: usize = 3;
/// Requests before the cut and at its end: a measured segment of 600.
const N1: u64 = 200;
const N2: u64 = 800;
/// Allocation counting: warm-up and counted requests.
const ALLOC_WARMUP: u64 = 300;
const ALLOC_REQUESTS: u64 = 3_000;

/// What one callgrind process is expected to take on a busy 2-core
/// machine at a raised priority (start-up primes a cache on the simulated
/// CPU; two profile parts are annotated), and one allocation count.
const CALLGRIND_PROCESS: Duration = Duration::from_millis(2500);
const ALLOC_PROCESS: Duration = Duration::from_millis(500);

/// The compared endpoints the cost phase measures: reads only (an endpoint
/// that writes would change the database under the measurement).
pub fn endpoints(options: &CompareOptions) -> Vec<EndpointTarget> {
    options
        .endpoints
        .iter()
        .filter(|e| e.method == "GET" && e.name != "updates")
        .cloned()
        .collect()
}

fn repeat(options: &CompareOptions) -> usize {
    if options.quick { 1 } else { REPEAT }
}

/// The planned time of the phase, for the progress bar.
pub(super) fn planned(options: &CompareOptions) -> Duration {
    let measurements = endpoints(options).len() as u32 * cost::SERVER_COUNT as u32;
    (CALLGRIND_PROCESS * repeat(options) as u32 + ALLOC_PROCESS) * measurements
}

/// The cost options this phase runs with.
pub fn cost_options(options: &CompareOptions, progress: &Progress) -> CostOptions {
    CostOptions {
        endpoints: endpoints(options),
        n1: N1,
        n2: N2,
        repeat: repeat(options),
        alloc_warmup: ALLOC_WARMUP,
        alloc_requests: ALLOC_REQUESTS,
        valgrind: Some("valgrind".to_owned()),
        top: if options.quick { 0 } else { 10 },
        out: options.out.clone(),
        json: None,
        keep_profiles: false,
        cpu: options.pin.then_some(options.server_cpu),
        realtime: options.realtime,
        executable: options.executable.clone(),
        progress: progress.clone(),
        progress_step: (CALLGRIND_PROCESS, ALLOC_PROCESS),
        middleware: shared_handlers::chain::Chain::FULL,
        layers: false,
    }
}

/// Runs the phase; a failure does not lose the comparison, it becomes a
/// note in the report.
pub(super) fn run(
    options: &CompareOptions,
    progress: &Progress,
) -> (Option<CostReport>, Vec<String>) {
    let cost_options = cost_options(options, progress);
    if cost_options.endpoints.is_empty() {
        return (
            None,
            vec!["no compared endpoint is a read: no cost figures".to_owned()],
        );
    }
    progress.phase("cost");
    match cost::run(&cost_options) {
        Ok(report) => (Some(report), Vec::new()),
        Err(error) => {
            let message = format!("cost phase failed, no cost figures: {error:#}");
            progress.line(&format!("warning: {message}"));
            (None, vec![message])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::compare::DEFAULT_ENDPOINTS;

    fn options(names: &[&str], quick: bool) -> CompareOptions {
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        CompareOptions {
            endpoints: crate::endpoints::resolve_endpoints(&names, true).expect("catalogue names"),
            connections: 1,
            threads: 1,
            rounds: 1,
            duration: Duration::from_secs(1),
            warmup: Duration::ZERO,
            pipeline: 1,
            engine: loadgen::Engine::Raw,
            quick,
            out: std::env::temp_dir(),
            targets: Vec::new(),
            framework_modes: vec![framework_server::ServeMode::Hyper],
            server_runtime: connection_layer::RuntimeFlavor::MultiThread,
            server_workers: None,
            pin: true,
            server_cpu: 0,
            client_cpu: 1,
            headers: Vec::new(),
            bodies: Default::default(),
            seed: 1,
            database: Default::default(),
            progress: false,
            executable: std::path::PathBuf::from("bench-harness"),
            suite: crate::servers::Suite::Rust,
            repeat_disturbed: 0,
            cost: true,
            raise_priority: false,
            realtime: false,
            open_loop: None,
        }
    }

    #[test]
    fn the_cost_phase_measures_the_compared_reads_and_skips_writes() {
        let compared = options(DEFAULT_ENDPOINTS, false);

        let measured: Vec<String> = endpoints(&compared).into_iter().map(|e| e.name).collect();

        assert!(measured.contains(&"json".to_owned()));
        assert!(measured.contains(&"users-show".to_owned()));
        assert!(!measured.contains(&"users-create".to_owned()));
        assert_eq!(measured.len(), compared.endpoints.len() - 1);
    }

    #[test]
    fn quick_runs_one_callgrind_process_and_plans_less_time() {
        let full = options(&["plaintext", "json"], false);
        let quick = options(&["plaintext", "json"], true);

        let progress = Progress::default();
        assert_eq!(cost_options(&quick, &progress).repeat, 1);
        assert_eq!(cost_options(&full, &progress).repeat, REPEAT);
        assert!(planned(&quick) < planned(&full));
        assert_eq!(cost_options(&full, &progress).cpu, Some(0));
    }
}
