//! What a measurement was taken on. A number without its machine, compiler
//! and versions cannot be compared with anything, so every report records
//! this (`docs/src/measuring-overhead.md`).

use std::collections::BTreeMap;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// The machine and software of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Environment {
    pub cpu_model: String,
    /// Logical CPUs of the machine (`/proc/cpuinfo`).
    pub logical_cpus: usize,
    /// CPUs this process may run on (its affinity mask).
    pub allowed_cpus: Vec<usize>,
    pub kernel: String,
    /// `rustc -V` of the compiler that built this binary.
    pub rustc: String,
    /// `release` or `debug`: debug numbers are not representative.
    pub build_profile: String,
    /// Versions from `Cargo.lock`, captured at build time.
    pub crate_versions: BTreeMap<String, String>,
    /// `git rev-parse HEAD` (with `-dirty` for uncommitted changes), or
    /// `unknown` outside a checkout.
    pub git_commit: String,
    /// External tools used, e.g. `wrk`.
    pub tool_versions: BTreeMap<String, String>,
}

impl Environment {
    /// Looks everything up. Nothing here fails: unknowns say `unknown`.
    pub fn capture() -> Environment {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim() == "model name").then(|| value.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let logical_cpus = cpuinfo
            .lines()
            .filter(|line| line.starts_with("processor"))
            .count();
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".to_owned(), |text| text.trim().to_owned());
        let crate_versions = env!("BENCH_HARNESS_CRATES")
            .split(',')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, version)| (name.to_owned(), version.to_owned()))
            .collect();
        Environment {
            cpu_model,
            logical_cpus,
            allowed_cpus: crate::host::pinning::allowed_cpus(),
            kernel,
            rustc: env!("BENCH_HARNESS_RUSTC").to_owned(),
            build_profile: if cfg!(debug_assertions) {
                "debug".to_owned()
            } else {
                "release".to_owned()
            },
            crate_versions,
            git_commit: git_commit(),
            tool_versions: BTreeMap::new(),
        }
    }
}

/// The commit of the checkout this binary was built from.
fn git_commit() -> String {
    // The workspace root, as known at build time: the harness may be run
    // from any folder.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let run = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .and_then(|output| String::from_utf8(output.stdout).ok())
    };
    match run(&["rev-parse", "HEAD"]) {
        Some(commit) => {
            let dirty = run(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|status| !status.trim().is_empty());
            format!("{}{}", commit.trim(), if dirty { "-dirty" } else { "" })
        }
        None => "unknown".to_owned(),
    }
}
