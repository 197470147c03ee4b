//! Running a server *binary* the way a user does, for the smoke tests of
//! `raw-server` and `framework-server` (flags, the `listening on` line, a
//! request, then SIGTERM and a clean exit; a start that must fail) and for
//! the reliability suite, which also limits the child's descriptors, watches
//! its `/proc` entry, and kills it with `kill -9` to restart it on the same
//! database file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// A server binary started as a child process.
#[derive(Debug)]
pub struct Running {
    child: Child,
    pub addr: SocketAddr,
    /// The SQLite file the child was given (`--database`), when this
    /// module chose it.
    pub database: Option<PathBuf>,
    _database_dir: Option<tempfile::TempDir>,
}

/// Starts `binary` with `args` plus `--addr 127.0.0.1:0` and a fresh
/// database, and waits for its `listening on http://IP:PORT` line.
pub fn start(binary: &str, args: &[&str]) -> anyhow::Result<Running> {
    start_limited(binary, args, None)
}

/// Like [`start`], with the child's `RLIMIT_NOFILE` (soft and hard) set to
/// `descriptors` when given.
pub fn start_limited(
    binary: &str,
    args: &[&str],
    descriptors: Option<u64>,
) -> anyhow::Result<Running> {
    let database_dir = tempfile::tempdir()?;
    let database = database_dir.path().join("smoke.sqlite3");
    let mut running = start_command(server_command(binary, args, &database, descriptors))?;
    running.database = Some(database);
    running._database_dir = Some(database_dir);
    Ok(running)
}

/// Like [`start`], on the database file `database` (which the caller
/// keeps, for example to restart a server on it).
pub fn start_on(binary: &str, args: &[&str], database: &Path) -> anyhow::Result<Running> {
    let mut running = start_command(server_command(binary, args, database, None))?;
    running.database = Some(database.to_owned());
    Ok(running)
}

/// `binary args --addr 127.0.0.1:0 --database <database>`, with the
/// descriptor limit set by `sh`'s `ulimit` when one is given: `sh` then
/// `exec`s the server, so the child's pid is the server's, and no unsafe
/// `pre_exec` hook is needed.
fn server_command(
    binary: &str,
    args: &[&str],
    database: &Path,
    descriptors: Option<u64>,
) -> Command {
    let mut command = match descriptors {
        Some(limit) => {
            let mut command = Command::new("sh");
            command
                .args(["-c", r#"ulimit -n "$1" && shift && exec "$@""#, "sh"])
                .arg(limit.to_string())
                .arg(binary);
            command
        }
        None => Command::new(binary),
    };
    command
        .args(args)
        .args(["--addr", "127.0.0.1:0", "--database"])
        .arg(database);
    command
}

/// Spawns `command` (a server binary with all its flags, `--addr` among
/// them) and waits for its `listening on http://IP:PORT` line.
pub fn start_command(mut command: Command) -> anyhow::Result<Running> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut first_line = String::new();
    BufReader::new(stdout).read_line(&mut first_line)?;
    let addr = first_line
        .trim()
        .strip_prefix("listening on http://")
        .ok_or_else(|| anyhow::anyhow!("unexpected first line {first_line:?}"))?
        .parse()?;
    Ok(Running {
        child,
        addr,
        database: None,
        _database_dir: None,
    })
}

/// Runs `binary` with `args` plus `--addr 127.0.0.1:0`, for a start that
/// is expected to fail: its exit status and output, or an error if it is
/// still running after `deadline` (it is killed then).
pub fn run_to_exit(binary: &str, args: &[&str], deadline: Duration) -> anyhow::Result<Output> {
    let mut child = Command::new(binary)
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let started = Instant::now();
    while child.try_wait()?.is_none() {
        if started.elapsed() > deadline {
            child.kill()?;
            child.wait()?;
            anyhow::bail!("still running {deadline:?} after start");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(child.wait_with_output()?)
}

impl Running {
    /// Sends one `GET` with `Connection: close` and returns the raw answer.
    pub fn get(&self, target: &str) -> anyhow::Result<String> {
        let mut stream = TcpStream::connect(self.addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    }

    /// Sends SIGKILL (`kill -9`: no shutdown, no flush, nothing the server
    /// can intercept) and waits for the process to be gone.
    pub fn kill(mut self) -> anyhow::Result<ExitStatus> {
        let pid = i32::try_from(self.child.id())?;
        kill(Pid::from_raw(pid), Signal::SIGKILL)?;
        Ok(self.child.wait()?)
    }

    /// Sends SIGTERM and waits (at most `deadline`) for the process to exit.
    pub fn terminate(mut self, deadline: Duration) -> anyhow::Result<ExitStatus> {
        self.send_sigterm()?;
        self.wait_for_exit(deadline).map(|(status, _)| status)
    }

    /// The child's process id (the server's: `sh` has `exec`ed it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM to the child, by its pid, and returns at once.
    pub fn send_sigterm(&self) -> anyhow::Result<()> {
        let pid = i32::try_from(self.child.id())?;
        kill(Pid::from_raw(pid), Signal::SIGTERM)?;
        Ok(())
    }

    /// Waits at most `deadline` for the child to exit; returns its status
    /// and how long the wait took. Kills it (and fails) past the deadline.
    pub fn wait_for_exit(&mut self, deadline: Duration) -> anyhow::Result<(ExitStatus, Duration)> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok((status, started.elapsed()));
            }
            if started.elapsed() > deadline {
                self.child.kill()?;
                anyhow::bail!("still running {deadline:?} after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Whether the child is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// How many descriptors the child has open (entries of `/proc/PID/fd`).
    pub fn open_descriptors(&self) -> std::io::Result<usize> {
        Ok(std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))?.count())
    }

    /// The child's resident memory in KiB (`VmRSS` in `/proc/PID/status`).
    pub fn resident_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .ok_or_else(|| anyhow::anyhow!("no VmRSS line"))?;
        Ok(line.trim().trim_end_matches("kB").trim().parse()?)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
