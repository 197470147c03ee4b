//! One value holding every connection-level setting both servers use.
//!
//! These are the knobs that change benchmark results without having anything
//! to do with the framework: if one server had `TCP_NODELAY` and the other
//! not, we would be measuring Nagle's algorithm, not axum. So both servers
//! build their hyper connections from the same [`ConnectionSettings`].

use std::time::Duration;

use hyper::server::conn::http1;

use crate::head_timer::HeadTimer;

/// Connection-level settings shared by both servers.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// How long a client may take to send a complete request head. Without
    /// it, a client that opens a connection and sends one byte a minute holds
    /// a socket forever (the "slowloris" attack). hyper needs a timer to
    /// enforce it: a [`HeadTimer`] per connection.
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
    /// before the remaining connections are closed anyway. It bounds the
    /// whole exit: blocking work still running at the deadline (a database
    /// query on tokio's blocking pool) is abandoned, not waited for.
    pub drain_timeout: Duration,
    /// How long one write to the socket may stay pending. A client that
    /// stops reading fills its receive buffer and then ours; without this,
    /// hyper would wait for it forever, holding the connection, its
    /// descriptor and the unsent response. Past it the connection is closed.
    /// See [`crate::deadline`].
    pub write_timeout: Duration,
    /// The most connections served at once. Past it the accept loop stops
    /// accepting until one closes, so newcomers wait in the kernel's listen
    /// backlog instead of costing a descriptor the server may need for a
    /// file or the database. The default is derived from the process's
    /// descriptor limit by [`default_max_connections`].
    pub max_connections: usize,
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
            write_timeout: Duration::from_secs(10),
            max_connections: default_max_connections(),
        }
    }
}

// ANCHOR: default_max_connections
/// The connection cap when none is configured: the soft `RLIMIT_NOFILE`
/// minus a reserve of a quarter of it (at least 32, at most 1,024
/// descriptors) for what requests themselves open: static files, database
/// connections and their journals, the listener, stdio.
///
/// With the common limit of 1,024 that is 768 connections; with 256 it is
/// 192; with 65,536 it is 64,512. Each connection costs one descriptor, so
/// at the cap the server still has the reserve to answer the requests it
/// has accepted.
pub fn default_max_connections() -> usize {
    use nix::sys::resource::{Resource, getrlimit};
    // Without a readable limit, assume the usual default of 1,024.
    let soft = getrlimit(Resource::RLIMIT_NOFILE).map_or(1024, |(soft, _hard)| soft);
    max_connections_for(usize::try_from(soft).unwrap_or(usize::MAX))
}

/// The cap for a descriptor limit of `descriptors`: see
/// [`default_max_connections`]. Never zero, so a server always accepts.
fn max_connections_for(descriptors: usize) -> usize {
    let reserve = (descriptors / 4).clamp(32, 1024);
    descriptors.saturating_sub(reserve).max(1)
}
// ANCHOR_END: default_max_connections

impl ConnectionSettings {
    /// A hyper HTTP/1 connection builder configured with these settings,
    /// for one connection (its header-read timer is that connection's own).
    pub fn http1_builder(&self) -> http1::Builder {
        let mut builder = http1::Builder::new();
        builder
            .timer(HeadTimer::default())
            .header_read_timeout(self.header_read_timeout)
            .keep_alive(self.keep_alive)
            .max_headers(self.max_headers)
            .max_buf_size(self.max_buf_size)
            .pipeline_flush(self.pipeline_flush)
            // hyper writes each answer either as one buffer (its head and
            // body copied together) or as a list of buffers (`writev`),
            // and picks the list for a socket. Our answers are small: one
            // copy of a few hundred bytes costs less than building the
            // list, about 340 instructions a request (`/plaintext`, under
            // callgrind). Large bodies are copied too, 16 KiB at most at a
            // time (`max_buf_size`), beside the kernel's own copy of them.
            .writev(false);
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_keeps_a_quarter_of_the_descriptors_within_32_and_1024() {
        let caps: Vec<usize> = [20, 256, 1024, 20_000, 65_536, 1 << 20]
            .into_iter()
            .map(max_connections_for)
            .collect();
        assert_eq!(caps, [1, 192, 768, 18_976, 64_512, 1_047_552]);
    }
}
