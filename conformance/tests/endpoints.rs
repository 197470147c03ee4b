//! The benchmark endpoints' conformance: every case of
//! [`conformance::groups::benchmark`] is sent to every server, the servers
//! must agree, and each answer must match the case's expectation.

use conformance::cases::run_cases;
use conformance::groups::benchmark;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_benchmark_case_gets_the_same_correct_answer_from_every_server() {
    let count = run_cases(&benchmark::cases()).await;
    println!("{count} benchmark-endpoint cases passed on every server");
}
