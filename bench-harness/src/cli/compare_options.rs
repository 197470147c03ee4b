//! From `compare`'s flags to its options: which endpoints, which servers,
//! which request headers and bodies, and the defaults of a run.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use framework_server::ServeMode;
use http::{HeaderName, HeaderValue};
use loadgen::request::{parse_header, read_body};

use super::CompareArgs;
use crate::commands::compare::{CompareOptions, DEFAULT_ENDPOINTS, QUICK_ENDPOINTS};
use crate::schema::results::EndpointTarget;
use crate::servers::GUEST_ENDPOINTS;

/// The endpoints `compare` measures: those named, or the defaults of the
/// run (`--quick`, the Node guests, or every benchmark endpoint).
fn compare_endpoints(args: &CompareArgs) -> anyhow::Result<Vec<EndpointTarget>> {
    let (names, skip_unknown) = match &args.endpoints {
        Some(names) => (names.clone(), false),
        None if args.quick => (
            QUICK_ENDPOINTS.iter().map(|s| (*s).to_owned()).collect(),
            false,
        ),
        // The guests implement the benchmark endpoints that read, no more.
        None if args.suite.has_node() => (
            GUEST_ENDPOINTS.iter().map(|s| (*s).to_owned()).collect(),
            false,
        ),
        None => (
            DEFAULT_ENDPOINTS.iter().map(|s| (*s).to_owned()).collect(),
            true,
        ),
    };
    let endpoints = crate::endpoints::resolve_endpoints(&names, skip_unknown)?;
    if args.suite.has_node()
        && let Some(other) = endpoints
            .iter()
            .find(|e| !GUEST_ENDPOINTS.contains(&e.name.as_str()))
    {
        bail!(
            "the Node guests do not serve `{}`; with --suite {:?} measure only {}",
            other.name,
            args.suite,
            GUEST_ENDPOINTS.join(", ")
        );
    }
    Ok(endpoints)
}

/// `--target NAME=URL`, `--header NAME: VALUE` and `--body NAME=BODY`.
type Requests = (
    Vec<(String, String)>,
    Vec<(HeaderName, HeaderValue)>,
    BTreeMap<String, Bytes>,
);

/// `--target NAME=URL`, `--header` and `--body NAME=BODY`, parsed.
fn compare_requests(args: &CompareArgs) -> anyhow::Result<Requests> {
    let mut targets = Vec::new();
    for target in &args.targets {
        let (name, url) = target
            .split_once('=')
            .with_context(|| format!("--target must be NAME=URL, got `{target}`"))?;
        let guest = crate::servers::NODE_GUESTS.iter().any(|g| g.name == name);
        if name == crate::servers::BASELINE || name.starts_with("framework") || guest {
            bail!("--target name `{name}` is taken by a launched server");
        }
        targets.push((name.to_owned(), url.to_owned()));
    }
    let mut headers = Vec::new();
    for header in &args.headers {
        headers.push(parse_header(header)?);
    }
    let mut bodies = BTreeMap::new();
    for body in &args.bodies {
        let (name, text) = body
            .split_once('=')
            .with_context(|| format!("--body must be NAME=BODY, got `{body}`"))?;
        bodies.insert(name.to_owned(), read_body(text)?);
    }
    Ok((targets, headers, bodies))
}

pub(super) fn compare_options(args: &CompareArgs) -> anyhow::Result<CompareOptions> {
    if args.database.is_postgres() && args.suite.has_node() {
        // sql.js reads a SQLite file: the guests have no PostgreSQL client,
        // and half a suite on each database would compare unlike with unlike.
        bail!(
            "--database postgres is for the Rust servers: the Node guests read SQLite (through sql.js); \
             use --suite rust, or --database sqlite with --suite {:?}",
            args.suite
        );
    }
    let endpoints = compare_endpoints(args)?;
    let framework_modes = match args.framework_serve.as_str() {
        "hyper" => vec![ServeMode::Hyper],
        "axum" => vec![ServeMode::Axum],
        "both" => vec![ServeMode::Hyper, ServeMode::Axum],
        other => bail!("--framework-serve must be hyper, axum or both, not `{other}`"),
    };
    let (targets, headers, bodies) = compare_requests(args)?;
    let quick = args.quick;
    // Many short rounds rather than a few long ones: each round is paired
    // with its neighbours, and on a busy machine the spread of a pair was
    // the same for rounds of 1 s, 250 ms and 125 ms (10–16%), so eight
    // times the pairs in about the same time narrow the interval nearly
    // threefold (the nanosecond thread counters keep a short round precise).
    let rounds = args.rounds.unwrap_or(if quick { 48 } else { 112 }).max(1);
    Ok(CompareOptions {
        endpoints,
        connections: args.connections,
        threads: args.threads,
        rounds,
        duration: args.duration.unwrap_or(Duration::from_millis(125)),
        // Half a second of warm-up is ample at tens of thousands of
        // requests per second (caches, connections, the database pool).
        warmup: args.warmup.unwrap_or(Duration::from_millis(500)),
        repeat_disturbed: args.repeat_disturbed.unwrap_or(rounds / 8),
        cost: !args.no_cost,
        raise_priority: !args.no_priority,
        realtime: !args.no_realtime,
        open_loop: args.open_loop,
        pipeline: args.pipeline,
        engine: args.engine,
        quick,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| crate::output::default_out_dir("")),
        targets,
        framework_modes,
        suite: args.suite,
        server_runtime: args.server_runtime,
        server_workers: args.server_workers,
        pin: !args.no_pin,
        server_cpu: args.server_cpu,
        client_cpu: args.client_cpu,
        headers,
        bodies,
        seed: args.seed,
        database: args.database.clone(),
        progress: !args.quiet,
        executable: std::env::current_exe().context("cannot find our own executable")?,
    })
}
