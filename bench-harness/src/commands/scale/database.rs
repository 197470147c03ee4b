//! The one database every instance shares: the PostgreSQL `--postgres`
//! names, or else a SQLite file per instance (the servers' default, which
//! the state check shows is not shared).

use std::path::{Path, PathBuf};

use super::ScaleOptions;
use super::accounting::children_of;
use super::measure::Cpus;

/// The database every instance uses.
pub(super) struct SharedDatabase {
    pub(super) url: Option<String>,
    /// The postmaster, when the harness knows it (its own cluster).
    pub(super) postmaster: Option<u32>,
    pub(super) description: String,
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

/// The PostgreSQL of `--postgres`, or SQLite files.
pub(super) fn shared(options: &ScaleOptions, _cpus: Cpus) -> anyhow::Result<SharedDatabase> {
    Ok(match &options.postgres {
        Some(url) => SharedDatabase {
            url: Some(url.clone()),
            postmaster: None,
            description: format!("PostgreSQL at {url} (given; it runs wherever it was started)"),
        },
        None => SharedDatabase {
            url: None,
            postmaster: None,
            description: "SQLite, one file per instance (no PostgreSQL given)".to_owned(),
        },
    })
}
