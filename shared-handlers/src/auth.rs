//! Bearer-token checking for `/admin/`, written once for both servers.
//!
//! The comparison runs in constant time (`subtle`): a naive `==` returns as
//! soon as one byte differs, so by timing many guesses an attacker could find
//! the token one byte at a time.

use subtle::ConstantTimeEq;

use crate::error::Error;

/// The path prefix every admin endpoint lives under.
pub const ADMIN_PREFIX: &str = "/admin/";

/// Whether a request path needs the admin token.
pub fn is_admin_path(path: &str) -> bool {
    path.starts_with(ADMIN_PREFIX)
}

/// Checks an `Authorization` header value against the expected token.
///
/// Missing header, another scheme, or a wrong token are all `401`; the
/// problem detail says which, which helps a person and tells an attacker
/// nothing they did not know.
pub fn check_bearer(authorization: Option<&[u8]>, token: &str) -> Result<(), Error> {
    let Some(value) = authorization else {
        return Err(Error::Unauthorized(
            "this endpoint needs an `Authorization: Bearer <token>` header",
        ));
    };
    // The scheme is case-insensitive (RFC 9110 section 11.1); one space follows it.
    let presented = match value.split_at_checked(7) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case(b"bearer ") => rest,
        _ => {
            return Err(Error::Unauthorized(
                "the Authorization header must use the Bearer scheme",
            ));
        }
    };
    if bool::from(presented.ct_eq(token.as_bytes())) {
        Ok(())
    } else {
        Err(Error::Unauthorized("the bearer token is not valid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_right_token_with_the_bearer_scheme() {
        assert!(check_bearer(Some(b"Bearer s3cret"), "s3cret").is_ok());
        assert!(check_bearer(Some(b"bearer s3cret"), "s3cret").is_ok());
        assert!(check_bearer(Some(b"Bearer s3cre"), "s3cret").is_err());
        assert!(check_bearer(Some(b"Bearer s3cret "), "s3cret").is_err());
        assert!(check_bearer(Some(b"Basic czNjcmV0"), "s3cret").is_err());
        assert!(check_bearer(Some(b"Bearer"), "s3cret").is_err());
        assert!(check_bearer(None, "s3cret").is_err());
    }

    #[test]
    fn admin_paths_are_those_under_the_prefix() {
        assert!(is_admin_path("/admin/stats"));
        assert!(is_admin_path("/admin/"));
        assert!(!is_admin_path("/admin"));
        assert!(!is_admin_path("/administrator"));
    }
}
