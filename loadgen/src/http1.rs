//! The `hyper` engine (`--engine hyper`): one hyper HTTP/1.1 client connection per task.
//!
//! hyper's low-level client (`hyper::client::conn::http1`) gives us a
//! `SendRequest` handle and a `Connection` future that does the actual I/O.
//! We spawn the connection future next to the request loop on the same
//! current-thread runtime, so a request never crosses threads: writing,
//! reading and recording all happen on the core the thread is pinned to.
//!
//! Keep-alive is HTTP/1.1's default; we reconnect only after an error.

use std::rc::Rc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::connection::{ThreadContext, Watchdog};
use crate::recorder::{ErrorKind, RECONNECT_PAUSE, classify_hyper, classify_io};
use crate::request::UniqueToken;

/// Runs one connection's request loop until the run's limits stop it.
pub(crate) async fn connection_loop(context: Rc<ThreadContext>, index: usize) {
    let mut schedule = context.schedule(index);
    let mut sender: Option<SendRequest<Full<Bytes>>> = None;
    let mut watchdog = Watchdog::new(context.timeout);
    let mut token = UniqueToken {
        run: context.run_id,
        connection: u16::try_from(index).unwrap_or(u16::MAX),
        sequence: 0,
    };
    loop {
        let intended = schedule.next_intended();
        let Some(slot) = context.control.claim(intended) else {
            break;
        };
        let sent = schedule.wait_until(intended).await;
        if sender.is_none() {
            match connect(&context).await {
                Ok(connected) => sender = Some(connected),
                Err(kind) => {
                    context.recorder.borrow_mut().error(slot, kind);
                    tokio::time::sleep(RECONNECT_PAUSE).await;
                    continue;
                }
            }
        }
        let Some(ready) = sender.as_mut() else {
            continue;
        };
        let request = if context.prepared.has_unique() {
            token.sequence += 1;
            context.prepared.build_with_token(&token)
        } else {
            context.prepared.build()
        };
        let outcome = watchdog.guard(sent, exchange(ready, request)).await;
        let done = Instant::now();
        match outcome {
            Some(Ok((status, bytes))) => {
                context.response(slot, status, intended, sent, done, bytes);
                schedule.pace().await;
            }
            Some(Err(kind)) => {
                context.recorder.borrow_mut().error(slot, kind);
                sender = None;
            }
            None => {
                context
                    .recorder
                    .borrow_mut()
                    .error(slot, ErrorKind::Timeout);
                sender = None;
            }
        }
    }
}

/// Opens a TCP connection and hands it to hyper.
async fn connect(context: &ThreadContext) -> Result<SendRequest<Full<Bytes>>, ErrorKind> {
    let stream = match tokio::time::timeout(context.timeout, TcpStream::connect(context.addr)).await
    {
        Ok(Ok(stream)) => stream,
        // Every failure to establish the connection counts as `connect`,
        // whatever the OS called it.
        Ok(Err(_)) | Err(_) => return Err(ErrorKind::Connect),
    };
    // Small requests must leave at once, not wait for Nagle's algorithm to
    // batch them: wrk does the same.
    stream.set_nodelay(true).map_err(|e| classify_io(&e))?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| classify_hyper(&e))?;
    // The connection future does the reading and writing; it ends when the
    // sender is dropped or the server closes. Its errors reach us through
    // `send_request`, so the value it returns can be ignored.
    tokio::task::spawn_local(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request and reads the whole response body, without keeping it.
async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    request: http::Request<Full<Bytes>>,
) -> Result<(u16, u64), ErrorKind> {
    sender.ready().await.map_err(|e| classify_hyper(&e))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| classify_hyper(&e))?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut bytes = 0u64;
    // Frame by frame: counting bytes without collecting them into a buffer.
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| classify_hyper(&e))?;
        if let Some(data) = frame.data_ref() {
            bytes += data.len() as u64;
        }
    }
    Ok((status, bytes))
}
