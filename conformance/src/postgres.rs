//! The suite against PostgreSQL: when `FRAMEWORTH_TEST_POSTGRES` holds a
//! server's URL (`postgres://postgres@127.0.0.1:PORT/postgres`; `.ci/run`
//! starts a throwaway cluster and sets it), every in-process [`Target`]
//! stores its data there instead of in a SQLite file.
//!
//! Each target gets a schema of its own (`fw_<uuid>`, through the
//! connection's `search_path`), as each gets a SQLite file of its own: the
//! targets never see each other's writes, and a schema is cheap to create
//! and to drop (a database would copy its template, megabytes each time).
//!
//! [`Target`]: crate::Target

use std::time::Duration;

use tokio_postgres::NoTls;

/// The variable naming the PostgreSQL server the suite may use.
pub const ENV: &str = "FRAMEWORTH_TEST_POSTGRES";

/// The server's URL, when the suite is to run against PostgreSQL.
pub fn server_url() -> Option<String> {
    std::env::var(ENV).ok().filter(|url| !url.trim().is_empty())
}

/// A schema of one target's own, dropped (best effort) when dropped.
#[derive(Debug)]
pub struct Scratch {
    server: String,
    schema: String,
}

impl Scratch {
    /// Creates a fresh, empty schema on `server`.
    pub async fn create(server: &str) -> anyhow::Result<Scratch> {
        let schema = format!("fw_{}", uuid::Uuid::new_v4().simple());
        let client = connect(server).await?;
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await?;
        Ok(Scratch {
            server: server.to_owned(),
            schema,
        })
    }

    /// The connection string a server under test opens: the server's URL
    /// with the schema as its `search_path`.
    pub fn url(&self) -> String {
        let separator = if self.server.contains('?') { '&' } else { '?' };
        format!(
            "{}{separator}options=-c%20search_path%3D{}",
            self.server, self.schema
        )
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let server = self.server.clone();
        let drop_it = format!(
            "SET lock_timeout = '2s'; DROP SCHEMA IF EXISTS {} CASCADE",
            self.schema
        );
        // Drop runs inside the tests' runtime, which must not be blocked on:
        // a thread with a runtime of its own does the work, bounded in time.
        let worker = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    let work = async {
                        let client = connect(&server).await?;
                        client.batch_execute(&drop_it).await?;
                        anyhow::Ok(())
                    };
                    let _ = tokio::time::timeout(Duration::from_secs(5), work).await;
                });
            }
        });
        let _ = worker.join();
    }
}

async fn connect(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}
