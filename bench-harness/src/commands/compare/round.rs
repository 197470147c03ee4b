//! One round of `compare`: the server's CPU time from its threads before
//! and after a stretch of load, what other processes took on the server's
//! and the generator's cores meanwhile, and the round's verdict
//! (client-bound, disturbed).

use loadgen::{self as load, LoadConfig};

use super::SATURATED;
use super::plan::Contestant;
use crate::host::cpustat::{CoreTimes, ThreadsCpu, core_times, threads_cpu};
use crate::host::pinning::{PinningPlan, allowed_cpus};
use crate::host::procstat::{clock_ticks_per_second, process_cpu, resident_kib};
use crate::schema::results::{DISTURBED_SHARE, EndpointTarget, Round};

/// Counters read before and after a round.
struct Counters {
    threads: Option<ThreadsCpu>,
    ticks: Option<loadgen::cpu::CpuTime>,
    server_core: Option<CoreTimes>,
    client_core: Option<CoreTimes>,
}

fn read_counters(pid: Option<u32>, cores: (Option<usize>, Option<usize>)) -> Counters {
    Counters {
        threads: pid.and_then(|pid| threads_cpu(pid).ok()),
        ticks: pid.and_then(|pid| process_cpu(pid).ok()),
        server_core: cores.0.and_then(|cpu| core_times(cpu).ok()),
        client_core: cores.1.and_then(|cpu| core_times(cpu).ok()),
    }
}

/// Where a round is: which round of which server on which endpoint, and
/// its place in the whole run.
pub(super) struct Place<'a> {
    pub(super) contestant: &'a Contestant,
    pub(super) endpoint: &'a EndpointTarget,
    pub(super) round: usize,
    pub(super) sequence: usize,
}

/// What other processes took of the server's and the client's core during a
/// round (each core's busy time less our own side's), and the hypervisor's
/// steal on the server's core.
fn others_on_cores(
    before: &Counters,
    after: &Counters,
    server_own_s: f64,
    client_own_s: f64,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let others = |after: Option<CoreTimes>, before: Option<CoreTimes>, own: f64| {
        after
            .zip(before)
            .map(|(after, before)| (after.since(&before).busy_s - own).max(0.0))
    };
    // Both sides of the server's difference are in ticks: the threads'
    // nanoseconds include interrupt time that `/proc/stat` books elsewhere.
    let server = others(after.server_core, before.server_core, server_own_s);
    let client = others(after.client_core, before.client_core, client_own_s);
    let steal = after
        .server_core
        .zip(before.server_core)
        .map(|(after, before)| after.since(&before).steal_s);
    (server, client, steal)
}

/// One round: counters before, load, counters and memory after.
pub(super) fn measure_round(
    config: &LoadConfig,
    place: &Place<'_>,
    pinning: &PinningPlan,
    client_threads: usize,
) -> anyhow::Result<Round> {
    let pid = place.contestant.process.as_ref().map(|p| p.pid);
    let cores = if pinning.applied {
        (pinning.server_cpu, pinning.client_cpu)
    } else {
        (None, None)
    };
    let before = read_counters(pid, cores);
    let report = load::run(config)?;
    let after = read_counters(pid, cores);
    let rss = pid.and_then(|pid| resident_kib(pid).ok());

    // Nanoseconds from the threads when the thread set held still; the
    // process's ticks otherwise.
    let from_threads = after
        .threads
        .as_ref()
        .zip(before.threads.as_ref())
        .and_then(|(after, before)| after.seconds_since(before));
    let wakeups = after
        .threads
        .as_ref()
        .zip(before.threads.as_ref())
        .and_then(|(after, before)| after.slices_since(before));
    let from_ticks = after
        .ticks
        .zip(before.ticks)
        .map(|(after, before)| after.since(&before).total().as_secs_f64());
    let server_cpu = from_threads.or(from_ticks);
    let client_cpu_s = report.client_cpu.user_s + report.client_cpu.system_s;
    let (server_core_others_s, client_core_others_s, server_core_steal_s) = others_on_cores(
        &before,
        &after,
        from_ticks.or(server_cpu).unwrap_or(0.0),
        client_cpu_s,
    );

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
        (cpus, (client_threads as f64).min(cpus))
    };
    let client_saturated = report.client_cpu.cores_busy / client_cores >= SATURATED;
    let server_saturated = server_cores_busy.is_some_and(|busy| busy / server_cores >= SATURATED);
    Ok(Round {
        endpoint: place.endpoint.name.clone(),
        server: place.contestant.info.name.clone(),
        round: place.round,
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
        sequence: place.sequence,
        server_cpu_from_threads: from_threads.is_some(),
        server_core_others_s,
        client_core_others_s,
        server_core_steal_s,
        server_wakeups: wakeups,
        disturbed: server_core_others_s.is_some_and(|others| disturbed(others, seconds)),
    })
}

/// Whether other processes took more than [`DISTURBED_SHARE`] of the
/// server's core. Both sides of `others` are counted in clock ticks, so it
/// is uncertain by up to a tick at each end of each count: two ticks, 20 ms,
/// which is 16% of a 125 ms round. Only what exceeds that uncertainty counts,
/// or nearly every short round would be flagged (and repeated) for nothing.
fn disturbed(others_s: f64, seconds: f64) -> bool {
    let uncertainty_s = 2.0 / clock_ticks_per_second() as f64;
    others_s - uncertainty_s > DISTURBED_SHARE * seconds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_round_is_not_disturbed_by_the_tick_uncertainty_alone() {
        let tick = 1.0 / clock_ticks_per_second() as f64;
        // Two ticks of "others" in a 125 ms round: within what tick
        // counting cannot tell apart from nothing.
        assert!(!disturbed(2.0 * tick, 0.125));
    }

    #[test]
    fn others_beyond_the_uncertainty_and_the_share_disturb_a_round() {
        let tick = 1.0 / clock_ticks_per_second() as f64;
        assert!(disturbed(2.0 * tick + 0.2 * 0.125, 0.125));
        // A long round is judged on its share as before.
        assert!(disturbed(0.3, 1.0));
        assert!(!disturbed(0.05, 1.0));
    }
}
