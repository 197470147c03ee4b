//! How much CPU and memory a process used, read from Linux's `/proc`.
//!
//! For the servers (other processes) we read `/proc/<pid>/stat`: fields 14
//! and 15 are user and system time of all the process's threads, in clock
//! ticks (`sysconf(_SC_CLK_TCK)`, 100 per second on every Linux we know).
//! A tick is 10 ms, so a measurement window must hold a few seconds of busy
//! CPU for the figure to be precise to about 1% — which is why rounds last
//! seconds, not milliseconds.
//!
//! For ourselves (the load generator) `getrusage(RUSAGE_SELF)` gives the
//! same user+system split with microsecond resolution
//! ([`loadgen::cpu::self_cpu`]).
//!
//! Memory: `VmRSS` in `/proc/<pid>/status`, the resident set in KiB.

use std::io;
use std::time::Duration;

use loadgen::cpu::CpuTime;

/// Clock ticks per second for `/proc/<pid>/stat`. Asked of the kernel once;
/// 100 is the value on every Linux configuration in practice.
pub fn clock_ticks_per_second() -> u64 {
    use nix::unistd::{SysconfVar, sysconf};
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| match sysconf(SysconfVar::CLK_TCK) {
        Ok(Some(ticks)) if ticks > 0 => u64::try_from(ticks).unwrap_or(100),
        _ => 100,
    })
}

/// CPU time used so far by process `pid` (all its threads).
pub fn process_cpu(pid: u32) -> io::Result<CpuTime> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    parse_stat(&text, clock_ticks_per_second()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unexpected /proc/{pid}/stat"),
        )
    })
}

/// Parses user and system time out of a `/proc/<pid>/stat` line.
///
/// Field 2 is the command name in parentheses and may itself contain spaces
/// and parentheses, so we split after the *last* `)`: what follows starts
/// with field 3, which puts utime (14) and stime (15) at offsets 11 and 12.
fn parse_stat(text: &str, ticks_per_second: u64) -> Option<CpuTime> {
    let after_name = &text[text.rfind(')')? + 1..];
    let mut fields = after_name.split_ascii_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    let ticks = |count: u64| Duration::from_secs_f64(count as f64 / ticks_per_second as f64);
    Some(CpuTime {
        user: ticks(user),
        system: ticks(system),
    })
}

/// Resident memory of process `pid`, in KiB.
pub fn resident_kib(pid: u32) -> io::Result<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_status_kib(&text, "VmRSS:").ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("no VmRSS in /proc/{pid}/status"),
        )
    })
}

fn parse_status_kib(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|line| line.starts_with(key))?;
    line[key.len()..]
        .split_ascii_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_found_after_a_command_name_with_spaces_and_parentheses() {
        let line = "4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 1500 0 0 0 \
                    250 75 0 0 20 0 3 0 12345 1000000 500 18446744073709551615";
        let cpu = parse_stat(line, 100).expect("parses");
        assert_eq!(cpu.user, Duration::from_millis(2_500));
        assert_eq!(cpu.system, Duration::from_millis(750));
        assert_eq!(cpu.total(), Duration::from_millis(3_250));
    }

    #[test]
    fn rss_is_read_from_the_vmrss_line() {
        let status = "Name:\traw\nVmPeak:\t  9000 kB\nVmRSS:\t    5120 kB\nThreads:\t3\n";
        assert_eq!(parse_status_kib(status, "VmRSS:"), Some(5_120));
    }

    #[test]
    fn our_own_process_can_be_measured_through_proc() {
        let pid = std::process::id();
        assert!(process_cpu(pid).is_ok());
        assert!(resident_kib(pid).expect("own status") > 0);
    }
}
