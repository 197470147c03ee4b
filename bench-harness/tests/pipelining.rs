//! HTTP/1.1 pipelining: responses are parsed back in the order the requests
//! were written, across arbitrary read boundaries, and the pipelining engine
//! gets exactly one response per request from the real raw-server.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use bench_harness::load::raw::{ResponseReader, parse_response};
use bench_harness::load::recorder::ErrorKind;
use bench_harness::load::{self, LoadConfig};
use bench_harness::request::RequestSpec;
use tokio::io::AsyncWriteExt;

/// Three responses back to back, told apart by status and body length.
const THREE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirstHTTP/1.1 404 Not Found\r\nContent-Length: 6\r\nx-extra: 1\r\n\r\nsecondHTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n";

#[tokio::test]
async fn pipelined_responses_come_out_in_order_whatever_the_read_boundaries() {
    // Arrange: a pipe that delivers at most 7 bytes per read, so heads and
    // bodies are split at awkward places.
    let (mut client, mut server) = tokio::io::duplex(7);
    let writer = tokio::spawn(async move {
        server.write_all(THREE).await.unwrap();
    });
    let mut reader = ResponseReader::new();

    // Act
    let mut seen = Vec::new();
    for _ in 0..3 {
        let response = reader.next_response(&mut client, false).await.unwrap();
        seen.push((response.status, response.body_len));
    }

    // Assert
    assert_eq!(seen, vec![(200, 5), (404, 6), (500, 0)]);
    writer.await.unwrap();
}

#[test]
fn an_incomplete_response_asks_for_more_bytes() {
    assert_eq!(parse_response(&THREE[..20], false), Ok(None));
    // Head complete, body not yet.
    assert_eq!(parse_response(&THREE[..40], false), Ok(None));
    let first = parse_response(THREE, false).unwrap().unwrap();
    assert_eq!((first.status, first.body_len), (200, 5));
}

#[test]
fn a_chunked_response_is_reported_as_malformed_in_pipelined_mode() {
    let chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    assert_eq!(parse_response(chunked, false), Err(ErrorKind::Malformed));
}

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
