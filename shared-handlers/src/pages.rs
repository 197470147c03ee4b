//! The home page: every catalogue endpoint as a row of an HTML table.
//!
//! The page is rendered from [`crate::catalogue::ENDPOINTS`] with an askama
//! template, so it can never list an endpoint the servers do not have.
//!
//! Summaries are written with Markdown code spans (`` `ms` ``); the page
//! shows those as `<code>`, escaping the text inside and out.
//!
//! It is rendered on every request rather than once at start-up. The
//! catalogue is a `const`, so the page never changes within a build: the
//! servers tag it with an `ETag` and answer `304` to a client that has it
//! (see [`crate::caching`]). Rendering twenty rows takes microseconds, `/` is not a benchmark
//! endpoint, and rendering per request keeps the code free of global state
//! and lets a template error take the ordinary `Result` path to a `500`.

use askama::Template;

use crate::catalogue::{ENDPOINTS, Endpoint, Method};
use crate::error::Error;
use crate::templates::{HomePage, HomeRow, SummaryPart};

// ANCHOR: home
/// The home page's HTML.
pub fn home() -> Result<String, Error> {
    let rows: Vec<HomeRow> = ENDPOINTS.iter().map(row).collect();
    HomePage { rows: &rows }
        .render()
        .map_err(|e| Error::Internal(format!("rendering the home page failed: {e}")))
}

/// One table row. Only `GET` endpoints get a link: a browser following a
/// link always sends `GET`, so linking a `POST` endpoint would only earn the
/// visitor a `405`.
fn row(endpoint: &'static Endpoint) -> HomeRow {
    HomeRow {
        method: endpoint.method.as_str(),
        path: endpoint.path,
        summary: summary_parts(endpoint.summary),
        link: (endpoint.method == Method::Get).then_some(endpoint.example),
    }
}
// ANCHOR_END: home

/// Cuts a summary at its backticks: the text between a pair is a code span.
/// A backtick without a partner stays as it is, in the text. (Only code
/// spans: the summaries use no other Markdown, and a real Markdown renderer
/// would be a dependency for one feature.)
pub fn summary_parts(summary: &'static str) -> Vec<SummaryPart> {
    let mut parts = Vec::new();
    let mut rest = summary;
    while let Some(open) = rest.find('`') {
        let Some(length) = rest[open + 1..].find('`') else {
            break; // an unpaired backtick: the rest is text
        };
        let close = open + 1 + length;
        if open > 0 {
            parts.push(SummaryPart {
                text: &rest[..open],
                code: false,
            });
        }
        parts.push(SummaryPart {
            text: &rest[open + 1..close],
            code: true,
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(SummaryPart {
            text: rest,
            code: false,
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_cut_into_text_and_code_spans() {
        let parts = summary_parts("a `b` c `d`");
        let shown: Vec<(&str, bool)> = parts.iter().map(|p| (p.text, p.code)).collect();
        assert_eq!(
            shown,
            [("a ", false), ("b", true), (" c ", false), ("d", true)]
        );
        let unpaired = summary_parts("x ` y");
        assert_eq!(
            unpaired,
            [SummaryPart {
                text: "x ` y",
                code: false
            }]
        );
    }

    #[test]
    fn code_spans_are_escaped_like_any_text() {
        let page = home().expect("the home page renders");
        // `{"message":"Hello, World!"}` holds quotes, which the escaper encodes.
        assert!(
            page.contains("<code>{&#34;message&#34;:&#34;Hello, World!&#34;}</code>"),
            "{page}"
        );
    }

    #[test]
    fn lists_every_endpoint_and_links_only_get_examples() {
        let page = home().expect("the home page renders");
        let gets = ENDPOINTS.iter().filter(|e| e.method == Method::Get);
        for endpoint in ENDPOINTS {
            assert!(page.contains(endpoint.path), "{} missing", endpoint.name);
        }
        for endpoint in gets.clone() {
            let link = format!("href=\"{}\"", endpoint.example.replace('&', "&#38;"));
            assert!(page.contains(&link), "{} has no link", endpoint.name);
        }
        assert!(
            page.contains("<code>Hello, World!</code>"),
            "code spans become <code>"
        );
        assert!(
            !page.contains("`Hello"),
            "no backtick is left of a code span"
        );
        // Non-GET endpoints may share an example with a GET one (`PUT
        // /users/1`), so count the links rather than look for them.
        assert_eq!(page.matches("<td><a href=").count(), gets.count());
    }
}
