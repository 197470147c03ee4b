//! Installing a missing measuring tool (wrk, valgrind) from Debian's
//! packages, the one way both `calibrate` and `cost` do it.
//!
//! Only as root, only with apt-get, and only when the tool is missing: a
//! harness that quietly changes a machine would be a bad guest. If the
//! first attempt fails (a fresh machine has no package lists yet), it runs
//! `apt-get update` once and tries again.

use std::process::{Command, Stdio};

/// Installs `package` with `apt-get install -y`; `true` when it succeeded.
pub fn install(package: &str) -> bool {
    eprintln!("{package} is missing; installing it with apt-get...");
    let attempt = || {
        Command::new("apt-get")
            .args(["install", "-y", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if attempt() {
        return true;
    }
    let _ = Command::new("apt-get")
        .arg("update")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status();
    attempt()
}
