//! The load generator's own CPU: pinning its threads to a core, and how
//! much CPU time it used (`getrusage`, microsecond resolution). A generator
//! near 100% of its core is the bottleneck, and its numbers then say
//! nothing about the server.

use std::time::Duration;

use nix::sched::{CpuSet, sched_setaffinity};
use nix::sys::resource::{UsageWho, getrusage};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

/// User and system CPU time consumed so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CpuTime {
    pub user: Duration,
    pub system: Duration,
}

impl CpuTime {
    pub fn total(&self) -> Duration {
        self.user + self.system
    }

    /// CPU used between `earlier` and `self` (saturating at zero).
    pub fn since(&self, earlier: &CpuTime) -> CpuTime {
        CpuTime {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
}

/// CPU time used so far by this process (all threads), µs resolution.
pub fn self_cpu() -> CpuTime {
    match getrusage(UsageWho::RUSAGE_SELF) {
        Ok(usage) => CpuTime {
            user: timeval(usage.user_time()),
            system: timeval(usage.system_time()),
        },
        // getrusage(RUSAGE_SELF) cannot fail on Linux; report zero rather
        // than abort a run if some sandbox forbids it.
        Err(_) => CpuTime::default(),
    }
}

fn timeval(value: nix::sys::time::TimeVal) -> Duration {
    let micros = value.tv_sec() * 1_000_000 + value.tv_usec();
    Duration::from_micros(u64::try_from(micros).unwrap_or(0))
}

/// Pins the calling thread (and every thread it starts afterwards) to `cpu`,
/// with `sched_setaffinity` through `nix`'s safe wrapper. The affinity is
/// inherited by threads started later and survives `exec`.
pub fn pin_current_thread(cpu: usize) -> Result<(), String> {
    let mut set = CpuSet::new();
    set.set(cpu).map_err(|e| format!("CPU {cpu}: {e}"))?;
    sched_setaffinity(Pid::from_raw(0), &set).map_err(|e| format!("cannot pin to CPU {cpu}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_cpu_time_grows_while_we_compute() {
        let before = self_cpu();
        // Burn a little CPU so the difference is not negative.
        let mut x = 0u64;
        for i in 0..1_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert!(x != 1);
        assert!(self_cpu().total() >= before.total());
    }
}
