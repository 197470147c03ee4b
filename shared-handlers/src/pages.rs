//! The home page: every catalogue endpoint as a row of an HTML table.
//!
//! The page is rendered from [`crate::catalogue::ENDPOINTS`] with an askama
//! template, so it can never list an endpoint the servers do not have.
//!
//! It is rendered on every request rather than once at start-up. The
//! catalogue is a `const`, so the page never changes and could be cached;
//! but rendering ten rows takes microseconds, `/` is not a benchmark
//! endpoint, and rendering per request keeps the code free of global state
//! and lets a template error take the ordinary `Result` path to a `500`.

use askama::Template;

use crate::catalogue::{ENDPOINTS, Endpoint, Method};
use crate::error::Error;
use crate::templates::{HomePage, HomeRow};

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
        summary: endpoint.summary,
        link: (endpoint.method == Method::Get).then_some(endpoint.example),
    }
}
// ANCHOR_END: home

#[cfg(test)]
mod tests {
    use super::*;

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
        // Non-GET endpoints may share an example with a GET one (`PUT
        // /users/1`), so count the links rather than look for them.
        assert_eq!(page.matches("<td><a href=").count(), gets.count());
    }
}
