//! The database layer's own tests: seeding, persistence, users, and
//! writes that wait for the lock instead of failing.

use super::*;
use crate::error::Error;

fn open_temp() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(&dir.path().join("test.sqlite3"), 2).expect("open database");
    (dir, db)
}

#[test]
fn first_open_seeds_ten_thousand_worlds_in_range() {
    let (_dir, db) = open_temp();
    let worlds = db.all_worlds_blocking().expect("read worlds");
    assert_eq!(worlds.len(), 10_000);
    assert_eq!(worlds.first().map(|w| w.id), Some(1));
    assert_eq!(worlds.last().map(|w| w.id), Some(10_000));
    assert!(
        worlds
            .iter()
            .all(|w| (1..=10_000).contains(&w.random_number))
    );
}

#[test]
fn reopening_keeps_the_existing_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("again.sqlite3");
    let before = Database::open(&path, 1)
        .expect("open")
        .all_worlds_blocking()
        .expect("read");
    let after = Database::open(&path, 1)
        .expect("reopen")
        .all_worlds_blocking()
        .expect("read");
    assert_eq!(before, after);
}

#[tokio::test]
async fn updates_are_persisted_before_they_are_returned() {
    let (_dir, db) = open_temp();
    let updated = db.update_worlds(vec![5, 6, 7]).await.expect("update");
    for world in updated {
        assert_eq!(db.world(world.id).await.expect("read"), Some(world));
    }
}

fn new_user(name: &str, email: &str) -> NewUser {
    NewUser::parse(crate::model::user::UserBody {
        name: Some(name.into()),
        email: Some(email.into()),
    })
    .expect("valid test user")
}

#[tokio::test]
async fn a_fresh_database_holds_the_demo_user_and_hands_out_new_ids() {
    let (_dir, db) = open_temp();
    let ada = db.user(1).await.expect("read").expect("demo user");
    assert_eq!(ada.email, "ada@example.com");
    let grace = db
        .insert_user(new_user("Grace", "grace@example.com"))
        .await
        .expect("insert");
    assert_eq!(grace.id, 2);
}

#[tokio::test]
async fn emails_are_unique_ignoring_ascii_case() {
    let (_dir, db) = open_temp();
    let error = db
        .insert_user(new_user("Imposter", "ADA@example.com"))
        .await
        .expect_err("duplicate");
    assert!(matches!(error, Error::EmailTaken { .. }), "{error:?}");
}

#[tokio::test]
async fn name_filter_is_a_case_insensitive_substring_with_no_wildcards() {
    let (_dir, db) = open_temp();
    db.insert_user(new_user("50% Off", "sale@example.com"))
        .await
        .expect("insert");
    let find = |name: &str| UserListQuery {
        limit: 100,
        offset: 0,
        name: Some(name.to_owned()),
    };
    let names = |users: Vec<User>| users.into_iter().map(|u| u.name).collect::<Vec<_>>();
    assert_eq!(
        names(db.users(find("LOVE")).await.expect("list")),
        ["Ada Lovelace"]
    );
    assert_eq!(names(db.users(find("%")).await.expect("list")), ["50% Off"]);
    assert_eq!(
        names(db.users(find("_")).await.expect("list")),
        Vec::<String>::new()
    );
}

#[test]
fn reopening_does_not_bring_a_deleted_demo_user_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("users.sqlite3");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let db = Database::open(&path, 1).expect("open");
    assert!(runtime.block_on(db.delete_user(1)).expect("delete"));
    drop(db);
    let db = Database::open(&path, 1).expect("reopen");
    assert_eq!(runtime.block_on(db.user(1)).expect("read"), None);
}

#[tokio::test]
async fn fortunes_table_holds_the_twelve_rules_rows() {
    let (_dir, db) = open_temp();
    let fortunes = db.fortunes().await.expect("fortunes");
    assert_eq!(fortunes.len(), 12);
    assert!(
        fortunes
            .iter()
            .any(|f| f.id == 12 && f.message == "フレームワークのベンチマーク")
    );
}

#[test]
fn a_new_database_file_and_its_new_folder_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("private").join("db.sqlite3");
    let _db = Database::open(&path, 1).expect("open");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(dir.path().join("private").as_path()), 0o700);
    assert_eq!(mode(&path), 0o600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_writes_all_succeed_and_all_persist() {
    let (_dir, db) = open_temp();
    let tasks: Vec<_> = (0..32)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let worlds = db.update_worlds(vec![n + 1, n + 100]).await?;
                let user = db
                    .insert_user(new_user("Writer", &format!("writer{n}@example.com")))
                    .await?;
                Ok::<_, Error>((worlds, user))
            })
        })
        .collect();
    for task in tasks {
        let (worlds, user) = task.await.expect("task runs").expect("write succeeds");
        for world in worlds {
            assert_eq!(db.world(world.id).await.expect("read"), Some(world));
        }
        assert_eq!(db.user(user.id).await.expect("read"), Some(user));
    }
}

#[tokio::test]
async fn a_read_only_database_serves_reads_and_refuses_writes_with_503() {
    let (_dir, db) = open_temp();
    let switch = db.clone();
    tokio::task::spawn_blocking(move || switch.reopen(Access::ReadOnly))
        .await
        .expect("task runs")
        .expect("reopens read-only");
    assert!(db.world(1).await.expect("reads work").is_some());
    let error = db.update_worlds(vec![1]).await.expect_err("write refused");
    assert_eq!(error.status(), 503, "{error:?}");
    assert!(error.to_string().contains("read-only"), "{error}");
}

#[tokio::test]
async fn a_removed_database_file_answers_503_missing_and_is_not_recreated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gone.sqlite3");
    let db = Database::open(&path, 2).expect("open");
    std::fs::remove_file(&path).expect("remove");
    for error in [
        db.world(1).await.expect_err("read fails"),
        db.insert_user(new_user("Late", "late@example.com"))
            .await
            .expect_err("write fails"),
    ] {
        assert_eq!(error.status(), 503, "{error:?}");
        assert!(error.to_string().contains("database is missing"), "{error}");
        assert!(!error.to_string().contains("gone.sqlite3"), "{error}");
    }
    assert!(!path.exists(), "the file was created again");
}

#[test]
fn a_postgres_url_names_a_server_and_anything_else_a_file() {
    for url in ["postgres://u@h:5432/db", "postgresql://u@h/db"] {
        assert_eq!(Location::parse(url), Location::Postgres(url.to_owned()));
    }
    for path in ["frameworth.sqlite3", "/tmp/postgres/x.db", "postgres:/x"] {
        assert_eq!(Location::parse(path), Location::File(path.into()));
    }
}

/// A call's future is as large as the larger backend's; PostgreSQL's are
/// boxed (see `on_backend_await!`) so that a SQLite call, and every request
/// future that may make one, does not carry their 2 KB and copy it at each
/// move. Unboxed, these were about 2,000 bytes each (a debug build); boxed,
/// under 130.
#[test]
fn a_database_call_does_not_carry_the_other_backends_future() {
    let (_dir, db) = open_temp();
    let sizes = [
        ("world", std::mem::size_of_val(&db.world(1))),
        ("worlds", std::mem::size_of_val(&db.worlds(vec![1]))),
        ("fortunes", std::mem::size_of_val(&db.fortunes())),
        ("user", std::mem::size_of_val(&db.user(1))),
    ];
    for (call, size) in sizes {
        assert!(size <= 1024, "{call}'s future is {size} bytes");
    }
}
