//! The hand-written reader against axum-extra's `CookieJar`, request by
//! request: both must find the same value (or none) in each.

use axum_extra::extract::cookie::CookieJar;
use http::HeaderMap;
use http::header::{COOKIE, HeaderValue};

/// A request's headers with these `Cookie` header values, in order.
fn headers(cookies: &[&[u8]]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for value in cookies {
        headers.append(
            COOKIE,
            HeaderValue::from_bytes(value).expect("a valid header value"),
        );
    }
    headers
}

/// Every request of `table` on which the reader and the jar disagree.
fn disagreements(table: &[&[&[u8]]]) -> Vec<String> {
    table
        .iter()
        .filter_map(|cookies| {
            let headers = headers(cookies);
            let jar = CookieJar::from_headers(&headers)
                .get("visits")
                .map(|c| c.value().to_owned());
            let ours = workshop_cookies::cookie(&headers, "visits");
            (jar != ours).then(|| {
                let shown: Vec<String> = cookies
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                format!("Cookie: {shown:?}: the jar reads {jar:?}, yours {ours:?}")
            })
        })
        .collect()
}

fn assert_agree(table: &[&[&[u8]]]) {
    let failures = disagreements(table);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_plain_cookie_is_read_alone_or_among_others() {
    assert_agree(&[
        &[b"visits=3"],
        &[b"theme=dark; visits=4; lang=en"],
        &[b"theme=dark"],
        &[],
    ]);
}

#[test]
fn cookies_spread_over_several_headers_are_all_read() {
    assert_agree(&[&[b"theme=dark", b"visits=5"], &[b"a=1", b"b=2; visits=6"]]);
}

#[test]
fn the_last_cookie_with_the_name_wins() {
    assert_agree(&[&[b"visits=1; visits=2"], &[b"visits=1", b"visits=9"]]);
}

#[test]
fn percent_encoded_values_are_decoded() {
    assert_agree(&[&[b"visits=%33%34"], &[b"visits=a%20b"], &[b"vis%69ts=7"]]);
}

#[test]
fn spaces_and_pieces_without_equals_are_handled_as_the_jar_does() {
    assert_agree(&[
        &[b"visits = 8"],
        &[b"theme=dark;visits=9"],
        &[b"  visits=10  ;"],
        &[b"garbage; visits=11"],
        &[b"visits"],
        &[b"visits="],
        &[b";;visits=12;;"],
    ]);
}

#[test]
fn a_header_that_is_not_visible_ascii_is_skipped() {
    assert_agree(&[
        &[b"visits=\xff", b"visits=13"],
        &[b"visits=14", b"visits=\xc3\xa9"],
    ]);
}
