//! Running a server *binary* the way a user does, for the smoke tests of
//! `raw-server` and `framework-server`: flags, the `listening on` line,
//! a request, then SIGTERM and a clean exit; or `kill -9` and a restart on
//! the same database file; or a start that must fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// A server binary started as a child process.
#[derive(Debug)]
pub struct Running {
    child: Child,
    pub addr: SocketAddr,
    _database_dir: Option<tempfile::TempDir>,
}

/// Starts `binary` with `args` plus `--addr 127.0.0.1:0` and a fresh
/// database, and waits for its `listening on http://IP:PORT` line.
pub fn start(binary: &str, args: &[&str]) -> anyhow::Result<Running> {
    let database_dir = tempfile::tempdir()?;
    let mut running = start_on(binary, args, &database_dir.path().join("smoke.sqlite3"))?;
    running._database_dir = Some(database_dir);
    Ok(running)
}

/// Like [`start`], on the database file `database` (which the caller
/// keeps, for example to restart a server on it).
pub fn start_on(binary: &str, args: &[&str], database: &Path) -> anyhow::Result<Running> {
    let mut command = Command::new(binary);
    command
        .args(args)
        .args(["--addr", "127.0.0.1:0", "--database"])
        .arg(database);
    start_command(command)
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
        _database_dir: None,
    })
}

/// The binary `name` that cargo built into the same target folder as the
/// running test (`target/<profile>/<name>`), for tests outside the binary's
/// own package, which get no `CARGO_BIN_EXE_<name>`. `cargo test
/// --workspace` builds every binary first; a test run of one package alone
/// may need `cargo build -p <name>` before it.
pub fn built_binary(name: &str) -> anyhow::Result<std::path::PathBuf> {
    let test = std::env::current_exe()?;
    // target/<profile>/deps/<test>-<hash>: the binaries are in <profile>.
    let profile = test
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| anyhow::anyhow!("unexpected test path {}", test.display()))?;
    let binary = profile.join(name);
    anyhow::ensure!(
        binary.is_file(),
        "{} is not built; run `cargo build -p {name}` (cargo test --workspace does)",
        binary.display()
    );
    Ok(binary)
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
        let pid = i32::try_from(self.child.id())?;
        kill(Pid::from_raw(pid), Signal::SIGTERM)?;
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if started.elapsed() > deadline {
                self.child.kill()?;
                anyhow::bail!("still running {deadline:?} after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
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
