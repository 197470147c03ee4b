//! The floor under raw-server: `/plaintext` and `/json` on hyper with nothing
//! else, written the way the TechEmpower benchmarks' hyper entry is — one
//! current-thread runtime, `http1::Builder`, `service_fn`, a `match` on the
//! path, and the `Date` header hyper caches and adds by itself.
//!
//! ```text
//! cargo run --release -p raw-server --example minimal_hyper -- --addr 127.0.0.1:3002
//! ```
//!
//! raw-server is the baseline every figure in this project is measured
//! against, so it must not be slow for reasons of its own. This server is
//! what "as fast as hyper gets" means for the two endpoints it has: compare
//! it with `raw-server --middleware none --runtime current-thread`, pinned
//! the same way. It answers the same bytes as the real servers (`Server`,
//! `Content-Type`, `Content-Length`), and, so that a harness can run it like
//! them, prints `listening on http://IP:PORT` and stops on SIGTERM or
//! Ctrl-C. It has no keep-alive limits, no timeouts, no graceful drain: the
//! missing pieces are the point.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, SERVER};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

// ANCHOR: minimal_answer
/// The route table: a `match`, and nothing behind it.
async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, content_type, body) = match request.uri().path() {
        "/plaintext" => (
            StatusCode::OK,
            "text/plain; charset=utf-8",
            "Hello, World!".into(),
        ),
        "/json" => {
            // Built and serialised on every request, as the rules ask.
            let json = serde_json::to_vec(&Message {
                message: "Hello, World!",
            })
            .expect("a struct of one string serialises");
            (StatusCode::OK, "application/json", Bytes::from(json))
        }
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            Bytes::new(),
        ),
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(SERVER, HeaderValue::from_static("frameworth"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}
// ANCHOR_END: minimal_answer

/// `--addr IP:PORT`, the one flag (default `127.0.0.1:3002`).
fn address() -> anyhow::Result<SocketAddr> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(SocketAddr::from(([127, 0, 0, 1], 3002))),
        (Some("--addr"), Some(addr)) => Ok(addr.parse()?),
        _ => anyhow::bail!("usage: minimal_hyper [--addr IP:PORT]"),
    }
}

// ANCHOR: minimal_main
fn main() -> anyhow::Result<()> {
    let addr = address()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr).await?;
        let mut terminate = signal(SignalKind::terminate())?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = tokio::select! {
                accepted = listener.accept() => accepted?,
                _ = terminate.recv() => return Ok(()),
                _ = tokio::signal::ctrl_c() => return Ok(()),
            };
            // The same socket option the real servers set.
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                // Flushing once per batch of pipelined answers, as the
                // TechEmpower entry does. raw-server keeps it off (see
                // `ConnectionSettings::pipeline_flush`); without pipelining
                // there is one answer per batch. It also makes hyper write
                // each answer as one buffer, which the real servers ask for
                // with `writev(false)`.
                let connection = http1::Builder::new()
                    .pipeline_flush(true)
                    .serve_connection(TokioIo::new(stream), service_fn(answer));
                // A client that goes away mid-request is not our error.
                let _ = connection.await;
            });
        }
    })
}
// ANCHOR_END: minimal_main
