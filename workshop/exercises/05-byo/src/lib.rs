//! # Exercise 5: bring your own server
//!
//! A server in any language that answers `/plaintext` and `/json` as
//! frameworth does passes the conformance runner's `hello` group, and can
//! then be measured next to raw-server and framework-server with
//! `compare --target`. The exercise ships a Python starter
//! (`starter/server.py`, standard library only) that answers, but not
//! quite right; `solution/server.py` passes. The tests start the script
//! with `python3`, read its `listening on http://…` line and run the cases.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The script under test: the learner's starter or the solution.
pub fn script() -> PathBuf {
    let side = if cfg!(feature = "starter") {
        "starter"
    } else {
        "solution"
    };
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(side)
        .join("server.py")
}

/// A guest server running as a child process; killed when dropped.
#[derive(Debug)]
pub struct Guest {
    pub base: String,
    _child: Child,
}

/// Starts the script on a free port and waits for its first line.
pub async fn start() -> anyhow::Result<Guest> {
    let script = script();
    let mut child = Command::new("python3")
        .arg(&script)
        .arg("0")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run python3 {}: {e}", script.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut first = String::new();
    let mut stdout = BufReader::new(stdout);
    let read = stdout.read_line(&mut first);
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .map_err(|_| anyhow::anyhow!("{} printed nothing within 10 s", script.display()))??;
    let base = first
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| anyhow::anyhow!("expected `listening on http://…`, got {first:?}"))?
        .to_owned();
    Ok(Guest {
        base,
        _child: child,
    })
}
