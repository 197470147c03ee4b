//! The pipelining engine against the real raw-server: exactly one response
//! per request, nothing lost or extra.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use loadgen::request::RequestSpec;
use loadgen::{self as load, LoadConfig};

#[test]
fn every_pipelined_request_to_raw_server_gets_exactly_one_response() {
    // Arrange: the real raw-server, in this process, on an ephemeral port.
    let folder = tempfile::tempdir().unwrap();
    let state = shared_handlers::AppState::open(&folder.path().join("db.sqlite3")).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let server = runtime.spawn(raw_server::run(
        listener,
        state,
        connection_layer::ConnectionSettings::default(),
        stop.clone().cancelled_owned(),
    ));
    let mut config = LoadConfig::new(addr, RequestSpec::get(&addr.to_string(), "/plaintext"));
    config.connections = 4;
    config.pipeline = 16;
    config.requests = Some(1_600);
    config.duration = Duration::from_secs(30);

    // Act
    let report = load::run(&config).unwrap();

    // Assert: 1600 responses of exactly 13 bytes each, nothing lost or extra.
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(report.requests, 1_600);
    assert_eq!(report.status_counts.get(&200), Some(&1_600));
    assert_eq!(report.body_bytes, 1_600 * "Hello, World!".len() as u64);

    stop.cancel();
    runtime.block_on(server).unwrap().unwrap();
}
