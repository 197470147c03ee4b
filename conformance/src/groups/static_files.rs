//! The `/static/...` case table: content types, dates, conditional and
//! range requests, folders, and every way of trying to climb out of the
//! folder. The expected bodies and `Last-Modified` dates come from the files
//! in the repository's `static/` folder, read when the cases are built, so a
//! server under test must serve that folder.

use shared_handlers::config::default_static_dir;

use crate::cases::{
    Body::{self, *},
    Case, PROBLEM, get, not_allowed, not_found, request,
};

const HTML: &str = "text/html";
const CSS: &str = "text/css";
const SVG: &str = "image/svg+xml";
const PNG: &str = "image/png";
const TXT: &str = "text/plain";

/// The bytes of a file in `static/`.
fn file(name: &str) -> Vec<u8> {
    std::fs::read(default_static_dir().join(name)).expect("the static folder ships this file")
}

/// The `Last-Modified` value a file must be served with.
fn modified(name: &str) -> String {
    let time = std::fs::metadata(default_static_dir().join(name))
        .and_then(|metadata| metadata.modified())
        .expect("the file system records modification times");
    httpdate::fmt_http_date(time)
}

/// `bytes` of `name` as a `Body`.
fn slice(name: &str, bytes: std::ops::Range<usize>) -> Body {
    Bytes(file(name)[bytes].to_vec())
}

/// A whole file, with every header a full answer carries.
fn served(case: Case, content_type: &'static str, name: &str) -> Case {
    let bytes = file(name);
    let length = bytes.len().to_string();
    case.expect(200, content_type, Bytes(bytes))
        .with("accept-ranges", "bytes")
        .with("content-length", length)
        .with("last-modified", modified(name))
}

/// `416` with the problem and the size of the file in `Content-Range`.
fn unsatisfiable(range: impl Into<String>) -> Case {
    let size = file("style.css").len();
    get("/static/style.css")
        .header("range", range)
        .expect(416, PROBLEM, Problem("range-not-satisfiable"))
        .with("content-range", format!("bytes */{size}"))
}

/// `206` for `range` of style.css, whose bytes are `bytes`.
fn partial(range: impl Into<String>, bytes: std::ops::Range<usize>) -> Case {
    let size = file("style.css").len();
    let content_range = format!("bytes {}-{}/{size}", bytes.start, bytes.end - 1);
    let length = bytes.len().to_string();
    get("/static/style.css")
        .header("range", range)
        .expect(206, CSS, slice("style.css", bytes))
        .with("content-range", content_range)
        .with("content-length", length)
        .with("accept-ranges", "bytes")
}

/// Traversal attempts: each must be a plain `404` problem.
fn escape(target: &'static str) -> Case {
    not_found("GET", target)
}

#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    let css_len = file("style.css").len();
    let css_modified = modified("style.css");
    vec![
        // --- every shipped file, with its type by extension
        served(get("/static/index.html"), HTML, "index.html"),
        served(get("/static/style.css"), CSS, "style.css"),
        served(get("/static/logo.svg"), SVG, "logo.svg"),
        served(get("/static/pixel.png"), PNG, "pixel.png"),
        served(get("/static/guide/index.html"), HTML, "guide/index.html"),
        served(get("/static/guide/notes.txt"), TXT, "guide/notes.txt"),
        // --- folders: index.html with a trailing slash, a redirect without one
        served(get("/static/"), HTML, "index.html"),
        served(get("/static"), HTML, "index.html"),
        served(get("/static/guide/"), HTML, "guide/index.html"),
        served(get("/static/guide/?tab=1"), HTML, "guide/index.html"),
        get("/static/guide").expect_empty(307).with("location", "/static/guide/").with("content-length", "0"),
        get("/static/guide?tab=1").expect_empty(307).with("location", "/static/guide/?tab=1"),
        get("/static/guide%2f").expect_empty(307).with("location", "/static/guide%2f/"),
        // --- spellings that stay inside the folder
        served(get("/static/style.css?v=2"), CSS, "style.css"),
        served(get("/static//style.css"), CSS, "style.css"),
        served(get("/static/./style.css").raw_socket(), CSS, "style.css"),
        served(get("/static/guide%2fnotes.txt"), TXT, "guide/notes.txt"),
        served(get("/static/%73tyle.css"), CSS, "style.css"),
        served(get("/static/style.css/"), CSS, "style.css"),
        // --- HEAD: GET's headers, no body, the file never read
        request("HEAD", "/static/style.css").expect(200, CSS, Empty).with("content-length", css_len.to_string()).with("last-modified", css_modified.clone()),
        request("HEAD", "/static/pixel.png").expect(200, PNG, Empty).with("content-length", file("pixel.png").len().to_string()),
        request("HEAD", "/static/guide/").expect(200, HTML, Empty).with("content-length", file("guide/index.html").len().to_string()),
        request("HEAD", "/static/style.css").header("range", "bytes=0-9").expect(206, CSS, Empty).with("content-length", "10").with("content-range", format!("bytes 0-9/{css_len}")),
        request("HEAD", "/static/style.css").header("if-modified-since", css_modified.clone()).expect_empty(304),
        request("HEAD", "/static/guide").expect_empty(307).with("location", "/static/guide/"),
        request("HEAD", "/static").expect(200, HTML, Empty).with("content-length", file("index.html").len().to_string()),
        request("HEAD", "/static/style.css").header("range", "bytes=0-9,20-29").expect(416, PROBLEM, Empty).with("content-range", format!("bytes */{css_len}")),
        request("HEAD", "/static/style.css").header("if-unmodified-since", "Thu, 01 Jan 1970 00:00:00 GMT").expect(412, PROBLEM, Empty),
        not_allowed("OPTIONS", "/static/style.css", "GET,HEAD"),
        not_found("HEAD", "/static/nope.txt"),
        not_found("HEAD", "/static/%00"),
        // --- missing files
        not_found("GET", "/static/nope.html"),
        not_found("GET", "/static/guide/nope"),
        not_found("GET", "/static/style.css/x"),
        not_found("GET", "/static/STYLE.CSS"),
        not_found("GET", "/static/images/"),
        not_found("GET", "/staticstyle.css"),
        not_found("GET", "/Static/style.css"),
        get("/static/nope.html").expect(404, PROBLEM, ProblemMentioning("not-found", "/static/nope.html")),
        // --- traversal, in every spelling: never out of the folder
        escape("/static/../Cargo.toml").raw_socket(),
        escape("/static/../../../../etc/passwd").raw_socket(),
        escape("/static/..").raw_socket(),
        escape("/static/guide/../style.css").raw_socket(),
        escape("/static/%2e%2e/Cargo.toml").raw_socket(),
        escape("/static/%2E%2E/Cargo.toml").raw_socket(),
        escape("/static/.%2e/Cargo.toml").raw_socket(),
        escape("/static/..%2fCargo.toml"),
        escape("/static/%2e%2e%2fCargo.toml"),
        escape("/static/guide/..%2f..%2fCargo.toml"),
        escape("/static/%2fetc%2fpasswd"),
        escape("/static//etc/passwd"),
        escape("/static/..\\Cargo.toml").raw_socket(),
        escape("/static/%5c..%5cCargo.toml"),
        escape("/static/..%5c..%5cCargo.toml"),
        escape("/static/C:/Windows/win.ini"),
        escape("/static/%00"),
        escape("/static/style.css%00.png"),
        escape("/static/%252e%252e/Cargo.toml"),
        escape("/static/%252e%252e%252fCargo.toml"),
        escape("/static/%c0%ae%c0%ae/Cargo.toml"),
        escape("/static/%FF"),
        // --- conditional requests
        get("/static/style.css").header("if-modified-since", css_modified.clone()).expect_empty(304).without("last-modified").without("content-type"),
        get("/static/style.css").header("if-modified-since", "Fri, 31 Dec 9999 23:59:59 GMT").expect_empty(304),
        served(get("/static/style.css").header("if-modified-since", "Thu, 01 Jan 1970 00:00:00 GMT"), CSS, "style.css"),
        served(get("/static/style.css").header("if-modified-since", "last tuesday"), CSS, "style.css"),
        served(get("/static/style.css").header("if-modified-since", ""), CSS, "style.css"),
        get("/static/style.css").header("if-unmodified-since", "Thu, 01 Jan 1970 00:00:00 GMT").expect(412, PROBLEM, Problem("precondition-failed")),
        served(get("/static/style.css").header("if-unmodified-since", css_modified.clone()), CSS, "style.css"),
        served(get("/static/style.css").header("if-unmodified-since", "not a date"), CSS, "style.css"),
        get("/static/style.css").header("if-unmodified-since", "Thu, 01 Jan 1970 00:00:00 GMT").header("if-modified-since", css_modified.clone()).expect(412, PROBLEM, Problem("precondition-failed")),
        get("/static/style.css").header("if-modified-since", css_modified.clone()).header("range", "bytes=0-9").expect_empty(304),
        get("/static/guide/").header("if-modified-since", modified("guide/index.html")).expect_empty(304),
        not_found("GET", "/static/nope.css").header("if-modified-since", css_modified),
        // --- range requests
        partial("bytes=0-99", 0..100),
        partial("bytes=100-199", 100..200),
        partial("bytes=-100", css_len - 100..css_len),
        partial("bytes=1200-", 1200..css_len),
        partial("bytes=0-", 0..css_len),
        partial("bytes=0-0", 0..1),
        partial("bytes=1200-99999", 1200..css_len),
        partial(format!("bytes=-{css_len}"), 0..css_len),
        get("/static/pixel.png").header("range", "bytes=0-7").expect(206, PNG, Bytes(b"\x89PNG\r\n\x1a\n".to_vec())).with("content-range", format!("bytes 0-7/{}", file("pixel.png").len())),
        unsatisfiable(format!("bytes={css_len}-")),
        unsatisfiable("bytes=5000-6000"),
        unsatisfiable(format!("bytes=-{}", css_len + 1)),
        unsatisfiable("bytes=0-9,20-29"),
        unsatisfiable("bytes=0-9, 20-29"),
        unsatisfiable("bytes=0-9,5-15"),
        unsatisfiable("bytes=9-0"),
        unsatisfiable("bytes=-0"),
        unsatisfiable("bytes=abc"),
        unsatisfiable("bytes=01-9"),
        unsatisfiable("bytes=0-9,"),
        unsatisfiable("items=0-9"),
        // --- methods: GET and HEAD only
        not_allowed("POST", "/static/style.css", "GET,HEAD"),
        not_allowed("DELETE", "/static/", "GET,HEAD"),
        not_allowed("PUT", "/static/nope", "GET,HEAD"),
        not_allowed("PATCH", "/static", "GET,HEAD"),
    ]
}
