//! Shared test helpers: small misbehaving HTTP servers on `127.0.0.1:0`,
//! each running on its own thread and runtime, stopped when dropped.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// A server running on a background thread; stops when dropped.
#[derive(Debug)]
pub struct TestServer {
    pub addr: SocketAddr,
    stop: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts a server that hands every accepted connection to `handle`.
pub fn spawn_server<F, Fut>(handle: F) -> TestServer
where
    F: Fn(TcpStream, Arc<AtomicUsize>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    std_listener.set_nonblocking(true).expect("nonblocking");
    let addr = std_listener.local_addr().expect("local addr");
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("test runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(std_listener).expect("tokio listener");
            let counter = Arc::new(AtomicUsize::new(0));
            let handle = Arc::new(handle);
            loop {
                tokio::select! {
                    () = stopped.cancelled() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let handle = Arc::clone(&handle);
                        let counter = Arc::clone(&counter);
                        tokio::spawn(async move { handle(stream, counter).await });
                    }
                }
            }
        });
        runtime.shutdown_timeout(Duration::from_millis(100));
    });
    TestServer {
        addr,
        stop,
        thread: Some(thread),
    }
}

/// Reads one request head (up to the blank line); `false` at end of stream.
/// Our tests send bodiless GETs, so the head is the whole request.
pub async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            buffer.drain(..end + 4);
            return true;
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

pub const OK_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

/// Answers every request with [`OK_RESPONSE`], keeping the connection open.
pub async fn answer_ok(mut stream: TcpStream) {
    let mut buffer = Vec::new();
    while read_request(&mut stream, &mut buffer).await {
        if stream.write_all(OK_RESPONSE).await.is_err() {
            return;
        }
    }
}
