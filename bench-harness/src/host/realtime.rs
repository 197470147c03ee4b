//! Real-time scheduling for `compare`'s rounds: the harness, its load
//! generator threads and the servers it starts run under `SCHED_RR` at the
//! lowest real-time priority, when allowed (root, or `CAP_SYS_NICE`), and go
//! back to normal scheduling before the cost phase. `cost` runs under
//! `SCHED_FIFO` ([`Policy::Fifo`]) for a different reason: see there.
//!
//! Why: nice −20 ([`super::priority`]) gives the server most of its core,
//! but the fair scheduler still lets a waiting compiler finish its slice
//! when a request arrives, and interleaves it with the server whenever both
//! are runnable. A real-time thread preempts every normal one at once and
//! is never preempted by one, so other processes only run while the
//! server (and, on its own core, the generator) sleeps. Round-robin rather
//! than FIFO: a server's worker threads share one core and must still take
//! turns among themselves.
//!
//! The machine is not starved: the kernel's real-time throttling
//! (`kernel.sched_rt_runtime_us`, 950,000 of every 1,000,000 µs by
//! default) keeps 5% of each core for normal processes even when both of
//! ours are busy, and the policy lasts only for the rounds. Where
//! throttling is off (`-1`) the policy is not used: a runaway thread could
//! then hold a core for good.
//!
//! A thread's policy is inherited by the threads and processes it starts,
//! so switching every thread of the harness before the servers and the
//! generator exist switches them too. `chrt` (util-linux) makes the system
//! call, as the workspace forbids `unsafe` code.

use std::process::{Command, Stdio};

/// The real-time priority asked for: the lowest, above every normal thread
/// and below the kernel's own real-time threads.
pub const PRIORITY: u32 = 1;

/// The kernel's real-time budget per period, in µs (`-1`: unlimited).
const RT_RUNTIME: &str = "/proc/sys/kernel/sched_rt_runtime_us";

/// `SCHED_RR`'s number in `/proc/<pid>/stat`'s `policy` field.
const SCHED_RR: u32 = 2;
/// `SCHED_FIFO`'s.
const SCHED_FIFO: u32 = 1;

/// Which real-time policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// `compare`'s rounds: a server's threads on one core take turns.
    RoundRobin,
    /// `cost`'s counts: harness, client and server share one CPU, and a
    /// thread that wakes another keeps the CPU until it blocks. That is the
    /// order that makes a database request's thread hand-offs the same every
    /// time; under the normal scheduler it holds only while nothing else
    /// runs on that CPU (other processes there change who runs first, and a
    /// `/db` count moved by 6% between a busy and a quiet run).
    Fifo,
}

impl Policy {
    fn name(self) -> &'static str {
        match self {
            Policy::RoundRobin => "SCHED_RR",
            Policy::Fifo => "SCHED_FIFO",
        }
    }

    fn chrt_flag(self) -> &'static str {
        match self {
            Policy::RoundRobin => "--rr",
            Policy::Fifo => "--fifo",
        }
    }

    fn number(self) -> u32 {
        match self {
            Policy::RoundRobin => SCHED_RR,
            Policy::Fifo => SCHED_FIFO,
        }
    }
}

/// What [`enter`] did; [`Realtime::leave`] (or dropping it) puts the
/// process's threads back under normal scheduling.
#[derive(Debug)]
pub struct Realtime {
    /// The policy the rounds ran under, as the report names it.
    pub policy: String,
    /// A sentence for the report.
    pub note: String,
    entered: bool,
}

impl Realtime {
    /// Back to `SCHED_OTHER` (the nice value stays): what is started from
    /// now on, the cost phase's valgrind included, runs normally.
    pub fn leave(&mut self) {
        if self.entered {
            self.entered = false;
            let _ = chrt(&["--other", "-a", "-p", "0"]);
        }
    }
}

impl Drop for Realtime {
    fn drop(&mut self) {
        self.leave();
    }
}

/// Every thread of this process to `SCHED_RR` at [`PRIORITY`] when the
/// kernel's throttling bounds it and we are allowed; a note either way.
pub fn enter() -> Realtime {
    enter_with(Policy::RoundRobin, "rounds")
}

/// The same with `policy`; `what` names what ran under it in the note
/// ("rounds", "callgrind runs").
pub fn enter_with(policy: Policy, what: &str) -> Realtime {
    let not_used = |why: String| Realtime {
        policy: "SCHED_OTHER".to_owned(),
        note: format!("{what} ran under normal scheduling: {why}"),
        entered: false,
    };
    let runtime = std::fs::read_to_string(RT_RUNTIME)
        .ok()
        .and_then(|text| text.trim().parse::<i64>().ok());
    match runtime {
        Some(us) if us > 0 => {}
        Some(_) => {
            return not_used(format!(
                "{RT_RUNTIME} is unlimited, so no core would be left to other processes"
            ));
        }
        None => return not_used(format!("{RT_RUNTIME} is not readable")),
    }
    let (name, priority) = (policy.name(), PRIORITY.to_string());
    if !chrt(&[policy.chrt_flag(), "-a", "-p", &priority])
        || current_policy() != Some(policy.number())
    {
        return not_used(format!(
            "{name} not permitted (needs root or CAP_SYS_NICE, and chrt; --no-realtime skips it)"
        ));
    }
    let share = runtime.map_or(0.0, |us| 100.0 - us as f64 / 10_000.0);
    Realtime {
        policy: format!("{name} {PRIORITY}"),
        note: format!(
            "{what} ran under {name} priority {PRIORITY} (the harness and everything it started): other processes ran only while they waited, and real-time throttling kept {share:.0}% of each core for them"
        ),
        entered: true,
    }
}

/// `chrt ARGS... <our pid>`; `true` if it succeeded.
fn chrt(args: &[&str]) -> bool {
    Command::new("chrt")
        .args(args)
        .arg(std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The main thread's scheduling policy, from `/proc/self/stat` (field 41).
pub fn current_policy() -> Option<u32> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    policy_of_stat(&text)
}

fn policy_of_stat(text: &str) -> Option<u32> {
    // Fields after the command name (which may hold spaces) start at 3.
    let after_name = &text[text.rfind(')')? + 1..];
    after_name.split_ascii_whitespace().nth(38)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_read_from_field_41_of_a_stat_line() {
        // A stat line of a thread named with a space and a parenthesis, its
        // policy (field 41) 2 and its real-time priority (field 40) 1.
        let mut fields: Vec<String> = (3..=52).map(|n| n.to_string()).collect();
        fields[40 - 3] = "1".to_owned();
        fields[41 - 3] = "2".to_owned();
        let text = format!("1234 (a b) c) {}\n", fields.join(" "));
        assert_eq!(policy_of_stat(&text), Some(SCHED_RR));
    }

    #[test]
    fn our_own_policy_can_be_read() {
        assert!(current_policy().is_some());
    }
}
