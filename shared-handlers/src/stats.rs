//! Request counters per endpoint, kept by a middleware in each server and
//! shown at `GET /admin/stats`.
//!
//! One atomic counter per catalogue entry: counting is a single relaxed
//! `fetch_add`, with no lock for requests to queue on.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::catalogue::{ENDPOINTS, Endpoint};

/// Counters for every catalogue endpoint, plus one for requests that matched
/// none (404 and 405 answers).
#[derive(Debug)]
pub struct RequestStats {
    per_endpoint: Vec<AtomicU64>,
    unmatched: AtomicU64,
}

impl Default for RequestStats {
    fn default() -> Self {
        RequestStats {
            per_endpoint: ENDPOINTS.iter().map(|_| AtomicU64::new(0)).collect(),
            unmatched: AtomicU64::new(0),
        }
    }
}

/// What `/admin/stats` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    pub total: u64,
    pub unmatched: u64,
    pub endpoints: Vec<EndpointCount>,
}

/// One endpoint's count, in catalogue order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointCount {
    pub name: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub requests: u64,
}

impl RequestStats {
    /// Counts one request for `endpoint`, or as unmatched.
    pub fn record(&self, endpoint: Option<&Endpoint>) {
        let counter = endpoint
            .and_then(|endpoint| ENDPOINTS.iter().position(|e| e.id == endpoint.id))
            .and_then(|index| self.per_endpoint.get(index))
            .unwrap_or(&self.unmatched);
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts right now.
    pub fn snapshot(&self) -> StatsSnapshot {
        let endpoints: Vec<EndpointCount> = ENDPOINTS
            .iter()
            .zip(&self.per_endpoint)
            .map(|(endpoint, count)| EndpointCount {
                name: endpoint.name,
                method: endpoint.method.as_str(),
                path: endpoint.path,
                requests: count.load(Ordering::Relaxed),
            })
            .collect();
        let unmatched = self.unmatched.load(Ordering::Relaxed);
        StatsSnapshot {
            total: unmatched + endpoints.iter().map(|e| e.requests).sum::<u64>(),
            unmatched,
            endpoints,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{JSON, PLAINTEXT};

    #[test]
    fn counts_each_endpoint_and_the_unmatched_separately() {
        let stats = RequestStats::default();
        stats.record(Some(&PLAINTEXT));
        stats.record(Some(&PLAINTEXT));
        stats.record(Some(&JSON));
        stats.record(None);
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.total, 4);
        assert_eq!(snapshot.unmatched, 1);
        let count = |name: &str| {
            snapshot
                .endpoints
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.requests)
        };
        assert_eq!(count("plaintext"), Some(2));
        assert_eq!(count("json"), Some(1));
        assert_eq!(count("db"), Some(0));
    }
}
