//! Request ids: the policy both servers' request-id middleware follows.
//!
//! A client (or a proxy in front of us) may send `x-request-id` so that its
//! logs and ours can be matched. We echo it back when it is *sane* — short,
//! and made of characters that cannot break a log line or a header — and
//! otherwise replace it with a fresh random id.

/// The header's name, lowercase as HTTP/2 and hyper spell it.
pub const HEADER: &str = "x-request-id";

/// The longest incoming id we echo.
pub const MAX_LEN: usize = 128;

/// Whether an incoming id may be echoed: 1..=128 characters from
/// `A-Z a-z 0-9 - _ . :`.
pub fn is_sane(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A fresh random id: a UUID version 4, e.g. `0b5e3a6e-8f1d-4c52-9d0e-1a2b3c4d5e6f`.
pub fn generate() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_short_and_plain() {
        assert!(is_sane(b"abc-123_x.y:z"));
        assert!(is_sane(&[b'a'; MAX_LEN]));
        assert!(!is_sane(&[b'a'; MAX_LEN + 1]));
        assert!(!is_sane(b""));
        assert!(!is_sane(b"has space"));
        assert!(!is_sane(b"new\nline"));
        assert!(!is_sane("é".as_bytes()));
    }

    #[test]
    fn generated_ids_are_sane_and_distinct() {
        let (a, b) = (generate(), generate());
        assert!(is_sane(a.as_bytes()));
        assert_ne!(a, b);
    }
}
