//! Database faults: a database that turns read-only, a database file that
//! is removed, and a server killed with `kill -9` in the middle of writes.
//!
//! What a client must see: reads go on where they can, writes that cannot
//! be done are a `503` problem (`urn:frameworth:problem:unavailable`, never
//! a `500`), a missing database says so, and every write a client was told
//! about survives a crash.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use conformance::{Observed, Target, client, fetch, process, start_all};
use serde_json::Value;
use shared_handlers::db::{Access, Database};

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

async fn get(client: &reqwest::Client, target: &Target, path: &str) -> Observed {
    fetch(client, "GET", &target.url(path), &[], None)
        .await
        .unwrap_or_else(|e| panic!("{} GET {path}: {e}", target.kind.label()))
}

async fn post_user(client: &reqwest::Client, target: &Target, email: &str) -> Observed {
    let body = format!(r#"{{"name":"Faulty","email":"{email}"}}"#);
    fetch(
        client,
        "POST",
        &target.url("/users"),
        &JSON,
        Some(body.as_bytes()),
    )
    .await
    .unwrap_or_else(|e| panic!("{} POST /users: {e}", target.kind.label()))
}

/// `observed` is a `503` unavailable problem whose detail mentions
/// `reason` and names no file.
fn assert_unavailable(label: &str, what: &str, observed: &Observed, reason: &str, file: &Path) {
    assert_eq!(observed.status, 503, "{label} {what}");
    let problem: Value = serde_json::from_slice(&observed.body).expect("a problem document");
    assert_eq!(
        problem["type"], "urn:frameworth:problem:unavailable",
        "{label} {what}"
    );
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(reason), "{label} {what}: {detail}");
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a file name");
    assert!(
        !detail.contains(name),
        "{label} {what} shows the path: {detail}"
    );
}

/// Every target gave the same answer (status and body) to `what`.
fn assert_agree(what: &str, answers: &[(String, Observed)]) {
    for (label, observed) in answers {
        let (first_label, first) = &answers[0];
        assert_eq!(
            (observed.status, &observed.body),
            (first.status, &first.body),
            "{what}: {label} and {first_label} disagree"
        );
    }
}

/// A read-only database. `chmod 0444` on the file is what an operator does,
/// but it changes nothing for connections already open (nor for root, which
/// these tests may run as), so the server's connections are then re-opened
/// with `SQLITE_OPEN_READONLY` ([`Database::reopen`]): what a server that is
/// not root gets when it opens a file it may only read. SQLite then refuses
/// each write with `SQLITE_READONLY`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_answers_reads_200_and_writes_503() {
    let targets = start_all().await.expect("servers start");
    let client = client();
    let mut refused = Vec::new();
    for target in &targets {
        // Arrange
        let label = target.kind.label();
        let path = target
            .state
            .db()
            .path()
            .expect("a SQLite database")
            .to_owned();
        make_read_only(&path, target.state.db().clone()).await;

        // Act
        let read = get(&client, target, "/queries?queries=5").await;
        let update = get(&client, target, "/updates?queries=5").await;
        let create = post_user(&client, target, "readonly@example.com").await;

        // Assert
        assert_eq!(read.status, 200, "{label} /queries");
        assert_unavailable(label, "/updates", &update, "read-only", &path);
        assert_unavailable(label, "POST /users", &create, "read-only", &path);
        refused.push((label.to_owned(), update));
    }
    assert_agree("/updates on a read-only database", &refused);
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
}

async fn make_read_only(path: &Path, db: Database) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).expect("chmod 0444");
    tokio::task::spawn_blocking(move || db.reopen(Access::ReadOnly))
        .await
        .expect("task runs")
        .expect("connections re-open read-only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_database_file_is_a_503_saying_so_and_is_not_recreated() {
    let targets = start_all().await.expect("servers start");
    let client = client();
    let mut missing = Vec::new();
    for target in &targets {
        // Arrange: the server has served from its file; then it is gone.
        let label = target.kind.label();
        let path = target
            .state
            .db()
            .path()
            .expect("a SQLite database")
            .to_owned();
        assert_eq!(get(&client, target, "/db").await.status, 200, "{label}");
        std::fs::remove_file(&path).expect("remove the database file");

        // Act
        let read = get(&client, target, "/db").await;
        let update = get(&client, target, "/updates?queries=3").await;
        let create = post_user(&client, target, "vanished@example.com").await;

        // Assert
        for (what, observed) in [
            ("/db", &read),
            ("/updates", &update),
            ("POST /users", &create),
        ] {
            assert_unavailable(label, what, observed, "database is missing", &path);
        }
        assert!(
            !path.exists(),
            "{label}: the database file was created again"
        );
        missing.push((label.to_owned(), read));
    }
    assert_agree("/db without a database file", &missing);
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
}

/// Clients writing until told to stop: each keeps one `/updates?queries=20`
/// in flight.
const WRITERS: usize = 64;
/// At most this many requests per writer, so the load stops by itself.
const REQUESTS_PER_WRITER: usize = 50;
/// The server is killed once this many updates were acknowledged.
const ACKNOWLEDGED_BEFORE_KILL: usize = 100;
/// Rows one `/updates` answer touches.
const QUERIES: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_server_killed_mid_updates_keeps_every_acknowledged_update() {
    killed_mid_updates_keeps_every_acknowledged_update("raw-server", crate::RAW_BINARY).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_server_killed_mid_updates_keeps_every_acknowledged_update() {
    killed_mid_updates_keeps_every_acknowledged_update("framework-server", crate::FRAMEWORK_BINARY)
        .await;
}

/// `kill -9` (SIGKILL: no shutdown, nothing the server can intercept) of a
/// server binary while 64 clients send `/updates`, then a restart on the
/// same file.
async fn killed_mid_updates_keeps_every_acknowledged_update(name: &str, binary: &str) {
    // Arrange: a seeded file whose rows we know, and the binary serving it.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("killed.sqlite3");
    let before = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || read_back(&path))
            .await
            .expect("task runs")
    };
    let server = process::start_on(binary, &[], &path).expect("starts");

    // Act: 64 writers, kill -9 once enough updates were acknowledged.
    let load = tokio::time::timeout(Duration::from_secs(60), write_then_kill(server))
        .await
        .expect("load and kill finish in time");

    // Assert: no failure before the kill; the server starts again on the
    // file and serves it; SQLite finds it intact; the writes are there.
    assert_eq!(
        load.failed_before_kill, 0,
        "{name}: non-200 answers under load"
    );
    assert!(
        load.acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL,
        "{name}"
    );
    let restarted = process::start_on(binary, &[], &path).expect("restarts on the same file");
    let answer = restarted.get("/db").expect("answers");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{name}: {answer}");
    restarted.terminate(Duration::from_secs(15)).expect("stops");
    let after = tokio::task::spawn_blocking(move || read_back(&path))
        .await
        .expect("task runs");
    assert_acknowledged_stored(name, &load, &before, &after);
}

/// What the clients saw.
#[derive(Debug)]
struct Load {
    /// The worlds of each `200` answer, those received after the kill too.
    acknowledged: Vec<Vec<(i32, i32)>>,
    /// Answers other than `200` before the kill (there must be none).
    failed_before_kill: usize,
    /// Requests that got no `200` once the kill was under way: each may or
    /// may not have committed its update.
    unacknowledged: usize,
}

/// Runs the writers against `server`, kills it with SIGKILL after
/// [`ACKNOWLEDGED_BEFORE_KILL`] acknowledged answers, and waits for every
/// writer to stop.
async fn write_then_kill(server: process::Running) -> Load {
    let client = client();
    let url = format!("http://{}/updates?queries={QUERIES}", server.addr);
    let stop = Arc::new(AtomicBool::new(false));
    let (answers, mut received) = tokio::sync::mpsc::unbounded_channel();
    for _ in 0..WRITERS {
        let (client, url) = (client.clone(), url.clone());
        let (stop, answers) = (stop.clone(), answers.clone());
        tokio::spawn(async move {
            for _ in 0..REQUESTS_PER_WRITER {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let worlds = match fetch(&client, "GET", &url, &[], None).await {
                    Ok(observed) if observed.status == 200 => Some(worlds_of(&observed.body)),
                    _ => None,
                };
                if answers.send(worlds).is_err() {
                    break;
                }
            }
        });
    }
    drop(answers);
    let mut load = Load {
        acknowledged: Vec::new(),
        failed_before_kill: 0,
        unacknowledged: 0,
    };
    let mut server = Some(server);
    while let Some(answer) = received.recv().await {
        match (answer, server.is_some()) {
            (Some(worlds), _) => load.acknowledged.push(worlds),
            (None, true) => load.failed_before_kill += 1,
            (None, false) => load.unacknowledged += 1,
        }
        if load.acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL
            && let Some(server) = server.take()
        {
            stop.store(true, Ordering::SeqCst);
            server.kill().expect("kill -9");
        }
    }
    assert!(server.is_none(), "the writers stopped before the kill");
    load
}

/// `(id, randomNumber)` of each world in an `/updates` answer.
fn worlds_of(body: &[u8]) -> Vec<(i32, i32)> {
    let worlds: Vec<Value> = serde_json::from_slice(body).expect("a list of worlds");
    let number = |v: &Value| {
        v.as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .expect("an i32")
    };
    worlds
        .iter()
        .map(|w| (number(&w["id"]), number(&w["randomNumber"])))
        .collect()
}

/// Opens the file (seeding it if new), checks its integrity, and returns
/// every World row's value by id.
fn read_back(path: &Path) -> HashMap<i32, i32> {
    let db = Database::open(path, 1).expect("the database opens");
    assert_eq!(db.integrity_check_blocking().expect("check runs"), "ok");
    db.all_worlds_blocking()
        .expect("worlds readable")
        .into_iter()
        .map(|w| (w.id, w.random_number))
        .collect()
}

/// Each acknowledged update is stored. A row holds one of the values
/// acknowledged for it (the only one, when one answer touched it), unless a
/// request whose answer the kill cut off committed after them: then it
/// holds that request's value, which is still not the row's value from
/// before the load. At most [`QUERIES`] rows per cut-off request can be so.
fn assert_acknowledged_stored(
    name: &str,
    load: &Load,
    before: &HashMap<i32, i32>,
    after: &HashMap<i32, i32>,
) {
    let mut values: HashMap<i32, Vec<i32>> = HashMap::new();
    for answer in &load.acknowledged {
        // An id twice in one answer: its later UPDATE is the one that ran last.
        let last: HashMap<i32, i32> = answer.iter().copied().collect();
        for (id, value) in last {
            values.entry(id).or_default().push(value);
        }
    }
    let mut overwritten = 0;
    for (id, values) in &values {
        let stored = after.get(id).copied().expect("every World row survives");
        if values.contains(&stored) {
            continue;
        }
        let old = before.get(id).copied().expect("seeded row");
        assert_ne!(
            stored, old,
            "{name}: World {id} lost its acknowledged values {values:?}"
        );
        overwritten += 1;
    }
    assert!(
        overwritten <= load.unacknowledged * QUERIES,
        "{name}: {overwritten} rows hold unacknowledged values, but only {} requests were cut off",
        load.unacknowledged
    );
}
