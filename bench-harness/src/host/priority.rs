//! Scheduling priority for a measurement: on a shared machine, the
//! harness, its load generator threads and the servers it starts run at
//! nice −20, and so does their *autogroup*, when allowed (root, or
//! `CAP_SYS_NICE`); the autogroup's old value comes back at the end.
//!
//! Autogroups first: with `kernel.sched_autogroup_enabled` (the default on
//! most distributions) the scheduler shares a core fairly between
//! *sessions* before it looks at nice values, so a nice −20 process still
//! gets only its session's share against four other sessions' compilers.
//! Measured: nice alone left the server 10–20% of its core (`/json`
//! served 5,000 requests per second instead of 93,000, and the framework's
//! overhead read +20% instead of +52%: starved of CPU, both servers
//! wait and their per-request costs converge). The session's weight is
//! `/proc/self/autogroup`; raising it raises everything in our session
//! (in an interactive run, the terminal's session), for the run only.
//!
//! Why: pinned to one core, a server under closed-loop load competes with
//! every other runnable process the kernel puts on that core. Measured on
//! a 2-core machine with four compilers running: at the default nice the
//! server got 17–20% of its core per round, and its CPU time per request
//! moved by 8–20% from round to round (cache and branch-predictor state
//! evicted at every switch, and batches of requests broken up). At nice
//! −20 the scheduler gives it about 87 times the weight of a nice-0
//! process, so the others run when the server waits, not in its place.
//! What still runs beside it is counted per round (see
//! [`super::cpustat`]) and shown in the report.
//!
//! Linux keeps a nice value per thread, and a new thread or child process
//! starts with its creator's. So raising the calling thread before any
//! load thread or server exists raises them all. `renice` (util-linux)
//! does the system call, as the workspace forbids `unsafe` code.

use std::process::{Command, Stdio};

/// The nice value asked for.
pub const NICE: i32 = -20;

/// What [`raise`] changed; dropping it gives the autogroup its old nice
/// value back.
#[derive(Debug)]
pub struct Raised {
    pub note: String,
    autogroup_before: Option<i32>,
}

impl Drop for Raised {
    fn drop(&mut self) {
        if let Some(before) = self.autogroup_before {
            let _ = std::fs::write(AUTOGROUP, before.to_string());
        }
    }
}

const AUTOGROUP: &str = "/proc/self/autogroup";

/// The autogroup's nice value: `/autogroup-5 nice 0` → 0.
fn autogroup_nice() -> Option<i32> {
    let text = std::fs::read_to_string(AUTOGROUP).ok()?;
    text.split_ascii_whitespace().last()?.parse().ok()
}

/// Raises our autogroup and this thread (and so everything it starts) to
/// [`NICE`], with a sentence for the report either way.
pub fn raise() -> Raised {
    let before = autogroup_nice();
    let autogroup_raised = before.is_some()
        && std::fs::write(AUTOGROUP, NICE.to_string()).is_ok()
        && autogroup_nice() == Some(NICE);
    let thread = raise_thread();
    let note = match (thread, autogroup_raised) {
        (true, true) => format!(
            "harness, load generator and servers ran at nice {NICE}, in a session (autogroup) at nice {NICE}: other processes ran when they waited"
        ),
        (true, false) => format!(
            "harness, load generator and servers ran at nice {NICE}, but their session's autogroup could not be raised: against other sessions they got an equal share, figures are noisier"
        ),
        _ => format!(
            "could not raise the priority to nice {NICE} (needs root or CAP_SYS_NICE, and renice): \
             other processes share the servers' core at equal weight, figures are noisier"
        ),
    };
    Raised {
        note,
        autogroup_before: before.filter(|_| autogroup_raised),
    }
}

/// `renice`s the calling thread; `true` if it now runs at [`NICE`].
fn raise_thread() -> bool {
    // The main thread's id is the process id: `renice -p` sets that one.
    let pid = std::process::id().to_string();
    let status = Command::new("renice")
        .args(["-n", &NICE.to_string(), "-p", &pid])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    status.is_ok_and(|s| s.success()) && current_nice() == Some(NICE)
}

/// This process's main-thread nice value, from `/proc/self/stat` (field 19).
pub fn current_nice() -> Option<i32> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &text[text.rfind(')')? + 1..];
    after_name.split_ascii_whitespace().nth(16)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_autogroup_line_gives_its_nice_value() {
        // The parser's input, as the kernel writes it.
        let text = "/autogroup-5 nice -20\n";
        assert_eq!(
            text.split_ascii_whitespace()
                .last()
                .and_then(|v| v.parse::<i32>().ok()),
            Some(-20)
        );
    }

    #[test]
    fn our_nice_value_can_be_read() {
        let nice = current_nice().expect("own stat");
        assert!((-20..=19).contains(&nice));
    }
}
