//! Reading callgrind's profiles: total instructions, and the functions the
//! instructions went to.
//!
//! callgrind (a valgrind tool) runs a program on a simulated CPU and counts
//! every instruction it executes (the event `Ir`, "instructions read").
//! The count does not depend on the machine's load or clock speed, which
//! makes it the stable figure timings cannot be. It is also ~50 times
//! slower than running natively, so `cost` sends a few thousand requests,
//! not millions.
//!
//! A profile file (format: valgrind's "Callgrind Format Specification")
//! starts with headers such as `events: Ir` and ends with `totals: <n>`,
//! one number per event. `callgrind_annotate --inclusive=yes` turns it into
//! a list of functions with their *inclusive* cost (the function and
//! everything it called), which is what answers "how much does routing
//! cost": the instructions spent under `axum::routing::Router::call_with_state`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::schema::cost::TopFunction;

/// The total `Ir` of a profile: the `totals:` line (or, in files written
/// without one, the `summary:` line), at the position of `Ir` among the
/// `events:`.
pub fn total_instructions(profile: &str) -> anyhow::Result<u64> {
    let mut events: Option<Vec<&str>> = None;
    let mut totals = None;
    let mut summary = None;
    for line in profile.lines() {
        if let Some(names) = line.strip_prefix("events:") {
            events = Some(names.split_whitespace().collect());
        } else if let Some(values) = line.strip_prefix("totals:") {
            totals = Some(values);
        } else if let Some(values) = line.strip_prefix("summary:") {
            summary = Some(values);
        }
    }
    let events = events.context("not a callgrind profile: no `events:` line")?;
    let index = events
        .iter()
        .position(|name| *name == "Ir")
        .with_context(|| format!("the profile has no Ir event, only {}", events.join(" ")))?;
    let values = totals
        .or(summary)
        .context("the profile has no `totals:` or `summary:` line (was it cut short?)")?;
    let value = values
        .split_whitespace()
        .nth(index)
        .context("the totals line has fewer values than events")?;
    value
        .parse()
        .with_context(|| format!("`{value}` is not an instruction count"))
}

/// One function and its inclusive instruction count, from
/// `callgrind_annotate --inclusive=yes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionCost {
    pub function: String,
    pub inclusive: u64,
}

/// Parses the function table of `callgrind_annotate` output, whose lines
/// look like
///
/// ```text
/// 10,223,000 (32.24%)  /root/.cargo/.../axum-0.8.9/src/routing/route.rs:<axum::routing::route::RouteFuture<E> as core::future::future::Future>::poll [/path/bench-harness]
/// ```
///
/// A function shows up once per source file its lines come from (inlined
/// code keeps its own file), and recursive calls as `name'2`. Both are
/// folded into one entry per function, keeping the largest count: the
/// lower bound that does not double-count (the entries overlap, so their
/// sum would). Sorted by cost, largest first.
pub fn parse_annotate(output: &str) -> Vec<FunctionCost> {
    let mut by_function: HashMap<String, u64> = HashMap::new();
    for line in output.lines() {
        let Some((count, function)) = parse_annotate_line(line) else {
            continue;
        };
        let entry = by_function.entry(function).or_default();
        *entry = (*entry).max(count);
    }
    let mut costs: Vec<FunctionCost> = by_function
        .into_iter()
        .map(|(function, inclusive)| FunctionCost {
            function,
            inclusive,
        })
        .collect();
    costs.sort_by(|a, b| {
        b.inclusive
            .cmp(&a.inclusive)
            .then_with(|| a.function.cmp(&b.function))
    });
    costs
}

/// One line of the function table: its count and the bare function name.
fn parse_annotate_line(line: &str) -> Option<(u64, String)> {
    let (number, rest) = line.trim_start().split_once(' ')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return None;
    }
    let count: u64 = number.replace(',', "").parse().ok()?;
    let mut rest = rest.trim_start();
    if rest.starts_with('(') {
        rest = rest.split_once(')')?.1.trim_start();
    }
    // Drop the ` [object file]` at the end, if any.
    if rest.ends_with(']')
        && let Some(start) = rest.rfind(" [")
    {
        rest = &rest[..start];
    }
    // `file:function`: the file ends at the first `:` that is not part of
    // a Rust path separator `::`.
    let bytes = rest.as_bytes();
    let split = (0..bytes.len()).find(|&i| {
        bytes[i] == b':' && bytes.get(i + 1) != Some(&b':') && (i == 0 || bytes[i - 1] != b':')
    })?;
    let mut function = &rest[split + 1..];
    // Recursion depth markers: `poll'2` is `poll` called from itself.
    if let Some((name, depth)) = function.rsplit_once('\'')
        && !depth.is_empty()
        && depth.bytes().all(|b| b.is_ascii_digit())
    {
        function = name;
    }
    let function = function.trim();
    (!function.is_empty()).then(|| (count, function.to_owned()))
}

/// A function whose inclusive cost is at least this share of the segment
/// is a frame that everything runs inside (`main`, the runtime's loop):
/// true, and no news. The list starts below them.
pub const ENCLOSING_SHARE: f64 = 0.90;

/// The `count` most expensive functions per request, leaving out the
/// enclosing frames and the unnamed ones (`0x…` addresses, `(below main)`).
pub fn top_functions(
    costs: &[FunctionCost],
    segment_total: u64,
    requests: u64,
    count: usize,
) -> Vec<TopFunction> {
    if requests == 0 {
        return Vec::new();
    }
    costs
        .iter()
        .filter(|cost| (cost.inclusive as f64) < ENCLOSING_SHARE * segment_total as f64)
        .filter(|cost| !cost.function.starts_with("0x") && !cost.function.starts_with('('))
        .take(count)
        .map(|cost| TopFunction {
            function: cost.function.clone(),
            inclusive_instructions_per_request: cost.inclusive as f64 / requests as f64,
        })
        .collect()
}

/// Runs `callgrind_annotate --inclusive=yes` on a profile and parses it.
pub fn annotate(profile: &Path) -> anyhow::Result<Vec<FunctionCost>> {
    Ok(parse_annotate(&run_annotate(profile, true)?))
}

/// The instructions a profile spent *inside* the C allocator (glibc's
/// `malloc`, `free`, `realloc` and their helpers), from the exclusive
/// costs of `callgrind_annotate --inclusive=no`.
///
/// Why it is split out: the same server on the same requests spends from
/// 185 to 271 instructions per `_int_malloc` call depending on the process
/// (how startup left the heap's free lists), and takes the slow path more
/// or less often; measured on `/json` of framework-server, four processes
/// differed by 3.9% in total and by 0.09% outside the allocator. glibc's
/// tunables (one arena, fixed thresholds, a larger thread cache) did not
/// remove it. The count of allocations is deterministic and reported
/// beside; the instructions outside the allocator are the repeatable
/// figure.
pub fn allocator_instructions(profile: &Path) -> anyhow::Result<u64> {
    Ok(sum_allocator(&run_annotate(profile, false)?))
}

/// `callgrind_annotate` on a profile, with inclusive or exclusive costs:
/// its output as text.
fn run_annotate(profile: &Path, inclusive: bool) -> anyhow::Result<String> {
    let output = Command::new("callgrind_annotate")
        .arg(if inclusive {
            "--inclusive=yes"
        } else {
            "--inclusive=no"
        })
        .arg("--threshold=100")
        .arg("--auto=no")
        .arg(profile)
        .stdin(Stdio::null())
        .output()
        .context("cannot run callgrind_annotate (it comes with valgrind)")?;
    if !output.status.success() {
        bail!(
            "callgrind_annotate failed on {}: {}",
            profile.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Sums the exclusive costs of lines whose source is glibc's `malloc/`
/// folder (`./malloc/./malloc/malloc.c:_int_malloc [libc.so.6]`).
fn sum_allocator(output: &str) -> u64 {
    output
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.trim_start().split_once(' ')?;
            let count: u64 = number.replace(',', "").parse().ok()?;
            rest.contains("/malloc/").then_some(count)
        })
        .sum()
}

/// The command a server child runs under: callgrind, writing its profile
/// to `profile` and cutting it into parts (`profile.1`, `profile.2`, …)
/// each time the child calls [`crate::child::probe::callgrind_mark`].
pub fn wrapper(valgrind: &str, profile: &Path) -> Vec<OsString> {
    let mut out_file = OsString::from("--callgrind-out-file=");
    out_file.push(profile);
    vec![
        OsString::from(valgrind),
        OsString::from("--tool=callgrind"),
        out_file,
        OsString::from(format!(
            "--dump-before={}",
            crate::child::probe::CALLGRIND_MARK_PATTERN
        )),
        // valgrind's own messages go to the child's log, not our terminal.
        OsString::from("--quiet"),
    ]
}

/// The part of a profile written at the `number`th mark: `profile.N`.
pub fn part_path(profile: &Path, number: usize) -> std::path::PathBuf {
    let mut name = profile.as_os_str().to_owned();
    name.push(format!(".{number}"));
    std::path::PathBuf::from(name)
}

/// `valgrind --version`, or why it cannot be run. When it is missing and we
/// are root, installs it with apt-get (as `calibrate` does for wrk).
pub fn ensure_valgrind(valgrind: &str) -> Result<String, String> {
    let version = || {
        Command::new(valgrind)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    if let Some(version) = version() {
        return Ok(version);
    }
    let how = "install it with `sudo apt-get install valgrind` (Debian/Ubuntu) or \
               `sudo dnf install valgrind` (Fedora), or pass --valgrind PATH";
    if valgrind != "valgrind" || !nix::unistd::geteuid().is_root() {
        return Err(format!(
            "`{valgrind}` cannot be run, so instructions per request are not measured; {how}"
        ));
    }
    if !crate::host::apt::install("valgrind") {
        return Err(format!("`apt-get install -y valgrind` failed; {how}"));
    }
    version().ok_or_else(|| format!("valgrind was installed but cannot be run; {how}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocator_share_sums_glibc_malloc_lines_only() {
        let output = "\
24,773,623 (100.0%)  PROGRAM TOTALS
 2,357,693 ( 9.52%)  ./malloc/./malloc/malloc.c:_int_malloc [/usr/lib/x86_64-linux-gnu/libc.so.6]
 2,617,266 (10.56%)  ./malloc/./malloc/malloc.c:_int_free [/usr/lib/x86_64-linux-gnu/libc.so.6]
     4,106 ( 0.02%)  ./malloc/./malloc/arena.c:malloc [/usr/lib/x86_64-linux-gnu/libc.so.6]
 2,924,804 (11.81%)  ./string/../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S:__memcpy_avx_unaligned_erms [/usr/lib/x86_64-linux-gnu/libc.so.6]
";
        assert_eq!(sum_allocator(output), 2_357_693 + 2_617_266 + 4_106);
    }

    /// The start and end of a real profile part (valgrind 3.19, trimmed).
    const PROFILE: &str = "# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 25715
cmd:  ./bench-harness serve --server framework --runtime current-thread
part: 2

desc: I1 cache: 
desc: Timerange: Basic block 9478152 - 11851760
desc: Trigger: --dump-before=*callgrind_mark*

positions: line
events: Ir
summary: 31710258


ob=(2) ???
fl=(52) ???
fn=(7444) 0x0000000004848340
0 1
cob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6
cfn=(7402) __cxa_finalize
calls=1 30 
0 71

totals: 31710415
";

    #[test]
    fn the_total_comes_from_the_totals_line() {
        assert_eq!(total_instructions(PROFILE).expect("valid"), 31_710_415);
    }

    #[test]
    fn without_totals_the_summary_line_counts() {
        let cut = PROFILE.replace("totals: 31710415\n", "");
        assert_eq!(total_instructions(&cut).expect("valid"), 31_710_258);
    }

    #[test]
    fn ir_is_found_among_several_events() {
        let profile = "events: Dr Ir Dw\nsummary: 5 7 9\ntotals: 50 70 90\n";
        assert_eq!(total_instructions(profile).expect("valid"), 70);
    }

    #[test]
    fn a_file_that_is_not_a_profile_is_refused_with_a_reason() {
        let error = total_instructions("hello\n").expect_err("not a profile");
        assert!(error.to_string().contains("events"), "{error}");
        let error = total_instructions("events: Ir\n").expect_err("cut short");
        assert!(error.to_string().contains("totals"), "{error}");
    }

    /// A trimmed `callgrind_annotate --inclusive=yes` output.
    const ANNOTATE: &str = "\
--------------------------------------------------------------------------------
Profile data file 'f-1.cg.2' (creator: callgrind-3.19.0)
--------------------------------------------------------------------------------
Events recorded:  Ir
Thresholds:       100
--------------------------------------------------------------------------------
Ir                  
--------------------------------------------------------------------------------
31,710,415 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                   file:function
--------------------------------------------------------------------------------
31,710,415 (100.0%)  ./csu/../csu/libc-start.c:__libc_start_main@@GLIBC_2.34 [/usr/lib/x86_64-linux-gnu/libc.so.6]
31,710,415 (100.0%)  ???:0x000000000001ab70 [/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2]
31,606,151 (99.67%)  /root/.cargo/registry/src/tokio-1.54.1/src/runtime/scheduler/current_thread/mod.rs:connection_layer::runtime::launch
28,907,677 (91.16%)  /work/connection-layer/src/serve.rs:connection_layer::serve::serve::{{closure}}::{{closure}} [/tmp/bh]
18,509,021 (58.37%)  /root/.cargo/registry/src/hyper-1.12.0/src/proto/h1/dispatch.rs:hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_write [/tmp/bh]
10,333,000 (32.59%)  /root/.cargo/registry/src/hyper-util-0.1.21/src/service/oneshot.rs:hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_write
10,223,000 (32.24%)  /root/.cargo/registry/src/axum-0.8.9/src/routing/route.rs:<axum::routing::route::RouteFuture<E> as core::future::future::Future>::poll [/tmp/bh]
 3,840,358 (12.11%)  ./malloc/./malloc/malloc.c:free [/usr/lib/x86_64-linux-gnu/libc.so.6]
 2,855,000 ( 9.00%)  /root/.cargo/registry/src/tower-service-0.3.3/src/lib.rs:<axum::util::MapIntoResponseFuture<F> as core::future::future::Future>::poll
 2,822,000 ( 8.90%)  /root/.cargo/registry/src/axum-0.8.9/src/util.rs:<axum::util::MapIntoResponseFuture<F> as core::future::future::Future>::poll'2 [/tmp/bh]
";

    #[test]
    fn annotate_lines_become_functions_with_their_largest_entry() {
        let costs = parse_annotate(ANNOTATE);
        let find = |name: &str| {
            costs
                .iter()
                .find(|c| c.function == name)
                .map(|c| c.inclusive)
        };
        // Two files, one function: the larger entry.
        assert_eq!(
            find("hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_write"),
            Some(18_509_021)
        );
        // `'2` (recursion) folds into the function itself.
        assert_eq!(
            find("<axum::util::MapIntoResponseFuture<F> as core::future::future::Future>::poll"),
            Some(2_855_000)
        );
        assert_eq!(find("free"), Some(3_840_358));
        // The totals line and the headers are not functions.
        assert!(costs.iter().all(|c| !c.function.contains("TOTALS")));
        assert!(costs.iter().all(|c| !c.function.contains("Thresholds")));
        // Largest first.
        assert!(costs.windows(2).all(|w| w[0].inclusive >= w[1].inclusive));
    }

    #[test]
    fn top_functions_skip_enclosing_frames_and_are_per_request() {
        let costs = parse_annotate(ANNOTATE);
        let top = top_functions(&costs, 31_710_415, 2000, 3);
        let names: Vec<&str> = top.iter().map(|t| t.function.as_str()).collect();
        assert_eq!(
            names,
            [
                "hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_write",
                "<axum::routing::route::RouteFuture<E> as core::future::future::Future>::poll",
                "free",
            ]
        );
        assert!((top[0].inclusive_instructions_per_request - 9_254.510_5).abs() < 1e-6);
        assert!(top_functions(&costs, 31_710_415, 0, 3).is_empty());
    }

    #[test]
    fn parts_of_a_profile_are_numbered_after_its_name() {
        let part = part_path(Path::new("/tmp/x/json-raw-1.callgrind"), 2);
        assert_eq!(part, Path::new("/tmp/x/json-raw-1.callgrind.2"));
    }
}
