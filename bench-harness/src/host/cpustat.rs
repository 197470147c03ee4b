//! Precise CPU accounting for a round of `compare`: the server's own CPU
//! time from its threads, and what else ran on the server's core.
//!
//! `/proc/<pid>/stat` counts a process's CPU in clock ticks (10 ms). A
//! round of one second at 60% of a core holds 60 ticks, so one tick more or
//! less moves CPU per request by 1.7%: too coarse for short rounds. Each
//! thread's `/proc/<pid>/task/<tid>/schedstat` starts with the time the
//! scheduler ran that thread, in **nanoseconds**; summed over the threads
//! it is the process's CPU time without the tick quantisation.
//!
//! Its third field counts the thread's *time slices*: how often the
//! scheduler put it on a CPU, which for a server that sleeps in `epoll`
//! between batches is its wake-ups. Requests per wake-up is how much work
//! each wake-up batched, which moves the CPU cost of a request.
//!
//! Simplification: a thread that exits during a round takes its time with
//! it (the process total in `/proc/<pid>/stat` keeps it). [`ThreadsCpu`]
//! remembers which threads it saw, so a round whose thread set changed can
//! fall back on the tick count instead of silently under-counting.
//!
//! `/proc/stat` has one line per CPU with the time spent in each state, in
//! ticks, for everything that ran there. Its process time (user, nice,
//! system) on the server's core
//! minus the server's own CPU time is what **other processes** took on that
//! core during the round: a compiler scheduled there evicts the server's
//! caches and takes turns with it. `steal` is time the hypervisor gave to
//! another guest. Both describe how disturbed a round was.

use std::collections::BTreeSet;
use std::io;

use super::procstat::clock_ticks_per_second;

/// The CPU time of every thread of a process, as the scheduler counted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadsCpu {
    /// Sum over the threads, in nanoseconds.
    pub total_ns: u64,
    /// Time slices (wake-ups), summed over the threads.
    pub slices: u64,
    /// The thread ids seen.
    pub threads: BTreeSet<u32>,
}

impl ThreadsCpu {
    /// Seconds between `earlier` and `self`, if both saw the same threads
    /// (otherwise a thread's time was lost or appeared from nowhere).
    pub fn seconds_since(&self, earlier: &ThreadsCpu) -> Option<f64> {
        (self.threads == earlier.threads && self.total_ns >= earlier.total_ns)
            .then(|| (self.total_ns - earlier.total_ns) as f64 / 1e9)
    }

    /// Time slices between `earlier` and `self`, on the same condition.
    pub fn slices_since(&self, earlier: &ThreadsCpu) -> Option<u64> {
        (self.threads == earlier.threads)
            .then(|| self.slices.checked_sub(earlier.slices))
            .flatten()
    }
}

/// Reads `/proc/<pid>/task/*/schedstat`.
pub fn threads_cpu(pid: u32) -> io::Result<ThreadsCpu> {
    let mut total_ns = 0;
    let mut slices = 0;
    let mut threads = BTreeSet::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let entry = entry?;
        let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        // A thread may exit between listing and reading: skip it, the
        // changed thread set tells the caller.
        let Ok(text) = std::fs::read_to_string(entry.path().join("schedstat")) else {
            continue;
        };
        let (ns, thread_slices) = parse_schedstat(&text)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "unexpected schedstat"))?;
        total_ns += ns;
        slices += thread_slices;
        threads.insert(tid);
    }
    Ok(ThreadsCpu {
        total_ns,
        slices,
        threads,
    })
}

/// A `schedstat` line: nanoseconds on the CPU, nanoseconds waiting for
/// it, time slices. Returns the first and the last.
fn parse_schedstat(text: &str) -> Option<(u64, u64)> {
    let mut fields = text.split_ascii_whitespace().map(|f| f.parse().ok());
    let ns = fields.next()??;
    let slices = fields.nth(1)??;
    Some((ns, slices))
}

/// One CPU's counters from `/proc/stat`, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CoreTimes {
    /// Time processes ran there: user, nice and system. Interrupt and
    /// softirq time is left out: on loopback much of it is the servers'
    /// own network traffic, not another process.
    pub busy_s: f64,
    pub steal_s: f64,
}

impl CoreTimes {
    pub fn since(&self, earlier: &CoreTimes) -> CoreTimes {
        CoreTimes {
            busy_s: (self.busy_s - earlier.busy_s).max(0.0),
            steal_s: (self.steal_s - earlier.steal_s).max(0.0),
        }
    }
}

/// Reads the line of CPU `cpu` in `/proc/stat`.
pub fn core_times(cpu: usize) -> io::Result<CoreTimes> {
    let text = std::fs::read_to_string("/proc/stat")?;
    parse_proc_stat(&text, cpu, clock_ticks_per_second()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("no cpu{cpu} line in /proc/stat"),
        )
    })
}

/// Fields after `cpuN`: user nice system idle iowait irq softirq steal
/// guest guest_nice (guest time is already inside user and nice).
fn parse_proc_stat(text: &str, cpu: usize, ticks_per_second: u64) -> Option<CoreTimes> {
    let label = format!("cpu{cpu}");
    let line = text
        .lines()
        .find(|line| line.split_ascii_whitespace().next() == Some(label.as_str()))?;
    let fields: Vec<u64> = line
        .split_ascii_whitespace()
        .skip(1)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let field = |i: usize| fields.get(i).copied().unwrap_or(0);
    let busy = field(0) + field(1) + field(2);
    let seconds = |ticks: u64| ticks as f64 / ticks_per_second as f64;
    Some(CoreTimes {
        busy_s: seconds(busy),
        steal_s: seconds(field(7)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedstat_gives_nanoseconds_on_the_cpu() {
        assert_eq!(parse_schedstat("150576 2001 3\n"), Some((150_576, 3)));
        assert_eq!(parse_schedstat("150576"), None);
        assert_eq!(parse_schedstat(""), None);
    }

    #[test]
    fn a_cpu_line_gives_busy_time_with_steal_and_without_idle() {
        let text = "cpu  9 9 9 9 9 9 9 9 0 0\n\
                    cpu0 100 10 50 900 20 3 2 15 0 0\n\
                    cpu1 1 1 1 1 1 1 1 1 0 0\n";
        let times = parse_proc_stat(text, 0, 100).expect("cpu0 is there");
        assert!((times.busy_s - 1.60).abs() < 1e-9);
        assert!((times.steal_s - 0.15).abs() < 1e-9);
        assert!(parse_proc_stat(text, 2, 100).is_none());
    }

    #[test]
    fn a_changed_thread_set_gives_no_difference() {
        let before = ThreadsCpu {
            total_ns: 1_000,
            slices: 10,
            threads: [1, 2].into(),
        };
        let same = ThreadsCpu {
            total_ns: 3_000_001_000,
            slices: 25,
            threads: [1, 2].into(),
        };
        let fewer = ThreadsCpu {
            total_ns: 5_000,
            slices: 30,
            threads: [1].into(),
        };
        assert_eq!(same.seconds_since(&before), Some(3.0));
        assert_eq!(same.slices_since(&before), Some(15));
        assert_eq!(fewer.seconds_since(&before), None);
        assert_eq!(fewer.slices_since(&before), None);
    }

    #[test]
    fn our_own_threads_and_core_can_be_read() {
        let mine = threads_cpu(std::process::id()).expect("own tasks");
        assert!(mine.threads.contains(&std::process::id()));
        assert!(core_times(0).is_ok());
    }
}
