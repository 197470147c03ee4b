//! The `Host` header rule of RFC 9112 section 3.2, written once.
//!
//! "A server MUST respond with a 400 (Bad Request) status code to any
//! HTTP/1.1 request message that lacks a Host header field and to any request
//! message that contains more than one Host header field line." hyper (and so
//! axum) accept such requests by default, so both servers check it.

use crate::error::Error;

/// Checks the number of `Host` header lines of a request.
pub fn check(is_http_1_1: bool, host_lines: usize) -> Result<(), Error> {
    match host_lines {
        0 if is_http_1_1 => Err(Error::HostHeader("an HTTP/1.1 request needs a Host header")),
        0 | 1 => Ok(()),
        _ => Err(Error::HostHeader(
            "a request may carry only one Host header",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_1_1_needs_exactly_one_host_and_no_version_allows_two() {
        assert!(check(true, 1).is_ok());
        assert!(check(true, 0).is_err());
        assert!(check(true, 2).is_err());
        assert!(check(false, 0).is_ok());
        assert!(check(false, 2).is_err());
    }
}
