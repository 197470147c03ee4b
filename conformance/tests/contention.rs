//! Writes under contention: many clients writing at once are all answered
//! `2xx`, and every write a client was told about is in the database.
//!
//! Against each target of [`start_all`], one burst sends at the same time
//! 64 `GET /updates?queries=20`, 64 `POST /users` (distinct emails) and
//! 32 `PUT /users/{id}` spread over four existing users. SQLite has one
//! write lock, so these transactions queue on it; none may fail with `500`
//! (nor `503`: at this load the lock is always had within its wait budget).
//! Then the store is read back through the server's own `AppState`
//! (`target.state`): each acknowledged write is there.

use std::collections::HashMap;
use std::time::Duration;

use conformance::{Observed, Target, client, fetch, start_all};
use serde_json::Value;
use shared_handlers::users::User;

const UPDATES: usize = 64;
const CREATES: usize = 64;
const REPLACEMENTS: usize = 32;
/// Users 1 (the demo user) to 4 receive the `PUT`s.
const PUT_USERS: i64 = 4;
/// The whole burst against one server, answers included.
const BURST_DEADLINE: Duration = Duration::from_secs(90);

/// One request of the burst, and what it asked for.
#[derive(Debug, Clone)]
enum Write {
    Update,
    Create {
        name: String,
        email: String,
    },
    Replace {
        id: i64,
        name: String,
        email: String,
    },
}

impl Write {
    fn label(&self) -> &'static str {
        match self {
            Write::Update => "GET /updates?queries=20",
            Write::Create { .. } => "POST /users",
            Write::Replace { .. } => "PUT /users/{id}",
        }
    }

    /// Sends this write to the server at `base` (`http://IP:PORT`).
    async fn send(&self, client: &reqwest::Client, base: &str) -> anyhow::Result<Observed> {
        let json = [("content-type", "application/json")];
        let user_body =
            |name: &str, email: &str| serde_json::json!({"name": name, "email": email}).to_string();
        match self {
            Write::Update => {
                fetch(
                    client,
                    "GET",
                    &format!("{base}/updates?queries=20"),
                    &[],
                    None,
                )
                .await
            }
            Write::Create { name, email } => {
                let body = user_body(name, email);
                fetch(
                    client,
                    "POST",
                    &format!("{base}/users"),
                    &json,
                    Some(body.as_bytes()),
                )
                .await
            }
            Write::Replace { id, name, email } => {
                let body = user_body(name, email);
                let url = format!("{base}/users/{id}");
                fetch(client, "PUT", &url, &json, Some(body.as_bytes())).await
            }
        }
    }
}

/// The burst: updates, creations and replacements interleaved, so all three
/// kinds are in flight together.
fn burst() -> Vec<Write> {
    let mut writes = Vec::new();
    for n in 0..UPDATES.max(CREATES).max(REPLACEMENTS) {
        if n < UPDATES {
            writes.push(Write::Update);
        }
        if n < CREATES {
            writes.push(Write::Create {
                name: format!("Contender {n}"),
                email: format!("contender{n}@example.com"),
            });
        }
        if n < REPLACEMENTS {
            let id = i64::try_from(n).expect("a small index") % PUT_USERS + 1;
            writes.push(Write::Replace {
                id,
                name: format!("Replacement {n}"),
                email: format!("replacement{n}@example.com"),
            });
        }
    }
    writes
}

/// Sends every write at once and returns each with its answer.
async fn send_all(target: &Target, writes: Vec<Write>) -> Vec<(Write, Observed)> {
    let client = client();
    let tasks: Vec<_> = writes
        .into_iter()
        .map(|write| {
            let client = client.clone();
            let base = target.base.clone();
            tokio::spawn(async move {
                let observed = write.send(&client, &base).await;
                (write, observed)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        let (write, observed) = task.await.expect("request task runs");
        let observed = observed.unwrap_or_else(|e| panic!("{}: {e}", write.label()));
        answers.push((write, observed));
    }
    answers
}

/// Creates users 2 to [`PUT_USERS`] one after the other, so the `PUT`s of
/// the burst have existing users to replace.
async fn create_put_users(target: &Target) {
    let client = client();
    for n in 2..=PUT_USERS {
        let body = format!(r#"{{"name":"Before {n}","email":"before{n}@example.com"}}"#);
        let json = [("content-type", "application/json")];
        let observed = fetch(
            &client,
            "POST",
            &target.url("/users"),
            &json,
            Some(body.as_bytes()),
        )
        .await
        .expect("setup request succeeds");
        assert_eq!(observed.status, 201, "setup of user {n}");
    }
}

/// `label: status×count, …` for every answer that was not `2xx`.
fn failures(answers: &[(Write, Observed)]) -> String {
    let mut counts: HashMap<(&str, u16), usize> = HashMap::new();
    for (write, observed) in answers {
        if !(200..300).contains(&observed.status) {
            *counts.entry((write.label(), observed.status)).or_default() += 1;
        }
    }
    let mut lines: Vec<String> = counts
        .into_iter()
        .map(|((label, status), count)| format!("{label}: {status}×{count}"))
        .collect();
    lines.sort();
    lines.join(", ")
}

fn json(observed: &Observed) -> Value {
    serde_json::from_slice(&observed.body).expect("a 2xx answer is JSON")
}

/// World id → the value each acknowledged `/updates` answer gave it (the
/// last one, should an answer hold the id twice: its `UPDATE` ran last).
fn acknowledged_worlds(answers: &[(Write, Observed)]) -> HashMap<i32, Vec<i32>> {
    let mut acknowledged: HashMap<i32, Vec<i32>> = HashMap::new();
    for (_, observed) in answers.iter().filter(|(w, _)| matches!(w, Write::Update)) {
        let mut in_this_answer: HashMap<i32, i32> = HashMap::new();
        for world in json(observed).as_array().expect("a list of worlds") {
            let id = world["id"]
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .expect("id");
            let value = world["randomNumber"]
                .as_i64()
                .and_then(|v| i32::try_from(v).ok());
            in_this_answer.insert(id, value.expect("randomNumber"));
        }
        for (id, value) in in_this_answer {
            acknowledged.entry(id).or_default().push(value);
        }
    }
    acknowledged
}

/// A [`User`] from its JSON form (`User` is only `Serialize`).
fn user_of(value: &Value) -> User {
    User {
        id: value["id"].as_i64().expect("numeric id"),
        name: value["name"].as_str().expect("a name").to_owned(),
        email: value["email"].as_str().expect("an email").to_owned(),
    }
}

/// Every acknowledged `World` value is in the store: the only one when one
/// request touched the row, one of them when several did.
async fn assert_worlds_stored(target: &Target, answers: &[(Write, Observed)]) {
    let label = target.kind.label();
    for (id, values) in acknowledged_worlds(answers) {
        let stored = target
            .state
            .db()
            .world(id)
            .await
            .expect("database readable");
        let stored = stored
            .unwrap_or_else(|| panic!("{label}: World {id} is gone"))
            .random_number;
        assert!(
            values.contains(&stored),
            "{label}: World {id} holds {stored}, acknowledged were {values:?}"
        );
    }
}

/// Every `201` user exists as returned; every `PUT` user holds one of the
/// replacements acknowledged for it.
async fn assert_users_stored(target: &Target, answers: &[(Write, Observed)]) {
    let label = target.kind.label();
    let mut replaced: HashMap<i64, Vec<User>> = HashMap::new();
    for (write, observed) in answers {
        let user = match write {
            Write::Update => continue,
            _ => user_of(&json(observed)),
        };
        if let Write::Create { name, email } = write {
            assert_eq!(
                (&user.name, &user.email),
                (name, email),
                "{label}: created user"
            );
            let stored = target
                .state
                .db()
                .user(user.id)
                .await
                .expect("database readable");
            assert_eq!(
                stored.as_ref(),
                Some(&user),
                "{label}: user {} stored as returned",
                user.id
            );
        }
        if let Write::Replace { id, .. } = write {
            replaced.entry(*id).or_default().push(user);
        }
    }
    for (id, acknowledged) in replaced {
        let stored = target.state.db().user(id).await.expect("database readable");
        let stored = stored.unwrap_or_else(|| panic!("{label}: user {id} is gone"));
        assert!(
            acknowledged.contains(&stored),
            "{label}: user {id} is {stored:?}, acknowledged were {acknowledged:?}"
        );
    }
}

/// Only the answers that acknowledged their write.
fn acknowledged(answers: Vec<(Write, Observed)>) -> Vec<(Write, Observed)> {
    answers
        .into_iter()
        .filter(|(_, observed)| (200..300).contains(&observed.status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_creations_and_replacements_all_succeed_and_all_persist() {
    let targets = start_all().await.expect("servers start");
    let mut failed = Vec::new();
    for target in &targets {
        let label = target.kind.label();
        // Arrange: users to replace.
        create_put_users(target).await;

        // Act: the whole burst at once, bounded.
        let answers = tokio::time::timeout(BURST_DEADLINE, send_all(target, burst()))
            .await
            .unwrap_or_else(|_| panic!("{label}: no answers within {BURST_DEADLINE:?}"));

        // Assert: every acknowledged write is stored (checked on every
        // server before failing, so the message counts the failures of each).
        assert_eq!(answers.len(), UPDATES + CREATES + REPLACEMENTS);
        let failures = failures(&answers);
        if !failures.is_empty() {
            failed.push(format!("{label}: {failures}"));
        }
        let answers = acknowledged(answers);
        assert_worlds_stored(target, &answers).await;
        assert_users_stored(target, &answers).await;
    }
    // Assert: and every answer was 2xx.
    assert!(failed.is_empty(), "non-2xx answers: {}", failed.join("; "));
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
}
