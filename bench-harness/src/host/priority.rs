//! Scheduling priority for a measurement: on a shared machine, the
//! harness, its load generator threads and the servers it starts run at
//! nice −20 when allowed (root, or `CAP_SYS_NICE`).
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

/// Raises this thread (and so everything it starts) to [`NICE`]; returns
/// a sentence for the report either way.
pub fn raise() -> String {
    // The main thread's id is the process id: `renice -p` sets that one.
    let pid = std::process::id().to_string();
    let status = Command::new("renice")
        .args(["-n", &NICE.to_string(), "-p", &pid])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match status {
        Ok(status) if status.success() && current_nice() == Some(NICE) => format!(
            "harness, load generator and servers ran at nice {NICE}: other processes ran when they waited"
        ),
        Ok(_) | Err(_) => format!(
            "could not raise the priority to nice {NICE} (needs root or CAP_SYS_NICE, and renice): \
             other processes share the servers' core at equal weight, figures are noisier"
        ),
    }
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
    fn our_nice_value_can_be_read() {
        let nice = current_nice().expect("own stat");
        assert!((-20..=19).contains(&nice));
    }
}
