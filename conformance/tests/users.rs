//! The users resource, good and bad: JSON bodies, validation, status codes
//! 200/201/204/400/404/405/409/413/415/422, pagination and the name filter.
//!
//! Cases run **in order** against each server's fresh database (which holds
//! the demo user 1, Ada), so the table is also a story: users are created,
//! read, listed, replaced and deleted, and ids come out the same everywhere.
//! A second test sends 200 `POST /users` at once to every server.

use std::collections::HashSet;

use conformance::cases::run_cases;
use conformance::groups::users::cases;
use conformance::{client, fetch, start_all};
use serde_json::Value;
use shared_handlers::users::{User, UserListQuery};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_users_case_gets_the_same_correct_answer_from_every_server() {
    let count = run_cases(&cases()).await;
    println!("{count} users cases passed on every server");
}

/// How many concurrent creations the test sends to each server.
const PARALLEL_CREATES: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_parallel_creations_store_two_hundred_users_with_unique_ids() {
    let targets = start_all().await.expect("servers start");
    let client = client();
    for target in &targets {
        // Arrange: 200 distinct users.
        let requests = (0..PARALLEL_CREATES).map(|n| {
            let client = client.clone();
            let url = target.url("/users");
            let body = format!(r#"{{"name":"Parallel {n}","email":"parallel{n}@example.com"}}"#);
            tokio::spawn(async move {
                fetch(
                    &client,
                    "POST",
                    &url,
                    &[("content-type", "application/json")],
                    Some(body.as_bytes()),
                )
                .await
            })
        });

        // Act: all at once.
        let mut ids = HashSet::new();
        for request in requests.collect::<Vec<_>>() {
            let observed = request.await.expect("task runs").expect("request succeeds");
            assert_eq!(observed.status, 201, "{}", target.kind.label());
            let created: Value = serde_json::from_slice(&observed.body).expect("JSON user");
            ids.insert(created["id"].as_i64().expect("numeric id"));
        }

        // Assert: every answer had its own id, and the database holds them all.
        assert_eq!(ids.len(), PARALLEL_CREATES, "{}", target.kind.label());
        let stored = all_users(target).await;
        let parallel: Vec<&User> = stored
            .iter()
            .filter(|u| u.name.starts_with("Parallel "))
            .collect();
        assert_eq!(parallel.len(), PARALLEL_CREATES, "{}", target.kind.label());
        assert!(parallel.iter().all(|u| ids.contains(&u.id)));
    }
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
}

/// Reads every user straight from a server's database, page by page.
async fn all_users(target: &conformance::Target) -> Vec<User> {
    let mut users = Vec::new();
    loop {
        let offset = i64::try_from(users.len()).expect("fewer users than i64::MAX");
        let page = target
            .state
            .db()
            .users(UserListQuery {
                limit: 100,
                offset,
                name: None,
            })
            .await
            .expect("database readable");
        if page.is_empty() {
            return users;
        }
        users.extend(page);
    }
}
