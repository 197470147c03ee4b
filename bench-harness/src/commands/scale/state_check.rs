//! What the per-instance SQLite default breaks behind a load balancer,
//! shown by running it: two instances behind nginx, one user created
//! through nginx (`POST /users`), then read back through nginx several
//! times (`GET /users/{id}`). nginx's round robin sends the reads to both
//! instances in turn; with a SQLite file each, the instance that did not
//! store the user answers `404`. On one shared PostgreSQL every read
//! answers `200`: the instances are stateless, the state lives in the
//! database.
//!
//! The requests go through a few lines of blocking HTTP/1.1 over a
//! `TcpStream` (`Connection: close`, one request per connection): a
//! handful of requests whose status and `Location` we read needs no client
//! library (nginx balances per request, so one connection each changes
//! nothing about which instance answers).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use framework_server::ServeMode;

use super::ScaleOptions;
use super::database::SharedDatabase;
use super::measure::Cpus;
use super::nginx::NginxProcess;
use crate::child::process::{LaunchSpec, ServerProcess};
use crate::schema::scale::StateCheck;
use crate::servers::ServerKind;

/// Reads of the created user: an even number, so round robin over two
/// instances sends half to each.
pub const READS: u64 = 8;
/// Instances behind nginx in the check.
pub const INSTANCES: usize = 2;

const TIMEOUT: Duration = Duration::from_secs(5);

/// A status line and the `Location` header of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
}

/// One request on a fresh connection; the answer's status and `Location`.
pub fn http_once(
    addr: SocketAddr,
    method: &str,
    target: &str,
    json: Option<&str>,
) -> anyhow::Result<Answer> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let body = json.unwrap_or("");
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if json.is_some() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .with_context(|| format!("{method} {target}: no complete answer"))?;
    parse_answer(&String::from_utf8_lossy(&response))
}

/// The status from the status line, and the `Location` header if any.
fn parse_answer(response: &str) -> anyhow::Result<Answer> {
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_ascii_whitespace().nth(1))
        .and_then(|code| code.parse().ok());
    let Some(status) = status else {
        bail!(
            "not an HTTP answer: {:?}",
            head.chars().take(80).collect::<String>()
        );
    };
    let location = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("location")
            .then(|| value.trim().to_owned())
    });
    Ok(Answer { status, location })
}

/// Creates a user through `entry` and reads it back `reads` times.
pub fn create_and_read_back(
    entry: SocketAddr,
    backend: &str,
    instances: usize,
    reads: u64,
) -> anyhow::Result<StateCheck> {
    // A unique email: a shared database keeps the users of earlier runs.
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let body = format!(r#"{{"name":"Scale Check","email":"scale-{stamp}@example.com"}}"#);
    let created = http_once(entry, "POST", "/users", Some(&body))?;
    let mut check = StateCheck {
        backend: backend.to_owned(),
        instances,
        created_status: created.status,
        location: created.location.clone(),
        reads,
        found: 0,
        not_found: 0,
        other: 0,
    };
    let Some(location) = created.location.filter(|_| created.status == 201) else {
        check.other = reads;
        return Ok(check);
    };
    for _ in 0..reads {
        match http_once(entry, "GET", &location, None).map(|a| a.status) {
            Ok(200) => check.found += 1,
            Ok(404) => check.not_found += 1,
            _ => check.other += 1,
        }
    }
    Ok(check)
}

/// The check with a SQLite file per instance, then (when there is one) on
/// the shared PostgreSQL.
pub(super) fn both_backends(
    options: &ScaleOptions,
    database: &SharedDatabase,
    scratch: &Path,
    cpus: Cpus,
    nginx: &Path,
) -> anyhow::Result<Vec<StateCheck>> {
    let mut checks = Vec::new();
    let sqlite = |name: &str| scratch.join(format!("check-{name}.sqlite3"));
    checks.push(run_check(
        options,
        "sqlite (one file per instance)",
        &sqlite,
        scratch,
        cpus,
        nginx,
    )?);
    if let Some(url) = &database.url {
        checks.push(run_check(
            options,
            "postgres (one, shared)",
            &|_| url.into(),
            scratch,
            cpus,
            nginx,
        )?);
    }
    Ok(checks)
}

fn run_check(
    options: &ScaleOptions,
    backend: &str,
    database: &dyn Fn(&str) -> std::path::PathBuf,
    scratch: &Path,
    cpus: Cpus,
    nginx: &Path,
) -> anyhow::Result<StateCheck> {
    let mut instances = Vec::new();
    for index in 1..=INSTANCES {
        let name = format!(
            "check-{}-{index}",
            backend.split(' ').next().unwrap_or("db")
        );
        instances.push(ServerProcess::launch(&LaunchSpec {
            name: name.clone(),
            kind: ServerKind::Raw,
            serve_mode: ServeMode::Hyper,
            runtime: connection_layer::RuntimeFlavor::CurrentThread,
            workers: 1,
            cpu: cpus.server,
            database: database(&name),
            log: scratch.join(format!("{name}.log")),
            executable: options.executable.clone(),
        })?);
    }
    let upstreams: Vec<SocketAddr> = instances.iter().map(|s| s.addr).collect();
    let front = NginxProcess::start(nginx, &upstreams, cpus.client, &options.executable)?;
    let check = create_and_read_back(front.addr, backend, INSTANCES, READS)?;
    eprintln!(
        "state check, {backend}: POST /users {}, {} reads through nginx: {} × 200, {} × 404, {} other",
        check.created_status, check.reads, check.found, check.not_found, check.other
    );
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_and_location_are_read_from_the_head_only() {
        let response = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nLOCATION: /users/7\r\n\r\n{\"location\": \"x\"}";

        let answer = parse_answer(response).expect("an answer");

        assert_eq!(
            answer,
            Answer {
                status: 201,
                location: Some("/users/7".to_owned())
            }
        );
    }

    #[test]
    fn an_answer_without_a_status_line_is_an_error() {
        assert!(parse_answer("garbage").is_err());
        assert!(parse_answer("").is_err());
    }
}
