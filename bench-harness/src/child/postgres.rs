//! A throwaway PostgreSQL cluster the harness owns: `initdb` into a
//! temporary folder, `pg_ctl start` on a free loopback port, and on drop
//! `pg_ctl stop` and the folder removed. `compare --database postgres` and
//! `io-sweep` measure against one of these when no URL is given.
//!
//! Settings are the benchmark's, not a production server's: `fsync`,
//! `synchronous_commit` and `full_page_writes` are off (the data is thrown
//! away, durability would only measure the disk), authentication is
//! `trust` on loopback, and `max_connections` leaves room for several
//! servers' pools at once.
//!
//! Pinning: the CPU affinity of a thread is inherited by everything it
//! starts, through `fork` and `exec`. So `pg_ctl` is started from a short
//! thread pinned to the cluster's CPUs, and the postmaster and every backend
//! it forks later run there too.
//!
//! PostgreSQL refuses to run as root; under root the cluster runs as the
//! `postgres` user (which Debian's package creates), the folder is handed
//! to that user, and the binaries come from apt when missing (as `cost`
//! installs valgrind). Not root and missing: an error saying what to install.
//!
//! Stopping: dropping the guard stops the cluster on every path that
//! returns, Ctrl-C included (starting a cluster installs the harness's
//! interrupt flag, so Ctrl-C ends the command instead of the process).
//! Should the harness be killed outright, a watchdog shell, blocked
//! reading a pipe only the harness holds, wakes at its end of file and
//! stops the cluster and removes the folder itself.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sched::{CpuSet, sched_setaffinity};
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, User, geteuid};

/// Room for many pools at once: a few servers (or instances) with up to 64
/// connections each, and psql on the side.
pub const MAX_CONNECTIONS: u32 = 1000;

/// How long `pg_ctl` may take to start or stop the cluster.
const PG_CTL_TIMEOUT_S: &str = "60";

/// The user a cluster runs as under root.
const UNPRIVILEGED_USER: &str = "postgres";

/// A running throwaway cluster; dropping it stops the cluster and removes
/// its folder.
#[derive(Debug)]
pub struct PostgresCluster {
    bin: PathBuf,
    folder: Option<tempfile::TempDir>,
    user: Option<User>,
    port: u16,
    url: String,
    version: String,
    cpus: Option<Vec<usize>>,
    pinned: bool,
    pid: u32,
    watchdog: Option<Child>,
}

impl PostgresCluster {
    /// `initdb` into a temporary folder, `pg_ctl start` on a free loopback
    /// port, pinned to `cpus` when given, as the `postgres` user under root.
    pub fn start(cpus: Option<&[usize]>) -> anyhow::Result<PostgresCluster> {
        // Ctrl-C from now on ends the command (whose guards then run),
        // never the process with the cluster still up.
        let _ = crate::interrupt_flag();
        let bin = binaries_or_install()?;
        let user = unprivileged_user()?;
        let folder = tempfile::Builder::new()
            .prefix("frameworth-pg-")
            .tempdir()
            .context("cannot create a folder for the cluster")?;
        if let Some(user) = &user {
            std::os::unix::fs::chown(
                folder.path(),
                Some(user.uid.as_raw()),
                Some(user.gid.as_raw()),
            )
            .with_context(|| format!("cannot give {} to {}", folder.path().display(), user.name))?;
        }
        let version = version(&bin);
        let mut cluster = PostgresCluster {
            bin,
            folder: Some(folder),
            user,
            port: 0,
            url: String::new(),
            version,
            cpus: cpus.map(|cpus| {
                let mut cpus = cpus.to_vec();
                cpus.sort_unstable();
                cpus.dedup();
                cpus
            }),
            pinned: false,
            pid: 0,
            watchdog: None,
        };
        cluster.init()?;
        cluster.watchdog = cluster.spawn_watchdog().ok();
        cluster.launch()?;
        Ok(cluster)
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// E.g. `PostgreSQL 15.18, throwaway cluster on CPU 1`.
    pub fn describe(&self) -> String {
        let place = match (&self.cpus, self.pinned) {
            (Some(cpus), true) => format!(" on {} {}", cpu_word(cpus), cpu_list(cpus)),
            (Some(cpus), false) => format!(", not pinned (asked for {})", cpu_list(cpus)),
            (None, _) => ", not pinned".to_owned(),
        };
        format!("PostgreSQL {}, throwaway cluster{place}", self.version)
    }

    /// The postmaster's pid: every backend is its child.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `15.18`: the server's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The CPUs it was pinned to, if pinning was asked for and took.
    pub fn pinned_cpus(&self) -> Option<&[usize]> {
        self.cpus.as_deref().filter(|_| self.pinned)
    }

    /// The temporary folder holding the data directory and the log.
    pub fn folder(&self) -> &Path {
        self.folder.as_ref().map_or(Path::new(""), |f| f.path())
    }

    fn data(&self) -> PathBuf {
        self.folder().join("data")
    }

    fn log(&self) -> PathBuf {
        self.folder().join("log")
    }

    /// A PostgreSQL program, as the cluster's user, in its own process
    /// group (a Ctrl-C in the terminal reaches only the harness).
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        if let Some(user) = &self.user {
            // std also drops root's supplementary groups when the uid changes.
            command.uid(user.uid.as_raw()).gid(user.gid.as_raw());
        }
        command
            .current_dir(self.folder())
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        command
    }

    fn init(&self) -> anyhow::Result<()> {
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(self.data())
            .args(["-A", "trust", "-U", "postgres", "--no-sync"])
            .args(["--locale=C", "--encoding=UTF8"])
            .stderr(Stdio::piped())
            .output()
            .context("cannot run initdb")?;
        if !output.status.success() {
            bail!(
                "initdb failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let settings = format!(
            "\n# frameworth's throwaway cluster\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\n\
             max_connections = {MAX_CONNECTIONS}\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n",
            self.folder().display()
        );
        std::fs::OpenOptions::new()
            .append(true)
            .open(self.data().join("postgresql.conf"))
            .and_then(|mut conf| conf.write_all(settings.as_bytes()))
            .context("cannot write the cluster's settings")
    }

    /// `pg_ctl start` on a free port (a few tries: another process may
    /// take the port between our probe and the postmaster's bind).
    fn launch(&mut self) -> anyhow::Result<()> {
        for _ in 0..5 {
            let port = free_port()?;
            if self.pg_ctl_start(port)? {
                self.port = port;
                self.url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
                self.pid = postmaster_pid(&self.data())?;
                self.pinned = self
                    .cpus
                    .as_deref()
                    .is_some_and(|cpus| allowed_cpus_of(self.pid).as_deref() == Some(cpus));
                return Ok(());
            }
        }
        bail!(
            "PostgreSQL did not start; its log ({}) ends with:\n{}",
            self.log().display(),
            log_tail(&self.log())
        )
    }

    /// One `pg_ctl start -w`, from a thread pinned to the cluster's CPUs.
    fn pg_ctl_start(&self, port: u16) -> anyhow::Result<bool> {
        let mut command = self.command("pg_ctl");
        command
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.log())
            .args(["-w", "-t", PG_CTL_TIMEOUT_S, "-o"])
            .arg(format!("-p {port}"))
            .arg("start")
            .stderr(Stdio::null());
        let cpus = self.cpus.clone();
        let status = std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    if let Some(cpus) = cpus {
                        // Best effort: an impossible pin leaves it unpinned,
                        // which `describe` then says.
                        let _ = pin_this_thread(&cpus);
                    }
                    command.status()
                })
                .join()
        });
        match status {
            Ok(Ok(status)) => Ok(status.success()),
            Ok(Err(e)) => Err(e).context("cannot run pg_ctl"),
            Err(_) => bail!("the thread starting pg_ctl panicked"),
        }
    }

    /// `sh`, blocked on a pipe only we hold: at its end of file (our
    /// process is gone) it stops the postmaster and removes the folder.
    fn spawn_watchdog(&self) -> std::io::Result<Child> {
        const SCRIPT: &str = r#"read -r _ || true
pid=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null) || pid=""
if [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null; then
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
rm -rf "$1""#;
        Command::new("sh")
            .args(["-c", SCRIPT, "frameworth-pg-watchdog"])
            .arg(self.folder())
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    }

    /// `pg_ctl stop -m fast`; if that fails, SIGQUIT then SIGKILL to the
    /// postmaster; then the folder goes.
    fn stop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        if self.pid != 0 {
            let stopped = self
                .command("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["-m", "fast", "-w", "-t", PG_CTL_TIMEOUT_S, "stop"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
            if !stopped {
                self.kill_postmaster();
            }
            self.pid = 0;
        }
        if let Some(folder) = self.folder.take() {
            let path = folder.path().to_path_buf();
            if folder.close().is_err() {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }

    fn kill_postmaster(&self) {
        let Ok(raw) = i32::try_from(self.pid) else {
            return;
        };
        let pid = Pid::from_raw(raw);
        for signal in [Signal::SIGQUIT, Signal::SIGKILL] {
            if kill(pid, signal).is_err() {
                return;
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if !is_running(self.pid) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`: on `PATH` first,
/// then the newest `/usr/lib/postgresql/*/bin` (Debian's layout).
pub fn find_binaries() -> Option<PathBuf> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|name| dir.join(name).is_file())
    };
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|dir| has_all(dir)) {
        // `/usr/local/bin/initdb` may be a link into the real folder,
        // where `postgres` lives too; either way all three are here.
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_all(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn binaries_or_install() -> anyhow::Result<PathBuf> {
    if let Some(bin) = find_binaries() {
        return Ok(bin);
    }
    if !geteuid().is_root() {
        bail!(
            "PostgreSQL is not installed: no initdb, pg_ctl and postgres on PATH or under \
             /usr/lib/postgresql/*/bin; install it (Debian/Ubuntu: `sudo apt-get install postgresql`) \
             or pass the URL of a running server"
        );
    }
    if !crate::host::apt::install("postgresql") {
        bail!("PostgreSQL is not installed, and `apt-get install postgresql` failed");
    }
    find_binaries().context("apt installed postgresql, but initdb is still not found")
}

/// Under root, the user the cluster runs as; `None` otherwise.
fn unprivileged_user() -> anyhow::Result<Option<User>> {
    if !geteuid().is_root() {
        return Ok(None);
    }
    match User::from_name(UNPRIVILEGED_USER) {
        Ok(Some(user)) => Ok(Some(user)),
        _ => bail!(
            "PostgreSQL refuses to run as root, and there is no `{UNPRIVILEGED_USER}` user to run \
             it as (Debian's postgresql package creates one; or `useradd --system {UNPRIVILEGED_USER}`)"
        ),
    }
}

/// `15.18` out of `postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`.
fn version(bin: &Path) -> String {
    Command::new(bin.join("postgres"))
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .and_then(|output| parse_version(&String::from_utf8_lossy(&output.stdout)))
        .unwrap_or_else(|| "(unknown version)".to_owned())
}

fn parse_version(text: &str) -> Option<String> {
    let after = text.split_once("(PostgreSQL)")?.1;
    after.split_whitespace().next().map(str::to_owned)
}

/// A port nobody listens on right now (the kernel's pick for port 0).
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .context("cannot find a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// The first line of `postmaster.pid`.
fn postmaster_pid(data: &Path) -> anyhow::Result<u32> {
    let text = std::fs::read_to_string(data.join("postmaster.pid"))
        .context("the cluster started but wrote no postmaster.pid")?;
    text.lines()
        .next()
        .and_then(|line| line.trim().parse().ok())
        .context("unexpected postmaster.pid")
}

fn pin_this_thread(cpus: &[usize]) -> nix::Result<()> {
    let mut set = CpuSet::new();
    for &cpu in cpus {
        set.set(cpu)?;
    }
    // Pid 0: the calling thread, which is all we want to change.
    sched_setaffinity(Pid::from_raw(0), &set)
}

/// The CPUs process `pid` may run on, from `Cpus_allowed_list` (`0`, `0-1`,
/// `0,2-3`).
fn allowed_cpus_of(pid: u32) -> Option<Vec<usize>> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let list = status
        .lines()
        .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))?;
    parse_cpu_list(list.trim())
}

fn parse_cpu_list(list: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in list.split(',') {
        match part.split_once('-') {
            Some((low, high)) => cpus.extend(low.parse::<usize>().ok()?..=high.parse().ok()?),
            None => cpus.push(part.parse().ok()?),
        }
    }
    Some(cpus)
}

fn cpu_word(cpus: &[usize]) -> &'static str {
    if cpus.len() == 1 { "CPU" } else { "CPUs" }
}

fn cpu_list(cpus: &[usize]) -> String {
    cpus.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn is_running(pid: u32) -> bool {
    // A zombie (exited, not yet reaped by its new parent) no longer runs.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat.rsplit_once(')')?.1.split_whitespace().next()?;
            Some(state != "Z")
        })
        .unwrap_or(false)
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Whether something accepts connections on loopback `port` (for tests and
/// for callers that want to check the cluster is gone).
pub fn port_is_open(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_millis(500),
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_read_from_postgres_dash_dash_version() {
        let line = "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n";
        assert_eq!(parse_version(line).as_deref(), Some("15.18"));
        assert_eq!(
            parse_version("postgres (PostgreSQL) 16.2\n").as_deref(),
            Some("16.2")
        );
        assert_eq!(parse_version("something else"), None);
    }

    #[test]
    fn cpu_lists_with_ranges_and_commas_are_expanded() {
        assert_eq!(parse_cpu_list("1"), Some(vec![1]));
        assert_eq!(parse_cpu_list("0-2,5"), Some(vec![0, 1, 2, 5]));
        assert_eq!(parse_cpu_list("x"), None);
    }

    #[test]
    fn a_port_just_freed_is_closed() {
        let port = free_port().expect("a free port");
        assert!(!port_is_open(port));
    }
}
