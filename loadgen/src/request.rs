//! The request a load generator sends, prepared once and reused.
//!
//! Building a request costs allocations (header map, URI); doing it a
//! million times in the hot loop would measure our allocator instead of the
//! server. So a [`RequestSpec`] is turned once into ready-made parts for
//! hyper ([`PreparedRequest`]) and into raw bytes for pipelining
//! ([`RequestSpec::to_wire`]); each request is then a few cheap clones.

use std::net::{SocketAddr, ToSocketAddrs};

use anyhow::{Context, bail};
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::Full;

/// What to send: method, target, headers and body. `Host` is added for you.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    pub method: Method,
    /// `host:port` as it goes into the `Host` header.
    pub authority: String,
    /// Path and query, e.g. `/queries?queries=20`.
    pub target: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
}

/// A parsed `http://host:port/target` URL: where to connect and what to ask.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub addr: SocketAddr,
    pub authority: String,
    pub target: String,
}

/// Parses an `http://` URL and resolves its host (plain HTTP only: the
/// servers under test speak HTTP/1.1 without TLS).
pub fn parse_url(url: &str) -> anyhow::Result<Endpoint> {
    let uri: Uri = url.parse().with_context(|| format!("not a URL: {url}"))?;
    if uri.scheme_str() != Some("http") {
        bail!("only http:// URLs are supported: {url}");
    }
    let authority = uri
        .authority()
        .with_context(|| format!("no host in {url}"))?;
    let port = authority.port_u16().unwrap_or(80);
    let addr = (authority.host(), port)
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {}", authority.host()))?
        .next()
        .with_context(|| format!("{} resolves to no address", authority.host()))?;
    let target = uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    Ok(Endpoint {
        addr,
        authority: authority.as_str().to_owned(),
        target,
    })
}

/// Parses a `Name: value` header as given on the command line.
pub fn parse_header(text: &str) -> anyhow::Result<(HeaderName, HeaderValue)> {
    let (name, value) = text
        .split_once(':')
        .with_context(|| format!("header must be `Name: value`, got `{text}`"))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .with_context(|| format!("invalid header name in `{text}`"))?;
    let value = HeaderValue::from_str(value.trim())
        .with_context(|| format!("invalid header value in `{text}`"))?;
    Ok((name, value))
}

/// A request body from the command line: the text itself, or with `@FILE`
/// the contents of that file.
pub fn read_body(text: &str) -> anyhow::Result<Bytes> {
    match text.strip_prefix('@') {
        Some(path) => {
            Ok(Bytes::from(std::fs::read(path).with_context(|| {
                format!("cannot read body file {path}")
            })?))
        }
        None => Ok(Bytes::from(text.to_owned())),
    }
}

/// The parts of a hyper request, built once; [`PreparedRequest::build`]
/// makes each request from clones (`Uri` and `Bytes` clones are reference
/// count bumps; the header map is one small copy).
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    /// Where [`UNIQUE`] tokens go in `body`.
    unique_at: Vec<usize>,
}

impl PreparedRequest {
    pub fn build(&self) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// Whether the body asks for a fresh [`UNIQUE`] token per request.
    pub fn has_unique(&self) -> bool {
        !self.unique_at.is_empty()
    }

    /// Like [`PreparedRequest::build`], with `token` written into the body
    /// (one small copy of the body: only requests that ask for it pay).
    pub fn build_with_token(&self, token: &UniqueToken) -> Request<Full<Bytes>> {
        let mut body = self.body.to_vec();
        for &offset in &self.unique_at {
            token.write(&mut body[offset..offset + UNIQUE_WIDTH]);
        }
        let mut request = self.build();
        *request.body_mut() = Full::new(Bytes::from(body));
        request
    }
}

// ANCHOR: unique
/// Written in a request body, replaced in every request by a token that no
/// other request of the run carries — for endpoints that refuse duplicates,
/// such as `POST /users` with its unique emails:
/// `{"name":"Load {unique}","email":"load-{unique}@example.com"}`.
pub const UNIQUE: &str = "{unique}";

/// The token's width in bytes. Fixed, so a body's length — and so its
/// `Content-Length` and the prepared bytes around it — never change: the
/// generator overwrites the token in place instead of building a request.
pub const UNIQUE_WIDTH: usize = 24;

/// A per-request token: 8 hex digits for the run (random), 4 for the
/// connection, 12 for the request's number on that connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UniqueToken {
    pub run: u32,
    pub connection: u16,
    pub sequence: u64,
}

impl UniqueToken {
    /// Writes the token as lowercase hex into `out` (`UNIQUE_WIDTH` bytes).
    pub fn write(&self, out: &mut [u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digits = (0..8)
            .rev()
            .map(|i| (u64::from(self.run) >> (4 * i)) & 0xf)
            .chain(
                (0..4)
                    .rev()
                    .map(|i| (u64::from(self.connection) >> (4 * i)) & 0xf),
            )
            .chain((0..12).rev().map(|i| (self.sequence >> (4 * i)) & 0xf));
        for (slot, digit) in out.iter_mut().zip(digits) {
            *slot = HEX[usize::try_from(digit).unwrap_or(0)];
        }
    }
}

/// The body with each [`UNIQUE`] replaced by `UNIQUE_WIDTH` zeros, and the
/// offsets of those tokens in it.
fn expand_unique(body: &[u8]) -> (Bytes, Vec<usize>) {
    let marker = UNIQUE.as_bytes();
    let mut expanded = Vec::with_capacity(body.len());
    let mut offsets = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.windows(marker.len()).position(|w| w == marker) {
        expanded.extend_from_slice(&rest[..at]);
        offsets.push(expanded.len());
        expanded.extend_from_slice(&[b'0'; UNIQUE_WIDTH]);
        rest = &rest[at + marker.len()..];
    }
    expanded.extend_from_slice(rest);
    (Bytes::from(expanded), offsets)
}
// ANCHOR_END: unique

impl RequestSpec {
    /// A `GET` of `target` on `authority` with no extra headers.
    pub fn get(authority: &str, target: &str) -> RequestSpec {
        RequestSpec {
            method: Method::GET,
            authority: authority.to_owned(),
            target: target.to_owned(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// The parts hyper needs, in origin form (`/path?query`), which is what
    /// an HTTP/1.1 client sends to a server that is not a proxy.
    pub fn prepare(&self) -> anyhow::Result<PreparedRequest> {
        let uri: Uri = self
            .target
            .parse()
            .with_context(|| format!("invalid request target {}", self.target))?;
        let mut headers = HeaderMap::with_capacity(self.headers.len() + 2);
        headers.insert(
            HOST,
            HeaderValue::from_str(&self.authority)
                .with_context(|| format!("invalid host {}", self.authority))?,
        );
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        let (body, unique_at) = expand_unique(&self.body);
        if !body.is_empty() && !headers.contains_key(CONTENT_LENGTH) {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        Ok(PreparedRequest {
            method: self.method.clone(),
            uri,
            headers,
            body,
            unique_at,
        })
    }

    /// The request as bytes on the wire, for the pipelining client.
    pub fn to_wire(&self) -> Vec<u8> {
        self.to_wire_with_unique().0
    }

    /// The request as bytes on the wire, and where in them the [`UNIQUE`]
    /// tokens of the body are.
    pub fn to_wire_with_unique(&self) -> (Vec<u8>, Vec<usize>) {
        let (body, unique_at) = expand_unique(&self.body);
        let mut wire = Vec::with_capacity(64 + self.target.len() + body.len());
        wire.extend_from_slice(self.method.as_str().as_bytes());
        wire.push(b' ');
        wire.extend_from_slice(self.target.as_bytes());
        wire.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        wire.extend_from_slice(self.authority.as_bytes());
        wire.extend_from_slice(b"\r\n");
        let mut has_length = false;
        for (name, value) in &self.headers {
            has_length |= name == CONTENT_LENGTH;
            wire.extend_from_slice(name.as_str().as_bytes());
            wire.extend_from_slice(b": ");
            wire.extend_from_slice(value.as_bytes());
            wire.extend_from_slice(b"\r\n");
        }
        if !body.is_empty() && !has_length {
            wire.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
        }
        wire.extend_from_slice(b"\r\n");
        let body_start = wire.len();
        wire.extend_from_slice(&body);
        let unique_at = unique_at.into_iter().map(|at| body_start + at).collect();
        (wire, unique_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_gives_address_authority_and_target() {
        let endpoint = parse_url("http://127.0.0.1:3000/queries?queries=20").expect("valid");
        assert_eq!(endpoint.addr, "127.0.0.1:3000".parse().expect("addr"));
        assert_eq!(endpoint.authority, "127.0.0.1:3000");
        assert_eq!(endpoint.target, "/queries?queries=20");
    }

    #[test]
    fn https_urls_are_refused_with_a_reason() {
        let error = parse_url("https://127.0.0.1/").expect_err("https is refused");
        assert!(error.to_string().contains("http://"));
    }

    #[test]
    fn unique_tokens_keep_the_length_and_differ_per_request() {
        let mut spec = RequestSpec::get("127.0.0.1:1", "/users");
        spec.method = Method::POST;
        spec.body = Bytes::from_static(br#"{"email":"u{unique}@x.org","name":"{unique}"}"#);
        let (mut wire, at) = spec.to_wire_with_unique();
        assert_eq!(at.len(), 2);
        let length = br#"{"email":"u@x.org","name":""}"#.len() + 2 * UNIQUE_WIDTH;
        assert!(String::from_utf8_lossy(&wire).contains(&format!("content-length: {length}\r\n")));
        let token = UniqueToken {
            run: 0xdead_beef,
            connection: 7,
            sequence: 42,
        };
        for &offset in &at {
            token.write(&mut wire[offset..offset + UNIQUE_WIDTH]);
        }
        let text = String::from_utf8_lossy(&wire);
        assert!(
            text.ends_with(
                r#"{"email":"udeadbeef000700000000002a@x.org","name":"deadbeef000700000000002a"}"#
            ),
            "{text}"
        );
        let prepared = spec.prepare().expect("prepares");
        assert!(prepared.has_unique());
        let other = UniqueToken {
            sequence: 43,
            ..token
        };
        assert_ne!(
            format!("{:?}", prepared.build_with_token(&token).body()),
            format!("{:?}", prepared.build_with_token(&other).body())
        );
    }

    #[test]
    fn a_post_with_body_is_written_with_its_length() {
        let mut spec = RequestSpec::get("localhost:1", "/users");
        spec.method = Method::POST;
        spec.headers
            .push(parse_header("Content-Type: application/json").expect("header"));
        spec.body = Bytes::from_static(b"{\"name\":\"a\"}");
        assert_eq!(
            String::from_utf8(spec.to_wire()).expect("ascii"),
            "POST /users HTTP/1.1\r\nHost: localhost:1\r\ncontent-type: application/json\r\n\
             content-length: 12\r\n\r\n{\"name\":\"a\"}"
        );
        let request = spec.prepare().expect("valid").build();
        assert_eq!(request.headers()[CONTENT_LENGTH], "12");
        assert_eq!(request.headers()[HOST], "localhost:1");
    }
}
