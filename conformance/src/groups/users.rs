//! The users resource's case table: JSON bodies, validation, status codes
//! 200/201/204/400/404/405/409/413/415/422, pagination and the name filter.
//! The cases run **in order** against a fresh database (which holds the
//! demo user 1, Ada): users are created, read, listed, replaced and deleted.

use serde_json::{Value, json};
use shared_handlers::config::DEFAULT_BODY_LIMIT as BODY_LIMIT;

use crate::cases::{Body::*, Case, JSON, PROBLEM, TEXT, get, not_allowed, not_found, request};

fn post(body: &str) -> Case {
    request("POST", "/users").json(body.to_owned())
}

fn put(target: &'static str, body: &str) -> Case {
    request("PUT", target).json(body.to_owned())
}

fn user(id: i64, name: &str, email: &str) -> Value {
    json!({"id": id, "name": name, "email": email})
}

/// `[[[ … ]]]` nested `depth` deep.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// A valid user body padded (in an ignored member) to exactly `len` bytes.
fn padded_body(email: &str, len: usize) -> Vec<u8> {
    let head = format!(r#"{{"name":"Big","email":"{email}","pad":""#);
    let tail = r#""}"#;
    let mut body = head.into_bytes();
    body.resize(len - tail.len(), b'x');
    body.extend_from_slice(tail.as_bytes());
    body
}

/// Every user in the answer to a `GET /users` is well-formed.
fn is_user_list(body: &[u8]) -> Result<(), String> {
    let users: Vec<Value> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if users
        .iter()
        .all(|u| u["id"].is_i64() && u["name"].is_string())
    {
        Ok(())
    } else {
        Err(format!("not a list of users: {users:?}"))
    }
}

/// Every case, one line each, in the order they are sent.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    let ada = user(1, "Ada Lovelace", "ada@example.com");
    let grace = user(2, "Grace Hopper", "grace@example.com");
    let alan = user(3, "Alan Turing", "alan@example.com");
    let name_64 = "n".repeat(64);
    let name_65 = "n".repeat(65);
    vec![
        // --- a fresh database holds the demo user
        get("/users").expect(200, JSON, JsonEq(json!([ada]))),
        get("/users/1").expect(200, JSON, JsonEq(ada.clone())),
        request("HEAD", "/users/1").expect(200, JSON, Empty),
        // --- create: 201, Location, the stored user; duplicate email → 409
        post(r#"{"name":"Grace Hopper","email":"grace@example.com"}"#).expect(201, JSON, JsonEq(grace.clone())).with("location", "/users/2"),
        post(r#"{"name":"Grace Again","email":"grace@example.com"}"#).expect(409, PROBLEM, ProblemMentioning("email-taken", "grace@example.com")),
        post(r#"{"name":"Grace Shouting","email":"GRACE@EXAMPLE.COM"}"#).expect(409, PROBLEM, Problem("email-taken")),
        request("POST", "/users").header("content-type", "application/json; charset=utf-8").body(r#"{"name":"  Alan Turing ","email":" alan@example.com"}"#).expect(201, JSON, JsonEq(alan.clone())).with("location", "/users/3"),
        get("/users/2").expect(200, JSON, JsonEq(grace.clone())),
        get("/users/%32").expect(200, JSON, JsonEq(grace.clone())),
        get("/users/+2").expect(200, JSON, JsonEq(grace.clone())),
        get("/users/002").expect(200, JSON, JsonEq(grace.clone())),
        // --- list: pagination and the name filter (substring, ASCII case ignored)
        get("/users").expect(200, JSON, JsonEq(json!([ada, grace, alan]))),
        get("/users?limit=1").expect(200, JSON, JsonEq(json!([ada]))),
        get("/users?limit=2&offset=1").expect(200, JSON, JsonEq(json!([grace, alan]))),
        get("/users?offset=3").expect(200, JSON, JsonEq(json!([]))),
        get("/users?offset=9223372036854775807").expect(200, JSON, JsonEq(json!([]))),
        get("/users?limit=100").expect(200, JSON, JsonEq(json!([ada, grace, alan]))),
        get("/users?name=HOPP").expect(200, JSON, JsonEq(json!([grace]))),
        get("/users?name=a").expect(200, JSON, JsonEq(json!([ada, grace, alan]))),
        get("/users?name=Alan+T").expect(200, JSON, JsonEq(json!([alan]))),
        get("/users?name=").expect(200, JSON, JsonEq(json!([ada, grace, alan]))),
        get("/users?name=%25").expect(200, JSON, JsonEq(json!([]))),
        get("/users?name=zzz").expect(200, JSON, JsonEq(json!([]))),
        get("/users?name=o&limit=1&offset=1").expect(200, JSON, JsonEq(json!([grace]))),
        get("/users?unknown=1").expect(200, JSON, Check { check: is_user_list, random: false }),
        // --- list: bad parameters → 400 naming the parameter
        get("/users?limit=0").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`limit`")),
        get("/users?limit=101").expect(400, PROBLEM, ProblemMentioning("invalid-query", "1 to 100")),
        get("/users?limit=abc").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`abc`")),
        get("/users?limit=").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`limit`")),
        get("/users?limit=-1").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`limit`")),
        get("/users?offset=-1").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`offset`")),
        get("/users?offset=1.5").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`offset`")),
        get("/users?offset=9223372036854775808").expect(400, PROBLEM, ProblemMentioning("invalid-query", "`offset`")),
        get("/users?limit=1&limit=2").expect(400, PROBLEM, ProblemMentioning("invalid-query", "duplicate field `limit`")),
        get("/users?name=a&offset=1&name=b&offset=2").expect(400, PROBLEM, ProblemMentioning("invalid-query", "duplicate field `name`")),
        // --- create: content types (415)
        request("POST", "/users").header("content-type", "text/plain").body(r#"{"name":"T","email":"t@example.com"}"#).expect(415, PROBLEM, ProblemMentioning("unsupported-media-type", "application/json")),
        request("POST", "/users").body(r#"{"name":"T","email":"t@example.com"}"#).expect(415, PROBLEM, Problem("unsupported-media-type")),
        request("POST", "/users").header("content-type", "application/x-www-form-urlencoded").body("name=T&email=t%40example.com").expect(415, PROBLEM, Problem("unsupported-media-type")),
        request("POST", "/users").header("content-type", "text/json").body(r#"{"name":"T","email":"t@example.com"}"#).expect(415, PROBLEM, Problem("unsupported-media-type")),
        request("POST", "/users").header("content-type", "application/json;;").body(r#"{"name":"T","email":"t@example.com"}"#).expect(415, PROBLEM, Problem("unsupported-media-type")),
        request("POST", "/users").header("content-type", "application/vnd.frameworth+json").body(r#"{"name":"Barbara Liskov","email":"barbara@example.com"}"#).expect(201, JSON, JsonEq(user(4, "Barbara Liskov", "barbara@example.com"))).with("location", "/users/4"),
        // --- create: not JSON at all (400)
        post(r#"{"name":"#).expect(400, PROBLEM, ProblemMentioning("invalid-json", "EOF")),
        post("").expect(400, PROBLEM, Problem("invalid-json")),
        post(r#"{"name":'single','email':'quotes@example.com'}"#).expect(400, PROBLEM, Problem("invalid-json")),
        post(r#"{"name":"T","email":"t@example.com"} {}"#).expect(400, PROBLEM, ProblemMentioning("invalid-json", "trailing characters")),
        request("POST", "/users").json(b"{\"name\":\"\xff\",\"email\":\"utf@example.com\"}".to_vec()).expect(400, PROBLEM, ProblemMentioning("invalid-json", "unicode")),
        // --- create: JSON of the wrong shape or failing validation (422, every field listed)
        post("{}").expect(422, PROBLEM, ProblemFields("invalid-fields", &["name", "email"])),
        post(r#"{"name":null,"email":null}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["name", "email"])),
        post(r#"{"name":"","email":"not-an-email"}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["name", "email"])),
        post(r#"{"name":"   ","email":"t@example.com"}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["name"])),
        post(r#"{"name":"Tab\tby","email":"t@example.com"}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["name"])),
        post(&format!(r#"{{"name":"{name_65}","email":"t@example.com"}}"#)).expect(422, PROBLEM, ProblemFields("invalid-fields", &["name"])),
        post(r#"{"name":"T","email":"t@example"}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["email"])),
        post(r#"{"name":"T","email":"t@@example.com"}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["email"])),
        post(r#"{"name":"T","email":"t @example.com"}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["email"])),
        post(r#"{"name":5,"email":"t@example.com"}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["name"])),
        post(r#"{"name":"T","email":["t@example.com"]}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["email"])),
        post(r#"{"name":"T","email":"t@example.com","name":"U"}"#).expect(422, PROBLEM, Problem("invalid-fields")),
        post("5").expect(422, PROBLEM, ProblemFields("invalid-fields", &["."])),
        post("[]").expect(422, PROBLEM, ProblemFields("invalid-fields", &["."])),
        post("null").expect(422, PROBLEM, ProblemFields("invalid-fields", &["."])),
        post(&format!(r#"{{"name":"{name_64}","email":"long@example.com"}}"#)).expect(201, JSON, JsonEq(user(5, &name_64, "long@example.com"))),
        // --- nesting: serde_json's limit of 128 bites only where a value is
        //     deserialized; our body has two strings, so serde stops at the
        //     first `[` where it wants a string (422) and skips unknown
        //     members without recursion (no limit, no stack at risk).
        post(&nested(127)).expect(422, PROBLEM, Problem("invalid-fields")),
        post(&nested(128)).expect(422, PROBLEM, Problem("invalid-fields")),
        post(&format!(r#"{{"name":{}}}"#, nested(128))).expect(422, PROBLEM, ProblemFields("invalid-fields", &["name"])),
        post(&format!(r#"{{"name":"Deep","email":"deep127@example.com","x":{}}}"#, nested(127))).expect(201, JSON, JsonEq(user(6, "Deep", "deep127@example.com"))),
        post(&format!(r#"{{"name":"Deeper","email":"deep128@example.com","x":{}}}"#, nested(128))).expect(201, JSON, JsonEq(user(7, "Deeper", "deep128@example.com"))),
        post(&format!(r#"{{"name":"Deepest","email":"deep129@example.com","x":{}}}"#, nested(129))).expect(201, JSON, JsonEq(user(8, "Deepest", "deep129@example.com"))),
        // --- invalid UTF-8 in a member serde skips is skipped with it
        request("POST", "/users").json(b"{\"name\":\"Skip\",\"email\":\"skip@example.com\",\"x\":\"\xff\"}".to_vec()).expect(201, JSON, JsonEq(user(9, "Skip", "skip@example.com"))),
        // --- the body limit: exactly 2 MiB is read, one byte more is 413
        request("POST", "/users").json(padded_body("big@example.com", BODY_LIMIT)).expect(201, JSON, JsonEq(user(10, "Big", "big@example.com"))),
        request("POST", "/users").json(padded_body("bigger@example.com", BODY_LIMIT + 1)).expect(413, PROBLEM, ProblemMentioning("payload-too-large", "2097152")),
        // --- show: 404 for a missing user, 400 for an id that is no integer
        get("/users/999").expect(404, PROBLEM, ProblemMentioning("resource-not-found", "no user with id 999")),
        get("/users/0").expect(404, PROBLEM, Problem("resource-not-found")),
        get("/users/-1").expect(404, PROBLEM, Problem("resource-not-found")),
        get("/users/abc").expect(400, PROBLEM, ProblemMentioning("invalid-path-parameter", "`id`")),
        get("/users/1.5").expect(400, PROBLEM, ProblemMentioning("invalid-path-parameter", "`1.5`")),
        get("/users/99999999999999999999").expect(400, PROBLEM, ProblemMentioning("invalid-path-parameter", "i64")),
        get("/users/%FF").expect(400, PROBLEM, ProblemMentioning("invalid-path-parameter", "UTF-8")),
        get("/users/%20").expect(400, PROBLEM, Problem("invalid-path-parameter")),
        not_found("GET", "/users/"),
        not_found("GET", "/users/1/extra"),
        not_found("GET", "/Users/1"),
        // --- replace: full replace with the same rules
        put("/users/2", r#"{"name":"Rear Admiral Hopper","email":"amazing.grace@example.com"}"#).expect(200, JSON, JsonEq(user(2, "Rear Admiral Hopper", "amazing.grace@example.com"))),
        get("/users/2").expect(200, JSON, JsonEq(user(2, "Rear Admiral Hopper", "amazing.grace@example.com"))),
        put("/users/2", r#"{"name":"Rear Admiral Hopper","email":"amazing.grace@example.com"}"#).expect(200, JSON, JsonEq(user(2, "Rear Admiral Hopper", "amazing.grace@example.com"))),
        put("/users/2", r#"{"name":"Grace","email":"ada@example.com"}"#).expect(409, PROBLEM, Problem("email-taken")),
        put("/users/2", r#"{"name":"Grace"}"#).expect(422, PROBLEM, ProblemFields("invalid-fields", &["email"])),
        put("/users/999", r#"{"name":"Nobody","email":"nobody@example.com"}"#).expect(404, PROBLEM, Problem("resource-not-found")),
        put("/users/999", "{}").expect(422, PROBLEM, ProblemFields("invalid-fields", &["name", "email"])),
        put("/users/abc", "{}").expect(400, PROBLEM, Problem("invalid-path-parameter")),
        put("/users/2", "{").expect(400, PROBLEM, Problem("invalid-json")),
        request("PUT", "/users/2").header("content-type", "text/plain").body("{}").expect(415, PROBLEM, Problem("unsupported-media-type")),
        // --- delete: 204 once, then 404
        request("DELETE", "/users/3").expect_empty(204).with("server", "frameworth").without("content-length"),
        request("DELETE", "/users/3").expect(404, PROBLEM, Problem("resource-not-found")),
        get("/users/3").expect(404, PROBLEM, Problem("resource-not-found")),
        request("DELETE", "/users/abc").expect(400, PROBLEM, Problem("invalid-path-parameter")),
        get("/users?limit=3").expect(200, JSON, JsonEq(json!([ada, user(2, "Rear Admiral Hopper", "amazing.grace@example.com"), user(4, "Barbara Liskov", "barbara@example.com")]))),
        // --- methods the catalogue lacks
        not_allowed("PATCH", "/users/2", "GET,HEAD,PUT,DELETE"),
        not_allowed("POST", "/users/2", "GET,HEAD,PUT,DELETE"),
        not_allowed("DELETE", "/users", "GET,HEAD,POST"),
        not_allowed("PUT", "/users", "GET,HEAD,POST"),
        // --- a text body where none is read is ignored
        request("GET", "/users/1").header("content-type", TEXT).body("ignored").expect(200, JSON, JsonEq(ada)),
    ]
}
