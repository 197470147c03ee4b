//! Exercise 2, the starter: a first try that reads only the first `Cookie`
//! header, splits at `"; "` and keeps the first match, undecoded. Make it
//! agree with axum-extra's `CookieJar`, then run
//! `cargo run -p workshop -- check 2`. (The `cookie` crate is a dependency:
//! the point is to walk the headers by hand, not to parse a cookie pair.)

use http::HeaderMap;
use http::header::COOKIE;

/// The value of cookie `name`, `%xx`-decoded, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let header = headers.get(COOKIE)?.to_str().ok()?;
    header
        .split("; ")
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
