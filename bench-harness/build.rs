//! Build script: records, at build time, facts a report must state and a
//! running binary cannot find out by itself — the compiler's version and
//! the versions of the HTTP crates resolved in the workspace's `Cargo.lock`.

use std::process::Command;

/// The crates whose versions every report names.
const CRATES: &[&str] = &[
    "hyper",
    "hyper-util",
    "axum",
    "tokio",
    "tower",
    "tower-http",
];

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |text| text.trim().to_owned());
    println!("cargo:rustc-env=BENCH_HARNESS_RUSTC={version}");

    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    let lock = std::path::Path::new(&manifest_dir).join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let versions: Vec<String> = CRATES
        .iter()
        .map(|name| format!("{name}={}", locked_version(&text, name)))
        .collect();
    println!(
        "cargo:rustc-env=BENCH_HARNESS_CRATES={}",
        versions.join(",")
    );
}

/// The version of `name` in a `Cargo.lock` (the first one, if several).
fn locked_version(lock: &str, name: &str) -> String {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted
            && let Some(version) = lines.next()
            && let Some(value) = version.trim().strip_prefix("version = ")
        {
            return value.trim_matches('"').to_owned();
        }
    }
    "unknown".to_owned()
}
