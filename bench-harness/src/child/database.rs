//! Which database the launched servers use, and where it runs: SQLite (a
//! file per server, in the server's own process), a throwaway PostgreSQL
//! cluster the harness starts ([`super::postgres`]), or a PostgreSQL server
//! someone else runs (a `postgres://` URL).
//!
//! SQLite: each server gets its own file and seeds it on first start. The
//! seed's random numbers differ between the files, the row counts and
//! shapes do not.
//!
//! PostgreSQL: **one** database, seeded once (by the first server to start;
//! the second finds it full and leaves it), shared by every server. So the
//! servers read the very same rows, and their writes (`/updates`, `POST
//! /users`) land in the same tables in alternating rounds, so that neither
//! measures against a fresher table than the other. One database per server
//! would be seeded with different random numbers, no more identical than
//! the SQLite files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::postgres::PostgresCluster;

/// `--database`: `sqlite`, `postgres` (a cluster of our own), or a URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DatabaseChoice {
    #[default]
    Sqlite,
    /// A throwaway cluster the harness starts and stops.
    Postgres,
    /// A running PostgreSQL server: `postgres://USER@HOST:PORT/DB`.
    PostgresUrl(String),
}

impl DatabaseChoice {
    /// Parses `sqlite`, `postgres` or `postgres://…` (`postgresql://` too).
    pub fn parse(text: &str) -> Result<DatabaseChoice, String> {
        match text.trim() {
            "sqlite" => Ok(DatabaseChoice::Sqlite),
            "postgres" | "postgresql" => Ok(DatabaseChoice::Postgres),
            url if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(DatabaseChoice::PostgresUrl(url.to_owned()))
            }
            other => Err(format!(
                "expected sqlite, postgres or a postgres:// URL, not `{other}`"
            )),
        }
    }

    /// Whether the servers talk to PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        !matches!(self, DatabaseChoice::Sqlite)
    }
}

/// Which database ran and where, as `results.json` records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// One line for the report: what, where, shared or not.
    pub description: String,
    /// Whether the harness started (and stopped) it.
    pub started_by_harness: bool,
    /// The CPUs the harness pinned it to.
    #[serde(default)]
    pub cpus: Option<Vec<usize>>,
    /// Pinned to the load generator's CPU, for want of another.
    #[serde(default)]
    pub shares_client_cpu: bool,
    /// The server version, when the harness knows it.
    #[serde(default)]
    pub version: Option<String>,
}

/// The database of a run, running until dropped (a cluster of our own is
/// stopped then).
#[derive(Debug)]
pub struct Database {
    url: Option<String>,
    info: DatabaseInfo,
    /// Held for its `Drop`: the cluster lives as long as the run.
    cluster: Option<PostgresCluster>,
}

impl Database {
    /// Starts what `choice` needs. `server_cpu` and `client_cpu` are where
    /// the servers and the load generator are pinned (`None`: not pinned);
    /// a cluster of our own goes on another CPU of `allowed` where there is
    /// one, on the client's otherwise, and never on the servers'.
    pub fn start(
        choice: &DatabaseChoice,
        server_cpu: Option<usize>,
        client_cpu: Option<usize>,
        allowed: &[usize],
    ) -> anyhow::Result<Database> {
        match choice {
            DatabaseChoice::Sqlite => Ok(Database {
                url: None,
                info: DatabaseInfo {
                    backend: "sqlite".to_owned(),
                    description: "SQLite, one file per server, each seeded on its first start \
                                  (in the server's process, on its CPU)"
                        .to_owned(),
                    started_by_harness: true,
                    cpus: None,
                    shares_client_cpu: false,
                    version: None,
                },
                cluster: None,
            }),
            DatabaseChoice::PostgresUrl(url) => Ok(Database {
                url: Some(url.clone()),
                info: DatabaseInfo {
                    backend: "postgres".to_owned(),
                    description: format!(
                        "PostgreSQL at {}, not started by the harness (where it runs is not known here); \
                         one database, seeded once, shared by the servers",
                        without_password(url)
                    ),
                    started_by_harness: false,
                    cpus: None,
                    shares_client_cpu: false,
                    version: None,
                },
                cluster: None,
            }),
            DatabaseChoice::Postgres => {
                let (cpus, sharing) = cluster_cpus(server_cpu, client_cpu, allowed);
                let cluster = PostgresCluster::start(cpus.as_deref())?;
                let pinned = cluster.pinned_cpus().map(<[usize]>::to_vec);
                let shares_client_cpu = pinned.is_some() && !sharing.is_empty();
                let sharing = if shares_client_cpu { sharing } else { "" };
                let info = DatabaseInfo {
                    backend: "postgres".to_owned(),
                    description: format!(
                        "{}{sharing}; one database, seeded once, shared by the servers",
                        cluster.describe()
                    ),
                    started_by_harness: true,
                    cpus: pinned,
                    shares_client_cpu,
                    version: Some(cluster.version().to_owned()),
                };
                Ok(Database {
                    url: Some(cluster.url().to_owned()),
                    info,
                    cluster: Some(cluster),
                })
            }
        }
    }

    /// What one server's `--database` is: its own SQLite file in `scratch`,
    /// or the one PostgreSQL URL.
    pub fn for_server(&self, scratch: &Path, name: &str) -> PathBuf {
        match &self.url {
            Some(url) => PathBuf::from(url),
            None => scratch.join(format!("{name}.sqlite3")),
        }
    }

    /// The PostgreSQL URL, if the servers use PostgreSQL.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The cluster of our own, if one runs (its pid, for CPU accounting).
    pub fn cluster(&self) -> Option<&PostgresCluster> {
        self.cluster.as_ref()
    }

    pub fn info(&self) -> &DatabaseInfo {
        &self.info
    }
}

/// Where a cluster of our own runs: every allowed CPU but the servers' and
/// the client's; the client's when nothing else is left (said in the second
/// value); unpinned when the servers are not pinned or there is one CPU.
fn cluster_cpus(
    server_cpu: Option<usize>,
    client_cpu: Option<usize>,
    allowed: &[usize],
) -> (Option<Vec<usize>>, &'static str) {
    let Some(server) = server_cpu else {
        return (None, "");
    };
    let not_server: Vec<usize> = allowed.iter().copied().filter(|&c| c != server).collect();
    let free: Vec<usize> = not_server
        .iter()
        .copied()
        .filter(|&c| Some(c) != client_cpu)
        .collect();
    if !free.is_empty() {
        (Some(free), "")
    } else if !not_server.is_empty() {
        (Some(not_server), ", sharing the client's CPU")
    } else {
        (None, "")
    }
}

/// A URL fit for a report: `postgres://user:secret@host` loses its secret.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_database_spellings_parse_and_others_are_refused() {
        assert_eq!(DatabaseChoice::parse("sqlite"), Ok(DatabaseChoice::Sqlite));
        assert_eq!(
            DatabaseChoice::parse("postgres"),
            Ok(DatabaseChoice::Postgres)
        );
        assert_eq!(
            DatabaseChoice::parse("postgres://postgres@127.0.0.1:5432/postgres"),
            Ok(DatabaseChoice::PostgresUrl(
                "postgres://postgres@127.0.0.1:5432/postgres".to_owned()
            ))
        );
        assert!(DatabaseChoice::parse("mysql").is_err());
    }

    #[test]
    fn on_two_cpus_the_cluster_shares_the_clients_cpu_and_says_so() {
        assert_eq!(
            cluster_cpus(Some(0), Some(1), &[0, 1]),
            (Some(vec![1]), ", sharing the client's CPU")
        );
    }

    #[test]
    fn with_spare_cpus_the_cluster_gets_them_alone() {
        assert_eq!(
            cluster_cpus(Some(0), Some(1), &[0, 1, 2, 3]),
            (Some(vec![2, 3]), "")
        );
    }

    #[test]
    fn unpinned_servers_or_one_cpu_leave_the_cluster_unpinned() {
        assert_eq!(cluster_cpus(None, None, &[0, 1]), (None, ""));
        assert_eq!(cluster_cpus(Some(0), Some(0), &[0]), (None, ""));
    }

    #[test]
    fn a_password_never_reaches_the_report() {
        assert_eq!(
            without_password("postgres://bench:secret@db.example:5432/hello"),
            "postgres://bench@db.example:5432/hello"
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/postgres"
        );
    }

    #[test]
    fn sqlite_gives_each_server_its_own_file() {
        let database = Database::start(&DatabaseChoice::Sqlite, Some(0), Some(1), &[0, 1])
            .expect("sqlite needs nothing started");
        let scratch = Path::new("/tmp/run");
        assert_ne!(
            database.for_server(scratch, "raw"),
            database.for_server(scratch, "framework")
        );
        assert_eq!(database.info().backend, "sqlite");
        assert!(database.url().is_none());
    }

    #[test]
    fn a_postgres_url_is_shared_by_every_server_and_described_without_its_password() {
        let url = "postgres://bench:secret@127.0.0.1:5432/postgres";
        let database = Database::start(
            &DatabaseChoice::PostgresUrl(url.to_owned()),
            Some(0),
            Some(1),
            &[0, 1],
        )
        .expect("a URL needs nothing started");
        let scratch = Path::new("/tmp/run");
        assert_eq!(database.for_server(scratch, "raw"), PathBuf::from(url));
        assert_eq!(
            database.for_server(scratch, "framework"),
            PathBuf::from(url)
        );
        assert!(!database.info().description.contains("secret"));
        assert!(!database.info().started_by_harness);
    }
}
