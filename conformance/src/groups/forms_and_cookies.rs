//! The case tables of the contact form (`POST /contact`, urlencoded), the
//! visit counter (`GET /visits`, a cookie) and slow I/O (`GET /delay`).

use serde_json::json;
use shared_handlers::config::DEFAULT_BODY_LIMIT as BODY_LIMIT;

use crate::cases::{Body::*, Case, FORM, JSON, PROBLEM, get, not_allowed, request};

fn contact(body: &str) -> Case {
    request("POST", "/contact").form(body.to_owned())
}

fn echo(name: &str, email: &str, message: &str) -> serde_json::Value {
    json!({"name": name, "email": email, "message": message})
}

/// `GET /visits` with these `Cookie` header values (one header each).
fn visits(cookies: &[&str]) -> Case {
    cookies.iter().fold(get("/visits"), |case, cookie| {
        case.header("cookie", *cookie)
    })
}

/// The answer to a visit that counts `n`: body and cookie.
fn counted(case: Case, n: u64) -> Case {
    case.expect(200, JSON, JsonEq(json!({ "visits": n }))).with(
        "set-cookie",
        format!("visits={n}; HttpOnly; SameSite=Lax; Path=/"),
    )
}

/// 2^53 − 1: where the counter stops.
const MAX: u64 = 9_007_199_254_740_991;

#[rustfmt::skip]
pub fn contact_cases() -> Vec<Case> {
    let ada = echo("Ada", "ada@example.com", "Hello!");
    vec![
        // --- valid forms: 200 with the parsed fields
        contact("name=Ada&email=ada%40example.com&message=Hello%21").expect(200, JSON, JsonEq(ada.clone())),
        contact("message=Hello!&email=ada@example.com&name=Ada").expect(200, JSON, JsonEq(ada.clone())),
        request("POST", "/contact").header("content-type", "application/x-www-form-urlencoded; charset=utf-8").body("name=Ada&email=ada%40example.com&message=Hello%21").expect(200, JSON, JsonEq(ada.clone())),
        contact("name=Ada+King&email=ada%40example.com&message=Two%0Alines+").expect(200, JSON, JsonEq(echo("Ada King", "ada@example.com", "Two\nlines"))),
        contact("name=Ada&email=ada%40example.com&message=Hello%21&unknown=ignored").expect(200, JSON, JsonEq(ada.clone())),
        contact("name=%C3%89mile&email=emile%40example.fr&message=%E2%82%AC5").expect(200, JSON, JsonEq(echo("Émile", "emile@example.fr", "€5"))),
        contact("name=Ada&email=ada%40example.com&message=%FF").expect(200, JSON, JsonEq(echo("Ada", "ada@example.com", "\u{FFFD}"))),
        // --- missing or invalid fields: 422 listing each one
        contact("").expect(422, PROBLEM, ProblemFields("invalid-fields", &["name", "email", "message"])),
        contact("name=Ada&email=ada%40example.com").expect(422, PROBLEM, ProblemFields("invalid-fields", &["message"])),
        contact("name=&email=ada%40example.com&message=Hi").expect(422, PROBLEM, ProblemFields("invalid-fields", &["name"])),
        contact("name=Ada&email=ada&message=Hi").expect(422, PROBLEM, ProblemFields("invalid-fields", &["email"])),
        contact("name=Ada&email=ada%40example.com&message=+++").expect(422, PROBLEM, ProblemFields("invalid-fields", &["message"])),
        contact(&format!("name=Ada&email=ada%40example.com&message={}", "m".repeat(2001))).expect(422, PROBLEM, ProblemFields("invalid-fields", &["message"])),
        contact(&format!("name={}&email=x&message=", "n".repeat(65))).expect(422, PROBLEM, ProblemFields("invalid-fields", &["name", "email", "message"])),
        contact("name=Ada&name=Eve&email=ada%40example.com&message=Hi").expect(422, PROBLEM, ProblemFields("invalid-fields", &["."])),
        // --- wrong content type: 415
        request("POST", "/contact").header("content-type", "application/json").body(r#"{"name":"Ada"}"#).expect(415, PROBLEM, ProblemMentioning("unsupported-media-type", FORM)),
        request("POST", "/contact").header("content-type", "text/plain").body("name=Ada").expect(415, PROBLEM, Problem("unsupported-media-type")),
        request("POST", "/contact").body("name=Ada&email=ada%40example.com&message=Hi").expect(415, PROBLEM, Problem("unsupported-media-type")),
        request("POST", "/contact").header("content-type", "multipart/form-data; boundary=x").body("--x--").expect(415, PROBLEM, Problem("unsupported-media-type")),
        // axum's `Form` tests the header with a case-sensitive prefix match,
        // and raw-server makes the same test: see `raw_server::extract::form_body`.
        request("POST", "/contact").header("content-type", "Application/X-WWW-Form-Urlencoded").body("name=Ada").expect(415, PROBLEM, Problem("unsupported-media-type")),
        // --- over the body limit: 413
        request("POST", "/contact").form(vec![b'a'; BODY_LIMIT + 1]).expect(413, PROBLEM, Problem("payload-too-large")),
        not_allowed("GET", "/contact", "POST"),
    ]
}

#[rustfmt::skip]
pub fn cookie_cases() -> Vec<Case> {
    vec![
        // --- no cookie, or one we set: count on
        counted(get("/visits"), 1),
        counted(visits(&["visits=1"]), 2),
        counted(visits(&["visits=41"]), 42),
        counted(visits(&["visits=007"]), 8),
        counted(request("HEAD", "/visits").header("cookie", "visits=3"), 4).expect(200, JSON, Empty),
        // --- among other cookies, in any position, in several headers
        counted(visits(&["theme=dark; visits=5; lang=en"]), 6),
        counted(visits(&["lang=en", "visits=9"]), 10),
        counted(visits(&["visitsx=5; xvisits=6"]), 1),
        // --- the name given twice: the last one counts
        counted(visits(&["visits=1; visits=7"]), 8),
        counted(visits(&["visits=7; visits=1"]), 2),
        counted(visits(&["visits=3", "visits=30"]), 31),
        // --- decoding and whitespace, as the cookie crate does them
        counted(visits(&["visits=%35"]), 6),
        counted(visits(&["  visits =  12  "]), 13),
        counted(visits(&["visits=3; visits=%FF"]), 4),
        // --- garbage counts as no visits
        counted(visits(&["visits=abc"]), 1),
        counted(visits(&["visits="]), 1),
        counted(visits(&["visits"]), 1),
        counted(visits(&["visits=-5"]), 1),
        counted(visits(&["visits=+5"]), 1),
        counted(visits(&["visits=1.5"]), 1),
        counted(visits(&["visits=1e3"]), 1),
        counted(visits(&["visits=\"5\""]), 1),
        counted(visits(&["visits=1 2"]), 1),
        counted(visits(&[";;;==;visits=2;="]), 3),
        // --- huge numbers stop at 2^53 − 1 instead of overflowing
        counted(visits(&["visits=9007199254740990"]), MAX),
        counted(visits(&["visits=9007199254740991"]), MAX),
        counted(visits(&["visits=18446744073709551615"]), MAX),
        counted(visits(&["visits=99999999999999999999999999999999"]), MAX),
        not_allowed("POST", "/visits", "GET,HEAD"),
    ]
}

#[rustfmt::skip]
pub fn delay_cases() -> Vec<Case> {
    vec![
        get("/delay?ms=0").expect(200, JSON, Exact(r#"{"delayed_ms":0}"#)),
        get("/delay?ms=5").expect(200, JSON, Exact(r#"{"delayed_ms":5}"#)),
        get("/delay?ms=%35").expect(200, JSON, Exact(r#"{"delayed_ms":5}"#)),
        get("/delay?ms=0&other=1").expect(200, JSON, Exact(r#"{"delayed_ms":0}"#)),
        request("HEAD", "/delay?ms=1").expect(200, JSON, Empty).with("content-length", "16"),
        get("/delay").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`ms` is required")),
        get("/delay?ms=").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`ms`")),
        get("/delay?ms=-1").expect(400, PROBLEM, ProblemMentioning("invalid-query", "0 to 10000")),
        get("/delay?ms=10001").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`10001`")),
        get("/delay?ms=abc").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`ms`")),
        get("/delay?ms=1.5").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`ms`")),
        get("/delay?ms=99999999999999999999999").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`ms`")),
        get("/delay?ms=1&ms=2").expect(400, PROBLEM, ProblemMentioning("invalid-query", "duplicate field `ms`")),
        not_allowed("POST", "/delay?ms=1", "GET,HEAD"),
    ]
}
