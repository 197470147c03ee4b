//! The PostgreSQL backend: the server TechEmpower measures with, reached
//! through `tokio-postgres` (an async driver: a query in flight holds no
//! thread, unlike SQLite's blocking calls) and a `deadpool-postgres` pool.
//!
//! Every statement is prepared once per connection (`prepare_cached`) and
//! then only executed. Schema and seed rows are SQLite's ([`seed`]), and so
//! are the answers. What differs is how writes meet each other: PostgreSQL
//! locks rows, not the database, so two `/updates` that touch the same rows
//! in opposite orders would deadlock. Updates are therefore written in id
//! order (no cycle, so no deadlock), and should the server still abort a
//! transaction (a deadlock, a serialization failure), it is run again a few
//! times before the client gets `503` ([`faults`]).
//!
//! Simplified on purpose: no TLS (`NoTls`: the server is on loopback or a
//! private network), and the connection string is used as given.

mod faults;
mod seed;

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{NoTls, Row};

use super::{POOL_TIMEOUT, WRITE_RETRIES, random_number};
use crate::error::Error;
use crate::model::user::{NewUser, User, UserListQuery};
use crate::model::{Fortune, World};

const SELECT_WORLD: &str = "SELECT id, randomnumber FROM world WHERE id = $1";
const UPDATE_WORLD: &str = "UPDATE world SET randomnumber = $1 WHERE id = $2";

/// A pool of connections to one PostgreSQL database.
#[derive(Debug, Clone)]
pub struct Postgres {
    pool: Pool,
    /// The connection string, for the blocking set-up and cache priming.
    url: String,
}

impl Postgres {
    /// Connects once to create the schema and seed it if needed, then builds
    /// the pool (whose connections open lazily, on the runtime that first
    /// asks for one). Synchronous, like SQLite's `open`.
    pub fn open(url: &str, pool_size: u32) -> Result<Postgres, Error> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| Error::Internal(format!("cannot read the PostgreSQL address: {e}")))?;
        on_own_runtime(async {
            let client = connect(url).await?;
            seed::seed(client).await
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // A connection given back is trusted as it is; a broken one
                // fails its next query and is dropped then.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let size = usize::try_from(pool_size).unwrap_or(16);
        let pool = Pool::builder(manager)
            .max_size(size)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the PostgreSQL pool: {e}")))?;
        Ok(Postgres {
            pool,
            url: url.to_owned(),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, Error> {
        self.pool.get().await.map_err(faults::pool_error)
    }

    // ANCHOR: postgres_world
    /// One `World` row by id, or `None` if there is no such row.
    pub async fn world(&self, id: i32) -> Result<Option<World>, Error> {
        let rows = self.rows(SELECT_WORLD, &[&id]).await?;
        Ok(rows.first().map(world_row))
    }
    // ANCHOR_END: postgres_world

    /// Each id fetched by its own single-row query, on one connection.
    pub async fn worlds(&self, ids: Vec<i32>) -> Result<Vec<World>, Error> {
        let result: Result<_, Error> = async {
            let client = self.client().await?;
            let select = client.prepare_cached(SELECT_WORLD).await?;
            let mut worlds = Vec::with_capacity(ids.len());
            for id in &ids {
                worlds.extend(
                    client
                        .query_opt(&select, &[id])
                        .await?
                        .as_ref()
                        .map(world_row),
                );
            }
            Ok(worlds)
        }
        .await;
        result.map_err(faults::classify)
    }

    /// Reads each id with its own query, gives it a new random number, and
    /// writes them all in one transaction, in id order.
    pub async fn update_worlds(&self, ids: Vec<i32>) -> Result<Vec<World>, Error> {
        let mut attempt = 0;
        loop {
            match self
                .update_worlds_once(&ids)
                .await
                .map_err(faults::classify)
            {
                Err(error) if faults::is_retryable(&error) && attempt < WRITE_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(error) if faults::is_retryable(&error) => {
                    tracing::warn!("a write was aborted {} times: {error}", WRITE_RETRIES + 1);
                    return Err(Error::Unavailable(
                        "the rows stayed locked by other writes".to_owned(),
                    ));
                }
                result => return result,
            }
        }
    }

    async fn update_worlds_once(&self, ids: &[i32]) -> Result<Vec<World>, Error> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let select = tx.prepare_cached(SELECT_WORLD).await?;
        let mut worlds = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = tx.query_opt(&select, &[id]).await? {
                let mut world = world_row(&row);
                world.random_number = random_number();
                worlds.push(world);
            }
        }
        // Id order, so that concurrent updates lock rows in one order and
        // cannot deadlock; a stable sort keeps a repeated id's last value last.
        let mut in_id_order: Vec<&World> = worlds.iter().collect();
        in_id_order.sort_by_key(|world| world.id);
        let update = tx.prepare_cached(UPDATE_WORLD).await?;
        for world in in_id_order {
            tx.execute(&update, &[&world.random_number, &world.id])
                .await?;
        }
        tx.commit().await?;
        Ok(worlds)
    }

    /// Every row of table `Fortune`, in table order.
    pub async fn fortunes(&self) -> Result<Vec<Fortune>, Error> {
        self.rows("SELECT id, message FROM fortune ORDER BY id", &[])
            .await
            .map(|rows| {
                rows.iter()
                    .map(|row| Fortune {
                        id: row.get(0),
                        message: row.get(1),
                    })
                    .collect()
            })
    }

    /// One page of users, ordered by id, filtered by a substring of the name
    /// ignoring ASCII case (`lower` in the cluster's `C` collation, as
    /// SQLite's `lower`).
    pub async fn users(&self, query: UserListQuery) -> Result<Vec<User>, Error> {
        let limit = i64::from(query.limit);
        self.rows(
            "SELECT id, name, email FROM users
             WHERE $1::text IS NULL OR strpos(lower(name COLLATE \"C\"), lower($1 COLLATE \"C\")) > 0
             ORDER BY id LIMIT $2 OFFSET $3",
            &[&query.name, &limit, &query.offset],
        )
        .await
        .map(|rows| rows.iter().map(user_row).collect())
    }

    /// One user by id, or `None`.
    pub async fn user(&self, id: i64) -> Result<Option<User>, Error> {
        self.rows("SELECT id, name, email FROM users WHERE id = $1", &[&id])
            .await
            .map(|rows| rows.first().map(user_row))
    }

    /// Stores a new user and returns it with its id.
    ///
    /// The email is checked in the same statement, before a row is made:
    /// an `INSERT` that broke the unique index would already have drawn an
    /// id from the sequence, and the next user would skip one, where SQLite
    /// hands it out. (Two inserts of one email racing past the check still
    /// end in the index's `409`, and that rare race does skip an id.)
    pub async fn insert_user(&self, user: NewUser) -> Result<User, Error> {
        let rows = self
            .rows(
                "INSERT INTO users (name, email)
                 SELECT $1, $2 WHERE NOT EXISTS (
                     SELECT 1 FROM users WHERE lower(email COLLATE \"C\") = lower($2 COLLATE \"C\"))
                 RETURNING id, name, email",
                &[&user.name.as_str(), &user.email.as_str()],
            )
            .await
            .map_err(|e| faults::unique_email(e, &user))?;
        rows.first().map(user_row).ok_or_else(|| Error::EmailTaken {
            email: user.email.as_str().to_owned(),
        })
    }

    /// Replaces a user's name and email; `None` if there is no such user.
    pub async fn replace_user(&self, id: i64, user: NewUser) -> Result<Option<User>, Error> {
        self.rows(
            "UPDATE users SET name = $1, email = $2 WHERE id = $3 RETURNING id, name, email",
            &[&user.name.as_str(), &user.email.as_str(), &id],
        )
        .await
        .map_err(|e| faults::unique_email(e, &user))
        .map(|rows| rows.first().map(user_row))
    }

    /// Deletes a user; `false` if there was no such user.
    pub async fn delete_user(&self, id: i64) -> Result<bool, Error> {
        let result: Result<u64, Error> = async {
            let client = self.client().await?;
            let delete = client
                .prepare_cached("DELETE FROM users WHERE id = $1")
                .await?;
            Ok(client.execute(&delete, &[&id]).await?)
        }
        .await;
        result.map(|deleted| deleted > 0).map_err(faults::classify)
    }

    /// Every `World` row, read synchronously (on a connection of its own):
    /// used once, to prime the cache.
    pub fn all_worlds_blocking(&self) -> Result<Vec<World>, Error> {
        let url = self.url.clone();
        on_own_runtime(async move {
            let client = connect(&url).await?;
            let rows = client
                .query("SELECT id, randomnumber FROM world ORDER BY id", &[])
                .await?;
            Ok(rows.iter().map(world_row).collect())
        })
    }

    /// One prepared statement on a pooled connection, its rows collected;
    /// failures sorted into `503` and `500`.
    async fn rows(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, Error> {
        let result: Result<_, Error> = async {
            let client = self.client().await?;
            let statement = client.prepare_cached(sql).await?;
            Ok(client.query(&statement, params).await?)
        }
        .await;
        result.map_err(faults::classify)
    }
}

/// One connection outside the pool, its driver task on the current runtime.
async fn connect(url: &str) -> Result<tokio_postgres::Client, Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|e| Error::Internal(format!("cannot connect to PostgreSQL: {e}")))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!("a PostgreSQL set-up connection ended: {error}");
        }
    });
    Ok(client)
}

/// Runs `work` to completion on a current-thread runtime on a thread of its
/// own, so that the synchronous `open` works before any runtime exists and
/// from inside one (where blocking on a nested runtime is refused).
fn on_own_runtime<T, F>(work: F) -> Result<T, Error>
where
    T: Send,
    F: Future<Output = Result<T, Error>> + Send,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Error::Internal(format!("a set-up runtime: {e}")))?
                    .block_on(work)
            })
            .join()
            .map_err(|_| Error::Internal("the PostgreSQL set-up thread panicked".to_owned()))?
    })
}

/// The pause before retry `attempt` (1-based), as SQLite's writes wait.
fn backoff(attempt: u32) -> Duration {
    let ceiling = 2u64 << attempt.min(8);
    Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))
}

fn world_row(row: &Row) -> World {
    World {
        id: row.get(0),
        random_number: row.get(1),
    }
}

fn user_row(row: &Row) -> User {
    User {
        id: row.get(0),
        name: row.get(1),
        email: row.get(2),
    }
}
