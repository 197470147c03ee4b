//! Guests: servers written outside Rust (the Node servers in `guests/node/`)
//! run against the same case tables, compared with raw-server's answers by
//! the same comparison ([`crate::compare`]) and held to the same
//! expectations ([`crate::cases::check_expected_with`]).
//!
//! A guest implements the benchmark endpoints it is measured on
//! ([`GUEST_PATHS`]) plus `404`, so it runs the *portable* subset of a table
//! ([`portable`]). Where a guest must answer differently, [`DEVIATIONS`]
//! says so, and why: it is the one place that lists them. Every deviation
//! must still happen (a guest that stops differing fails the run), so the
//! list cannot outlive its reasons.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use shared_handlers::AppState;

use crate::cases::{Case, check_expected, check_expected_with};
use crate::compare::disagreements;
use crate::process::{Running, start_command};
use crate::{Kind, Observed, Target, client, fetch};

/// The Node guests, by script name (`guests/node/<name>.js`).
pub const NODE_GUESTS: [&str; 4] = ["node-http", "express", "express4", "fastify"];

/// The endpoints every guest implements: the benchmark endpoints that read.
pub const GUEST_PATHS: [&str; 5] = ["/plaintext", "/json", "/db", "/queries", "/fortunes"];

/// How a guest's answer may differ from the Rust servers' one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difference {
    /// The answer carries `Connection` and `Keep-Alive` headers.
    ConnectionHeaders,
    /// The answer carries no `x-request-id`.
    NoRequestId,
    /// `; charset=utf-8` follows a content type that has none in Rust.
    CharsetAppended,
    /// Percent-escapes in the path are decoded before routing, so
    /// `/plain%74ext` is `/plaintext`.
    DecodedPath,
}

/// One listed difference: which guests, what, and why.
#[derive(Debug, Clone, Copy)]
pub struct Deviation {
    pub guests: &'static [&'static str],
    pub difference: Difference,
    pub why: &'static str,
}

// ANCHOR: deviations
/// Every way a guest's answer may differ from raw-server's, and why.
pub const DEVIATIONS: [Deviation; 4] = [
    Deviation {
        guests: &NODE_GUESTS,
        difference: Difference::ConnectionHeaders,
        why: "Node's http announces `Connection: keep-alive` and `Keep-Alive: timeout=N` on \
              every HTTP/1.1 answer; hyper leaves keep-alive implicit, as HTTP/1.1 allows. \
              Hop-by-hop headers: they describe the connection, not the answer",
    },
    Deviation {
        guests: &NODE_GUESTS,
        difference: Difference::NoRequestId,
        why: "x-request-id is the Rust servers' tracing middleware, not a benchmark rule; \
              the guests do only what the rules ask",
    },
    Deviation {
        guests: &["express", "express4", "fastify"],
        difference: Difference::CharsetAppended,
        why: "Express's res.send and Fastify's reply.send append `; charset=utf-8` to the \
              content type of every string body, JSON and problem documents included",
    },
    Deviation {
        guests: &["fastify"],
        difference: Difference::DecodedPath,
        why: "Fastify's router (find-my-way) matches the percent-decoded path",
    },
];
// ANCHOR_END: deviations

/// The deviations that apply to `guest`.
pub fn deviations(guest: &str) -> impl Iterator<Item = &'static Deviation> {
    DEVIATIONS.iter().filter(move |d| d.guests.contains(&guest))
}

/// The cases a guest runs: every case of [`GUEST_PATHS`] and every `404`.
pub fn portable(cases: Vec<Case>) -> Vec<Case> {
    cases
        .into_iter()
        .filter(|case| {
            let path = case.target.split('?').next().unwrap_or_default();
            !case.raw_socket && (GUEST_PATHS.contains(&path) || case.status == 404)
        })
        .collect()
}

/// `guests/node/` in this checkout.
pub fn node_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../guests/node"))
}

/// Whether the Node guests can run here: `node` on the `PATH` and the
/// packages installed (`npm ci --prefix guests/node`); why not otherwise.
pub fn node_ready() -> Result<String, String> {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("`node` does not run: {e}"))?;
    let modules = node_dir().join("node_modules");
    if !modules.is_dir() {
        return Err(format!(
            "{} is missing: run `npm ci --prefix guests/node`",
            modules.display()
        ));
    }
    Ok(String::from_utf8_lossy(&version.stdout).trim().to_owned())
}

/// Starts `node guests/node/<guest>.js --addr 127.0.0.1:0 --database PATH`.
pub fn start_guest(guest: &str, database: &std::path::Path) -> anyhow::Result<Running> {
    let mut command = Command::new("node");
    command
        .arg(node_dir().join(format!("{guest}.js")))
        .args(["--addr", "127.0.0.1:0", "--database"])
        .arg(database);
    start_command(command)
}

/// Creates and seeds a database at `path` as the Rust servers do, and closes
/// it, so that its WAL is checkpointed into the file a guest reads.
pub async fn seed_database(path: PathBuf) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || AppState::open(&path).map(drop)).await??;
    Ok(())
}

/// A guest's answer with the listed deviations undone, the case it must
/// then satisfy, and which deviations it needed.
struct Undone {
    observed: Observed,
    expected: Case,
    /// False when the case changed (a decoded path): no agreement check.
    compare: bool,
    request_id: bool,
    used: Vec<Difference>,
}

/// Undoes the deviations listed for `guest` on its answer to `case`.
fn undo(guest: &str, case: &Case, table: &[Case], mut observed: Observed) -> Undone {
    let mut undone = Undone {
        observed: Observed {
            status: observed.status,
            headers: Vec::new(),
            body: Vec::new(),
        },
        expected: case.clone(),
        compare: true,
        request_id: true,
        used: Vec::new(),
    };
    for deviation in deviations(guest) {
        let applied = match deviation.difference {
            Difference::ConnectionHeaders => {
                let before = observed.headers.len();
                observed
                    .headers
                    .retain(|(name, _)| name != "connection" && name != "keep-alive");
                observed.headers.len() != before
            }
            Difference::NoRequestId => {
                undone.request_id = false;
                observed
                    .header(shared_handlers::request_id::HEADER)
                    .is_none()
            }
            Difference::CharsetAppended => {
                let mut applied = false;
                for (name, value) in &mut observed.headers {
                    if name == "content-type"
                        && let Some(bare) = value.strip_suffix("; charset=utf-8")
                        && case.content_type == Some(bare)
                    {
                        *value = bare.to_owned();
                        applied = true;
                    }
                }
                applied
            }
            Difference::DecodedPath => match decoded_case(case, table) {
                Some(decoded) if observed.status != case.status => {
                    undone.expected = decoded;
                    undone.compare = false;
                    true
                }
                _ => false,
            },
        };
        if applied {
            undone.used.push(deviation.difference);
        }
    }
    undone.observed = observed;
    undone
}

/// The table's case for `case`'s path percent-decoded, when that differs.
fn decoded_case(case: &Case, table: &[Case]) -> Option<Case> {
    let decoded = percent_decode_ascii(case.target)?;
    table
        .iter()
        .find(|other| other.method == case.method && other.target == decoded)
        .cloned()
}

/// `case.target` with its `%XX` escapes of ASCII decoded; None if it has none.
fn percent_decode_ascii(target: &str) -> Option<String> {
    let bytes = target.as_bytes();
    let (mut out, mut i, mut changed) = (String::new(), 0, false);
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| target.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .filter(u8::is_ascii);
        match escaped {
            Some(byte) => {
                out.push(char::from(byte));
                i += 3;
                changed = true;
            }
            None => {
                out.push(char::from(bytes[i]));
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// Every case on raw-server and on each guest: the failures, and which
/// deviations each guest needed.
async fn compare_with_reference<'a>(
    reference: &Target,
    running: &[(&'a str, Running)],
    cases: &[Case],
) -> (Vec<String>, Vec<(&'a str, Difference)>) {
    let client = client();
    let mut failures = Vec::new();
    let mut used: Vec<(&str, Difference)> = Vec::new();
    for case in cases {
        let headers: Vec<(&str, &str)> = case
            .request_headers
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .collect();
        let body = case.request_body.as_deref();
        let label = Kind::Raw.label();
        let expected = fetch(
            &client,
            case.method,
            &reference.url(case.target),
            &headers,
            body,
        )
        .await
        .unwrap_or_else(|e| panic!("{} on {label}: {e}", case.label()));
        if let Err(failure) = check_expected(case, &expected) {
            failures.push(format!("{} on {label}: {failure}", case.label()));
        }
        for (guest, server) in running {
            let url = format!("http://{}{}", server.addr, case.target);
            let observed = fetch(&client, case.method, &url, &headers, body)
                .await
                .unwrap_or_else(|e| panic!("{} on {guest}: {e}", case.label()));
            let undone = undo(guest, case, cases, observed);
            used.extend(undone.used.iter().map(|d| (*guest, *d)));
            let checked =
                check_expected_with(&undone.expected, &undone.observed, undone.request_id);
            if let Err(failure) = checked {
                failures.push(format!("{} on {guest}: {failure}", case.label()));
            }
            if undone.compare {
                let deterministic = case.body.deterministic();
                let found =
                    disagreements((label, &expected), (guest, &undone.observed), deterministic);
                failures.extend(found.into_iter().map(|f| format!("{}: {f}", case.label())));
            }
        }
    }
    (failures, used)
}

/// Sends every case to raw-server (the reference) and to every guest; each
/// guest's answer, with its listed deviations undone, must agree with
/// raw-server's and meet the case's expectation. Then every guest must
/// have needed each of its deviations, and stop cleanly on SIGTERM.
/// Panics with every failure; returns the number of cases run.
pub async fn run_guest_cases(guests: &[&str], cases: &[Case]) -> usize {
    let reference = Target::start(Kind::Raw).await.expect("raw-server starts");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = dir.path().join("guests.sqlite3");
    seed_database(database.clone())
        .await
        .expect("the database seeds");
    let mut running = Vec::new();
    for guest in guests {
        let path = database.clone();
        let name = guest.to_string();
        let started = tokio::task::spawn_blocking(move || start_guest(&name, &path))
            .await
            .expect("the start does not panic")
            .unwrap_or_else(|e| panic!("{guest} does not start: {e}"));
        running.push((*guest, started));
    }

    let (mut failures, used) = compare_with_reference(&reference, &running, cases).await;

    for (guest, server) in running {
        for deviation in deviations(guest) {
            if !used.contains(&(guest, deviation.difference)) {
                failures.push(format!(
                    "{guest} no longer needs the deviation {:?}: remove it from DEVIATIONS",
                    deviation.difference
                ));
            }
        }
        match tokio::task::spawn_blocking(move || server.terminate(Duration::from_secs(5))).await {
            Ok(Ok(status)) if status.success() => {}
            other => failures.push(format!(
                "{guest} did not stop cleanly on SIGTERM: {other:?}"
            )),
        }
    }
    reference.stop().await.expect("raw-server stops cleanly");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!(
        "guests: {} cases agreed with raw-server on {}",
        cases.len(),
        guests.join(", ")
    );
    cases.len()
}
