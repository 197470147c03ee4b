//! One value holding every connection-level setting both servers use.
//!
//! These are the knobs that change benchmark results without having anything
//! to do with the framework: if one server had `TCP_NODELAY` and the other
//! not, we would be measuring Nagle's algorithm, not axum. So both servers
//! build their hyper connections from the same [`ConnectionSettings`].

use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioTimer;

/// Connection-level settings shared by both servers.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// How long a client may take to send a complete request head. Without
    /// it, a client that opens a connection and sends one byte a minute holds
    /// a socket forever (the "slowloris" attack). hyper needs a timer to
    /// enforce it, hence [`TokioTimer`].
    pub header_read_timeout: Duration,
    /// Keep connections open between requests (HTTP/1.1's default). Every
    /// benchmark runs over keep-alive connections.
    pub keep_alive: bool,
    /// Disable Nagle's algorithm, so small responses leave at once instead of
    /// waiting up to 40 ms to be batched with more bytes.
    pub tcp_nodelay: bool,
    /// The most header fields one request may carry; more gets `431`.
    pub max_headers: usize,
    /// The read buffer's limit, which bounds the size of a request head;
    /// a larger head gets `431 Request Header Fields Too Large`.
    pub max_buf_size: usize,
    /// When several pipelined requests arrive in one read, answer them all
    /// and flush once, instead of one write per response. Off by default:
    /// with hyper 1.12, turning it on also stops hyper from flushing its
    /// automatic `400`/`431` answer to a malformed request head, so the client
    /// sees the connection close with no explanation (the conformance test
    /// `a_malformed_request_line_gets_400_and_a_closed_connection_on_both`
    /// fails with it on). Pipelined requests are answered correctly either way.
    pub pipeline_flush: bool,
    /// After a shutdown signal, how long in-flight requests get to finish
    /// before the remaining connections are closed anyway.
    pub drain_timeout: Duration,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        ConnectionSettings {
            header_read_timeout: Duration::from_secs(10),
            keep_alive: true,
            tcp_nodelay: true,
            max_headers: 100,
            // hyper's minimum is 8 KiB; 16 KiB is generous for a request head.
            max_buf_size: 16 * 1024,
            pipeline_flush: false,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

impl ConnectionSettings {
    /// A hyper HTTP/1 connection builder configured with these settings.
    pub fn http1_builder(&self) -> http1::Builder {
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout)
            .keep_alive(self.keep_alive)
            .max_headers(self.max_headers)
            .max_buf_size(self.max_buf_size)
            .pipeline_flush(self.pipeline_flush);
        builder
    }
}
