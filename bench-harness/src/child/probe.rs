//! The probe: a side channel from the harness into a server child, to read
//! its allocation counters and to cut its callgrind profile.
//!
//! The harness binary installs [`counting_allocator::CountingAllocator`]
//! (see `main.rs`), so every `serve` child has the counters, switched off.
//! The harness cannot read another process's memory, so a child started
//! with `serve --probe` takes commands: each line the harness writes to the
//! child's **stdin** is one command, answered by one JSON line of the
//! counters on its **stdout**, after the command ran:
//!
//! ```text
//! harness → child:  count-on          (switch counting on)
//! harness → child:  counts            (just answer)
//! harness → child:  mark              (call `callgrind_mark`, then answer)
//! child → harness:  {"allocations":1234,"reallocations":56,"deallocations":1200,"bytes_allocated":98765}
//! ```
//!
//! `mark` exists for callgrind: the harness starts the child with
//! `--dump-before=*callgrind_mark*`, so callgrind writes out the cost so far
//! (and starts counting from zero) each time the child enters that
//! function. One marked segment then holds the instructions of exactly the
//! requests sent between two marks.
//!
//! Why not an HTTP endpoint: both servers must answer exactly the same
//! endpoints, and counting would then also count the counting request.
//! Why stdin/stdout: the harness already owns both pipes of its children,
//! and nothing else is written to a server's stdout after `listening on`.
//!
//! The answering thread allocates nothing per command after its first
//! (the line buffer and stdin's buffer are reused; numbers are formatted on
//! the stack), so asking twice in a row shows no new allocations from the
//! probe itself.

use std::io::{BufRead, Write};
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::child::process::ServerProcess;

/// How long a child may take to answer (it answers from a thread of its
/// own, so this only expires if the child is stuck or gone).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// The counters as they travel between processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AllocCounts {
    /// `alloc` + `alloc_zeroed` + `realloc` calls.
    pub allocations: u64,
    /// Of which `realloc` calls.
    pub reallocations: u64,
    pub deallocations: u64,
    /// Bytes asked for (new size for a `realloc`).
    pub bytes_allocated: u64,
}

impl From<counting_allocator::Counts> for AllocCounts {
    fn from(counts: counting_allocator::Counts) -> Self {
        AllocCounts {
            allocations: counts.allocations,
            reallocations: counts.reallocations,
            deallocations: counts.deallocations,
            bytes_allocated: counts.bytes_allocated,
        }
    }
}

impl AllocCounts {
    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &AllocCounts) -> AllocCounts {
        AllocCounts {
            allocations: self.allocations.saturating_sub(earlier.allocations),
            reallocations: self.reallocations.saturating_sub(earlier.reallocations),
            deallocations: self.deallocations.saturating_sub(earlier.deallocations),
            bytes_allocated: self.bytes_allocated.saturating_sub(earlier.bytes_allocated),
        }
    }
}

/// The commands a probe understands.
pub const COUNT_ON: &str = "count-on";
pub const COUNTS: &str = "counts";
pub const MARK: &str = "mark";

/// The function callgrind cuts its profile at (`--dump-before` names it).
/// It must stay a real, called function: `#[inline(never)]`, and its
/// argument goes through `black_box` so the optimiser cannot drop the call.
#[inline(never)]
pub fn callgrind_mark(segment: u64) -> u64 {
    std::hint::black_box(segment)
}

/// The `--dump-before` pattern that matches [`callgrind_mark`].
pub const CALLGRIND_MARK_PATTERN: &str = "*callgrind_mark*";

/// Child side (`serve --probe`): answers commands until stdin closes.
pub fn start_responder() -> anyhow::Result<()> {
    std::thread::Builder::new()
        .name("probe".to_owned())
        .spawn(|| {
            let stdin = std::io::stdin();
            let mut line = String::new();
            let mut marks = 0;
            loop {
                line.clear();
                match stdin.lock().read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                match line.trim() {
                    COUNT_ON => counting_allocator::enable(),
                    MARK => marks = callgrind_mark(marks + 1),
                    // `counts`, and anything else: just answer.
                    _ => {}
                }
                let counts = AllocCounts::from(counting_allocator::snapshot());
                let mut stdout = std::io::stdout().lock();
                let written = serde_json::to_writer(&mut stdout, &counts)
                    .map_err(std::io::Error::other)
                    .and_then(|()| writeln!(stdout))
                    .and_then(|()| stdout.flush());
                if written.is_err() {
                    break;
                }
            }
        })
        .context("cannot start the probe thread")?;
    Ok(())
}

/// Harness side: sends `command` and returns the counters it answers with.
pub fn send(server: &mut ServerProcess, command: &str) -> anyhow::Result<AllocCounts> {
    let line = server.query(command, ANSWER_TIMEOUT)?;
    serde_json::from_str(&line).with_context(|| {
        format!(
            "server {} answered `{line}` instead of allocation counters",
            server.name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_survive_the_trip_through_a_json_line() {
        let counts = AllocCounts {
            allocations: 1234,
            reallocations: 56,
            deallocations: 1200,
            bytes_allocated: 98_765,
        };
        let line = serde_json::to_string(&counts).expect("serialises");
        assert!(!line.contains('\n'), "one line per answer: {line}");
        let back: AllocCounts = serde_json::from_str(&line).expect("parses");
        assert_eq!(back, counts);
    }

    #[test]
    fn a_difference_never_goes_below_zero() {
        let earlier = AllocCounts {
            allocations: 10,
            reallocations: 1,
            deallocations: 5,
            bytes_allocated: 100,
        };
        let later = AllocCounts {
            allocations: 30,
            reallocations: 1,
            deallocations: 4,
            bytes_allocated: 300,
        };
        let spent = later.since(&earlier);
        assert_eq!(spent.allocations, 20);
        assert_eq!(spent.deallocations, 0);
        assert_eq!(spent.bytes_allocated, 200);
    }
}
