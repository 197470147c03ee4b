//! `scale.json` (schema version 1), what `bench-harness scale` writes: the
//! servers in each runtime flavour, then N instances behind nginx, with
//! req/s and CPU per request of the servers, of nginx and of PostgreSQL
//! separately, the framework tax at each point, and the check of what the
//! per-instance SQLite default breaks once instances sit behind a proxy.
//!
//! Schema changes that remove or rename a field bump [`SCHEMA_VERSION`];
//! adding a field does not.

use serde::{Deserialize, Serialize};

use crate::stats::RatioEstimate;

pub const SCHEMA_VERSION: u32 = 1;

/// The whole of `scale.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScaleResults {
    pub schema_version: u32,
    /// `bench-harness <version>`.
    pub tool: String,
    pub started_at: String,
    pub wall_time_s: f64,
    pub quick: bool,
    /// Closed-loop connections of the load generator.
    pub connections: usize,
    /// Measured rounds per server and point.
    pub rounds: usize,
    pub round_duration_s: f64,
    /// The CPUs every server instance was pinned to (empty: unpinned).
    pub server_cpus: Vec<usize>,
    /// The CPU of the load generator, nginx and the harness's PostgreSQL.
    pub client_cpu: Option<usize>,
    /// Which database the servers shared, in words.
    pub database: String,
    /// `nginx version: nginx/1.22.1`.
    pub nginx: String,
    pub points: Vec<ScalePoint>,
    /// The same user read back through nginx, per backend.
    pub state_checks: Vec<StateCheck>,
    /// What the figures can and cannot say on this machine.
    pub notes: Vec<String>,
}

/// One layout, runtime and endpoint, both servers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScalePoint {
    /// `direct` (the load generator talks to the one instance) or `nginx`.
    pub layout: String,
    /// `current-thread`, `multi-thread` or `per-core`.
    pub runtime: String,
    /// Worker threads of each instance.
    pub workers: usize,
    /// Instances of each server (behind nginx when more than one).
    pub instances: usize,
    /// Catalogue name (`plaintext`, `db`) and request target.
    pub endpoint: String,
    pub target: String,
    /// raw first, then framework.
    pub servers: Vec<ServerPoint>,
    /// framework/raw CPU per request of the servers (all instances summed),
    /// paired rounds, with its 95% interval.
    pub tax: Option<RatioEstimate>,
    /// framework/raw req/s, paired the same way.
    pub throughput_ratio: Option<RatioEstimate>,
}

/// One server at one point: medians over its rounds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerPoint {
    pub server: String,
    pub requests_per_second: f64,
    /// All instances summed, µs per request.
    pub server_cpu_us_per_request: Option<f64>,
    /// nginx's master and workers, µs per request (`None` when direct).
    pub nginx_cpu_us_per_request: Option<f64>,
    /// The postmaster and its children, µs per request (`None` when the
    /// database is not one the harness can attribute).
    pub postgres_cpu_us_per_request: Option<f64>,
    /// Answers that were not 2xx, and errors, over all rounds.
    pub failures: u64,
    pub rounds: Vec<ScaleRound>,
}

/// One measured round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScaleRound {
    /// Place in the point's alternation (raw 0, framework 1, raw 2, ...).
    pub sequence: usize,
    pub requests: u64,
    pub requests_per_second: f64,
    pub server_cpu_s: Option<f64>,
    pub nginx_cpu_s: Option<f64>,
    pub postgres_cpu_s: Option<f64>,
    pub failures: u64,
}

/// A user created through nginx, then read back through it several times.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateCheck {
    /// `sqlite (one file per instance)` or `postgres (shared)`.
    pub backend: String,
    pub instances: usize,
    /// The status of `POST /users` and the `Location` it answered.
    pub created_status: u16,
    pub location: Option<String>,
    pub reads: u64,
    /// Reads answered `200`.
    pub found: u64,
    /// Reads answered `404`.
    pub not_found: u64,
    /// Reads answered anything else, or not at all.
    pub other: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ScaleResults {
        let round = ScaleRound {
            sequence: 0,
            requests: 1_000,
            requests_per_second: 500.0,
            server_cpu_s: Some(1.5),
            nginx_cpu_s: None,
            postgres_cpu_s: None,
            failures: 0,
        };
        ScaleResults {
            schema_version: SCHEMA_VERSION,
            tool: "bench-harness 0.1.0".to_owned(),
            started_at: "2026-01-01T00:00:00Z".to_owned(),
            wall_time_s: 10.0,
            quick: true,
            connections: 64,
            rounds: 1,
            round_duration_s: 2.0,
            server_cpus: vec![0],
            client_cpu: Some(1),
            database: "sqlite".to_owned(),
            nginx: "nginx version: nginx/1.22.1".to_owned(),
            points: vec![ScalePoint {
                layout: "nginx".to_owned(),
                runtime: "current-thread".to_owned(),
                workers: 1,
                instances: 2,
                endpoint: "plaintext".to_owned(),
                target: "/plaintext".to_owned(),
                servers: vec![ServerPoint {
                    server: "raw".to_owned(),
                    requests_per_second: 500.0,
                    server_cpu_us_per_request: Some(1_500.0),
                    nginx_cpu_us_per_request: None,
                    postgres_cpu_us_per_request: None,
                    failures: 0,
                    rounds: vec![round],
                }],
                tax: None,
                throughput_ratio: None,
            }],
            state_checks: vec![StateCheck {
                backend: "sqlite".to_owned(),
                instances: 2,
                created_status: 201,
                location: Some("/users/2".to_owned()),
                reads: 8,
                found: 4,
                not_found: 4,
                other: 0,
            }],
            notes: Vec::new(),
        }
    }

    #[test]
    fn scale_json_reads_back_what_was_written() {
        // Arrange
        let results = sample();

        // Act
        let text = serde_json::to_string(&results).expect("serialises");
        let back: ScaleResults = serde_json::from_str(&text).expect("parses");

        // Assert
        assert_eq!(back.schema_version, SCHEMA_VERSION);
        assert_eq!(back.points[0].instances, 2);
        assert_eq!(back.points[0].servers[0].rounds[0].requests, 1_000);
        assert_eq!(back.state_checks[0].not_found, 4);
        assert_eq!(serde_json::to_string(&back).expect("serialises"), text);
    }

    #[test]
    fn a_figure_that_was_not_measured_is_null_not_zero() {
        let results = sample();

        let value = serde_json::to_value(&results).expect("serialises");

        let server = &value["points"][0]["servers"][0];
        assert!(server["nginx_cpu_us_per_request"].is_null());
        assert_eq!(server["server_cpu_us_per_request"], 1_500.0);
    }
}
