//! `/static/...` with tower-http's `ServeDir`, made to speak the problem format.
//!
//! `ServeDir` does the whole job of a static file server: it resolves the
//! path safely inside the folder, picks the `Content-Type` from the
//! extension, sends `Last-Modified` and answers `If-Modified-Since` with
//! `304`, serves single `Range` requests with `206`, redirects a folder asked
//! for without its trailing slash and serves a folder's `index.html`, and
//! streams the file instead of reading it into memory. raw-server's
//! `static_files.rs` is what all that takes by hand.
//!
//! What `ServeDir` does *not* do is our error format: its `404`, `405`,
//! `412` and `416` answers have empty (or plain-text) bodies. So the
//! service mounted at `/static` is `ServeDir` wrapped in two adapters:
//!
//! 1. [`static_problems`], an `axum::middleware::map_response` function that
//!    turns those status-only answers into problem documents, and repairs
//!    the redirect's `Location` (see below);
//! 2. `HandleError` around `ServeDir::try_call`, so I/O errors reach us
//!    instead of becoming an empty `500` (see [`static_io_error`]).
//!
//! Two things `ServeDir` gets wrong for a user, corrected here:
//!
//! - mounted with `nest_service`, it sees the path *without* the `/static`
//!   prefix, so its redirect from `/static/guide` points to `/guide/`, a
//!   page that does not exist (tokio-rs/axum#1731, still open). We rebuild
//!   `Location` from the original URI.
//! - a `HEAD` request whose path contains a NUL byte (`%00`) makes the file
//!   system call fail with `InvalidInput`, which `ServeDir` maps to `404` for
//!   `GET` but to an empty `500` for `HEAD`. We answer `404` for both, as
//!   HTTP requires `HEAD` to answer like `GET`.
//! - told `Accept-Encoding: identity`, it strips the last extension of a
//!   name it cannot find and serves *that* file: `/static/index.html.` or
//!   `/static/pixel.png%2e` answer `200` with the real file, and
//!   `/static/..%5c` a `200` head whose body then fails
//!   (tower-rs/tower-http#664; fixed upstream by #686, not in a release as
//!   of tower-http 0.6.11). `ServeDir` reads `Accept-Encoding` only to look
//!   for precompressed copies, which we do not use, so the header is taken
//!   off the request it sees. Compression is
//!   not affected: the compression layer outside read the header already.

use std::convert::Infallible;
use std::io;
use std::path::Path;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{OriginalUri, Request};
use axum::http::header::{ACCEPT_ENCODING, ALLOW, CONTENT_RANGE, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use shared_handlers::Error;
use shared_handlers::catalogue::content_type;
use tower::{Service, ServiceBuilder};
use tower_http::services::ServeDir;

use crate::error::ApiError;

// ANCHOR: static_files
/// The service nested at `/static`: `ServeDir` on `dir`, with its errors in
/// the problem format. (`use<>`: the service keeps its own copy of the
/// path, so it does not borrow `dir`.)
pub fn static_files_service(
    dir: &Path,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send>
+ Clone
+ Send
+ Sync
+ use<> {
    // ANCHOR: streaming_file_body
    // `ServeDir` streams: each file is read in chunks (64 KiB, said here out
    // loud because raw-server's `FileBody` reads the same size) as the
    // connection drains, never whole into memory.
    let serve_dir = ServeDir::new(dir).with_buf_chunk_size(64 * 1024);
    // ANCHOR_END: streaming_file_body
    ServiceBuilder::new()
        .layer(map_response(static_problems))
        .layer(HandleErrorLayer::new(static_io_error))
        // `try_call` is `call` minus ServeDir's own I/O error handling; the
        // returned future owns everything it needs, so a clone per request
        // (cheap: a path and a few flags) is all it takes.
        .service_fn(move |mut request: Request| {
            // No `Accept-Encoding` for `ServeDir` (see the module docs).
            request.headers_mut().remove(ACCEPT_ENCODING);
            serve_dir.clone().try_call(request)
        })
}
// ANCHOR_END: static_files

// ANCHOR: static_problems
/// Turns `ServeDir`'s status-only answers into problem documents, keeping
/// the headers that explain them (`Allow` on `405`, `Content-Range` on
/// `416`), and points its redirects back under `/static`.
async fn static_problems(
    method: Method,
    OriginalUri(uri): OriginalUri,
    response: Response,
) -> Response {
    let is_problem = response.headers().get(CONTENT_TYPE)
        == Some(&HeaderValue::from_static(content_type::PROBLEM_JSON));
    let error = match response.status() {
        _ if is_problem => return response,
        StatusCode::TEMPORARY_REDIRECT => return with_location_under_prefix(&uri, response),
        StatusCode::NOT_FOUND => Error::FileNotFound {
            path: uri.path().to_owned(),
        },
        StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed {
            method: method.to_string(),
            path: uri.path().to_owned(),
        },
        StatusCode::PRECONDITION_FAILED => Error::PreconditionFailed,
        StatusCode::RANGE_NOT_SATISFIABLE => Error::RangeNotSatisfiable,
        StatusCode::INTERNAL_SERVER_ERROR => {
            Error::Internal("ServeDir failed to build a redirect".into())
        }
        _ => return response,
    };
    let mut problem = ApiError(error).into_response();
    for name in [ALLOW, CONTENT_RANGE] {
        if let Some(value) = response.headers().get(&name) {
            problem.headers_mut().insert(name, value.clone());
        }
    }
    problem
}

/// `ServeDir` redirects a folder asked for without its trailing slash to
/// the same URI plus `/`, but it only sees the path below `/static`. The
/// original URI has the whole path.
fn with_location_under_prefix(original: &Uri, mut response: Response) -> Response {
    let location = match original.query() {
        Some(query) => format!("{}/?{query}", original.path()),
        None => format!("{}/", original.path()),
    };
    match HeaderValue::from_str(&location) {
        Ok(location) => {
            response.headers_mut().insert(LOCATION, location);
            response
        }
        // Cannot happen: the original URI was a valid header value already.
        Err(e) => ApiError(Error::Internal(format!("redirect location: {e}"))).into_response(),
    }
}

/// An I/O error `ServeDir` did not handle itself. `InvalidInput` is a path
/// the operating system refuses (a NUL byte), `InvalidFilename` a name
/// longer than the file system allows: no such file either way. Anything
/// else is the server's problem, logged by `ApiError`.
async fn static_io_error(OriginalUri(uri): OriginalUri, error: io::Error) -> ApiError {
    match error.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidFilename => {
            ApiError(Error::FileNotFound {
                path: uri.path().to_owned(),
            })
        }
        _ => {
            ApiError(Error::out_of_descriptors(&error).unwrap_or_else(|| {
                Error::Internal(format!("reading a static file failed: {error}"))
            }))
        }
    }
}
// ANCHOR_END: static_problems
