//! `--middleware none|full|up-to=STEP`: with any prefix of the chain, both
//! servers still answer the benchmark endpoints alike and right, and a step
//! that is left out is really gone on both sides.

use conformance::cases::{Body::*, JSON, PROBLEM, get, run_cases_with};
use conformance::groups::benchmark;
use shared_handlers::AppConfig;
use shared_handlers::chain::{Chain, Step};
use shared_handlers::config::default_static_dir;

fn under(chain: Chain) -> AppConfig {
    AppConfig {
        middleware: chain,
        ..AppConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_prefix_of_the_chain_serves_the_benchmark_endpoints_alike_on_both_servers() {
    let cases = benchmark::cases();
    for chain in Chain::prefixes() {
        println!("--middleware {chain}");
        run_cases_with(under(chain), &cases).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_admin_token_step_admin_answers_without_a_token() {
    // Counters run (they are step 8), the token check (9) does not.
    let open = [get("/admin/stats").expect(
        200,
        JSON,
        Check {
            check: |body| {
                let stats = conformance::cases::parse_json(body)?;
                stats
                    .as_object()
                    .map(|_| ())
                    .ok_or("not a JSON object".into())
            },
            random: true,
        },
    )];
    run_cases_with(under(Chain::up_to(Step::Counters)), &open).await;

    let closed = [get("/admin/stats").expect(401, PROBLEM, Problem("unauthorized"))];
    run_cases_with(under(Chain::FULL), &closed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_compression_step_nothing_is_gzipped_or_varies() {
    let css = std::fs::read(default_static_dir().join("style.css")).expect("the static folder");
    let compressed_when_full = get("/static/style.css").header("accept-encoding", "gzip");
    let plain = [compressed_when_full
        .expect(200, "text/css", Bytes(css))
        .without("content-encoding")
        .without("vary")];
    run_cases_with(under(Chain::up_to(Step::BodyLimit)), &plain).await;
}
