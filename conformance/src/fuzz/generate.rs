//! Generating requests: the catalogue's real paths as seeds, then odd bytes,
//! odd encodings and odd combinations on top.
//!
//! Everything is drawn from one [`fastrand::Rng`], so a seed fixes the whole
//! request. The mix leans towards requests that reach a handler (a real path
//! with its own method, the right `Content-Type`, the admin token) because a
//! request refused at the router tests little; the rest is there to be odd:
//! methods nobody routes, `..`, `//`, `%00`, overlong and non-UTF-8 escapes,
//! repeated and junk query keys, huge numbers, truncated and deeply nested
//! JSON, every spelling of `Accept-Encoding` and `Content-Type`, cookies,
//! missing or doubled `Host`.
//!
//! What it leaves out on purpose: `Content-Length` and bodies near the size
//! limit (the body framing belongs to the connection tests), and waits that
//! would be long: `/delay?ms=` only ever gets a wait of at most 5 ms or a
//! value the endpoint refuses, in any spelling.

use fastrand::Rng;
use shared_handlers::catalogue::ENDPOINTS;
use shared_handlers::config::DEFAULT_ADMIN_TOKEN;

use super::vocabulary::*;

/// One generated request, in a form that prints as something a person can
/// type again (see its `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzRequest {
    pub method: String,
    /// Path and query, as sent (may be refused by `http::Uri`: then the case
    /// is skipped, as hyper would refuse it before any server code ran).
    pub target: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl std::fmt::Display for FuzzRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} {} HTTP/1.1", self.method, self.target)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {}", value.escape_ascii())?;
        }
        if !self.body.is_empty() {
            writeln!(f)?;
            writeln!(f, "{}", self.body.escape_ascii())?;
        }
        Ok(())
    }
}

/// Picks one element of a non-empty table.
fn pick<'a>(rng: &mut Rng, table: &[&'a str]) -> &'a str {
    table[rng.usize(..table.len())]
}

/// `true` with probability `percent`/100.
fn chance(rng: &mut Rng, percent: u8) -> bool {
    rng.u8(..100) < percent
}

/// One request, drawn from `rng`.
pub fn request(rng: &mut Rng) -> FuzzRequest {
    let endpoint = &ENDPOINTS[rng.usize(..ENDPOINTS.len())];
    let (mut path, path_method) = if chance(rng, 75) {
        (seed_path(rng, endpoint.example), endpoint.method.as_str())
    } else {
        (pick(rng, EXTRA_PATHS).to_owned(), "GET")
    };
    for _ in 0..rng.usize(..3) {
        if chance(rng, 40) {
            mutate_path(rng, &mut path);
        }
    }
    let method = match rng.u8(..100) {
        0..70 => path_method,
        70..90 => pick(rng, COMMON_METHODS),
        _ => pick(rng, ODD_METHODS),
    };
    let query = if chance(rng, 50) {
        query(rng)
    } else {
        String::new()
    };
    let target = if query.is_empty() && chance(rng, 80) {
        path
    } else {
        format!("{path}?{query}")
    };
    let mut request = FuzzRequest {
        method: method.to_owned(),
        target,
        headers: Vec::new(),
        body: Vec::new(),
    };
    headers(rng, &mut request);
    if matches!(method, "POST" | "PUT") || chance(rng, 5) {
        body(rng, &mut request);
    }
    request
}

/// The catalogue example, its query dropped or kept, `{id}` replaced.
fn seed_path(rng: &mut Rng, example: &str) -> String {
    let path = example.split('?').next().unwrap_or(example);
    if path.starts_with("/users/") && chance(rng, 60) {
        return format!("/users/{}", pick(rng, ID_VALUES));
    }
    path.to_owned()
}

/// One mutation: splice a piece in, encode a character, change case,
/// truncate, or double a slash.
fn mutate_path(rng: &mut Rng, path: &mut String) {
    let boundaries: Vec<usize> = (0..=path.len())
        .filter(|i| path.is_char_boundary(*i))
        .collect();
    let at = boundaries[rng.usize(..boundaries.len())];
    match rng.u8(..6) {
        0 | 1 => path.insert_str(at, pick(rng, PATH_PIECES)),
        2 => {
            if let Some(c) = path[at..].chars().next().filter(char::is_ascii) {
                let encoded = format!("%{:02X}", u32::from(c));
                path.replace_range(at..at + 1, &encoded);
            }
        }
        3 => *path = path.to_ascii_uppercase(),
        4 => path.truncate(at.max(1)),
        _ => path.push_str(&format!("/{}", pick(rng, PATH_PIECES))),
    }
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
}

/// A query string: known keys with odd values, repeats and junk.
fn query(rng: &mut Rng) -> String {
    let mut pairs: Vec<String> = Vec::new();
    for _ in 0..=rng.usize(..4) {
        match rng.u8(..10) {
            0 => pairs.push(pick(rng, QUERY_JUNK).to_owned()),
            1 => pairs.push(pick(rng, QUERY_KEYS).to_owned()),
            _ => {
                let key = pick(rng, QUERY_KEYS);
                let value = if key == "ms" || key.is_empty() {
                    pick(rng, DELAY_VALUES)
                } else {
                    pick(rng, NUMBER_VALUES)
                };
                pairs.push(format!("{key}={value}"));
            }
        }
        if chance(rng, 15)
            && let Some(last) = pairs.last().cloned()
        {
            pairs.push(last); // the same key twice
        }
    }
    pairs.join(if chance(rng, 90) { "&" } else { "&&" })
}

/// Host, content negotiation, cookies, the admin token, conditions, ranges.
fn headers(rng: &mut Rng, request: &mut FuzzRequest) {
    let mut add = |name: &str, value: &str| {
        request
            .headers
            .push((name.to_owned(), value.as_bytes().to_vec()))
    };
    match rng.u8(..100) {
        0..4 => {}
        4..8 => {
            add("host", "localhost");
            add("host", "example.com");
        }
        8..12 => add("host", "example.com:8080"),
        _ => add("host", "localhost"),
    }
    if chance(rng, 30) {
        let mut value = pick(rng, ACCEPT_ENCODINGS).to_owned();
        if chance(rng, 30) {
            value = format!("{value}, {}", pick(rng, ACCEPT_ENCODINGS));
        }
        add("accept-encoding", &value);
        if chance(rng, 10) {
            add("accept-encoding", pick(rng, ACCEPT_ENCODINGS));
        }
    }
    if chance(rng, 20) {
        add("cookie", pick(rng, COOKIES));
        if chance(rng, 20) {
            add("cookie", pick(rng, COOKIES));
        }
    }
    if request.target.starts_with("/admin") {
        if chance(rng, 70) {
            add("authorization", &format!("Bearer {DEFAULT_ADMIN_TOKEN}"));
        } else {
            add("authorization", pick(rng, AUTHORIZATIONS));
        }
    }
    if request.target.starts_with("/static") && chance(rng, 30) {
        add("range", pick(rng, RANGES));
    }
    if request.target.starts_with("/static") && chance(rng, 15) {
        let name = if chance(rng, 50) {
            "if-modified-since"
        } else {
            "if-unmodified-since"
        };
        add(name, pick(rng, DATES));
    }
    if chance(rng, 5) {
        add("x-request-id", pick(rng, REQUEST_IDS));
    }
}

/// A JSON or form body (with a matching `Content-Type` most of the time),
/// valid, broken or odd.
fn body(rng: &mut Rng, request: &mut FuzzRequest) {
    let form = request.target.starts_with("/contact") != chance(rng, 10);
    let content_type = if chance(rng, 80) {
        if form {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        }
    } else {
        pick(rng, CONTENT_TYPES)
    };
    request
        .headers
        .push(("content-type".to_owned(), content_type.as_bytes().to_vec()));
    let mut body = if form { form_body(rng) } else { json_body(rng) };
    if chance(rng, 10) && !body.is_empty() {
        body.truncate(rng.usize(..body.len())); // cut anywhere, even mid-character
    }
    request.body = body;
}

fn json_body(rng: &mut Rng) -> Vec<u8> {
    let text = match rng.u8(..12) {
        0..6 => {
            let mut members = Vec::new();
            if chance(rng, 85) {
                members.push(format!("\"name\":{}", pick(rng, NAMES)));
            }
            if chance(rng, 85) {
                members.push(format!("\"email\":{}", pick(rng, EMAILS)));
            }
            if chance(rng, 15) {
                members.push("\"extra\":[1,2,{\"a\":null}]".to_owned());
            }
            if chance(rng, 10) {
                members.push(format!("\"name\":{}", pick(rng, NAMES))); // twice
            }
            format!("{{{}}}", members.join(","))
        }
        6 => {
            let depth = rng.usize(100..200);
            format!("{}{}", "[".repeat(depth), "]".repeat(depth))
        }
        7 => format!(
            "{}1{}",
            "{\"a\":".repeat(rng.usize(120..140)),
            "}".repeat(130)
        ),
        8 => pick(
            rng,
            &[
                "",
                " ",
                "null",
                "[]",
                "\"text\"",
                "1",
                "{} x",
                "{",
                "\u{feff}{}",
            ],
        )
        .into(),
        9 => "{\"name\":\"Ada\",\"email\":\"ada@example.com\"} {}".to_owned(),
        10 => return (0..rng.usize(..64)).map(|_| rng.u8(..)).collect(),
        _ => "{\"name\":99999999999999999999999999999999,\"email\":-1e999}".to_owned(),
    };
    text.into_bytes()
}

fn form_body(rng: &mut Rng) -> Vec<u8> {
    let fields: &[&str] = &[
        "name=Ada",
        "name=",
        "name=%FF",
        "name=+",
        "email=ada%40example.com",
        "email=bad",
        "email=",
        "message=Hello%21",
        "message=",
        "message=%zz",
        "name=Ada&name=Bob",
        "%",
        "=x",
        "junk",
        "message=a+b",
        "email=%40",
        "name=%00",
    ];
    let count = rng.usize(..5);
    let mut parts: Vec<&str> = (0..count).map(|_| pick(rng, fields)).collect();
    if chance(rng, 50) {
        parts = vec!["name=Ada", "email=ada%40example.com", "message=Hello%21"];
    }
    parts.join("&").into_bytes()
}
