//! The visit counter kept in a cookie: `GET /visits`.
//!
//! Stateless on purpose: the count lives in the client's `visits` cookie, so
//! any server instance can answer any request. The server reads the old
//! count, adds one, and sends the new count both in the body and in a new
//! cookie.
//!
//! Cookies are client input like any other, so the rules for odd values
//! are spelled out (both servers follow them, the conformance suite checks):
//!
//! - the value must be ASCII digits only (after the whitespace around it is
//!   trimmed and `%xx` escapes are decoded, as the `cookie` crate does):
//!   anything else — empty, a sign, a fraction, letters, quotes — counts as
//!   no visits, so the answer is 1;
//! - a number above [`MAX_VISITS`] (including ones too large for any integer
//!   type) counts as [`MAX_VISITS`], and the count never goes past it: no
//!   overflow, and every JSON client reads the number exactly;
//! - when the request carries `visits` more than once, the **last** one
//!   counts (what axum-extra's `CookieJar` does, and raw-server copies);
//!   browsers send the most specific cookie first, but for a cookie set on
//!   `Path=/` as this one is, there is only ever one.

use serde::Serialize;

/// The cookie's name.
pub const COOKIE_NAME: &str = "visits";

/// The largest count: 2^53 − 1, the largest integer a JavaScript (or any
/// IEEE-754 double) JSON client reads without rounding.
pub const MAX_VISITS: u64 = (1 << 53) - 1;

/// A visit count, always in `0..=MAX_VISITS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Visits {
    pub visits: u64,
}

impl Visits {
    /// The count a cookie value stands for (see the module docs).
    pub fn from_cookie(value: Option<&str>) -> Visits {
        let visits = match value {
            Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                // Only digits, so the one way parsing can fail is overflow.
                digits
                    .parse::<u64>()
                    .map_or(MAX_VISITS, |n| n.min(MAX_VISITS))
            }
            _ => 0,
        };
        Visits { visits }
    }

    /// One more visit, stopping at [`MAX_VISITS`].
    pub fn next(self) -> Visits {
        Visits {
            visits: (self.visits + 1).min(MAX_VISITS),
        }
    }
}

/// `GET /visits`: the count after this visit, from the cookie's value.
pub fn count(cookie: Option<&str>) -> Visits {
    Visits::from_cookie(cookie).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_the_cookie_and_treats_garbage_as_zero() {
        let cases: &[(Option<&str>, u64)] = &[
            (None, 1),
            (Some(""), 1),
            (Some("0"), 1),
            (Some("41"), 42),
            (Some("007"), 8),
            (Some("-3"), 1),
            (Some("+3"), 1),
            (Some("3.5"), 1),
            (Some("1e3"), 1),
            (Some("\"5\""), 1),
            (Some("abc"), 1),
            (Some("9007199254740990"), MAX_VISITS),
            (Some("9007199254740991"), MAX_VISITS),
            (Some("18446744073709551616"), MAX_VISITS),
            (Some("99999999999999999999999999999"), MAX_VISITS),
        ];
        for &(cookie, expected) in cases {
            assert_eq!(count(cookie).visits, expected, "cookie {cookie:?}");
        }
    }
}
