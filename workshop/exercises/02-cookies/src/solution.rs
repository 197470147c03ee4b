//! One answer to exercise 2: walk every `Cookie` header as the jar does.

use cookie::Cookie;
use http::HeaderMap;
use http::header::COOKIE;

/// The value of cookie `name`, `%xx`-decoded, if the request carries it.
///
/// Every `Cookie` header that is visible ASCII, split at `;`, each piece
/// parsed by the `cookie` crate (which trims it and skips what does not
/// parse); the jar keeps one cookie per name, replacing as it goes, so the
/// **last** one with the name wins.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|piece| Cookie::parse_encoded(piece).ok())
        .rfind(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}
