//! The suite's PostgreSQL mode is real: with `FRAMEWORTH_TEST_POSTGRES` set,
//! every target stores its data in PostgreSQL, and the benchmark endpoints
//! and the users resource answer there exactly as on SQLite. Without the
//! variable there is no server to talk to, and these tests say so and pass.
//!
//! `.ci/run` starts a throwaway cluster, sets the variable, and runs this
//! file and every other file with database cases again (the same tables,
//! on the other backend).

use conformance::cases::{Body::*, JSON, PROBLEM, get, request, run_cases};
use conformance::groups::benchmark;
use conformance::{postgres, start_all};

/// `None` (after a note on stdout) when the suite has no PostgreSQL server.
fn server_or_note() -> Option<String> {
    let server = postgres::server_url();
    if server.is_none() {
        println!(
            "note: {} is not set, so the PostgreSQL cases were not run (.ci/run sets it)",
            postgres::ENV
        );
    }
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_variable_set_every_target_stores_its_data_in_postgres() {
    let Some(_) = server_or_note() else { return };
    let targets = start_all().await.expect("servers start on PostgreSQL");
    for target in &targets {
        assert_eq!(
            target.state.db().backend_name(),
            "postgres",
            "{}",
            target.kind.label()
        );
        assert_eq!(target.state.db().path(), None);
        assert!(!target.state.cache().is_empty(), "the cache was primed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benchmark_endpoints_answer_on_postgres_as_on_sqlite() {
    let Some(_) = server_or_note() else { return };
    let count = run_cases(&benchmark::cases()).await;
    println!("{count} benchmark cases passed on PostgreSQL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_stored_found_refused_twice_and_deleted_on_postgres() {
    let Some(_) = server_or_note() else { return };
    let ada = r#"{"id":1,"name":"Ada Lovelace","email":"ada@example.com"}"#;
    let grace = r#"{"name":"Grace","email":"grace@example.com"}"#;
    #[rustfmt::skip]
    let cases = vec![
        get("/users/1").expect(200, JSON, Exact(ada)),
        request("POST", "/users").json(grace).expect(201, JSON, Exact(r#"{"id":2,"name":"Grace","email":"grace@example.com"}"#)),
        // Unique ignoring ASCII case, as SQLite's NOCASE.
        request("POST", "/users").json(r#"{"name":"G","email":"GRACE@example.com"}"#).expect(409, PROBLEM, Problem("email-taken")),
        get("/users?name=GRA").expect(200, JSON, Exact(r#"[{"id":2,"name":"Grace","email":"grace@example.com"}]"#)),
        get("/users?name=%25").expect(200, JSON, Exact("[]")),
        request("DELETE", "/users/2").expect_empty(204),
        get("/users/2").expect(404, PROBLEM, Problem("resource-not-found")),
        // A deleted id is never handed out again.
        request("POST", "/users").json(grace).expect(201, JSON, Exact(r#"{"id":3,"name":"Grace","email":"grace@example.com"}"#)),
    ];
    run_cases(&cases).await;
}
