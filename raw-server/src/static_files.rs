//! `/static/...` by hand: what tower-http's `ServeDir` does, written out.
//!
//! framework-server mounts `ServeDir` and is done. Here every behaviour is
//! our own code, and it must match `ServeDir` (tower-http 0.6) byte for byte,
//! because the conformance suite compares the two. Reading `ServeDir`'s
//! source to reproduce it turned up these rules:
//!
//! - **paths**: the part below `/static` is percent-decoded as a whole (so
//!   `%2f` becomes a separator and `%2e%2e` becomes `..`); invalid UTF-8, any
//!   `..` component and anything absolute is refused with `404`. `.` and
//!   repeated slashes are skipped. A backslash is an ordinary character on
//!   Unix, so `..\x` names a file called `..\x` (there is none: `404`).
//! - **folders**: a folder asked for without a trailing slash is redirected
//!   with `307 Temporary Redirect` to the same URI plus `/` (query kept);
//!   with the slash, its `index.html` is served.
//! - **errors**: a file that is missing, unreadable, below a file
//!   (`style.css/x`), has a NUL byte in its name or a name longer than the
//!   file system allows is `404`.
//! - **headers**: `Content-Type` from `mime_guess` with no charset
//!   (`application/octet-stream` when unknown), `Accept-Ranges: bytes`,
//!   `Last-Modified` as an HTTP date (whole seconds), `Content-Length`.
//! - **conditions**: `If-Unmodified-Since` first (`412` when the file is
//!   newer), then `If-Modified-Since` (`304`, with no other header, when the
//!   file is not newer — a date in the future counts as not newer). Dates
//!   that do not parse are ignored. There is no `ETag`.
//! - **ranges**: exactly one range (`0-99`, `100-`, `-100`) is `206` with
//!   `Content-Range`; the end is clamped to the file; everything else — a
//!   start past the end, a suffix longer than the file, several ranges, a
//!   unit other than `bytes`, any stray space — is `416` with
//!   `Content-Range: bytes */<size>`.
//! - **HEAD**: the same headers, from the file's metadata, without opening it.
//!
//! Where we differ from `ServeDir` on purpose, framework-server wraps it so
//! that both servers agree: errors are problem documents, not empty bodies
//! (see framework-server's `static_files.rs` for the two `ServeDir` bugs it
//! also corrects).
//!
//! - **streaming**: the file (or the range) is read in chunks of 64 KiB as
//!   hyper asks for them, that is as fast as the connection drains, so a
//!   large file never sits in memory whole ([`FileBody`]; `ServeDir` reads
//!   64 KiB chunks too).

use std::io::{self, SeekFrom};
use std::ops::RangeInclusive;
use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, IF_MODIFIED_SINCE, IF_UNMODIFIED_SINCE,
    LAST_MODIFIED, LOCATION, RANGE,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use http_body_util::Either;
use httpdate::HttpDate;
use hyper::body::{Body, Frame, SizeHint};
use percent_encoding::percent_decode_str;
use shared_handlers::{AppState, Error};
use tokio::fs::File;
use tokio::io::{AsyncRead, AsyncSeekExt, ReadBuf};

use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: static_files
/// `GET`/`HEAD /static/{*path}`.
pub async fn static_files_show(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    // Input types: the path below `/static` (as `ServeDir` would see it
    // after axum's `nest_service` stripped the prefix), the method, headers.
    let rest = input.params.first().map_or("", |(_, rest)| rest.as_str());
    let below = format!("/{rest}");
    let uri = &input.parts.uri;
    let not_found = || Error::FileNotFound {
        path: uri.path().to_owned(),
    };

    // Extraction: from the URL path to a file inside the folder.
    let mut path = resolve(state.static_dir(), &below).ok_or_else(not_found)?;
    if is_dir(&path).await {
        if !below.ends_with('/') {
            return Ok(redirect_with_slash(uri));
        }
        path.push("index.html");
    }
    let content_type = mime_guess::from_path(&path)
        .first_raw()
        .unwrap_or("application/octet-stream");
    let head = input.parts.method == Method::HEAD;
    let (file, size, modified) = open(&path, head)
        .await
        .map_err(|e| open_error(&e, &path).unwrap_or_else(not_found))?;
    let last_modified = modified.map(HttpDate::from);

    // The "shared logic" of this endpoint is HTTP itself: conditions first,
    // then the range.
    let headers = &input.parts.headers;
    match precondition(headers, last_modified) {
        Some(Precondition::Failed) => return Err(Error::PreconditionFailed),
        Some(Precondition::NotModified) => return Ok(response::empty(StatusCode::NOT_MODIFIED)),
        None => {}
    }
    let range = headers
        .get(RANGE)
        .and_then(|value| value.to_str().ok())
        .map(|value| single_range(value, size));

    // Response.
    let (status, range) = match range {
        None => (StatusCode::OK, None),
        Some(Some(range)) => (StatusCode::PARTIAL_CONTENT, Some(range)),
        Some(None) => return Ok(range_not_satisfiable(size)),
    };
    // An empty file asked for `bytes=0-` is the range 0..=0 of nothing:
    // `206` with no bytes, as `ServeDir` answers it.
    let length = match &range {
        Some(range) if size > 0 => range.end() - range.start() + 1,
        Some(_) => 0,
        None => size,
    };
    let mut response = response::build(status, content_type, Bytes::new());
    if let Some(file) = file {
        let start = range.as_ref().map_or(0, |range| *range.start());
        let body = FileBody::starting_at(file, start, length)
            .await
            .map_err(|e| Error::Internal(format!("reading {}: {e}", path.display())))?;
        *response.body_mut() = Either::Right(Box::new(Either::Right(body)));
    }
    let headers = response.headers_mut();
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(date) = last_modified {
        headers.insert(LAST_MODIFIED, header_value(&date.to_string()));
    }
    // Set by hand because for `HEAD` the body is empty but the length is
    // the file's (or the range's); hyper keeps a length we set ourselves.
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(range) = range {
        let content_range = format!("bytes {}-{}/{size}", range.start(), range.end());
        headers.insert(CONTENT_RANGE, header_value(&content_range));
    }
    Ok(response)
}

/// `416`, saying how long the file is (`Content-Range: bytes */size`).
fn range_not_satisfiable(size: u64) -> HttpResponse {
    let refusal = response::error_response(Error::RangeNotSatisfiable);
    response::with_header(refusal, CONTENT_RANGE, &format!("bytes */{size}"))
}

/// What a failed open means: `None` for "there is no such file to serve"
/// (missing, unreadable, a file used as a folder, a name the system
/// refuses), which is a `404`; otherwise a `503` when the process is out of
/// descriptors, or a `500`.
fn open_error(e: &io::Error, path: &Path) -> Option<Error> {
    match e.kind() {
        io::ErrorKind::NotFound
        | io::ErrorKind::PermissionDenied
        | io::ErrorKind::NotADirectory
        | io::ErrorKind::InvalidInput
        | io::ErrorKind::InvalidFilename => None,
        _ => Some(
            Error::out_of_descriptors(e)
                .unwrap_or_else(|| Error::Internal(format!("reading {}: {e}", path.display()))),
        ),
    }
}
// ANCHOR_END: static_files

// ANCHOR: resolve
/// The file `below` names inside `base`, or `None` if it tries to leave.
///
/// Decoding first and checking components after is what makes every
/// spelling of `..` (`%2e%2e`, `.%2E`, `..%2f`) meet the same check.
/// Double encoding (`%252e`) decodes once, to a literal `%2e`: a harmless
/// file name.
fn resolve(base: &Path, below: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(below.trim_start_matches('/'))
        .decode_utf8()
        .ok()?;
    let mut path = base.to_path_buf();
    for component in Path::new(&*decoded).components() {
        match component {
            // A name must be a plain name on its own too: on Windows `c:`
            // inside a path would otherwise restart it at a drive.
            Component::Normal(name)
                if Path::new(name)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_))) =>
            {
                path.push(name);
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(path)
}
// ANCHOR_END: resolve

async fn is_dir(path: &Path) -> bool {
    tokio::fs::metadata(path)
        .await
        .is_ok_and(|metadata| metadata.is_dir())
}

/// Opens the file for `GET`, or only reads its metadata for `HEAD`:
/// `(file, size, modification time)`.
async fn open(path: &Path, head: bool) -> io::Result<(Option<File>, u64, Option<SystemTime>)> {
    if head {
        let metadata = tokio::fs::metadata(path).await?;
        return Ok((None, metadata.len(), metadata.modified().ok()));
    }
    let file = File::open(path).await?;
    let metadata = file.metadata().await?;
    Ok((Some(file), metadata.len(), metadata.modified().ok()))
}

// ANCHOR: streaming_file_body
/// How much of the file one frame carries: `ServeDir`'s chunk size.
const CHUNK_BYTES: usize = 64 * 1024;

/// The body of a file response: `length` bytes of an open file, read one
/// chunk at a time when hyper polls for the next frame. hyper polls only
/// when it has room to write, so the file is read as fast as the connection
/// drains and at most one chunk of it is in memory per response.
#[derive(Debug)]
pub struct FileBody {
    file: File,
    /// Bytes still to send.
    remaining: u64,
    /// Where a chunk is read to, allocated once per response.
    buffer: Vec<u8>,
}

impl FileBody {
    /// The `length` bytes of `file` from byte `start` on.
    async fn starting_at(mut file: File, start: u64, length: u64) -> io::Result<FileBody> {
        if start > 0 {
            file.seek(SeekFrom::Start(start)).await?;
        }
        let buffer_len = usize::try_from(length).map_or(CHUNK_BYTES, |l| l.min(CHUNK_BYTES));
        Ok(FileBody {
            file,
            remaining: length,
            buffer: vec![0; buffer_len],
        })
    }
}

impl Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(this.remaining).map_or(this.buffer.len(), |remaining| {
            remaining.min(this.buffer.len())
        });
        let mut chunk = ReadBuf::new(&mut this.buffer[..want]);
        match Pin::new(&mut this.file).poll_read(cx, &mut chunk) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            // The file shrank after we announced its length: the response
            // cannot be completed, and hyper will close the connection.
            Poll::Ready(Ok(())) if chunk.filled().is_empty() => Poll::Ready(Some(Err(
                io::Error::new(io::ErrorKind::UnexpectedEof, "the file shrank while sent"),
            ))),
            Poll::Ready(Ok(())) => {
                let data = Bytes::copy_from_slice(chunk.filled());
                this.remaining -= data.len() as u64;
                Poll::Ready(Some(Ok(Frame::data(data))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
// ANCHOR_END: streaming_file_body

/// `307` to the request's path plus `/`, keeping the query.
fn redirect_with_slash(uri: &Uri) -> HttpResponse {
    let location = match uri.query() {
        Some(query) => format!("{}/?{query}", uri.path()),
        None => format!("{}/", uri.path()),
    };
    response::with_header(
        response::empty(StatusCode::TEMPORARY_REDIRECT),
        LOCATION,
        &location,
    )
}

// ANCHOR: conditions
/// The outcome of the conditional headers, when they decide the answer.
#[derive(Debug, PartialEq, Eq)]
enum Precondition {
    /// `412`: modified after `If-Unmodified-Since`.
    Failed,
    /// `304`: not modified after `If-Modified-Since`.
    NotModified,
}

/// `If-Unmodified-Since` wins over `If-Modified-Since`. A date that does
/// not parse is ignored, as if the header were absent. Comparisons are in
/// whole seconds: an HTTP date has no finer resolution.
fn precondition(headers: &HeaderMap, last_modified: Option<HttpDate>) -> Option<Precondition> {
    let date = |name| {
        let value = headers.get(name)?;
        let text = std::str::from_utf8(value.as_bytes()).ok()?;
        httpdate::parse_http_date(text).ok().map(HttpDate::from)
    };
    // No modification time at all fails the precondition too.
    if let Some(since) = date(IF_UNMODIFIED_SINCE)
        && last_modified.is_none_or(|modified| since < modified)
    {
        return Some(Precondition::Failed);
    }
    if let Some(since) = date(IF_MODIFIED_SINCE)
        && last_modified.is_some_and(|modified| since >= modified)
    {
        return Some(Precondition::NotModified);
    }
    None
}
// ANCHOR_END: conditions

// ANCHOR: range
/// The one byte range a `Range` header asks for in a file of `size` bytes,
/// or `None` if it must be refused with `416`.
///
/// This follows the `http-range-header` crate `ServeDir` uses: strict about
/// syntax (no `+`, no leading zeros, no whitespace), and refusing several
/// ranges because `ServeDir` does not send `multipart/byteranges`. RFC 9110
/// would have a server *ignore* a header it cannot parse and serve `200`;
/// `ServeDir` answers `416`, and so do we.
fn single_range(header: &str, size: u64) -> Option<RangeInclusive<u64>> {
    let spec = header.strip_prefix("bytes=")?;
    if spec.contains(',') || spec.contains(char::is_whitespace) {
        return None;
    }
    let last = size.saturating_sub(1);
    let range = match spec.split_once('-')? {
        ("", suffix) => {
            let length = strict_u64(suffix)?;
            if length == 0 || length > size {
                return None;
            }
            (size - length)..=last
        }
        (start, "") => strict_u64(start)?..=last,
        (start, end) => strict_u64(start)?..=strict_u64(end)?.min(last),
    };
    (range.start() <= range.end()).then_some(range)
}

/// A decimal number with no sign and no leading zero.
fn strict_u64(digits: &str) -> Option<u64> {
    if digits.starts_with('+') || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.parse().ok()
}
// ANCHOR_END: range

/// A header value from a string we built out of an HTTP date or numbers.
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("HTTP dates and byte ranges are visible ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_in_any_spelling_stays_inside_the_folder() {
        let base = Path::new("/srv/static");
        for attempt in [
            "/../x",
            "/%2e%2e/x",
            "/.%2E/x",
            "/a/..%2f..%2fx",
            "/%2fetc/passwd",
            "/%FF",
        ] {
            assert_eq!(resolve(base, attempt), None, "{attempt}");
        }
        assert_eq!(
            resolve(base, "//./a/%2e/b%2fc"),
            Some(PathBuf::from("/srv/static/a/b/c"))
        );
        assert_eq!(
            resolve(base, "/%252e%252e/x"),
            Some(PathBuf::from("/srv/static/%2e%2e/x"))
        );
    }

    #[test]
    fn one_range_is_served_and_anything_else_refused() {
        assert_eq!(single_range("bytes=0-9", 100), Some(0..=9));
        assert_eq!(single_range("bytes=90-", 100), Some(90..=99));
        assert_eq!(single_range("bytes=-10", 100), Some(90..=99));
        assert_eq!(single_range("bytes=95-200", 100), Some(95..=99));
        assert_eq!(single_range("bytes=0-0", 100), Some(0..=0));
        for refused in [
            "bytes=100-",
            "bytes=-101",
            "bytes=-0",
            "bytes=5-4",
            "bytes=0-1,3-4",
            "bytes= 0-1",
            "bytes=01-2",
            "bytes=+1-2",
            "bytes=",
            "bytes=-",
            "items=0-1",
            " bytes=0-1",
        ] {
            assert_eq!(single_range(refused, 100), None, "{refused}");
        }
    }

    #[test]
    fn if_unmodified_since_is_checked_before_if_modified_since() {
        let modified =
            HttpDate::from(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000));
        let at = |secs| {
            httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        };
        let headers = |pairs: &[(http::HeaderName, String)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(name.clone(), header_value(value));
            }
            map
        };
        let both = headers(&[
            (IF_UNMODIFIED_SINCE, at(999)),
            (IF_MODIFIED_SINCE, at(1000)),
        ]);
        assert_eq!(
            precondition(&both, Some(modified)),
            Some(Precondition::Failed)
        );
        let equal = headers(&[(IF_MODIFIED_SINCE, at(1000))]);
        assert_eq!(
            precondition(&equal, Some(modified)),
            Some(Precondition::NotModified)
        );
        let older = headers(&[(IF_MODIFIED_SINCE, at(999))]);
        assert_eq!(precondition(&older, Some(modified)), None);
        let garbage = headers(&[(IF_MODIFIED_SINCE, "yesterday".into())]);
        assert_eq!(precondition(&garbage, Some(modified)), None);
    }
}

#[cfg(test)]
mod properties;
