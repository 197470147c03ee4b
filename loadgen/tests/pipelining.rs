//! HTTP/1.1 pipelining: responses are parsed back in the order the requests
//! were written, across arbitrary read boundaries, and a chunked response
//! is refused by the engine that only frames by `Content-Length`.

#![allow(clippy::unwrap_used)]

use loadgen::raw::{ResponseReader, parse_response};
use loadgen::recorder::ErrorKind;
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
