//! The logic of the benchmark endpoints, after the TechEmpower Framework
//! Benchmarks test types: `/json` builds and serialises its object on every
//! request, `/db` and `/queries` read one random `World` row per query,
//! `/queries`, `/updates` and `/cached-queries` clamp their count to 1..=500,
//! and `/fortunes` adds one row at request time and sorts by message.
//!
//! Every function here is what a handler calls after extraction and before
//! building the response. No HTTP in sight: inputs are domain values, outputs
//! are domain values or an [`Error`].

use askama::Template;

use crate::db::random_world_id;
use crate::error::Error;
use crate::model::{Fortune, Message, World};
use crate::params::QueryCount;
use crate::state::AppState;
use crate::templates::FortunesPage;

/// The body of `/plaintext`: 13 bytes, no newline.
pub const HELLO_WORLD: &str = "Hello, World!";

/// The message added to the fortunes at request time.
pub const ADDED_FORTUNE: &str = "Additional fortune added at request time.";

/// `/plaintext`.
pub fn plaintext() -> &'static str {
    HELLO_WORLD
}

/// `/json`: the object is built here and serialized by the server, on every
/// request (the rules forbid caching the bytes).
pub fn json() -> Message {
    Message {
        message: HELLO_WORLD,
    }
}

/// `/db`: one random row.
pub async fn db(state: &AppState) -> Result<World, Error> {
    let id = random_world_id();
    state
        .db()
        .world(id)
        .await?
        .ok_or_else(|| Error::Internal(format!("World row {id} is missing from the database")))
}

/// `/queries`: `count` random rows, one query each.
pub async fn queries(state: &AppState, count: QueryCount) -> Result<Vec<World>, Error> {
    let ids = random_ids(count);
    state.db().worlds(ids).await
}

/// `/updates`: `count` random rows, each given a new random number, persisted.
pub async fn updates(state: &AppState, count: QueryCount) -> Result<Vec<World>, Error> {
    let ids = random_ids(count);
    state.db().update_worlds(ids).await
}

/// `/cached-queries`: `count` random rows from the in-process cache.
pub async fn cached_queries(state: &AppState, count: QueryCount) -> Result<Vec<World>, Error> {
    let mut worlds = Vec::with_capacity(count.get());
    for id in random_ids(count) {
        let world = state.cache().get(state.db(), id).await?;
        worlds.push(world.ok_or_else(|| Error::Internal(format!("World row {id} is missing")))?);
    }
    Ok(worlds)
}

/// `/fortunes`: every fortune plus one added now, sorted by message in plain
/// byte order, rendered as an HTML page.
pub async fn fortunes(state: &AppState) -> Result<String, Error> {
    let mut fortunes = state.db().fortunes().await?;
    fortunes.push(Fortune {
        id: 0,
        message: ADDED_FORTUNE.to_owned(),
    });
    // `String`'s ordering compares bytes: no locale collation, as required.
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    FortunesPage {
        fortunes: &fortunes,
    }
    .render()
    .map_err(|e| Error::Internal(format!("fortunes template failed: {e}")))
}

fn random_ids(count: QueryCount) -> Vec<i32> {
    (0..count.get()).map(|_| random_world_id()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> (tempfile::TempDir, AppState) {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = AppState::open(&dir.path().join("bench.sqlite3")).expect("open state");
        (dir, state)
    }

    #[tokio::test]
    async fn fortunes_are_sorted_by_bytes_with_the_added_row() {
        let (_dir, state) = state();
        let html = fortunes(&state).await.expect("render");
        let ids: Vec<&str> = html
            .split("<tr><td>")
            .skip(1)
            .map(|row| row.split('<').next().unwrap_or_default())
            .collect();
        assert_eq!(
            ids,
            [
                "11", "4", "5", "2", "8", "0", "3", "7", "10", "6", "9", "1", "12"
            ]
        );
    }

    #[tokio::test]
    async fn fortunes_escape_html_but_keep_utf8() {
        let (_dir, state) = state();
        let html = fortunes(&state).await.expect("render");
        assert!(!html.contains("<script>"));
        // askama writes the five HTML specials as decimal references.
        assert!(html.contains("&#60;script&#62;alert(&#34;This"), "{html}");
        assert!(html.contains("aren&#39;t broken"), "{html}");
        assert!(html.contains("フレームワークのベンチマーク"));
        assert!(html.contains("\u{2014} Donald Knuth"));
    }

    #[tokio::test]
    async fn cached_queries_answer_rows_that_match_the_database() {
        let (_dir, state) = state();
        let worlds = cached_queries(&state, QueryCount::parse(Some("50")))
            .await
            .expect("cached");
        assert_eq!(worlds.len(), 50);
        for world in worlds {
            assert_eq!(state.db().world(world.id).await.expect("read"), Some(world));
        }
    }
}
