//! Server-side HTML templates, rendered with askama.
//!
//! askama compiles each template into Rust at build time, so a typo in a
//! template is a compile error, and rendering is a plain function call.
//! Its HTML escaper turns `&`, `<`, `>`, `"` and `'` into decimal character
//! references (`&#38;`, `&#60;`, `&#62;`, `&#34;`, `&#39;`) and leaves every
//! other character (Japanese, em dashes) as UTF-8, as the benchmark rules
//! demand. A browser shows both spellings (`&lt;` or `&#60;`) the same way. The template files live in `shared-handlers/templates/`.

use askama::Template;

use crate::model::Fortune;

/// The `/fortunes` page: a table of fortunes, one row each.
///
/// `templates/fortunes.html` is a single line with no trailing newline, so
/// the page is exactly the bytes the rules give.
#[derive(Debug, Template)]
#[template(path = "fortunes.html")]
pub struct FortunesPage<'a> {
    pub fortunes: &'a [Fortune],
}

/// One row of the home page's endpoint table.
#[derive(Debug)]
pub struct HomeRow {
    pub method: &'static str,
    pub path: &'static str,
    /// The catalogue's summary, cut at its Markdown code spans.
    pub summary: Vec<SummaryPart>,
    /// Where the path links to: the endpoint's example, for `GET` endpoints.
    pub link: Option<&'static str>,
}

/// A stretch of a summary: plain text, or a code span (`` `like this` ``)
/// the page shows in `<code>`. Either way the template escapes the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryPart {
    pub text: &'static str,
    pub code: bool,
}

/// The `/` page: the endpoint catalogue as a table (see [`crate::pages`]).
#[derive(Debug, Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub rows: &'a [HomeRow],
}
