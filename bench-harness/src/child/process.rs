//! Servers as child processes: how `compare` and `calibrate` start
//! raw-server and framework-server, and make sure they stop.
//!
//! The harness starts *itself* again with the hidden `serve` subcommand,
//! which calls the very same `connection_layer::runtime::launch` and
//! `raw_server::run` / `framework_server::run` as the real binaries. So one
//! command (`cargo run --release -p bench-harness -- compare`) needs nothing
//! else built, and both servers come from the same build profile and
//! allocator as each other.
//!
//! Each child gets its own database file, prints `listening on
//! http://IP:PORT` when ready (we read its port from that line), and is
//! stopped with SIGTERM — then SIGKILL after a deadline — when its
//! [`ServerProcess`] guard is dropped: on success, on error and on Ctrl-C.
//! As a last resort the child asks the kernel to send it SIGTERM if the
//! harness dies (`PR_SET_PDEATHSIG`), so even `kill -9` leaves no orphans.
//!
//! `cost` needs two more things ([`LaunchOptions`]): a child started *under*
//! another program (valgrind), and a side channel into the child
//! (`serve --probe`: commands on its stdin, one answer line each on its
//! stdout, see [`super::probe`]) to read its allocation counters and
//! to mark where callgrind should cut its profile. The channel stays out of
//! HTTP, so both servers answer exactly the same endpoints.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::servers::ServerKind;

/// How to start one server child.
#[derive(Debug, Clone)]
pub struct LaunchSpec {
    /// Name in reports: `raw`, `framework`, ...
    pub name: String,
    pub kind: ServerKind,
    pub serve_mode: ServeMode,
    pub runtime: RuntimeFlavor,
    pub workers: usize,
    pub cpu: Option<usize>,
    /// A fresh database file for this child alone.
    pub database: PathBuf,
    /// Where the child's stderr (its logs) goes.
    pub log: PathBuf,
    /// The bench-harness binary to run (normally ourselves).
    pub executable: PathBuf,
}

/// How long a child may take to seed its database and start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a child gets to drain after SIGTERM before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// What `cost` adds to a [`LaunchSpec`]; `compare` uses the defaults.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// Run the child under this command, e.g. `valgrind --tool=callgrind
    /// ... --`; the harness executable and its arguments follow it.
    pub wrapper: Vec<OsString>,
    /// Pass `--probe` and keep the child's stdin and stdout open for
    /// [`ServerProcess::query`].
    pub probe: bool,
    pub startup_timeout: Duration,
    /// How long the child may take to exit after SIGTERM. Under valgrind
    /// shutting down (and writing the profile) takes far longer than 5 s.
    pub stop_timeout: Duration,
    /// More server flags for the child (`--upstream URL`, as `io-sweep` sets).
    pub extra_args: Vec<OsString>,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        LaunchOptions {
            wrapper: Vec::new(),
            probe: false,
            startup_timeout: STARTUP_TIMEOUT,
            stop_timeout: STOP_TIMEOUT,
            extra_args: Vec::new(),
        }
    }
}

/// A running server child. Dropping it stops the child.
#[derive(Debug)]
pub struct ServerProcess {
    pub name: String,
    pub addr: SocketAddr,
    pub pid: u32,
    /// Whether the child is confirmed to run on only the requested CPU.
    pub pinned: bool,
    child: Child,
    log: PathBuf,
    stop_timeout: Duration,
    /// With `probe`: the child's stdin, and its stdout lines after
    /// the `listening on` line.
    stdin: Option<ChildStdin>,
    replies: Option<Receiver<String>>,
}

impl ServerProcess {
    /// Starts the child and waits until it listens.
    pub fn launch(spec: &LaunchSpec) -> anyhow::Result<ServerProcess> {
        ServerProcess::launch_with(spec, &LaunchOptions::default())
    }

    /// [`ServerProcess::launch`], optionally under a wrapper command and
    /// with the allocation-counter channel.
    pub fn launch_with(
        spec: &LaunchSpec,
        options: &LaunchOptions,
    ) -> anyhow::Result<ServerProcess> {
        let command = serve_command(spec, options)?;
        ServerProcess::spawn(&spec.name, command, &spec.log, spec.cpu, options)
    }

    /// Spawns `command` (stdout piped, stderr into `log`), waits for its
    /// `listening on` line, and checks that it runs on `cpu` alone: the part
    /// of a launch that the Rust servers and the guests share.
    pub fn spawn(
        name: &str,
        mut command: Command,
        log: &std::path::Path,
        cpu: Option<usize>,
        options: &LaunchOptions,
    ) -> anyhow::Result<ServerProcess> {
        let program = PathBuf::from(command.get_program());
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let pid = child.id();
        let stdout = child.stdout.take().context("child has no stdout")?;
        let stdin = child.stdin.take();

        let (receiver, replies) = read_stdout(stdout);

        let mut process = ServerProcess {
            name: name.to_owned(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            pid,
            pinned: false,
            child,
            log: log.to_owned(),
            stop_timeout: options.stop_timeout,
            stdin,
            replies: options.probe.then_some(replies),
        };
        match receiver.recv_timeout(options.startup_timeout) {
            Ok(Some(addr)) => process.addr = addr,
            Ok(None) | Err(_) => {
                process.stop();
                bail!(
                    "server {name} did not start; its log ({}) ends with:\n{}",
                    log.display(),
                    process.log_tail()
                );
            }
        }
        process.pinned = cpu
            .is_some_and(|cpu| allowed_cpu_list(pid).is_some_and(|list| list == cpu.to_string()));
        Ok(process)
    }

    /// The last lines of the child's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// SIGTERM, wait up to the stop timeout ([`STOP_TIMEOUT`] unless
    /// [`LaunchOptions`] said otherwise), then SIGKILL. Idempotent.
    pub fn stop(&mut self) {
        let _ = self.terminate();
    }

    /// [`ServerProcess::stop`], returning the exit status when the child
    /// exited by itself, or `None` when it had to be killed (a child under
    /// callgrind that is killed writes no profile).
    pub fn terminate(&mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        if let Ok(pid) = i32::try_from(self.pid) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let deadline = Instant::now() + self.stop_timeout;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Err(_) => return None,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }

    /// Sends one line to a child launched with `probe` and returns
    /// the next line it prints.
    pub fn query(&mut self, line: &str, timeout: Duration) -> anyhow::Result<String> {
        let (Some(stdin), Some(replies)) = (self.stdin.as_mut(), self.replies.as_ref()) else {
            bail!("server {} was not launched with a probe", self.name);
        };
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .with_context(|| format!("server {} does not read its stdin", self.name))?;
        replies
            .recv_timeout(timeout)
            .with_context(|| format!("server {} did not answer within {timeout:?}", self.name))
    }
}

/// The command line of a `serve` child: the harness executable (under the
/// wrapper, if any), its server, runtime and database, stdout piped for
/// the `listening on` line and stderr into the log.
fn serve_command(spec: &LaunchSpec, options: &LaunchOptions) -> anyhow::Result<Command> {
    let log = std::fs::File::create(&spec.log)
        .with_context(|| format!("cannot create {}", spec.log.display()))?;
    let mut command = match options.wrapper.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(&spec.executable);
            command
        }
        None => Command::new(&spec.executable),
    };
    // A process group of its own: Ctrl-C in the terminal reaches only the
    // harness, which keeps what it measured and then stops the servers
    // itself (if it dies instead, the kernel's parent-death signal does).
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .arg("serve")
        .arg("--server")
        .arg(spec.kind.name())
        .arg("--serve-mode")
        .arg(match spec.serve_mode {
            ServeMode::Hyper => "hyper",
            ServeMode::Axum => "axum",
        })
        .arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--database")
        .arg(&spec.database)
        .arg("--runtime")
        .arg(match spec.runtime {
            RuntimeFlavor::CurrentThread => "current-thread",
            RuntimeFlavor::MultiThread => "multi-thread",
            RuntimeFlavor::PerCore => "per-core",
        })
        .arg("--workers")
        .arg(spec.workers.max(1).to_string())
        .stdin(if options.probe {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log));
    if let Some(cpu) = spec.cpu {
        command.arg("--pin-cpu").arg(cpu.to_string());
    }
    if options.probe {
        command.arg("--probe");
    }
    command.args(&options.extra_args);
    Ok(command)
}

/// What the child's stdout says, read on a thread: the address from its
/// `listening on` line (`None` if it ended without one), then every later
/// line, the replies to [`ServerProcess::query`].
fn read_stdout(
    stdout: std::process::ChildStdout,
) -> (Receiver<Option<SocketAddr>>, Receiver<String>) {
    // Read the child's stdout on a thread, so we can wait with a timeout.
    // The thread keeps draining it afterwards so the child never blocks
    // on a full pipe; later lines are replies to `query` when asked for.
    let (sender, receiver) = std::sync::mpsc::channel();
    let (reply_sender, replies) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut announced = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if announced {
                let _ = reply_sender.send(line);
            } else if let Some(url) = line.strip_prefix("listening on http://") {
                announced = true;
                let _ = sender.send(url.trim().parse::<SocketAddr>().ok());
            }
        }
        if !announced {
            let _ = sender.send(None);
        }
    });

    (receiver, replies)
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `Cpus_allowed_list` of a process, e.g. `0` or `0-1`.
fn allowed_cpu_list(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        line.strip_prefix("Cpus_allowed_list:")
            .map(|value| value.trim().to_owned())
    })
}
