//! CPU time of a *group* of processes over a round: every server instance,
//! nginx's master and workers, PostgreSQL's postmaster and its backends.
//!
//! Each process is read the way `compare` reads its one server: the sum of
//! its threads' scheduler time in nanoseconds when the thread set did not
//! change, else its clock ticks from `/proc/<pid>/stat`.
//!
//! Simplification: a process that exits during a round (an autovacuum
//! worker, say) takes its time with it, and one that starts during it is
//! not counted; only processes seen both before and after are summed.
//! PostgreSQL's backends live as long as the servers' pooled connections,
//! so for them the round is whole.

use std::collections::BTreeMap;

use crate::host::cpustat::{ThreadsCpu, threads_cpu};
use crate::host::procstat::process_cpu;

/// One process's counters at one moment.
#[derive(Debug, Clone)]
struct Counters {
    threads: Option<ThreadsCpu>,
    ticks_s: Option<f64>,
}

/// The counters of a group of processes at one moment.
#[derive(Debug, Clone, Default)]
pub struct GroupSnapshot {
    by_pid: BTreeMap<u32, Counters>,
}

impl GroupSnapshot {
    /// Reads every pid in `pids` (those that exist).
    pub fn take(pids: &[u32]) -> GroupSnapshot {
        let by_pid = pids
            .iter()
            .filter_map(|&pid| {
                let ticks_s = process_cpu(pid).ok().map(|t| t.total().as_secs_f64());
                let threads = threads_cpu(pid).ok();
                (ticks_s.is_some() || threads.is_some())
                    .then_some((pid, Counters { threads, ticks_s }))
            })
            .collect();
        GroupSnapshot { by_pid }
    }

    /// The pids read.
    pub fn pids(&self) -> Vec<u32> {
        self.by_pid.keys().copied().collect()
    }

    /// CPU seconds the group used since `earlier`, over the processes both
    /// saw; `None` when there were none.
    pub fn seconds_since(&self, earlier: &GroupSnapshot) -> Option<f64> {
        let mut total = 0.0;
        let mut any = false;
        for (pid, now) in &self.by_pid {
            let Some(before) = earlier.by_pid.get(pid) else {
                continue;
            };
            let precise = now
                .threads
                .as_ref()
                .zip(before.threads.as_ref())
                .and_then(|(now, before)| now.seconds_since(before));
            let coarse = now
                .ticks_s
                .zip(before.ticks_s)
                .map(|(now, before)| (now - before).max(0.0));
            if let Some(seconds) = precise.or(coarse) {
                total += seconds;
                any = true;
            }
        }
        any.then_some(total)
    }
}

/// The processes whose parent is `pid`, found by reading field 4 of every
/// `/proc/<n>/stat` (portable to kernels without `/proc/<pid>/children`).
pub fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut children: Vec<u32> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&candidate| parent_of(candidate) == Some(pid))
        .collect();
    children.sort_unstable();
    children
}

/// Field 4 of `/proc/<pid>/stat`, after the parenthesised command name.
fn parent_of(pid: u32) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_parent(&text)
}

fn parse_parent(stat: &str) -> Option<u32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_ascii_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_is_read_after_a_command_name_with_spaces() {
        let stat = "4242 (postgres: checkpointer (x)) S 4200 4242 4242 0 -1 4194560";

        assert_eq!(parse_parent(stat), Some(4200));
    }

    #[test]
    fn a_child_process_is_found_under_its_parent_and_its_cpu_counted() {
        // Arrange: a child that burns a little CPU, then sleeps.
        let mut child = std::process::Command::new("sh")
            .args([
                "-c",
                "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 5",
            ])
            .spawn()
            .expect("sh runs");
        let before = GroupSnapshot::take(&[child.id()]);

        // Act
        std::thread::sleep(std::time::Duration::from_millis(300));
        let children = children_of(std::process::id());
        let after = GroupSnapshot::take(&[child.id()]);
        let _ = child.kill();
        let _ = child.wait();

        // Assert
        assert!(children.contains(&child.id()));
        assert_eq!(before.pids(), [child.id()]);
        assert!(after.seconds_since(&before).is_some_and(|s| s > 0.0));
    }

    #[test]
    fn processes_seen_only_once_are_not_counted() {
        let before = GroupSnapshot::take(&[]);
        let after = GroupSnapshot::take(&[std::process::id()]);

        assert_eq!(after.seconds_since(&before), None);
    }
}
