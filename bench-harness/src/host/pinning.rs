//! Pinning processes and threads to CPUs: which CPUs we may use, and the
//! plan of who runs where (the pinning call itself is
//! [`loadgen::cpu::pin_current_thread`]).
//!
//! On a 2-core machine the server gets one core and the load generator the
//! other. Without pinning the scheduler
//! moves both around, they steal each other's caches and time, and rounds
//! vary more. We pin with `sched_setaffinity` through `nix`'s safe wrapper:
//! a thread's affinity is inherited by the threads it starts and survives
//! `exec`, so pinning a process's first thread before it starts its runtime
//! pins the whole process.
//!
//! Where pinning is impossible (one CPU, a container that forbids it) the
//! harness carries on unpinned and says so in its output and `results.json`.

use nix::sched::{CpuSet, sched_getaffinity};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

/// The CPUs this process may run on (its affinity mask).
pub fn allowed_cpus() -> Vec<usize> {
    match sched_getaffinity(Pid::from_raw(0)) {
        Ok(set) => (0..CpuSet::count())
            .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Where the servers and the load generator run, decided once per report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinningPlan {
    /// Whether the user asked for pinning (it is on unless `--no-pin`).
    pub requested: bool,
    /// Whether it is (still) in effect: set to false if any pin failed.
    pub applied: bool,
    pub server_cpu: Option<usize>,
    pub client_cpu: Option<usize>,
    /// Human explanation, e.g. why pinning was skipped.
    pub note: String,
}

impl PinningPlan {
    /// Decides the plan from what was asked and which CPUs we may use.
    pub fn decide(
        requested: bool,
        server_cpu: usize,
        client_cpu: usize,
        allowed: &[usize],
    ) -> PinningPlan {
        let unpinned = |note: String| PinningPlan {
            requested,
            applied: false,
            server_cpu: None,
            client_cpu: None,
            note,
        };
        if !requested {
            return unpinned("not pinned (--no-pin)".to_owned());
        }
        if server_cpu == client_cpu {
            return unpinned(format!(
                "not pinned: server and client CPU are both {server_cpu}"
            ));
        }
        if allowed.len() < 2 {
            return unpinned(format!(
                "not pinned: only {} CPU(s) available, need 2",
                allowed.len()
            ));
        }
        for cpu in [server_cpu, client_cpu] {
            if !allowed.contains(&cpu) {
                return unpinned(format!(
                    "not pinned: CPU {cpu} is not available (allowed: {allowed:?})"
                ));
            }
        }
        PinningPlan {
            requested,
            applied: true,
            server_cpu: Some(server_cpu),
            client_cpu: Some(client_cpu),
            note: format!("servers pinned to CPU {server_cpu}, load generator to CPU {client_cpu}"),
        }
    }

    /// Records that pinning failed somewhere; the run goes on unpinned.
    pub fn failed(&mut self, why: &str) {
        self.applied = false;
        self.note = format!("pinning failed, running unpinned: {why}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_distinct_available_cpus_are_pinned() {
        let plan = PinningPlan::decide(true, 0, 1, &[0, 1]);
        assert!(plan.applied);
        assert_eq!((plan.server_cpu, plan.client_cpu), (Some(0), Some(1)));
    }

    #[test]
    fn a_single_cpu_machine_runs_unpinned_and_says_why() {
        let plan = PinningPlan::decide(true, 0, 1, &[0]);
        assert!(!plan.applied);
        assert!(plan.note.contains("only 1 CPU"));
    }

    #[test]
    fn an_unavailable_cpu_is_not_pinned() {
        let plan = PinningPlan::decide(true, 0, 5, &[0, 1]);
        assert!(!plan.applied);
        assert!(plan.note.contains("CPU 5"));
    }

    #[test]
    fn this_process_may_run_on_at_least_one_cpu() {
        assert!(!allowed_cpus().is_empty());
    }
}
