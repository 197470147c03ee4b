//! Hand-written extraction: typed input out of the raw request.
//!
//! axum does this with extractors (`Query<T>` deserializes the whole query
//! string into a struct with serde). By hand we walk the `key=value` pairs
//! ourselves. `form_urlencoded` does the byte-level decoding (`+` → space,
//! `%41` → `A`, invalid UTF-8 → U+FFFD), the same crate axum ends up using,
//! so both servers decode identically. What we must add ourselves is the
//! policy: a parameter given twice is ambiguous, so it is rejected.
//!
//! For bodies, cookies and path parameters the story is the same: the
//! byte-level parsers are the crates axum uses too (`serde_json`,
//! `serde_urlencoded`, `mime`, `percent-encoding`, `cookie`, and
//! `serde_path_to_error` to say *where* in a body serde gave up), and the
//! glue here — which header to check, in which order, which error each
//! failure becomes — is written to make the same decisions axum's `Json`,
//! `Form`, `Path` and axum-extra's `CookieJar` make.

use std::str::FromStr;

use bytes::{Bytes, BytesMut};
use cookie::Cookie;
use http::header::{CONTENT_TYPE, COOKIE};
use http::request::Parts;
use http_body_util::BodyExt;
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use shared_handlers::Error;
use shared_handlers::config::{OVERSIZED_BODY_DRAIN_BYTES, OVERSIZED_BODY_DRAIN_TIME};

use crate::RequestBody;
use shared_handlers::catalogue::content_type;

use crate::router::PathParams;

// ANCHOR: query_params
/// The percent-decoded value of query parameter `name`, if present.
///
/// `?queries=5` → `Some("5")`, `?queries=` and `?queries` → `Some("")`,
/// no such key → `None`; the key given twice → `400`.
pub fn query_param(parts: &Parts, name: &str) -> Result<Option<String>, Error> {
    let [value] = query_params(parts, [name])?;
    Ok(value)
}

/// The values of several query parameters at once, in the order of `names`.
///
/// One pass over the query string, in order, so that when two parameters
/// are both duplicated, the one whose second copy comes first is reported —
/// the one serde (behind axum's `Query`) trips over first.
pub fn query_params<const N: usize>(
    parts: &Parts,
    names: [&str; N],
) -> Result<[Option<String>; N], Error> {
    let mut found: [Option<String>; N] = std::array::from_fn(|_| None);
    let Some(query) = parts.uri.query() else {
        return Ok(found);
    };
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let Some(index) = names.iter().position(|name| *name == key) else {
            continue;
        };
        if found[index].is_some() {
            return Err(Error::invalid_query(format!(
                "Failed to deserialize query string: duplicate field `{key}`"
            )));
        }
        found[index] = Some(value.into_owned());
    }
    Ok(found)
}
// ANCHOR_END: query_params

// ANCHOR: path_param
/// Path parameter `name`, percent-decoded and parsed as a `T`.
///
/// The router captured it still encoded (`/users/%34%32`); axum's `Path`
/// decodes before parsing, so we do too. The error names the parameter
/// and the type, as axum's `ParseErrorAtKey` does.
pub fn path_param<T: FromStr>(params: &PathParams, name: &str) -> Result<T, Error> {
    let raw = params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.as_str())
        .ok_or_else(|| Error::Internal(format!("the route has no path parameter `{name}`")))?;
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Error::path_param_not_utf8(name))?;
    decoded
        .parse()
        .map_err(|_| Error::path_param_type(name, &decoded, std::any::type_name::<T>()))
}
// ANCHOR_END: path_param

// ANCHOR: json_body
/// The body as JSON, deserialized into `T` — axum's `Json<T>` by hand.
///
/// The order of the checks is axum's, and so is each outcome:
///
/// 1. `Content-Type` must parse as a media type `application/json` or
///    `application/*+json` (parameters such as `charset` are allowed) → else 415;
/// 2. the bytes must be JSON → else 400 (syntax, invalid UTF-8, nesting
///    beyond serde_json's limit of 128, bytes after the value);
/// 3. the JSON must fit `T` → else 422, saying where (`name`, `tags[2]`).
pub async fn json_body<T: DeserializeOwned>(
    parts: &Parts,
    body: RequestBody,
    limit: usize,
) -> Result<T, Error> {
    if !has_json_content_type(parts) {
        return Err(Error::UnsupportedMediaType {
            expected: content_type::JSON,
        });
    }
    let body = body_bytes(body, limit).await?;
    let mut deserializer = serde_json::Deserializer::from_slice(&body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        match e.inner().classify() {
            serde_json::error::Category::Data => {
                Error::body_shape(e.path().to_string(), e.inner().to_string())
            }
            _ => Error::InvalidJson(e.inner().to_string()),
        }
    })?;
    // `deserialize` stops after one value; `end` refuses what follows it.
    deserializer
        .end()
        .map_err(|e| Error::InvalidJson(e.to_string()))?;
    Ok(value)
}

/// `application/json`, `application/json; charset=utf-8`,
/// `application/problem+json`...: what axum's `Json` accepts.
fn has_json_content_type(parts: &Parts) -> bool {
    let Some(Ok(value)) = parts.headers.get(CONTENT_TYPE).map(|v| v.to_str()) else {
        return false;
    };
    let Ok(mime) = value.parse::<mime::Mime>() else {
        return false;
    };
    mime.type_() == "application"
        && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
}
// ANCHOR_END: json_body

// ANCHOR: form_body
/// The body as an urlencoded form, deserialized into `T` — axum's `Form<T>`
/// for a `POST` by hand: `Content-Type` → 415, then fields → 422.
///
/// axum checks the header with a plain, case-sensitive prefix test
/// (`application/x-www-form-urlencoded; charset=utf-8` passes,
/// `Application/X-WWW-Form-Urlencoded` does not); we make the same test so
/// both servers draw the line in the same place.
pub async fn form_body<T: DeserializeOwned>(
    parts: &Parts,
    body: RequestBody,
    limit: usize,
) -> Result<T, Error> {
    let is_form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(content_type::FORM));
    if !is_form {
        return Err(Error::UnsupportedMediaType {
            expected: content_type::FORM,
        });
    }
    let body = body_bytes(body, limit).await?;
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&body));
    serde_path_to_error::deserialize(deserializer)
        .map_err(|e| Error::body_shape(e.path().to_string(), e.inner().to_string()))
}
// ANCHOR_END: form_body

// ANCHOR: cookie
/// The value of cookie `name`, `%xx`-decoded, if the request carries it.
///
/// This walks the `Cookie` headers exactly as axum-extra's `CookieJar`
/// does: every `Cookie` header that is valid visible ASCII, split at `;`,
/// each piece parsed by the `cookie` crate (pieces that do not parse are
/// skipped), and — since the jar keeps one cookie per name, replacing as it
/// goes — the **last** cookie with the name wins.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|piece| Cookie::parse_encoded(piece).ok())
        // `rfind`: search from the back, so the last cookie named `name` wins.
        .rfind(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}
// ANCHOR_END: cookie

// ANCHOR: body_bytes
/// Reads the whole body into memory, refusing to read more than `limit`
/// bytes. Without a limit, one client could make us buffer gigabytes.
///
/// Bytes are counted as the frames arrive, so an oversized body is refused
/// after `limit` bytes even when it lies about (or omits) its length. The
/// rest of a refused body is drained (see [`drain`]) before the `413` goes
/// out, so that the client can read it.
pub async fn body_bytes(mut body: RequestBody, limit: usize) -> Result<Bytes, Error> {
    let mut collected = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(Error::bad_body)?;
        // Trailers (rare, chunked bodies only) carry no body bytes.
        if let Ok(data) = frame.into_data() {
            if collected.len() + data.len() > limit {
                drain(body).await;
                return Err(Error::PayloadTooLarge { limit });
            }
            collected.extend_from_slice(&data);
        }
    }
    Ok(collected.freeze())
}
// ANCHOR_END: body_bytes

// ANCHOR: drain
/// Reads and discards what is left of a refused body, within the bounds of
/// `shared_handlers::config` (bytes and time), whichever comes first. A
/// body that is not finished by then is abandoned: hyper closes the
/// connection after the answer, as it does for any body left unread.
async fn drain(mut body: RequestBody) {
    let discard = async {
        let mut discarded: u64 = 0;
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(data) = frame.data_ref() {
                discarded += data.len() as u64;
                if discarded > OVERSIZED_BODY_DRAIN_BYTES {
                    return;
                }
            }
        }
    };
    // Running out of time is one of the two ways this ends, not an error.
    let _ = tokio::time::timeout(OVERSIZED_BODY_DRAIN_TIME, discard).await;
}
// ANCHOR_END: drain

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

    #[test]
    fn reports_the_duplicate_that_comes_first_in_the_query() {
        let error = query_params(&parts("/q?b=1&a=1&b=2&a=2"), ["a", "b"]);
        assert!(
            matches!(&error, Err(Error::InvalidQuery(m)) if m.ends_with("`b`")),
            "{error:?}"
        );
    }

    #[test]
    fn path_params_are_decoded_then_parsed() {
        let params: PathParams = vec![("id", "%34%32".to_owned())];
        assert_eq!(path_param::<i64>(&params, "id").ok(), Some(42));
        let params: PathParams = vec![("id", "%FF".to_owned())];
        assert!(matches!(
            path_param::<i64>(&params, "id"),
            Err(Error::InvalidPathParam { .. })
        ));
    }

    #[test]
    fn the_last_of_several_cookies_with_a_name_wins() {
        let (parts, ()) = http::Request::get("/")
            .header(COOKIE, "visits=1; other=x")
            .header(COOKIE, "visits=%33; bad")
            .body(())
            .expect("valid test request")
            .into_parts();
        assert_eq!(cookie(&parts, "visits").as_deref(), Some("3"));
        assert_eq!(cookie(&parts, "missing"), None);
    }
}
