//! The simplest possible load: one keep-alive connection, one request at a
//! time, exactly N requests.
//!
//! `cost` divides a difference of counts by a difference of request
//! counts, so the client's only job is to send *exactly* that many requests
//! and to notice when an answer is not a success (a 404 would measure the
//! error path instead of the endpoint). Its own speed does not matter: it
//! runs in the harness, outside the measured process. It reuses the load
//! generator's request bytes ([`RequestSpec::to_wire`]) and response parser
//! ([`ResponseReader`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use loadgen::raw::ResponseReader;
use loadgen::request::RequestSpec;

/// One open connection to a server.
#[derive(Debug)]
pub struct SequentialClient {
    runtime: tokio::runtime::Runtime,
    stream: TcpStream,
    reader: ResponseReader,
    wire: Vec<u8>,
    head_request: bool,
    /// Responses by status code, over the life of the connection.
    pub statuses: BTreeMap<u16, u64>,
}

/// How long one response may take. Under valgrind a `/queries` answer takes
/// tens of milliseconds; a minute means something is wrong.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);

impl SequentialClient {
    /// Connects to `addr`, to send `request` over and over.
    pub fn connect(addr: SocketAddr, request: &RequestSpec) -> anyhow::Result<SequentialClient> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the client runtime")?;
        let stream = runtime
            .block_on(TcpStream::connect(addr))
            .with_context(|| format!("cannot connect to {addr}"))?;
        // One request at a time: Nagle's algorithm would hold back nothing,
        // but a server waiting for a delayed ACK would slow the run down.
        stream.set_nodelay(true).context("cannot set TCP_NODELAY")?;
        Ok(SequentialClient {
            runtime,
            stream,
            reader: ResponseReader::new(),
            wire: request.to_wire(),
            head_request: request.method == http::Method::HEAD,
            statuses: BTreeMap::new(),
        })
    }

    /// Sends `count` requests, each after the previous answer arrived.
    /// Fails on a connection error or a status outside 2xx/3xx.
    pub fn send(&mut self, count: u64) -> anyhow::Result<()> {
        let SequentialClient {
            runtime,
            stream,
            reader,
            wire,
            head_request,
            statuses,
        } = self;
        runtime.block_on(async {
            for sent in 0..count {
                let answered = async {
                    stream.write_all(wire).await.ok()?;
                    reader.next_response(stream, *head_request).await.ok()
                };
                let response = tokio::time::timeout(RESPONSE_TIMEOUT, answered)
                    .await
                    .ok()
                    .flatten()
                    .with_context(|| {
                        format!("no complete response to request {} of {count}", sent + 1)
                    })?;
                *statuses.entry(response.status).or_default() += 1;
                if !(200..400).contains(&response.status) {
                    bail!(
                        "the server answered {} to request {} of {count}; cost figures would measure the error path",
                        response.status,
                        sent + 1
                    );
                }
            }
            Ok(())
        })
    }
}
