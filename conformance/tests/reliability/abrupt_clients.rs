//! Clients that vanish: connections reset (`SO_LINGER` 0, then close) in
//! the middle of a request body or of a response. The server keeps serving
//! and gives every descriptor back.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::{BINARIES, exclusive, get, start_child};

const RESETS: usize = 1_000;

/// Closes `stream` with a reset instead of a FIN: `SO_LINGER` 0 discards
/// what is unsent and tells the peer the connection is gone.
fn reset(stream: TcpStream) {
    let socket = socket2::SockRef::from(&stream);
    // If it cannot be set the close is an ordinary one: still a vanishing client.
    let _ = socket.set_linger(Some(Duration::ZERO));
    drop(stream);
}

/// One abrupt client: `mid_body` resets after half a body, otherwise after
/// the first bytes of a large response.
async fn vanish(addr: SocketAddr, mid_body: bool) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    if mid_body {
        let head = "POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                    Content-Length: 200\r\n\r\n{\"name\":\"half a bo";
        stream.write_all(head.as_bytes()).await?;
    } else {
        // A 1 MiB file: far more than the first read takes, so the server
        // is still writing when the reset arrives.
        stream
            .write_all(b"GET /static/large.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await?;
        let mut first = [0u8; 512];
        let _ = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut first)).await;
    }
    reset(stream);
    Ok(())
}

/// What each of process `pid`'s descriptors points at, for a failure message.
fn descriptor_targets(pid: u32) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    let mut targets: Vec<String> = entries
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .map(|target| target.display().to_string())
        .collect();
    targets.sort();
    targets
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_resets_mid_body_and_mid_response_leave_the_server_serving_with_its_descriptors_back()
 {
    let _machine = exclusive().await;
    for (label, binary) in BINARIES {
        let static_dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(static_dir.path().join("large.bin"), vec![b'x'; 1 << 20]).expect("file");
        let dir = static_dir.path().to_str().expect("a UTF-8 temp path");
        let mut server = start_child(binary, &["--static-dir", dir], None);
        let addr = server.addr;
        // Warm up with the same kinds of work: the database pool, the
        // runtime's own descriptors and the blocking pool are set up by
        // now, so the baseline is the steady state.
        for target in ["/plaintext", "/db", "/static/large.bin"] {
            assert_eq!(get(addr, target).await.expect("warm-up").status, 200);
        }
        let baseline = server.open_descriptors().expect("/proc entry");
        let before = descriptor_targets(server.pid());
        let started = Instant::now();
        let parallel = Arc::new(Semaphore::new(100));
        let mut clients = JoinSet::new();
        for index in 0..RESETS {
            let parallel = Arc::clone(&parallel);
            clients.spawn(async move {
                let _turn = parallel.acquire_owned().await.expect("never closed");
                vanish(addr, index % 2 == 0).await
            });
        }
        let mut failed = 0;
        while let Some(done) = clients.join_next().await {
            if done.expect("client task").is_err() {
                failed += 1;
            }
        }
        let answer = get(addr, "/plaintext").await.expect("still serving");
        assert_eq!(answer.status, 200, "{label}");
        let back = crate::eventually(Duration::from_secs(15), || {
            server.open_descriptors().is_ok_and(|open| open <= baseline)
        })
        .await;
        let open = server.open_descriptors().expect("/proc entry");
        eprintln!(
            "{label}: {RESETS} resets ({failed} could not even connect) in {:?}; descriptors: \
             {baseline} before, {open} after",
            started.elapsed()
        );
        assert!(
            back,
            "{label}: {open} descriptors open, {baseline} before the resets; before: {before:?}, \
             after: {:?}",
            descriptor_targets(server.pid())
        );
        assert!(server.is_running(), "{label}");
    }
}
