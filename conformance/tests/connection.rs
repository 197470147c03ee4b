//! Behaviour below and across single requests: pipelining, persistence,
//! malformed input on the wire, and connections that must stay usable.
//!
//! These use raw sockets where reqwest cannot send what we need (pipelined
//! requests, broken request lines).

use std::time::Duration;

use conformance::{ConnectionOutcome, Kind, Target, client, fetch, raw_exchange};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);

/// raw-server and framework-server on the shared connection layer: the pair
/// whose connection behaviour must be identical.
async fn start_pair() -> (Target, Target) {
    tokio::try_join!(Target::start(Kind::Raw), Target::start(Kind::Framework))
        .expect("servers start")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_pipelined_plaintext_requests_get_sixteen_answers_in_order() {
    let (raw, framework) = start_pair().await;
    let one = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut burst = one.repeat(15);
    // The last one differs, so we can tell the order was kept.
    burst.push_str("GET /json HTTP/1.1\r\nHost: localhost\r\n\r\n");
    for target in [&raw, &framework] {
        let (responses, outcome) = raw_exchange(target.addr, burst.as_bytes(), 16, WAIT)
            .await
            .expect("answers");
        assert_eq!(responses.len(), 16, "{}", target.kind.label());
        for response in &responses[..15] {
            assert_eq!(response.status, 200);
            assert_eq!(response.body, b"Hello, World!");
        }
        assert_eq!(responses[15].body, br#"{"message":"Hello, World!"}"#);
        assert_eq!(
            outcome,
            ConnectionOutcome::Open,
            "keep-alive survives pipelining"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_are_in_the_database_when_the_response_arrives() {
    let (raw, framework) = start_pair().await;
    let client = client();
    for target in [&raw, &framework] {
        let observed = fetch(
            &client,
            "GET",
            &target.url("/updates?queries=20"),
            &[],
            None,
        )
        .await
        .expect("request succeeds");
        let rows: Vec<Value> = serde_json::from_slice(&observed.body).expect("a JSON array");
        assert_eq!(rows.len(), 20);
        // When an id comes up twice, its last update is the one that stays.
        let mut last = std::collections::HashMap::new();
        for row in &rows {
            let id = row["id"]
                .as_i64()
                .and_then(|id| i32::try_from(id).ok())
                .expect("integer id");
            let number = row["randomNumber"].as_i64().expect("integer randomNumber");
            last.insert(id, number);
        }
        for (id, number) in last {
            let stored = target
                .state
                .db()
                .world(id)
                .await
                .expect("read back")
                .expect("row exists");
            assert_eq!(
                i64::from(stored.random_number),
                number,
                "row {id} on {}",
                target.kind.label()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_request_line_gets_400_and_a_closed_connection_on_both() {
    let (raw, framework) = start_pair().await;
    let mut seen = Vec::new();
    for target in [&raw, &framework] {
        let (responses, outcome) = raw_exchange(target.addr, b"THIS IS NOT HTTP\r\n\r\n", 1, WAIT)
            .await
            .expect("an answer");
        assert_eq!(responses.len(), 1, "{}", target.kind.label());
        assert_eq!(responses[0].status, 400);
        assert_eq!(outcome, ConnectionOutcome::Closed);
        seen.push((responses[0].status, outcome));
    }
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_header_gets_431_and_a_closed_connection_on_both() {
    let (raw, framework) = start_pair().await;
    let request = format!(
        "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let mut seen = Vec::new();
    for target in [&raw, &framework] {
        let (responses, outcome) = raw_exchange(target.addr, request.as_bytes(), 1, WAIT)
            .await
            .expect("an answer");
        assert_eq!(responses.len(), 1, "{}", target.kind.label());
        assert_eq!(responses[0].status, 431);
        assert_eq!(outcome, ConnectionOutcome::Closed);
        seen.push((responses[0].status, outcome));
    }
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_headers_get_431_on_both() {
    let (raw, framework) = start_pair().await;
    let mut request = String::from("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n");
    for i in 0..200 {
        request.push_str(&format!("X-H{i}: v\r\n"));
    }
    request.push_str("\r\n");
    for target in [&raw, &framework] {
        let (responses, outcome) = raw_exchange(target.addr, request.as_bytes(), 1, WAIT)
            .await
            .expect("an answer");
        assert_eq!(responses[0].status, 431, "{}", target.kind.label());
        assert_eq!(outcome, ConnectionOutcome::Closed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_stays_usable_after_a_rejected_query() {
    let (raw, framework) = start_pair().await;
    let requests = concat!(
        "GET /queries?queries=1&queries=2 HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /queries?queries=%ZZ HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    for target in [&raw, &framework] {
        let (responses, outcome) = raw_exchange(target.addr, requests.as_bytes(), 4, WAIT)
            .await
            .expect("answers");
        let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [400, 200, 404, 200], "{}", target.kind.label());
        assert_eq!(responses[3].body, b"Hello, World!");
        assert_eq!(outcome, ConnectionOutcome::Open);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_close_is_honoured_on_both() {
    let (raw, framework) = start_pair().await;
    let request = b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    for target in [&raw, &framework] {
        let (responses, outcome) = raw_exchange(target.addr, request, 1, WAIT)
            .await
            .expect("an answer");
        assert_eq!(responses[0].status, 200);
        assert_eq!(
            responses[0]
                .headers
                .iter()
                .find(|(n, _)| n == "connection")
                .map(|(_, v)| v.as_str()),
            Some("close")
        );
        assert_eq!(
            outcome,
            ConnectionOutcome::Closed,
            "{}",
            target.kind.label()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_an_in_flight_request_and_closes_idle_connections() {
    for kind in [Kind::Raw, Kind::Framework, Kind::FrameworkAxumServe] {
        let target = Target::start(kind).await.expect("server starts");
        // An idle keep-alive connection, opened before shutdown.
        let idle = tokio::net::TcpStream::connect(target.addr)
            .await
            .expect("connect");
        // A slow request in flight: it waits 300 ms in its handler.
        let client = client();
        let url = target.url("/delay?ms=300");
        let in_flight = tokio::spawn(async move { fetch(&client, "GET", &url, &[], None).await });
        // Shut down only once the server is really working on it: the
        // request counters (a middleware before the handler) have seen it.
        let counted = async {
            while target.state.stats().snapshot().total == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(WAIT, counted)
            .await
            .expect("the request reaches the server");
        tokio::time::timeout(WAIT, target.stop())
            .await
            .expect("shutdown finishes within the drain deadline")
            .expect("server returns cleanly");
        let answer = in_flight
            .await
            .expect("task")
            .expect("the in-flight request was answered");
        assert_eq!(answer.status, 200, "{}", kind.label());
        // The idle connection was closed by the server: reading gives EOF.
        let mut buf = [0u8; 1];
        idle.readable().await.expect("readable");
        assert_eq!(idle.try_read(&mut buf).unwrap_or(0), 0, "{}", kind.label());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_request_head_is_disconnected() {
    // The slowloris defence: without a header-read timeout, a client that
    // sends a few bytes and stops holds its connection (and a task) forever.
    let settings = connection_layer::ConnectionSettings {
        header_read_timeout: Duration::from_millis(200),
        ..connection_layer::ConnectionSettings::default()
    };
    for kind in [Kind::Raw, Kind::Framework] {
        let target = Target::start_with_settings(
            kind,
            shared_handlers::AppConfig::default(),
            settings.clone(),
        )
        .await
        .expect("server starts");
        let (responses, outcome) = raw_exchange(
            target.addr,
            b"GET /plaintext HTTP/1.1\r\nHost: x\r\n",
            1,
            WAIT,
        )
        .await
        .expect("the server ends the exchange");
        assert!(
            responses.is_empty(),
            "{}: no answer to an unfinished head",
            kind.label()
        );
        assert_eq!(outcome, ConnectionOutcome::Closed, "{}", kind.label());
    }
}
