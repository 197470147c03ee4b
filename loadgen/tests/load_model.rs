//! The load generator's models against small local servers: open-loop
//! latency corrected for coordinated omission, and errors classified by
//! what went wrong (refused port, reset, garbage).
//!
//! No timing assertions: every bound checked here is one the physics of
//! the test enforces (a stalled response cannot arrive before the stall
//! ends), so a slow machine cannot make these tests fail.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use loadgen::request::RequestSpec;
use loadgen::{self as load, Engine, LoadConfig, LoadReport};
use tokio::io::AsyncWriteExt;

use support::{OK_RESPONSE, read_request, spawn_server};

/// Both client engines must measure and classify alike.
const ENGINES: [Engine; 2] = [Engine::Raw, Engine::Hyper];

/// The request that stalls, and for how long.
const STALLED_REQUEST: usize = 10;
const STALL: Duration = Duration::from_millis(300);

fn config_for(addr: std::net::SocketAddr) -> LoadConfig {
    let mut config = LoadConfig::new(addr, RequestSpec::get(&addr.to_string(), "/"));
    config.connections = 1;
    config.threads = 1;
    config.timeout = Duration::from_secs(5);
    config.duration = Duration::from_secs(20);
    config
}

fn count_at_least(
    report_spectrum: &[loadgen::latency::Percentile],
    total: u64,
    micros: u64,
) -> u64 {
    // Requests with latency >= `micros`, from the percentile spectrum:
    // (100 - highest percentile whose value is below `micros`) % of total.
    let below = report_spectrum
        .iter()
        .filter(|point| point.value_us < micros)
        .map(|point| point.percentile)
        .fold(0.0, f64::max);
    ((100.0 - below) / 100.0 * total as f64).round() as u64
}

#[test]
fn open_loop_latency_from_intended_send_time_includes_the_stall() {
    for engine in ENGINES {
        open_loop_with_a_stall(engine);
    }
}

fn open_loop_with_a_stall(engine: Engine) {
    // Arrange: a server that answers at once, except request 10, which it
    // holds for 300 ms. One connection, 100 req/s: while request 10 waits,
    // about 30 more requests fall due and cannot be sent.
    let server = spawn_server(|mut stream, counter| async move {
        let mut buffer = Vec::new();
        while read_request(&mut stream, &mut buffer).await {
            if counter.fetch_add(1, Ordering::SeqCst) + 1 == STALLED_REQUEST {
                tokio::time::sleep(STALL).await;
            }
            if stream.write_all(OK_RESPONSE).await.is_err() {
                return;
            }
        }
    });
    let mut config = config_for(server.addr);
    config.engine = engine;
    config.rate = Some(100.0);
    config.requests = Some(60);

    // Act
    let report: LoadReport = load::run(&config).unwrap();

    // Assert
    assert_eq!(report.requests, 60);
    assert_eq!(report.load_model, "open loop");
    let corrected = report.corrected_latency.as_ref().unwrap();
    assert_eq!(report.send_lag.as_ref().unwrap().count, 60);
    let service = &report.latency;
    let stall_us = STALL.as_micros() as u64;
    // The stalled request itself took the whole stall on either clock.
    assert!(service.max_us >= stall_us, "service max {}", service.max_us);
    assert!(
        corrected.max_us >= stall_us,
        "corrected max {}",
        corrected.max_us
    );
    // Requests due during the first 200 ms of the stall were sent at least
    // 100 ms late: the corrected latency counts that wait, about 20 of them.
    let late_corrected = count_at_least(&corrected.spectrum, report.requests, 100_000);
    let late_service = count_at_least(&service.spectrum, report.requests, 100_000);
    assert!(
        late_corrected >= 15,
        "only {late_corrected} corrected latencies >= 100 ms"
    );
    // Service time hides that wait: only the stalled request itself (and
    // whatever the machine adds) is that slow when measured from the send.
    assert!(
        late_service < late_corrected,
        "service {late_service} vs corrected {late_corrected}"
    );
}

#[test]
fn closed_loop_reports_no_corrected_latency() {
    let server = spawn_server(|stream, _| support::answer_ok(stream));
    for engine in ENGINES {
        let mut config = config_for(server.addr);
        config.engine = engine;
        config.requests = Some(50);

        let report = load::run(&config).unwrap();

        assert_eq!(report.requests, 50);
        assert_eq!(report.load_model, "closed loop");
        assert!(report.corrected_latency.is_none());
        assert!(report.send_lag.is_none());
        assert_eq!(report.status_counts.get(&200), Some(&50));
        assert_eq!(report.body_bytes, 100);
    }
}

#[test]
fn a_refused_port_counts_connect_errors_and_no_responses() {
    // Arrange: a port that was free a moment ago and has no listener now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for engine in ENGINES {
        let mut config = config_for(port);
        config.engine = engine;
        config.requests = Some(5);

        let report = load::run(&config).unwrap();

        assert_eq!(report.requests, 0, "{engine:?}");
        assert_eq!(report.errors.connect, 5, "{engine:?}");
        assert_eq!(report.errors.total(), 5, "{engine:?}");
    }
}

#[test]
fn a_server_that_resets_the_connection_counts_reset_errors() {
    // The server reads the request, then closes with SO_LINGER 0, which
    // makes the kernel send RST instead of a clean FIN.
    let server = spawn_server(|mut stream, _| async move {
        let mut buffer = Vec::new();
        if read_request(&mut stream, &mut buffer).await {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    });
    for engine in ENGINES {
        let mut config = config_for(server.addr);
        config.engine = engine;
        config.requests = Some(5);

        let report = load::run(&config).unwrap();

        assert_eq!(report.requests, 0, "{engine:?}");
        assert_eq!(report.errors.reset, 5, "{engine:?}: {:?}", report.errors);
    }
}

#[test]
fn a_server_that_sends_garbage_counts_malformed_responses() {
    let server = spawn_server(|mut stream, _| async move {
        let mut buffer = Vec::new();
        while read_request(&mut stream, &mut buffer).await {
            if stream
                .write_all(b"HELLO THIS IS NOT HTTP\r\n\r\n")
                .await
                .is_err()
            {
                return;
            }
        }
    });
    for engine in ENGINES {
        let mut config = config_for(server.addr);
        config.engine = engine;
        config.requests = Some(5);

        let report = load::run(&config).unwrap();
        assert_eq!(
            report.errors.malformed, 5,
            "{engine:?}: {:?}",
            report.errors
        );
    }

    // Pipelined batches: every request of a garbled batch is an error.
    let mut config = config_for(server.addr);
    config.pipeline = 4;
    config.requests = Some(8);
    let report = load::run(&config).unwrap();
    assert_eq!(report.requests, 0);
    assert!(report.errors.malformed >= 1, "{:?}", report.errors);
    assert_eq!(report.errors.total(), 8, "{:?}", report.errors);
}

#[test]
fn warmup_requests_are_sent_but_not_counted() {
    let server = spawn_server(|stream, _| support::answer_ok(stream));
    let mut config = config_for(server.addr);
    config.warmup = Duration::from_millis(200);
    config.requests = Some(20);

    let report = load::run(&config).unwrap();

    assert_eq!(report.requests, 20);
    assert!((report.warmup_s - 0.2).abs() < 1e-9);
}
