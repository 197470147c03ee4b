//! The `raw` engine, the default: prepared request bytes on a plain `TcpStream`,
//! responses parsed with `httparse`. Also the pipelining engine.
//!
//! Per request it does one `write` of bytes prepared before the run, one
//! `read` (usually) into a buffer that is reused, and one `httparse` pass
//! over the response head: no allocation, no task hand-offs. That is what
//! lets it keep up with wrk (see the crate docs).
//!
//! HTTP/1.1 also lets a client send several requests without waiting for
//! the responses, which come back in order. TechEmpower's plaintext test
//! sends 16 at a time. With `--pipeline K` we write the request bytes K times
//! in a single `write` and read the K responses back. hyper's client never
//! pipelines.
//!
//! Simplification: responses must carry `Content-Length` (both servers'
//! do); a chunked response is reported as malformed — use `--engine hyper`
//! for servers that stream. With pipelining, each response's latency is
//! measured from the write of its batch.

use std::rc::Rc;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::connection::{ThreadContext, Watchdog};
use crate::recorder::{ErrorKind, RECONNECT_PAUSE, Slot, classify_io};
use crate::request::{UNIQUE_WIDTH, UniqueToken};

/// Largest response head + body we accept before calling it malformed.
const MAX_BUFFER: usize = 64 * 1024 * 1024;

/// Runs one connection until the run's limits stop it.
pub(crate) async fn connection_loop(context: Rc<ThreadContext>, index: usize) {
    let depth = context.pipeline;
    let one = context.wire.len() / depth;
    let mut schedule = context.schedule(index);
    let mut slots: Vec<Slot> = Vec::with_capacity(depth);
    let mut stream: Option<TcpStream> = None;
    let mut reader = ResponseReader::new();
    let mut watchdog = Watchdog::new(context.timeout);
    // Requests that carry a unique token get their own copy of the bytes,
    // with the token overwritten in place before each write.
    let mut own_wire = (!context.unique_at.is_empty()).then(|| context.wire.clone());
    let mut token = UniqueToken {
        run: context.run_id,
        connection: u16::try_from(index).unwrap_or(u16::MAX),
        sequence: 0,
    };
    loop {
        let intended = schedule.next_intended();
        if !claim_batch(&context, intended, depth, &mut slots) {
            break;
        }
        let sent = schedule.wait_until(intended).await;
        if stream.is_none() {
            match connect(&context).await {
                Ok(connected) => stream = Some(connected),
                Err(kind) => {
                    record_errors(&context, &slots, kind);
                    tokio::time::sleep(RECONNECT_PAUSE).await;
                    continue;
                }
            }
        }
        let Some(open) = stream.as_mut() else {
            continue;
        };
        let mut answered = 0;
        let outcome = watchdog
            .guard(
                sent,
                exchange_batch(
                    open,
                    &mut reader,
                    &context,
                    Batch {
                        slots: &slots,
                        bytes: batch_bytes(
                            &context.wire,
                            own_wire.as_mut(),
                            (&context.unique_at, &mut token),
                            slots.len(),
                            one,
                        ),
                        intended,
                        sent,
                    },
                    &mut answered,
                ),
            )
            .await;
        let failure = match outcome {
            Some(Ok(())) => {
                schedule.pace().await;
                None
            }
            Some(Err(kind)) => Some(kind),
            None => Some(ErrorKind::Timeout),
        };
        if let Some(kind) = failure {
            record_errors(&context, &slots[answered..], kind);
            stream = None;
            reader.clear();
        }
    }
}

/// Claims the slots of the next batch: the first follows the schedule
/// (open loop waits for its intended time); the others of a pipelined
/// batch, closed loop only, go with it. `false` when the run is over.
#[inline]
fn claim_batch(
    context: &ThreadContext,
    intended: Instant,
    depth: usize,
    slots: &mut Vec<Slot>,
) -> bool {
    slots.clear();
    let Some(first) = context.control.claim(intended) else {
        return false;
    };
    slots.push(first);
    while slots.len() < depth {
        match context.control.claim(intended) {
            Some(slot) => slots.push(slot),
            None => break,
        }
    }
    true
}

/// The bytes of a batch of `count` requests of `one` bytes each: the
/// shared prepared bytes, or the connection's own copy with a fresh
/// unique token written into every request.
#[inline]
fn batch_bytes<'a>(
    wire: &'a [u8],
    own_wire: Option<&'a mut Vec<u8>>,
    (unique_at, token): (&[usize], &mut UniqueToken),
    count: usize,
    one: usize,
) -> &'a [u8] {
    match own_wire {
        Some(wire) => {
            for request in 0..count {
                for &at in unique_at {
                    let at = request * one + at;
                    token.write(&mut wire[at..at + UNIQUE_WIDTH]);
                }
                token.sequence += 1;
            }
            &wire[..count * one]
        }
        None => &wire[..count * one],
    }
}

/// Counts `kind` against every slot that got no response.
fn record_errors(context: &ThreadContext, slots: &[Slot], kind: ErrorKind) {
    let mut recorder = context.recorder.borrow_mut();
    for slot in slots {
        recorder.error(*slot, kind);
    }
}

async fn connect(context: &ThreadContext) -> Result<TcpStream, ErrorKind> {
    match tokio::time::timeout(context.timeout, TcpStream::connect(context.addr)).await {
        Ok(Ok(stream)) => {
            stream.set_nodelay(true).map_err(|e| classify_io(&e))?;
            Ok(stream)
        }
        Ok(Err(_)) | Err(_) => Err(ErrorKind::Connect),
    }
}

/// The requests of one write: their slots, their bytes, and when they were
/// due and sent.
#[derive(Debug)]
struct Batch<'a> {
    slots: &'a [Slot],
    bytes: &'a [u8],
    intended: Instant,
    sent: Instant,
}

/// Writes a batch of requests and records each response as it arrives;
/// `answered` counts the responses recorded, so the caller knows which
/// requests an error leaves unanswered.
async fn exchange_batch(
    stream: &mut TcpStream,
    reader: &mut ResponseReader,
    context: &ThreadContext,
    batch: Batch<'_>,
    answered: &mut usize,
) -> Result<(), ErrorKind> {
    stream
        .write_all(batch.bytes)
        .await
        .map_err(|e| classify_io(&e))?;
    for slot in batch.slots {
        let response = reader.next_response(stream, context.head_request).await?;
        context.response(
            *slot,
            response.status,
            batch.intended,
            batch.sent,
            Instant::now(),
            response.body_len as u64,
        );
        *answered += 1;
    }
    Ok(())
}

/// One response found at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedResponse {
    pub status: u16,
    pub head_len: usize,
    pub body_len: usize,
}

impl ParsedResponse {
    /// Bytes this response occupies in the stream.
    pub fn len(&self) -> usize {
        self.head_len + self.body_len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Parses the response at the start of `buffer`: `Ok(None)` when more bytes
/// are needed, an error when the bytes cannot be an HTTP/1.1 response.
///
/// `head_request`: responses to `HEAD` announce a length but carry no body.
pub fn parse_response(
    buffer: &[u8],
    head_request: bool,
) -> Result<Option<ParsedResponse>, ErrorKind> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buffer) {
        Ok(httparse::Status::Complete(head_len)) => head_len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(ErrorKind::Malformed),
    };
    let status = response.code.unwrap_or(0);
    let mut content_length = None;
    for header in response.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(header.value).map_err(|_| ErrorKind::Malformed)?;
            content_length = Some(
                text.trim()
                    .parse::<usize>()
                    .map_err(|_| ErrorKind::Malformed)?,
            );
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // See the module docs: chunked bodies are not supported here.
            return Err(ErrorKind::Malformed);
        }
    }
    let bodiless = head_request || (100..200).contains(&status) || status == 204 || status == 304;
    let body_len = if bodiless {
        0
    } else {
        content_length.ok_or(ErrorKind::Malformed)?
    };
    if buffer.len() < head_len + body_len {
        return Ok(None);
    }
    Ok(Some(ParsedResponse {
        status,
        head_len,
        body_len,
    }))
}

/// A read buffer that yields one parsed response at a time.
#[derive(Debug)]
pub struct ResponseReader {
    buffer: Vec<u8>,
    start: usize,
    end: usize,
}

impl Default for ResponseReader {
    fn default() -> Self {
        ResponseReader::new()
    }
}

impl ResponseReader {
    pub fn new() -> ResponseReader {
        ResponseReader {
            buffer: vec![0; 64 * 1024],
            start: 0,
            end: 0,
        }
    }

    /// Forgets buffered bytes (after an error, before reconnecting).
    pub fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Reads from `stream` until one whole response is buffered, and
    /// consumes it. Bytes of the next responses stay buffered.
    pub async fn next_response<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        head_request: bool,
    ) -> Result<ParsedResponse, ErrorKind> {
        loop {
            if let Some(response) =
                parse_response(&self.buffer[self.start..self.end], head_request)?
            {
                self.start += response.len();
                if self.start == self.end {
                    self.clear();
                }
                return Ok(response);
            }
            if self.end == self.buffer.len() {
                self.make_room()?;
            }
            let read = stream
                .read(&mut self.buffer[self.end..])
                .await
                .map_err(|e| classify_io(&e))?;
            if read == 0 {
                // The server closed the connection in the middle of a response.
                return Err(ErrorKind::Reset);
            }
            self.end += read;
        }
    }

    fn make_room(&mut self) -> Result<(), ErrorKind> {
        if self.start > 0 {
            self.buffer.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        } else if self.buffer.len() < MAX_BUFFER {
            let bigger = self.buffer.len() * 2;
            self.buffer.resize(bigger, 0);
        } else {
            return Err(ErrorKind::Malformed);
        }
        Ok(())
    }
}
