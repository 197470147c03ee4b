//! The throwaway PostgreSQL cluster the harness starts itself: it answers
//! queries on its loopback port with the benchmark's settings, runs where
//! it was pinned, and leaves nothing behind once dropped.
//!
//! Without PostgreSQL's binaries the test is skipped (it says why), unless
//! `CI` is set: there it must run, and `.ci/run` installs PostgreSQL first.

use bench_harness::child::postgres::{PostgresCluster, find_binaries, port_is_open};
use bench_harness::host::pinning::allowed_cpus;

fn postgres_can_run() -> bool {
    if find_binaries().is_some() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        // Under CI it must run: `start` installs it (as root) or says why not.
        return true;
    }
    eprintln!("skipped: PostgreSQL's initdb/pg_ctl are not installed (and CI is not set)");
    false
}

/// Runs one query on the cluster and returns the first column of its row.
fn query_one(url: &str, sql: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("the cluster accepts a connection");
        let driver = tokio::spawn(connection);
        let row = client.query_one(sql, &[]).await.expect("the query runs");
        let value: String = row.get(0);
        drop(client);
        let _ = driver.await;
        value
    })
}

#[test]
fn a_started_cluster_answers_on_loopback_and_is_gone_with_its_folder_after_drop() {
    if !postgres_can_run() {
        return;
    }
    // Arrange: the last CPU we may use, as `compare` pins it away from the server.
    let cpu = *allowed_cpus().last().expect("at least one CPU");

    // Act
    let cluster = PostgresCluster::start(Some(&[cpu])).expect("the cluster starts");
    let (port, folder, pid) = (
        cluster.port(),
        cluster.folder().to_path_buf(),
        cluster.pid(),
    );
    let fsync = query_one(cluster.url(), "SHOW fsync");
    let connections = query_one(cluster.url(), "SHOW max_connections");
    let description = cluster.describe();
    let pinned = cluster.pinned_cpus().map(<[usize]>::to_vec);
    drop(cluster);

    // Assert
    assert_eq!(fsync, "off");
    assert!(connections.parse::<u32>().expect("a number") >= 500);
    assert!(pid > 0);
    assert!(description.starts_with("PostgreSQL 1"), "{description}");
    assert_eq!(pinned, Some(vec![cpu]), "{description}");
    assert!(
        description.ends_with(&format!("CPU {cpu}")),
        "{description}"
    );
    assert!(!port_is_open(port), "port {port} still answers after drop");
    assert!(!folder.exists(), "{} still exists", folder.display());
}

#[test]
fn two_clusters_run_side_by_side_on_different_ports() {
    if !postgres_can_run() {
        return;
    }
    let first = PostgresCluster::start(None).expect("the first cluster starts");
    let second = PostgresCluster::start(None).expect("the second cluster starts");

    assert_ne!(first.port(), second.port());
    assert_ne!(first.folder(), second.folder());
    assert_eq!(
        query_one(second.url(), "SELECT current_user::text"),
        "postgres"
    );
    assert!(
        first.describe().ends_with("not pinned"),
        "{}",
        first.describe()
    );
}
