//! The Node guests (`guests/node/`: node-http, express, express4, fastify)
//! on the portable benchmark cases: each guest's answer must agree with
//! raw-server's and be right, with only the deviations that
//! `conformance::guests::DEVIATIONS` lists. Without Node the test says why
//! and skips, except under CI, where `.ci/run` installs Node and a skip
//! would hide a missing install step.

use conformance::groups::benchmark;
use conformance::guests::{self, GUEST_PATHS, NODE_GUESTS};

#[test]
fn the_portable_subset_keeps_every_case_of_the_guest_endpoints_and_every_404() {
    let all = benchmark::cases();
    let portable = guests::portable(all.clone());
    let kept = |case: &conformance::cases::Case| {
        let path = case.target.split('?').next().unwrap_or_default();
        GUEST_PATHS.contains(&path) || case.status == 404
    };
    assert_eq!(portable.len(), all.iter().filter(|c| kept(c)).count());
    assert!(portable.iter().any(|c| c.status == 404));
    assert!(portable.iter().any(|c| c.status == 405));
    assert!(portable.iter().all(|c| !c.target.starts_with("/updates")));
    assert!(
        portable
            .iter()
            .all(|c| !c.target.starts_with("/cached-queries"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_node_guest_answers_the_portable_benchmark_cases_as_raw_server_does() {
    match guests::node_ready() {
        Ok(version) => println!("node {version}"),
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped, Node guests cannot run here: {why}");
            return;
        }
        Err(why) => panic!("under CI the Node guests must run: {why}"),
    }
    let cases = guests::portable(benchmark::cases());
    let count = guests::run_guest_cases(&NODE_GUESTS, &cases).await;
    assert_eq!(count, cases.len());
}
