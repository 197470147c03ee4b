//! `compare`'s plan: where everything runs (pinning, server workers), the
//! database the servers share or each own, the servers under test
//! (launched children and `--target`s), and the request each of them gets
//! per endpoint.

use anyhow::Context;
use bytes::Bytes;
use framework_server::ServeMode;
use http::{HeaderValue, Method};
use loadgen::request::{RequestSpec, parse_url};

use super::{CompareOptions, default_body};
use crate::child::database::Database;
use crate::child::guest::{self, GuestSpec};
use crate::child::process::{LaunchSpec, ServerProcess};
use crate::host::environment::Environment;
use crate::host::pinning::{PinningPlan, allowed_cpus};
use crate::progress::Progress;
use crate::schema::results::{EndpointTarget, ServerInfo};
use crate::servers::{BASELINE, NODE_GUESTS, ServerKind};

/// A server under test: launched by us, or a `--target`.
#[derive(Debug)]
pub(super) struct Contestant {
    pub(super) info: ServerInfo,
    pub(super) addr: std::net::SocketAddr,
    pub(super) authority: String,
    /// Path prefix of a `--target` URL (empty for launched servers).
    pub(super) prefix: String,
    pub(super) process: Option<ServerProcess>,
}

/// Everything decided before the first request.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) pinning: PinningPlan,
    pub(super) workers: usize,
    pub(super) contestants: Vec<Contestant>,
    pub(super) notes: Vec<String>,
    /// The servers' database; a cluster of our own stops when the plan is
    /// dropped (after the servers: fields drop in order).
    pub(super) database: Database,
    /// Each child's database and log; removed when the plan is dropped.
    _scratch: tempfile::TempDir,
}

impl Plan {
    /// The CPU the load generator is pinned to, if pinning is in effect.
    pub(super) fn client_cpu(&self) -> Option<usize> {
        self.pinning.client_cpu.filter(|_| self.pinning.applied)
    }

    /// Stops the launched servers (their guards would do it anyway).
    pub(super) fn stop_servers(&mut self) {
        for contestant in &mut self.contestants {
            if let Some(process) = &mut contestant.process {
                process.stop();
            }
        }
    }
}

/// Decides pinning and workers, launches the servers and adds the targets.
pub(super) fn plan(
    options: &CompareOptions,
    environment: &Environment,
    progress: &Progress,
) -> anyhow::Result<Plan> {
    let allowed = allowed_cpus();
    let mut pinning = PinningPlan::decide(
        options.pin,
        options.server_cpu,
        options.client_cpu,
        &allowed,
    );
    let workers = options.server_workers.unwrap_or(if pinning.applied {
        1
    } else {
        allowed.len().max(1)
    });
    let mut notes = Vec::new();
    if environment.build_profile == "debug" {
        notes.push("debug build: figures are not representative; run with --release".to_owned());
    }
    progress.line(&format!("pinning: {}", pinning.note));

    // Each child gets its own database in a folder removed when we finish.
    let scratch = tempfile::Builder::new()
        .prefix("bench-harness-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let database = start_database(options, &pinning, &allowed, progress, &mut notes)?;
    progress.doing("starting the servers");
    let mut contestants = Vec::new();
    if options.suite.has_rust() {
        contestants = launch_servers(options, &mut pinning, workers, scratch.path(), &database)?;
    }
    if options.suite.has_node() {
        let version = guest::node_version()?;
        notes.push(format!(
            "Node guests on node {version}, one event loop each, NODE_ENV=production"
        ));
        contestants.extend(launch_guests(options, &mut pinning, scratch.path())?);
    }
    contestants.extend(targets(options)?);
    if !options.targets.is_empty() {
        notes.push(
            "--target servers are not launched by the harness: their CPU time and memory are not measured"
                .to_owned(),
        );
    }
    Ok(Plan {
        pinning,
        workers,
        contestants,
        notes,
        database,
        _scratch: scratch,
    })
}

/// The servers' database, started before them (they seed it on start);
/// a cluster of our own goes where the servers are not.
fn start_database(
    options: &CompareOptions,
    pinning: &PinningPlan,
    allowed: &[usize],
    progress: &Progress,
    notes: &mut Vec<String>,
) -> anyhow::Result<Database> {
    if options.database.is_postgres() {
        progress.doing("starting PostgreSQL");
    }
    let (server_cpu, client_cpu) = if pinning.applied {
        (pinning.server_cpu, pinning.client_cpu)
    } else {
        (None, None)
    };
    let database = Database::start(&options.database, server_cpu, client_cpu, allowed)?;
    progress.line(&format!("database: {}", database.info().description));
    if database.url().is_some() && options.cost && options.suite.has_rust() {
        notes.push(
            "the cost phase (instructions, allocations per request) runs its own servers on SQLite"
                .to_owned(),
        );
    }
    if database.info().shares_client_cpu {
        notes.push(
            "PostgreSQL shares the load generator's CPU (two CPUs: the servers have the other); \
             rounds where the generator's core saturates are flagged client-bound"
                .to_owned(),
        );
    }
    Ok(database)
}

/// raw-server, then framework-server once per serve mode.
fn launches(options: &CompareOptions) -> Vec<(String, ServerKind, ServeMode)> {
    let mut launches = vec![(BASELINE.to_owned(), ServerKind::Raw, ServeMode::Hyper)];
    for mode in &options.framework_modes {
        let name = match mode {
            ServeMode::Hyper if options.framework_modes.len() == 1 => "framework".to_owned(),
            ServeMode::Hyper => "framework-hyper".to_owned(),
            ServeMode::Axum => "framework-axum".to_owned(),
        };
        launches.push((name, ServerKind::Framework, *mode));
    }
    launches
}

/// What a launched server is, in one line of the report.
fn description(kind: ServerKind, mode: ServeMode) -> &'static str {
    match (kind, mode) {
        (ServerKind::Raw, _) => "raw-server: hand-written service_fn on connection-layer",
        (ServerKind::Framework, ServeMode::Hyper) => {
            "framework-server: axum Router on the same connection-layer"
        }
        (ServerKind::Framework, ServeMode::Axum) => {
            "framework-server: axum Router on axum::serve (axum's defaults)"
        }
    }
}

/// Starts every server child; a child that cannot be pinned turns pinning
/// off for the report.
fn launch_servers(
    options: &CompareOptions,
    pinning: &mut PinningPlan,
    workers: usize,
    scratch: &std::path::Path,
    database: &Database,
) -> anyhow::Result<Vec<Contestant>> {
    let mut contestants = Vec::new();
    for (name, kind, mode) in launches(options) {
        let spec = LaunchSpec {
            name: name.clone(),
            kind,
            serve_mode: mode,
            runtime: options.server_runtime,
            workers,
            cpu: pinning.server_cpu,
            database: database.for_server(scratch, &name),
            log: scratch.join(format!("{name}.log")),
            executable: options.executable.clone(),
        };
        let process = ServerProcess::launch(&spec)?;
        if pinning.applied && !process.pinned {
            pinning.failed(&format!("server {name} could not be pinned"));
        }
        contestants.push(Contestant {
            info: ServerInfo {
                name: name.clone(),
                description: description(kind, mode).to_owned(),
                launched: true,
                url: format!("http://{}", process.addr),
                pinned_cpu: pinning.server_cpu.filter(|_| process.pinned),
                binary: crate::host::binaries::beside_harness(match kind {
                    ServerKind::Raw => "raw-server",
                    ServerKind::Framework => "framework-server",
                }),
            },
            addr: process.addr,
            authority: process.addr.to_string(),
            prefix: String::new(),
            process: Some(process),
        });
    }
    Ok(contestants)
}

/// Seeds one database for all guests (they only read it), then starts
/// each guest pinned where the Rust servers are.
fn launch_guests(
    options: &CompareOptions,
    pinning: &mut PinningPlan,
    scratch: &std::path::Path,
) -> anyhow::Result<Vec<Contestant>> {
    let database = scratch.join("guests.sqlite3");
    guest::seed_database(&database)?;
    let mut contestants = Vec::new();
    for guest in NODE_GUESTS {
        eprintln!("starting {} guest...", guest.name);
        let process = guest::launch(&GuestSpec {
            guest,
            cpu: pinning.server_cpu,
            database: database.clone(),
            log: scratch.join(format!("{}.log", guest.name)),
            executable: options.executable.clone(),
        })?;
        if pinning.applied && !process.pinned {
            pinning.failed(&format!("guest {} could not be pinned", guest.name));
        }
        contestants.push(Contestant {
            info: ServerInfo {
                name: guest.name.to_owned(),
                description: guest.description.to_owned(),
                launched: true,
                url: format!("http://{}", process.addr),
                pinned_cpu: pinning.server_cpu.filter(|_| process.pinned),
                // A script on the `node` binary: no build of ours to weigh.
                binary: None,
            },
            addr: process.addr,
            authority: process.addr.to_string(),
            prefix: String::new(),
            process: Some(process),
        });
    }
    Ok(contestants)
}

/// The `--target` servers, already running somewhere.
fn targets(options: &CompareOptions) -> anyhow::Result<Vec<Contestant>> {
    let mut contestants = Vec::new();
    for (name, url) in &options.targets {
        let parsed = parse_url(url)?;
        contestants.push(Contestant {
            info: ServerInfo {
                name: name.clone(),
                description: format!("already running at {url} (not launched, CPU not measured)"),
                launched: false,
                url: url.clone(),
                pinned_cpu: None,
                binary: None,
            },
            addr: parsed.addr,
            authority: parsed.authority,
            prefix: parsed.target.trim_end_matches('/').to_owned(),
            process: None,
        });
    }
    Ok(contestants)
}

/// The request `contestant` gets for `endpoint`: catalogue method and
/// target, `-H` headers, and a body from `--body`, the defaults or the
/// catalogue.
pub(super) fn request_for(
    options: &CompareOptions,
    endpoint: &EndpointTarget,
    contestant: &Contestant,
) -> anyhow::Result<RequestSpec> {
    let mut request = RequestSpec::get(
        &contestant.authority,
        &format!("{}{}", contestant.prefix, endpoint.target),
    );
    request.method = Method::from_bytes(endpoint.method.as_bytes())
        .with_context(|| format!("invalid method {}", endpoint.method))?;
    request.headers = options.headers.clone();
    let catalogued =
        shared_handlers::catalogue::by_name(&endpoint.name).and_then(|e| e.request_body);
    let body = options
        .bodies
        .get(&endpoint.name)
        .cloned()
        .or_else(|| default_body(&endpoint.name).map(|body| Bytes::from_static(body.as_bytes())))
        .or_else(|| catalogued.map(|body| Bytes::from_static(body.example.as_bytes())));
    if let Some(body) = body {
        request.body = body;
        let has_type = request
            .headers
            .iter()
            .any(|(name, _)| name == http::header::CONTENT_TYPE);
        if !has_type {
            let content_type = catalogued.map_or("application/json", |body| body.content_type);
            request.headers.push((
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(content_type),
            ));
        }
    }
    Ok(request)
}
