//! Malformed and oversized input. Malformed request bodies, sent byte for
//! byte over raw sockets: every server answers each with the same status,
//! headers and problem (one wording of our own, not hyper's or axum's), and
//! leaves the connection in the same state. Oversized input: a 50 MiB
//! upload gets a `413` the client can read, and a huge string or path is
//! quoted back as a short prefix only.

use std::time::Duration;

use conformance::cases::{Body, PROBLEM, parse_json, request, run_cases};
use conformance::{
    ConnectionOutcome, RawResponse, Target, raw_exchange_streaming, read_responses, start_all,
};
use shared_handlers::Error;
use shared_handlers::config::DEFAULT_BODY_LIMIT;
use shared_handlers::request_id;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(30);

/// The endpoints that read a body, each with the content type it reads.
const BODY_ENDPOINTS: &[(&str, &str)] = &[
    ("/users", "application/json"),
    ("/contact", "application/x-www-form-urlencoded"),
];

/// One malformed body: a name, the bytes after the head, and whether the
/// client half-closes after sending them (a body cut off).
struct Shape {
    name: &'static str,
    /// `chunked`, or a `Content-Length` value.
    framing: Framing,
    body: Vec<u8>,
    half_close: bool,
    status: u16,
    problem: &'static str,
    /// A body error leaves hyper unable to find the next request, so the
    /// connection closes after the answer; a refused body that was drained
    /// to its end leaves it open.
    outcome: ConnectionOutcome,
}

enum Framing {
    Chunked,
    Length(usize),
}

fn chunked(name: &'static str, body: impl Into<Vec<u8>>) -> Shape {
    Shape {
        name,
        framing: Framing::Chunked,
        body: body.into(),
        half_close: false,
        status: 400,
        problem: "bad-body",
        outcome: ConnectionOutcome::Closed,
    }
}

fn cut_off(mut shape: Shape) -> Shape {
    shape.half_close = true;
    shape
}

/// Every shape of broken framing, plus the one that is well-framed but
/// too large.
fn shapes() -> Vec<Shape> {
    let kib20 = "a".repeat(20 * 1024);
    let over_limit = DEFAULT_BODY_LIMIT + 1;
    let mut big_chunk = format!("{over_limit:x}\r\n").into_bytes();
    big_chunk.extend(std::iter::repeat_n(b'x', over_limit));
    big_chunk.extend_from_slice(b"\r\n0\r\n\r\n");
    vec![
        chunked("a chunk size that is not hex", "zz\r\nhello\r\n0\r\n\r\n"),
        chunked("a chunk size with a 0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
        chunked("an empty chunk size", "\r\nhello\r\n0\r\n\r\n"),
        chunked(
            "a chunk size of 17 hex digits",
            "10000000000000000\r\nhello\r\n0\r\n\r\n",
        ),
        chunked("a negative chunk size", "-5\r\nhello\r\n0\r\n\r\n"),
        chunked("no CRLF after the chunk size", "5hello\r\n0\r\n\r\n"),
        chunked("no CRLF after the chunk data", "5\r\nhelloX0\r\n\r\n"),
        chunked(
            "a 20 KiB chunk extension",
            format!("5;ext={kib20}\r\nhello\r\n0\r\n\r\n"),
        ),
        chunked(
            "a 20 KiB trailer",
            format!("5\r\nhello\r\n0\r\nx-big: {kib20}\r\n\r\n"),
        ),
        cut_off(chunked(
            "a body cut off in the middle of a chunk",
            "10\r\nhello",
        )),
        Shape {
            status: 413,
            problem: "payload-too-large",
            outcome: ConnectionOutcome::Open,
            ..chunked("one chunk larger than the body limit", big_chunk)
        },
        cut_off(Shape {
            framing: Framing::Length(100),
            ..chunked("a Content-Length body that ends early", "name=Ada")
        }),
    ]
}

fn request_bytes(path: &str, content_type: &str, shape: &Shape) -> Vec<u8> {
    let framing = match shape.framing {
        Framing::Chunked => "transfer-encoding: chunked".to_owned(),
        Framing::Length(length) => format!("content-length: {length}"),
    };
    let mut bytes = format!(
        "POST {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: {content_type}\r\n{framing}\r\n\r\n"
    )
    .into_bytes();
    bytes.extend_from_slice(&shape.body);
    bytes
}

/// What must be equal between servers: status, headers but `Date` and the
/// generated request id, body, and the connection's fate.
type Compared = (u16, Vec<(String, String)>, Vec<u8>, ConnectionOutcome);

fn compared(response: &RawResponse, outcome: ConnectionOutcome) -> Compared {
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|(name, _)| name != "date" && name != request_id::HEADER)
        .cloned()
        .collect();
    headers.sort();
    (response.status, headers, response.body.clone(), outcome)
}

/// Checks one answer against the shape's expectation.
fn check(shape: &Shape, response: &RawResponse) -> Result<(), String> {
    if response.status != shape.status {
        return Err(format!(
            "status {} instead of {}",
            response.status, shape.status
        ));
    }
    let content_type = response
        .headers
        .iter()
        .find(|(name, _)| name == "content-type")
        .map(|(_, value)| value.as_str());
    if content_type != Some(PROBLEM) {
        return Err(format!("content-type {content_type:?}"));
    }
    let problem = parse_json(&response.body)?;
    if problem["type"] != format!("urn:frameworth:problem:{}", shape.problem) {
        return Err(format!("problem {problem}"));
    }
    if shape.problem == "bad-body" {
        let ours = Error::bad_body("any cause").problem().detail;
        if problem["detail"] != ours.as_str() {
            return Err(format!("detail {} is not our wording", problem["detail"]));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_malformed_body_gets_the_same_problem_and_connection_outcome_from_every_server() {
    let targets: Vec<Target> = start_all().await.expect("servers start");
    let mut failures = Vec::new();
    for shape in shapes() {
        for (path, content_type) in BODY_ENDPOINTS {
            let request = request_bytes(path, content_type, &shape);
            let mut answers: Vec<(&str, Compared)> = Vec::new();
            for target in &targets {
                let label = format!("{} to {path} on {}", shape.name, target.kind.label());
                let exchange =
                    raw_exchange_streaming(target.addr, request.clone(), shape.half_close, 1, WAIT)
                        .await;
                let (responses, outcome) = match exchange {
                    Ok(answer) => answer,
                    Err(e) => {
                        failures.push(format!("{label}: {e}"));
                        continue;
                    }
                };
                let Some(response) = responses.first() else {
                    failures.push(format!("{label}: no answer before the connection closed"));
                    continue;
                };
                if let Err(failure) = check(&shape, response) {
                    failures.push(format!("{label}: {failure}"));
                }
                if outcome != shape.outcome {
                    failures.push(format!(
                        "{label}: connection {outcome:?}, expected {:?}",
                        shape.outcome
                    ));
                }
                answers.push((target.kind.label(), compared(response, outcome)));
            }
            if let Some(((first_label, first), others)) = answers.split_first() {
                for (label, other) in others {
                    if first != other {
                        failures.push(format!(
                            "{} to {path}: {first_label} and {label} differ:\n  {first:?}\n  {other:?}",
                            shape.name
                        ));
                    }
                }
            }
        }
    }
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A 50 MiB upload: `Content-Length: 52428800`.
const UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// Writes a 50 MiB upload to `POST /users` from a background task, the way
/// a client that does not read until it has written does, while reading;
/// returns the answers, and whether the whole upload could be written.
async fn upload_50_mib(target: &Target) -> anyhow::Result<(Vec<RawResponse>, bool)> {
    let (mut reader, mut writer) = TcpStream::connect(target.addr).await?.into_split();
    let head = format!(
        "POST /users HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {UPLOAD_BYTES}\r\n\r\n"
    );
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let block = vec![b' '; 64 * 1024];
        for _ in 0..UPLOAD_BYTES / block.len() {
            writer.write_all(&block).await?;
        }
        anyhow::Ok(writer)
    });
    let (responses, _) = tokio::time::timeout(WAIT, read_responses(&mut reader, 1))
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {WAIT:?}"))??;
    let wrote_everything = tokio::time::timeout(WAIT, writing)
        .await
        .is_ok_and(|joined| joined.is_ok_and(|written| written.is_ok()));
    Ok((responses, wrote_everything))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mib_upload_gets_a_413_the_client_can_read_from_every_server() {
    let targets: Vec<Target> = start_all().await.expect("servers start");
    let mut answers = Vec::new();
    for target in &targets {
        let started = std::time::Instant::now();
        let (responses, wrote_everything) = upload_50_mib(target)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", target.kind.label()));
        println!(
            "{}: 50 MiB upload answered in {:?}",
            target.kind.label(),
            started.elapsed()
        );
        let response = responses
            .first()
            .unwrap_or_else(|| panic!("{}: the 413 was lost", target.kind.label()));
        let problem = parse_json(&response.body).expect("a problem document");
        assert_eq!(response.status, 413, "{}", target.kind.label());
        assert_eq!(problem["type"], "urn:frameworth:problem:payload-too-large");
        assert!(
            wrote_everything,
            "{}: the upload was cut off",
            target.kind.label()
        );
        // Compared on status, headers and body; the connection's fate after
        // a drained upload is checked by the one-chunk-too-large shape.
        answers.push(compared(response, ConnectionOutcome::Open));
    }
    assert!(
        answers.windows(2).all(|pair| pair[0] == pair[1]),
        "{answers:#?}"
    );
    for target in targets {
        target.stop().await.expect("server stops cleanly");
    }
}

/// A `422` that quotes at most a short prefix of the 2 MiB string.
fn short_422_for_a_huge_string(body: &[u8]) -> Result<(), String> {
    if body.len() > 1024 {
        return Err(format!("a {}-byte problem document", body.len()));
    }
    let problem = parse_json(body)?;
    let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
    if !message.starts_with("invalid type: string \"xxxx") || !message.ends_with('…') {
        return Err(format!("unexpected message {message:?}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_mib_string_is_quoted_back_as_a_short_prefix_only() {
    // Just under the 2 MiB limit: the body is read, then refused by serde.
    let huge = format!("\"{}\"", "x".repeat(DEFAULT_BODY_LIMIT - 16));
    let huge_name = format!(
        r#"{{"name":"{}","email":"a@b.c"}}"#,
        "x".repeat(DEFAULT_BODY_LIMIT - 64)
    );
    let check = Body::Check {
        check: short_422_for_a_huge_string,
        random: false,
    };
    #[rustfmt::skip]
    let cases = vec![
        request("POST", "/users").json(huge).expect(422, PROBLEM, check),
        request("POST", "/users").json(huge_name).expect(422, PROBLEM, Body::ProblemFields("invalid-fields", &["name"])),
    ];
    run_cases(&cases).await;
}

/// A problem document of at most 1 KiB.
fn short_404(body: &[u8]) -> Result<(), String> {
    let problem = parse_json(body)?;
    if body.len() > 1024 || problem["type"] != "urn:frameworth:problem:not-found" {
        return Err(format!("a {}-byte answer: {problem}", body.len()));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_path_is_quoted_back_as_a_short_prefix_only_and_names_no_file() {
    let long = |prefix: &str| -> &'static str { format!("{prefix}{}", "a".repeat(4000)).leak() };
    let check = || Body::Check {
        check: short_404,
        random: false,
    };
    #[rustfmt::skip]
    let cases = vec![
        request("GET", long("/")).expect(404, PROBLEM, check()),
        // A file name longer than the file system allows is no such file.
        request("GET", long("/static/")).expect(404, PROBLEM, check()),
        request("HEAD", long("/static/")).expect(404, PROBLEM, Body::Empty),
    ];
    run_cases(&cases).await;
}
