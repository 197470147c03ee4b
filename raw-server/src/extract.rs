//! Hand-written extraction: typed input out of the raw request.
//!
//! axum does this with extractors (`Query<T>` deserializes the whole query
//! string into a struct with serde). By hand we walk the `key=value` pairs
//! ourselves. `form_urlencoded` does the byte-level decoding (`+` → space,
//! `%41` → `A`, invalid UTF-8 → U+FFFD), the same crate axum ends up using,
//! so both servers decode identically. What we must add ourselves is the
//! policy: a parameter given twice is ambiguous, so it is rejected.

use bytes::Bytes;
use http::request::Parts;
use http_body_util::{BodyExt, Limited};
use hyper::body::Body;
use shared_handlers::Error;

// ANCHOR: query_param
/// The percent-decoded value of query parameter `name`, if present.
///
/// `?queries=5` → `Some("5")`, `?queries=` and `?queries` → `Some("")`,
/// no such key → `None`; the key given twice → `400`.
pub fn query_param(parts: &Parts, name: &str) -> Result<Option<String>, Error> {
    let Some(query) = parts.uri.query() else {
        return Ok(None);
    };
    let mut found = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key != name {
            continue;
        }
        if found.is_some() {
            return Err(Error::InvalidQuery(format!(
                "Failed to deserialize query string: duplicate field `{name}`"
            )));
        }
        found = Some(value.into_owned());
    }
    Ok(found)
}
// ANCHOR_END: query_param

// ANCHOR: body_bytes
/// Reads the whole body into memory, refusing to read more than `limit`
/// bytes. Without a limit, one client could make us buffer gigabytes.
///
/// `Limited` counts bytes as they arrive, so an oversized body is refused
/// after `limit` bytes even when it lies about (or omits) its length.
pub async fn body_bytes<B>(body: B, limit: usize) -> Result<Bytes, Error>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Err(Error::PayloadTooLarge { limit })
        }
        Err(e) => Err(Error::BadBody(e.to_string())),
    }
}
// ANCHOR_END: body_bytes

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str) -> Parts {
        let (parts, ()) = http::Request::get(uri)
            .body(())
            .expect("valid test URI")
            .into_parts();
        parts
    }

    #[test]
    fn decodes_the_named_parameter_and_ignores_others() {
        assert_eq!(
            query_param(&parts("/q?x=1&queries=%32+"), "queries").ok(),
            Some(Some("2 ".into()))
        );
        assert_eq!(
            query_param(&parts("/q?queries"), "queries").ok(),
            Some(Some(String::new()))
        );
        assert_eq!(query_param(&parts("/q?x=1"), "queries").ok(), Some(None));
        assert_eq!(query_param(&parts("/q"), "queries").ok(), Some(None));
    }

    #[test]
    fn rejects_a_parameter_given_twice() {
        let error = query_param(&parts("/q?queries=1&queries=2"), "queries");
        assert!(matches!(error, Err(Error::InvalidQuery(_))));
    }
}
