//! nginx in front of two raw-server instances, live and bounded: the
//! harness's own nginx config and child, two instances each on its own
//! SQLite file. A user created through nginx is found by only one of them,
//! so the reads back through nginx split between `200` and `404`: proof
//! that nginx reached both instances (and of what a per-instance database
//! breaks). Afterwards nginx, its workers and the instances are gone.
//!
//! Without nginx the test skips with a reason; under `CI` (where `.ci/run`
//! installs it) it fails instead.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use bench_harness::child::process::{LaunchSpec, ServerProcess};
use bench_harness::commands::scale::accounting::children_of;
use bench_harness::commands::scale::nginx::{NginxProcess, locate};
use bench_harness::commands::scale::state_check::create_and_read_back;
use bench_harness::servers::ServerKind;
use connection_layer::RuntimeFlavor;
use framework_server::ServeMode;

fn instance(dir: &Path, index: usize) -> ServerProcess {
    let name = format!("raw-{index}");
    ServerProcess::launch(&LaunchSpec {
        name: name.clone(),
        kind: ServerKind::Raw,
        serve_mode: ServeMode::Hyper,
        runtime: RuntimeFlavor::CurrentThread,
        workers: 1,
        cpu: None,
        database: dir.join(format!("{name}.sqlite3")),
        log: dir.join(format!("{name}.log")),
        executable: PathBuf::from(env!("CARGO_BIN_EXE_bench-harness")),
    })
    .unwrap()
}

fn is_running(pid: u32) -> bool {
    // A zombie still has a /proc entry; its state is `Z`.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat[stat.rfind(')')? + 1..]
                .split_whitespace()
                .next()?
                .to_owned();
            Some(state != "Z" && state != "X")
        })
        .unwrap_or(false)
}

#[test]
fn nginx_spreads_requests_over_both_instances_and_everything_stops_afterwards() {
    let Some((nginx, _version)) = locate("nginx") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "nginx is not installed, and CI is set: .ci/run should have installed it"
        );
        eprintln!("skipped: nginx is not installed (apt-get install nginx)");
        return;
    };

    // Arrange: two instances, each on its own SQLite file, nginx in front.
    let dir = tempfile::tempdir().unwrap();
    let instances = [instance(dir.path(), 1), instance(dir.path(), 2)];
    let upstreams: Vec<_> = instances.iter().map(|s| s.addr).collect();
    let front = NginxProcess::start(
        &nginx,
        &upstreams,
        None,
        Path::new(env!("CARGO_BIN_EXE_bench-harness")),
    )
    .unwrap();
    let mut pids: Vec<u32> = instances.iter().map(|s| s.pid).collect();
    pids.extend(front.pids());
    let nginx_dir = front.dir().to_owned();

    // Act: create a user through nginx, read it back eight times.
    let check = create_and_read_back(front.addr, "sqlite", 2, 8).unwrap();
    drop(front);
    drop(instances);

    // Assert: round robin reached both; only one stored the user.
    assert_eq!(check.created_status, 201, "{check:?}");
    assert_eq!(
        (check.found, check.not_found, check.other),
        (4, 4, 0),
        "{check:?}"
    );
    assert!(
        pids.len() >= 4,
        "two instances, nginx's master and a worker: {pids:?}"
    );
    for pid in pids {
        assert!(!is_running(pid), "process {pid} still runs");
        assert!(children_of(pid).is_empty());
    }
    assert!(!nginx_dir.exists(), "nginx's folder was not removed");
}
