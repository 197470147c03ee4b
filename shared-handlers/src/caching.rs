//! HTTP caching decisions both servers share: the entity tag of a body, and
//! whether a request's `If-None-Match` still matches it (RFC 9110 sections
//! 8.8.3 and 13.1.2). The servers set the headers themselves, each its own
//! way, from the endpoint's [`crate::contract::CachePolicy`].

use std::hash::{DefaultHasher, Hash, Hasher};

/// A strong entity tag for `body`: a hash of its bytes, quoted.
///
/// The hash is std's SipHash with fixed keys: stable for a given build, which
/// is all an entity tag needs (a new build may hash differently and so cost
/// one full answer per client, never a wrong `304`). Both servers call this
/// one function, so their tags agree.
pub fn etag(body: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

/// The tag a compressed answer carries: the same tag, marked weak.
///
/// A strong tag promises byte-for-byte identity, and the gzipped bytes are
/// not the plain ones; a weak tag says "the same content" — which is true,
/// and still enough for `If-None-Match`, which compares weakly. (nginx does
/// the same when it compresses.)
pub fn weakened(etag: &str) -> String {
    if etag.starts_with("W/") {
        etag.to_owned()
    } else {
        format!("W/{etag}")
    }
}

/// Whether an `If-None-Match` header value names `etag` (or is `*`), by the
/// weak comparison RFC 9110 section 13.1.2 prescribes for this header: the
/// `W/` prefixes are ignored, the quoted tags must be equal.
pub fn none_match_matches(if_none_match: &[u8], etag: &str) -> bool {
    let Ok(list) = std::str::from_utf8(if_none_match) else {
        return false;
    };
    let ours = opaque(etag);
    list.split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || (!candidate.is_empty() && opaque(candidate) == ours))
}

/// The quoted part of a tag, without its `W/` mark.
fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_is_quoted_and_changes_with_the_body() {
        let tag = etag(b"hello");
        assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
        assert_eq!(tag, etag(b"hello"));
        assert_ne!(tag, etag(b"hello!"));
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let tag = etag(b"page");
        assert!(none_match_matches(tag.as_bytes(), &tag));
        assert!(none_match_matches(weakened(&tag).as_bytes(), &tag));
        assert!(none_match_matches(tag.as_bytes(), &weakened(&tag)));
        let list = format!("\"other\", {tag}");
        assert!(none_match_matches(list.as_bytes(), &tag));
        assert!(none_match_matches(b"*", &tag));
        assert!(!none_match_matches(b"\"other\"", &tag));
        assert!(!none_match_matches(b"", &tag));
        assert!(!none_match_matches(&[0xff, 0xfe], &tag));
    }

    #[test]
    fn weakening_is_idempotent() {
        assert_eq!(weakened("\"a\""), "W/\"a\"");
        assert_eq!(weakened("W/\"a\""), "W/\"a\"");
    }
}
