//! The command line of a load run: `loadgen URL [flags]`, which is also
//! `bench-harness load URL [flags]` (the harness embeds [`LoadArgs`]).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::config::{Engine, LoadConfig};
use crate::request::{RequestSpec, parse_header, parse_url, read_body};

/// Parses a duration such as `10s`, `500ms` or `1m`.
pub fn duration(text: &str) -> Result<Duration, humantime::DurationError> {
    humantime::parse_duration(text)
}

/// Load one URL and report throughput, latency, errors and own CPU.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// The URL to load, e.g. http://127.0.0.1:3000/plaintext
    pub url: String,
    /// Open connections (kept alive).
    #[arg(short = 'c', long, default_value_t = 64)]
    pub connections: usize,
    /// Client threads, each with its own runtime; connections are spread over them.
    #[arg(short = 't', long, default_value_t = 1)]
    pub threads: usize,
    /// How long to measure, after warm-up [default: 10s, or 60s as a cap with -n]
    #[arg(short = 'd', long, value_parser = duration)]
    pub duration: Option<Duration>,
    /// Stop after this many measured requests.
    #[arg(short = 'n', long)]
    pub requests: Option<u64>,
    /// Load sent before measuring starts, not counted.
    #[arg(long, value_parser = duration, default_value = "0s")]
    pub warmup: Duration,
    /// Open loop: send this many requests per second on a fixed schedule.
    #[arg(long)]
    pub rate: Option<f64>,
    /// HTTP/1.1 pipelining: requests sent per write.
    #[arg(long, default_value_t = 1)]
    pub pipeline: usize,
    /// Client engine: `raw` (lean, Content-Length framing, pipelining) or
    /// `hyper` (hyper's client connection API).
    #[arg(long, value_enum, default_value_t = Engine::Raw)]
    pub engine: Engine,
    /// Request method.
    #[arg(short = 'm', long, default_value = "GET")]
    pub method: String,
    /// Extra header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    pub headers: Vec<String>,
    /// Request body; `@FILE` reads it from a file.
    #[arg(long)]
    pub body: Option<String>,
    /// A request without a full response after this long is a timeout error.
    #[arg(long, value_parser = duration, default_value = "10s")]
    pub timeout: Duration,
    /// Pin the client threads to this CPU.
    #[arg(long)]
    pub cpu: Option<usize>,
    /// Also write the full report (percentile spectrum included) as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

impl LoadArgs {
    /// The run these flags ask for; Ctrl-C ends it early.
    pub fn to_config(&self) -> anyhow::Result<LoadConfig> {
        let endpoint = parse_url(&self.url)?;
        let mut request = RequestSpec::get(&endpoint.authority, &endpoint.target);
        request.method = http::Method::from_bytes(self.method.to_ascii_uppercase().as_bytes())
            .with_context(|| format!("invalid method {}", self.method))?;
        for header in &self.headers {
            request.headers.push(parse_header(header)?);
        }
        if let Some(body) = &self.body {
            request.body = read_body(body)?;
        }
        let mut config = LoadConfig::new(endpoint.addr, request);
        config.connections = self.connections;
        config.threads = self.threads;
        config.duration = self.duration.unwrap_or(if self.requests.is_some() {
            Duration::from_secs(60)
        } else {
            Duration::from_secs(10)
        });
        config.requests = self.requests;
        config.warmup = self.warmup;
        config.rate = self.rate;
        config.pipeline = self.pipeline;
        config.engine = self.engine;
        config.timeout = self.timeout;
        config.client_cpu = self.cpu;
        config.progress = !self.quiet;
        config.stop = crate::interrupt_flag();
        Ok(config)
    }
}

/// Runs the load these flags ask for, prints the report, and writes it as
/// JSON if `--json` says where.
pub fn run(args: &LoadArgs) -> anyhow::Result<()> {
    let report = crate::run(&args.to_config()?)?;
    print!("{}", report.render());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).context("cannot serialise report")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
