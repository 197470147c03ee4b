//! The one database every instance shares: the PostgreSQL `--postgres`
//! names, or else a throwaway cluster the harness starts itself, pinned to
//! the client's core ([`PostgresCluster`]). Only if that cannot start do
//! the instances fall back on a SQLite file each (the servers' default,
//! which the state check shows is not shared), and the results say so.

use std::path::{Path, PathBuf};

use super::ScaleOptions;
use super::accounting::children_of;
use super::measure::Cpus;
use crate::child::postgres::PostgresCluster;

/// The database every instance uses.
pub(super) struct SharedDatabase {
    pub(super) url: Option<String>,
    /// The postmaster, when the harness knows it (its own cluster).
    pub(super) postmaster: Option<u32>,
    pub(super) description: String,
    /// The harness's own cluster, stopped when this is dropped.
    _cluster: Option<PostgresCluster>,
}

impl SharedDatabase {
    /// The `--database` of instance `name`.
    pub(super) fn location(&self, scratch: &Path, name: &str) -> PathBuf {
        match &self.url {
            Some(url) => PathBuf::from(url),
            None => scratch.join(format!("{name}.sqlite3")),
        }
    }

    /// The postmaster and its children (backends, background workers).
    pub(super) fn pids(&self) -> Vec<u32> {
        self.postmaster.map_or_else(Vec::new, |pid| {
            let mut pids = vec![pid];
            pids.extend(children_of(pid));
            pids
        })
    }
}

/// The PostgreSQL of `--postgres`, else our own cluster, else SQLite files.
pub(super) fn shared(options: &ScaleOptions, cpus: Cpus) -> SharedDatabase {
    if let Some(url) = &options.postgres {
        return SharedDatabase {
            url: Some(url.clone()),
            postmaster: None,
            description: format!("PostgreSQL at {url} (given; it runs wherever it was started)"),
            _cluster: None,
        };
    }
    let client = cpus.client.map(|cpu| vec![cpu]);
    match PostgresCluster::start(client.as_deref()) {
        Ok(cluster) => SharedDatabase {
            url: Some(cluster.url().to_owned()),
            postmaster: Some(cluster.pid()),
            description: cluster.describe(),
            _cluster: Some(cluster),
        },
        Err(error) => {
            eprintln!(
                "warning: no PostgreSQL ({error:#}); every instance gets its own SQLite file"
            );
            SharedDatabase {
                url: None,
                postmaster: None,
                description: format!(
                    "SQLite, one file per instance (PostgreSQL could not start: {error:#})"
                ),
                _cluster: None,
            }
        }
    }
}
