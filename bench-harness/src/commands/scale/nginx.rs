//! nginx as the load balancer in front of N instances: the config the
//! harness writes, and nginx as a child process it starts and stops.
//!
//! The config is the smallest one that is fair to the instances behind it:
//! HTTP/1.1 with `keepalive` connections to the upstreams (without them
//! nginx opens a new connection per request, and the instances would be
//! measured accepting connections), `Connection ""` so nginx does not pass
//! the client's `close` on, no access log (a write per request measures the
//! disk), `daemon off` so the harness owns the master process, and every
//! path nginx writes (pid, error log, temp folders) inside a temporary
//! folder that is removed afterwards.
//!
//! Simplification: the listening port is found by binding `127.0.0.1:0`
//! and closing it again before nginx binds it; another process could take
//! it in between, which then shows as nginx failing to start.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::accounting::children_of;

/// Idle connections nginx keeps to each worker's upstream group; more than
/// the load generator's connections, so none is closed and reopened.
const UPSTREAM_KEEPALIVE: usize = 128;
/// How long nginx may take to listen, and to exit after SIGTERM.
const START_TIMEOUT: Duration = Duration::from_secs(10);
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// What goes into `nginx.conf`.
#[derive(Debug, Clone)]
pub struct NginxConfig {
    /// Where nginx listens (loopback).
    pub listen: SocketAddr,
    /// The instances behind it, in round-robin order.
    pub upstreams: Vec<SocketAddr>,
    /// `worker_processes`: one per core nginx was given.
    pub workers: usize,
    /// The temporary folder: pid file, error log, temp paths.
    pub dir: PathBuf,
}

impl NginxConfig {
    /// The text of `nginx.conf`.
    // ANCHOR: nginx_config
    pub fn render(&self) -> String {
        let dir = self.dir.display();
        let mut upstream = String::new();
        for addr in &self.upstreams {
            let _ = writeln!(upstream, "        server {addr};");
        }
        format!(
            "# Written by bench-harness scale: nginx round-robin in front of {count} instances.
daemon off;
master_process on;
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # The load generator keeps its connections for the whole run.
    keepalive_requests 1000000;
    keepalive_timeout 60s;

    upstream instances {{
{upstream}        keepalive {UPSTREAM_KEEPALIVE};
        keepalive_requests 1000000;
    }}

    server {{
        listen {listen};
        location / {{
            proxy_pass http://instances;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host $host;
        }}
    }}
}}
",
            count = self.upstreams.len(),
            workers = self.workers.max(1),
            listen = self.listen,
        )
    }
    // ANCHOR_END: nginx_config
}

/// A free loopback address, by binding port 0 and letting it go.
pub fn free_loopback_addr() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    Ok(listener.local_addr()?)
}

/// The nginx executable and its version: `program` itself if it runs,
/// else `/usr/sbin/nginx` (root's PATH has it, a test's may not).
pub fn locate(program: &str) -> Option<(PathBuf, String)> {
    [PathBuf::from(program), PathBuf::from("/usr/sbin/nginx")]
        .into_iter()
        .find_map(|path| {
            let version = version(&path)?;
            Some((path, version))
        })
}

/// [`locate`], installing nginx from apt first when it is missing, we are
/// root and `program` is the default.
pub fn find(program: &str) -> anyhow::Result<(PathBuf, String)> {
    if let Some(found) = locate(program) {
        return Ok(found);
    }
    if program == "nginx"
        && nix::unistd::geteuid().is_root()
        && crate::host::apt::install("nginx")
        && let Some(found) = locate(program)
    {
        return Ok(found);
    }
    bail!(
        "nginx cannot be run (`{program}`); install it (`apt-get install nginx`, which the harness does by itself when run as root) or pass --nginx PATH"
    )
}

/// `nginx -v` prints `nginx version: nginx/1.22.1` on stderr.
fn version(path: &Path) -> Option<String> {
    let output = Command::new(path)
        .arg("-v")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    (output.status.success() && text.contains("nginx")).then_some(text)
}

/// A running nginx master. Dropping it stops nginx and removes its folder.
#[derive(Debug)]
pub struct NginxProcess {
    pub addr: SocketAddr,
    /// The master's pid.
    pub pid: u32,
    child: Child,
    dir: tempfile::TempDir,
}

impl NginxProcess {
    /// Writes the config into a new temporary folder and starts nginx on it,
    /// pinned to `cpu` through the harness's `exec-pinned`; waits until it
    /// accepts connections.
    pub fn start(
        nginx: &Path,
        upstreams: &[SocketAddr],
        cpu: Option<usize>,
        harness: &Path,
    ) -> anyhow::Result<NginxProcess> {
        let dir = tempfile::Builder::new()
            .prefix("frameworth-nginx-")
            .tempdir()?;
        let config = NginxConfig {
            listen: free_loopback_addr()?,
            upstreams: upstreams.to_vec(),
            workers: 1,
            dir: dir.path().to_owned(),
        };
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config.render())?;
        let mut command = match cpu {
            Some(cpu) => {
                let mut command = Command::new(harness);
                command
                    .args(["exec-pinned", "--cpu", &cpu.to_string(), "--"])
                    .arg(nginx);
                command
            }
            None => Command::new(nginx),
        };
        // `-e`: the error log from the very start, before the config is read
        // (otherwise nginx first opens its compiled-in /var/log path).
        command
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group: Ctrl-C reaches only the harness, which then
        // stops nginx itself.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", nginx.display()))?;
        let mut process = NginxProcess {
            addr: config.listen,
            pid: child.id(),
            child,
            dir,
        };
        process.wait_until_listening()?;
        Ok(process)
    }

    fn wait_until_listening(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!("nginx exited ({status}); {}", self.error_log_tail());
            }
            // The master listens before it forks its workers: wait for both,
            // so the first round already counts the workers' CPU.
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok()
                && !children_of(self.pid).is_empty()
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "nginx did not listen on {} within {START_TIMEOUT:?}; {}",
            self.addr,
            self.error_log_tail()
        )
    }

    /// The master and its workers.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids = vec![self.pid];
        pids.extend(children_of(self.pid));
        pids
    }

    /// The folder nginx writes into (removed on drop).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn error_log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "its error log ends with:\n{}",
            lines[lines.len().saturating_sub(10)..].join("\n")
        )
    }

    /// SIGTERM (nginx's fast shutdown) to the master, then SIGKILL to the
    /// master and its workers after a deadline. Idempotent.
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let workers = children_of(self.pid);
        if let Ok(pid) = i32::try_from(self.pid) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        for worker in workers {
            if let Ok(pid) = i32::try_from(worker) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for NginxProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(upstreams: &[&str]) -> NginxConfig {
        NginxConfig {
            listen: "127.0.0.1:18080".parse().expect("address"),
            upstreams: upstreams
                .iter()
                .map(|a| a.parse().expect("address"))
                .collect(),
            workers: 1,
            dir: PathBuf::from("/tmp/frameworth-nginx-test"),
        }
    }

    /// The lines of the `upstream` block, trimmed.
    fn upstream_block(text: &str) -> Vec<&str> {
        let start = text
            .find("upstream instances {")
            .expect("an upstream block");
        let block = &text[start..];
        let end = block.find('}').expect("the block closes");
        block[..end]
            .lines()
            .skip(1)
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect()
    }

    #[test]
    fn the_upstream_block_lists_every_instance_in_order_and_keeps_connections_alive() {
        let text = config(&["127.0.0.1:4001", "127.0.0.1:4002", "127.0.0.1:4003"]).render();

        let block = upstream_block(&text);

        assert_eq!(
            block,
            [
                "server 127.0.0.1:4001;",
                "server 127.0.0.1:4002;",
                "server 127.0.0.1:4003;",
                &format!("keepalive {UPSTREAM_KEEPALIVE};"),
                "keepalive_requests 1000000;",
            ]
        );
    }

    #[test]
    fn the_proxy_speaks_http_1_1_without_passing_connection_close_on() {
        let text = config(&["127.0.0.1:4001"]).render();

        let location = &text[text.find("location / {").expect("a location")..];

        assert!(location.contains("proxy_pass http://instances;"));
        assert!(location.contains("proxy_http_version 1.1;"));
        assert!(location.contains("proxy_set_header Connection \"\";"));
        assert!(text.contains("listen 127.0.0.1:18080;"));
    }

    #[test]
    fn nginx_runs_in_the_foreground_without_access_log_and_writes_only_into_its_folder() {
        let text = config(&["127.0.0.1:4001"]).render();

        assert!(text.contains("daemon off;"));
        assert!(text.contains("access_log off;"));
        assert!(text.contains("worker_processes 1;"));
        for line in text.lines().map(str::trim) {
            let writes = [
                "pid ",
                "error_log ",
                "client_body_temp_path",
                "proxy_temp_path",
            ];
            if writes.iter().any(|w| line.starts_with(w)) {
                assert!(
                    line.contains("/tmp/frameworth-nginx-test/"),
                    "{line} writes outside the folder"
                );
            }
        }
    }

    #[test]
    fn a_free_loopback_port_can_be_bound_again() {
        let addr = free_loopback_addr().expect("a port");

        assert!(addr.ip().is_loopback());
        assert!(TcpListener::bind(addr).is_ok());
    }
}
