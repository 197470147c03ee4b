//! When two answers to one request make a finding, and what it looks like.
//!
//! The comparison is [`crate::compare::disagreements`], the conformance
//! suite's own. What the fuzzer adds, because it has no expected answer
//! written down per case, is what it can tell without one:
//!
//! - for the endpoints with random bodies (`/db`, `/queries`, `/updates`,
//!   `/cached-queries`), a `200` body on each side must be World rows, as
//!   many on both sides (the way the case tables check `Body::World(s)`);
//! - `x-request-id` is the client's on both sides when it is sane, and a
//!   fresh UUID v4 on both sides otherwise;
//! - a `500` is a finding even when both servers agree on it, except for
//!   `/admin/panic`, which exists to answer `500`;
//! - a panic that escapes a server, a call that hangs, a body that fails.

use std::sync::Once;

use shared_handlers::EndpointId;
use shared_handlers::request_id;

use super::exchange::{Built, Outcome};
use super::generate::FuzzRequest;
use crate::Observed;
use crate::compare::{check_world, decode_gzip, disagreements, shown};

/// The kinds of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// The servers answered differently.
    Difference,
    /// Both answered `500` to something other than `/admin/panic`.
    ServerError,
    /// A panic got past a server's panic catcher.
    Panic,
    /// A server did not answer in time.
    Hang,
    /// A response body failed while being read.
    BodyFailed,
}

/// One finding, with what it takes to reproduce it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: FindingKind,
    pub seed: u64,
    /// The case number under `seed`.
    pub case: u64,
    /// What makes two findings "the same" (see [`signature`]).
    pub signature: String,
    pub request: FuzzRequest,
    /// A smaller request that shows a finding of the same signature on two
    /// fresh servers; `None` when the request shows nothing there (it then
    /// depends on the cases sent before it).
    pub minimal: Option<FuzzRequest>,
    pub details: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{:?} at seed {} case {} [{}]",
            self.kind, self.seed, self.case, self.signature
        )?;
        writeln!(f, "{}", self.details)?;
        match &self.minimal {
            Some(minimal) => writeln!(f, "minimal request (on fresh servers):\n{minimal}")?,
            None => writeln!(
                f,
                "(not reproduced alone on fresh servers: it depends on the cases before it)"
            )?,
        }
        write!(f, "generated request:\n{}", self.request)
    }
}

/// Judges one exchange: `None` when all is well.
pub fn judge(request: &Built, raw: &Outcome, framework: &Outcome) -> Option<(FindingKind, String)> {
    let (raw, framework) = match (raw, framework) {
        (Outcome::Answered(raw), Outcome::Answered(framework)) => (raw, framework),
        _ => {
            let kind = [raw, framework]
                .iter()
                .map(|outcome| match outcome {
                    Outcome::Answered(_) => FindingKind::Difference,
                    Outcome::Panicked(_) => FindingKind::Panic,
                    Outcome::Hung => FindingKind::Hang,
                    Outcome::BodyFailed(_) => FindingKind::BodyFailed,
                })
                .find(|kind| *kind != FindingKind::Difference)
                .unwrap_or(FindingKind::Difference);
            return Some((
                kind,
                format!(
                    "raw-server: {}\nframework-server: {}",
                    describe(raw),
                    describe(framework)
                ),
            ));
        }
    };
    let decoded = |observed: &Observed| decode_gzip(observed.clone());
    let (raw, framework) = match (decoded(raw), decoded(framework)) {
        (Ok(raw), Ok(framework)) => (raw, framework),
        (raw, framework) => {
            return Some((
                FindingKind::Difference,
                format!("gzip: raw-server {raw:?}, framework-server {framework:?}"),
            ));
        }
    };
    let random = random_body(request) && raw.status == 200 && framework.status == 200;
    let mut failures = disagreements(
        ("raw-server", &raw),
        ("framework-server", &framework),
        !random,
    );
    failures.extend(request_ids(request, &raw, &framework));
    if random && *request.method() != http::Method::HEAD {
        failures.extend(same_world_shape(&raw.body, &framework.body));
    }
    if !failures.is_empty() {
        return Some((FindingKind::Difference, failures.join("\n")));
    }
    if raw.status == 500 && request.path() != "/admin/panic" {
        return Some((
            FindingKind::ServerError,
            format!("both answered 500: {}", String::from_utf8_lossy(&raw.body)),
        ));
    }
    None
}

/// One outcome on a line, its body as text.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Answered(observed) => format!(
            "{} {:?} {}",
            observed.status,
            observed.headers,
            shown(&observed.body)
        ),
        other => format!("{other:?}"),
    }
}

/// Whether the request reaches an endpoint whose `200` body is random.
fn random_body(request: &Built) -> bool {
    match raw_server::router::route(request.method(), request.path()) {
        raw_server::router::Routed::Found(endpoint, _) => matches!(
            endpoint.id,
            EndpointId::Db | EndpointId::Queries | EndpointId::Updates | EndpointId::CachedQueries
        ),
        _ => false,
    }
}

/// Both bodies are World rows (one object, or arrays of equal length).
fn same_world_shape(raw: &[u8], framework: &[u8]) -> Option<String> {
    let rows = |body: &[u8]| -> Result<Option<usize>, String> {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        match value.as_array() {
            Some(rows) => {
                rows.iter().try_for_each(check_world)?;
                Ok(Some(rows.len()))
            }
            None => check_world(&value).map(|()| None),
        }
    };
    match (rows(raw), rows(framework)) {
        (Ok(raw), Ok(framework)) if raw == framework => None,
        (raw, framework) => Some(format!(
            "random bodies of different shapes: raw-server {raw:?}, framework-server {framework:?}"
        )),
    }
}

/// The sent id echoed on both sides when sane, fresh v4 UUIDs otherwise.
fn request_ids(request: &Built, raw: &Observed, framework: &Observed) -> Option<String> {
    let sent = request.request_id().filter(|id| request_id::is_sane(id));
    let fine = |observed: &Observed| {
        let answered = observed.header(request_id::HEADER);
        match sent {
            Some(sent) => answered.map(str::as_bytes) == Some(sent),
            None => answered
                .and_then(|id| uuid::Uuid::parse_str(id).ok())
                .is_some_and(|id| id.get_version_num() == 4),
        }
    };
    (!fine(raw) || !fine(framework)).then(|| {
        format!(
            "x-request-id: raw-server {:?}, framework-server {:?} (sent {:?})",
            raw.header(request_id::HEADER),
            framework.header(request_id::HEADER),
            request
                .request_id()
                .map(<[u8]>::escape_ascii)
                .map(|id| id.to_string()),
        )
    })
}

/// What makes two findings the same: the kind, the endpoint the path
/// routes to (on raw-server), the two statuses and which headers differ.
pub fn signature(request: &FuzzRequest, kind: FindingKind, details: &str) -> String {
    let endpoint = Built::new(request)
        .map(
            |built| match raw_server::router::route(built.method(), built.path()) {
                raw_server::router::Routed::Found(endpoint, _) => endpoint.name,
                raw_server::router::Routed::MethodNotAllowed { .. } => "method-not-allowed",
                raw_server::router::Routed::NotFound => "not-found",
            },
        )
        .unwrap_or("unbuildable");
    // A difference shows each side as `  (status, [headers])` on a line of
    // its own; keep only the statuses so that values (ids, lengths) do not
    // split one bug into many.
    let statuses: Vec<&str> = details
        .lines()
        .filter_map(|line| line.strip_prefix("  ("))
        .filter_map(|line| line.split(',').next())
        .collect();
    let statuses = statuses.join("/");
    format!("{kind:?} {endpoint} {statuses}")
        .trim_end()
        .to_owned()
}

/// Keeps the deliberate panics of `/admin/panic` (and there are many in a
/// long run) off stderr; every other panic is still reported as before.
pub fn quiet_deliberate_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = shared_handlers::error::panic_message(info.payload());
            // The text of `shared_handlers::admin::panic_on_purpose`.
            if !message.contains("/admin/panic panics on purpose") {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(target: &str, headers: &[(&str, &str)]) -> Built {
        let request = FuzzRequest {
            method: "GET".into(),
            target: target.into(),
            headers: headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec()))
                .collect(),
            body: Vec::new(),
        };
        Built::new(&request).expect("a valid request")
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Outcome {
        let mut headers: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        headers.push((
            request_id::HEADER.to_owned(),
            uuid::Uuid::new_v4().to_string(),
        ));
        headers.sort();
        Outcome::Answered(Observed {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn equal_answers_with_their_own_fresh_request_ids_are_no_finding() {
        let request = get("/plaintext", &[]);
        let raw = answer(200, &[("content-length", "2")], "hi");
        let framework = answer(200, &[("content-length", "2")], "hi");

        assert_eq!(judge(&request, &raw, &framework), None);
    }

    #[test]
    fn a_header_only_one_server_sends_is_a_difference() {
        let request = get("/plaintext", &[]);
        let raw = answer(200, &[], "hi");
        let framework = answer(200, &[("allow", "GET")], "hi");

        let finding = judge(&request, &raw, &framework);

        assert!(
            matches!(finding, Some((FindingKind::Difference, _))),
            "{finding:?}"
        );
    }

    #[test]
    fn random_rows_may_differ_in_value_but_not_in_count() {
        let request = get("/queries?queries=2", &[]);
        let two = |a: u32, b: u32| {
            format!(r#"[{{"id":{a},"randomNumber":{b}}},{{"id":{b},"randomNumber":{a}}}]"#)
        };
        let one = r#"[{"id":1,"randomNumber":1}]"#;

        let same_count = judge(
            &request,
            &answer(200, &[], &two(1, 2)),
            &answer(200, &[], &two(3, 4)),
        );
        let other_count = judge(
            &request,
            &answer(200, &[], &two(1, 2)),
            &answer(200, &[], one),
        );

        assert_eq!(same_count, None);
        assert!(matches!(other_count, Some((FindingKind::Difference, _))));
    }

    #[test]
    fn an_escaped_panic_and_an_agreed_500_are_findings() {
        let request = get("/json", &[]);
        let ok = answer(200, &[], "{}");
        let error = answer(500, &[], "{}");

        let panicked = judge(&request, &ok, &Outcome::Panicked("boom".into()));
        let both_500 = judge(&request, &error, &error.clone());

        assert!(matches!(panicked, Some((FindingKind::Panic, _))));
        assert!(matches!(both_500, Some((FindingKind::ServerError, _))));
    }

    #[test]
    fn a_sane_request_id_must_be_echoed_by_both() {
        let request = get("/json", &[("x-request-id", "fuzz-1")]);
        let echoed = Outcome::Answered(Observed {
            status: 200,
            headers: vec![(request_id::HEADER.into(), "fuzz-1".into())],
            body: Vec::new(),
        });
        let fresh = answer(200, &[], "");

        let finding = judge(&request, &echoed, &fresh);

        assert!(
            matches!(finding, Some((FindingKind::Difference, _))),
            "{finding:?}"
        );
    }
}
