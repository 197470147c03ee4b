//! The two servers read side by side: their route tables list the
//! catalogue's endpoints, every one of them, in catalogue order, and every
//! `// ANCHOR: name` region the book shows on one side has a region of the
//! same name on the other, unless [`ONE_SIDED`] says why not.
//!
//! Both are read from the sources, so a table that is reordered, or an
//! anchor renamed on one side only, fails here before a reader notices the
//! two sides no longer line up.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use shared_handlers::catalogue::ENDPOINTS;

/// The two servers' source folders, as (side, folder) pairs.
const SIDES: [(&str, &str); 2] = [
    ("raw", "raw-server/src"),
    ("framework", "framework-server/src"),
];

/// Anchor regions with no counterpart on the other side, by side, with the
/// reason: what one side writes that the other gets from somewhere else.
const ONE_SIDED: &[(&str, &str, &str)] = &[
    (
        "raw",
        "routing",
        "the hand-written router; axum's is matchit, inside Router",
    ),
    (
        "raw",
        "body_bytes",
        "reading a body up to the limit; axum's extractors do it",
    ),
    (
        "raw",
        "cookie",
        "parsing the Cookie header; axum-extra's CookieJar does it",
    ),
    (
        "raw",
        "responses",
        "building responses; axum's IntoResponse impls do it",
    ),
    (
        "raw",
        "created",
        "the 201 with Location; axum's tuple responses do it",
    ),
    ("raw", "set_cookie", "writing Set-Cookie; CookieJar does it"),
    (
        "raw",
        "resolve",
        "mapping a URL path to a file; ServeDir does it",
    ),
    (
        "raw",
        "conditions",
        "If-Modified-Since and friends; ServeDir does them",
    ),
    ("raw", "range", "Range requests; ServeDir does them"),
    (
        "framework",
        "fallbacks",
        "axum's 404/405 fallbacks; the raw router answers them itself",
    ),
    (
        "framework",
        "query_rejection",
        "axum's rejection mapped to our error; raw's extractors return it directly",
    ),
    (
        "framework",
        "json_rejection",
        "axum's rejection mapped to our error; raw's extractors return it directly",
    ),
    (
        "framework",
        "form_rejection",
        "axum's rejection mapped to our error; raw's extractors return it directly",
    ),
    (
        "framework",
        "path_rejection",
        "axum's rejection mapped to our error; raw's extractors return it directly",
    ),
    (
        "framework",
        "body_error",
        "axum's body errors mapped to our error; raw's extractors return it directly",
    ),
    (
        "framework",
        "static_problems",
        "ServeDir's failures mapped to our problems; raw's resolver returns them",
    ),
    (
        "framework",
        "serve_with_axum",
        "a second way to serve the same Router, for the `defaults` comparison",
    ),
];

/// Every `.rs` file under the workspace folder `relative`.
fn rust_files(relative: &str) -> Vec<PathBuf> {
    let mut pending = vec![workspace_path(relative)];
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("the source folder is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The names of the `// ANCHOR: name` regions under `relative`.
fn anchors(relative: &str) -> BTreeSet<String> {
    rust_files(relative)
        .iter()
        .flat_map(|file| {
            let source = fs::read_to_string(file).expect("the server source is readable");
            source
                .lines()
                .filter_map(|line| line.trim().strip_prefix("// ANCHOR: "))
                .map(|name| name.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn workspace_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// The text between `// ANCHOR: route_table` and its `ANCHOR_END` in the
/// workspace file `relative`.
fn route_table(relative: &str) -> String {
    let path = workspace_path(relative);
    let source = fs::read_to_string(&path).expect("the server source is readable");
    let start = source
        .find("// ANCHOR: route_table")
        .unwrap_or_else(|| panic!("{relative} has no route_table anchor"));
    let end = source[start..]
        .find("// ANCHOR_END: route_table")
        .unwrap_or_else(|| panic!("{relative}: route_table never ends"));
    source[start..start + end].to_owned()
}

/// `USERS_LIST` → `UsersList`, `OPENAPI` → `Openapi`: a catalogue
/// constant's name in the shape of an `EndpointId` variant, compared
/// without regard to case.
fn camel(constant: &str) -> String {
    constant
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_string() + &chars.as_str().to_ascii_lowercase()
            })
        })
        .collect()
}

/// The catalogue's endpoints, as `EndpointId` variant names in lower case.
fn catalogue_order() -> Vec<String> {
    ENDPOINTS
        .iter()
        .map(|endpoint| format!("{:?}", endpoint.id).to_ascii_lowercase())
        .collect()
}

#[test]
fn raw_servers_route_table_lists_the_catalogue_in_catalogue_order() {
    let table = route_table("raw-server/src/app.rs");
    let listed: Vec<String> = table
        .lines()
        .filter_map(|line| line.trim().strip_prefix("EndpointId::"))
        .filter_map(|rest| rest.split_once(" =>"))
        .map(|(variant, _)| variant.to_ascii_lowercase())
        .collect();
    assert_eq!(listed, catalogue_order());
}

#[test]
fn framework_servers_route_table_lists_the_catalogue_in_catalogue_order() {
    let table = route_table("framework-server/src/app.rs");
    let listed: Vec<String> = table
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix(".route(") {
                let constant = rest.split_once(".path").map(|(name, _)| name)?;
                Some(camel(constant).to_ascii_lowercase())
            } else if line.starts_with(".nest_service(") {
                // The one mount: `/static/{*path}`, by its prefix.
                Some("staticfiles".to_owned())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(listed, catalogue_order());
}

#[test]
fn constant_names_become_variant_names() {
    assert_eq!(camel("USERS_LIST"), "UsersList");
    assert_eq!(camel("DB"), "Db");
}

#[test]
fn every_anchor_on_one_side_has_its_counterpart_or_a_reason() {
    let [(raw_side, raw_dir), (framework_side, framework_dir)] = SIDES;
    let raw = anchors(raw_dir);
    let framework = anchors(framework_dir);
    let listed = |side: &str| -> BTreeSet<String> {
        ONE_SIDED
            .iter()
            .filter(|(listed_side, _, _)| *listed_side == side)
            .map(|(_, name, _)| (*name).to_owned())
            .collect()
    };
    let raw_only: BTreeSet<String> = raw.difference(&framework).cloned().collect();
    let framework_only: BTreeSet<String> = framework.difference(&raw).cloned().collect();

    assert_eq!(
        raw_only,
        listed(raw_side),
        "anchors only raw-server has, against the ONE_SIDED list"
    );
    assert_eq!(
        framework_only,
        listed(framework_side),
        "anchors only framework-server has, against the ONE_SIDED list"
    );
}

#[test]
fn the_anchor_scan_finds_the_regions_the_book_shows() {
    for (_, dir) in SIDES {
        let found = anchors(dir);
        for name in [
            "route_table",
            "middleware_chain",
            "error_response",
            "json_body",
        ] {
            assert!(found.contains(name), "{dir} has no `{name}` anchor");
        }
    }
}
