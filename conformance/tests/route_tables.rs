//! The two servers read side by side: their route tables list the
//! catalogue's endpoints, every one of them, in catalogue order.
//!
//! The tables are read from the sources (the `route_table` anchor regions
//! the book shows), so a table that is reordered, or that answers an
//! endpoint the catalogue lists elsewhere, fails here before a reader
//! notices the two sides no longer line up.

use std::fs;
use std::path::Path;

use shared_handlers::catalogue::ENDPOINTS;

/// The text between `// ANCHOR: route_table` and its `ANCHOR_END` in the
/// workspace file `relative`.
fn route_table(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
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
    let table = route_table("raw-server/src/lib.rs");
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
