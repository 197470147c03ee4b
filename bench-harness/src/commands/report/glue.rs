//! Lines of glue: what the framework saves you, counted.
//!
//! Both servers mark their code with `// ANCHOR: name` … `// ANCHOR_END:
//! name` regions (for the book's `{{#include}}`), with matching names where
//! a feature exists on both sides. Here we count, per region, the lines a
//! person wrote and has to maintain — not blank, not a comment — and add
//! the regions up per feature with the table [`FEATURES`].
//!
//! Regions may nest. Each line counts once, for the *innermost* region around it, so a feature
//! total never counts a line twice.
//!
//! The source is read when the report is written, from the workspace the
//! harness was built in, so the table always describes the code measured.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::servers::ServerKind;

/// A feature and the anchor regions that implement it on each side.
#[derive(Debug, Clone, Copy)]
pub struct Feature {
    pub name: &'static str,
    pub raw: &'static [&'static str],
    pub framework: &'static [&'static str],
}

const MIDDLEWARE: &[&str] = &[
    "request_id",
    "access_log",
    "host_check",
    "timeout",
    "cache_headers",
    "compression",
    "mark_uncompressed",
    "catch_panic",
    "request_stats",
    "admin_auth",
    "middleware_chain",
    "middleware_switch",
];

const HANDLERS: &[&str] = &[
    "plaintext",
    "json",
    "db",
    "queries",
    "updates",
    "cached_queries",
    "fortunes",
    "admin_stats",
    "admin_panic",
    "users_list",
    "users_create",
    "users_show",
    "users_replace",
    "users_delete",
    "contact_submit",
    "visits_show",
    "delay_show",
    "upstream_show",
    "home",
    "openapi",
];

// ANCHOR: features
/// The one table: feature → anchor regions per side. A test fails when the
/// servers have a region that no feature (and no [`NOT_COUNTED`] entry)
/// claims, or when a feature names a region that does not exist.
pub const FEATURES: &[Feature] = &[
    Feature {
        name: "routing",
        raw: &["routing", "route_table"],
        framework: &["route_table", "fallbacks"],
    },
    Feature {
        name: "extraction",
        raw: &[
            "query_params",
            "path_param",
            "json_body",
            "form_body",
            "body_bytes",
            "drain",
            "cookie",
        ],
        framework: &[
            "query_params",
            "path_param",
            "json_body",
            "form_body",
            "query_rejection",
            "json_rejection",
            "form_rejection",
            "path_rejection",
            "body_error",
            "drain",
        ],
    },
    Feature {
        name: "errors and responses",
        raw: &["error_response", "responses", "created", "set_cookie"],
        framework: &["error_response"],
    },
    Feature {
        name: "middleware",
        raw: MIDDLEWARE,
        framework: MIDDLEWARE,
    },
    Feature {
        name: "static files",
        raw: &[
            "static_files",
            "resolve",
            "conditions",
            "range",
            "streaming_file_body",
        ],
        framework: &["static_files", "static_problems", "streaming_file_body"],
    },
    Feature {
        name: "serving (request layer to hyper)",
        raw: &["serve_with_hyper"],
        framework: &["serve_with_hyper"],
    },
    Feature {
        name: "handlers",
        raw: HANDLERS,
        framework: HANDLERS,
    },
];
// ANCHOR_END: features

/// Regions deliberately left out, with the reason shown in the report.
pub const NOT_COUNTED: &[(ServerKind, &str, &str)] = &[(
    ServerKind::Framework,
    "serve_with_axum",
    "a second way to serve the same Router (axum::serve), there only for the `defaults` comparison",
)];

/// One feature's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureLines {
    pub feature: String,
    pub raw_lines: usize,
    pub framework_lines: usize,
    /// Lines per region, for readers who want to see where they are.
    pub raw_anchors: BTreeMap<String, usize>,
    pub framework_anchors: BTreeMap<String, usize>,
}

/// A region left out of the totals, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotCounted {
    pub side: ServerKind,
    pub anchor: String,
    pub lines: usize,
    pub reason: String,
}

/// The lines-of-glue table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlueTable {
    /// What is counted, in words.
    pub counting: String,
    pub features: Vec<FeatureLines>,
    pub raw_total: usize,
    pub framework_total: usize,
    pub not_counted: Vec<NotCounted>,
}

/// The workspace root as known at build time (`bench-harness/..`).
pub fn default_workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Counts the glue in the workspace at `root`.
pub fn measure(root: &Path) -> anyhow::Result<GlueTable> {
    let raw = scan_dir(&root.join(ServerKind::Raw.source_dir()))?;
    let framework = scan_dir(&root.join(ServerKind::Framework.source_dir()))?;
    Ok(tabulate(&raw, &framework))
}

/// Builds the table from the per-region counts of each side.
pub fn tabulate(raw: &BTreeMap<String, usize>, framework: &BTreeMap<String, usize>) -> GlueTable {
    let pick = |counts: &BTreeMap<String, usize>, names: &[&str]| -> BTreeMap<String, usize> {
        names
            .iter()
            .filter_map(|name| counts.get(*name).map(|n| ((*name).to_owned(), *n)))
            .collect()
    };
    let features: Vec<FeatureLines> = FEATURES
        .iter()
        .map(|feature| {
            let raw_anchors = pick(raw, feature.raw);
            let framework_anchors = pick(framework, feature.framework);
            FeatureLines {
                feature: feature.name.to_owned(),
                raw_lines: raw_anchors.values().sum(),
                framework_lines: framework_anchors.values().sum(),
                raw_anchors,
                framework_anchors,
            }
        })
        .collect();
    let not_counted = NOT_COUNTED
        .iter()
        .filter_map(|(side, anchor, reason)| {
            let counts = match side {
                ServerKind::Raw => raw,
                ServerKind::Framework => framework,
            };
            counts.get(*anchor).map(|lines| NotCounted {
                side: *side,
                anchor: (*anchor).to_owned(),
                lines: *lines,
                reason: (*reason).to_owned(),
            })
        })
        .collect();
    GlueTable {
        counting: "non-blank, non-comment lines inside `// ANCHOR:` regions of raw-server/src \
                   and framework-server/src; nested regions count each line once, for the \
                   innermost region"
            .to_owned(),
        raw_total: features.iter().map(|f| f.raw_lines).sum(),
        framework_total: features.iter().map(|f| f.framework_lines).sum(),
        features,
        not_counted,
    }
}

/// Regions found in the source that neither [`FEATURES`] nor
/// [`NOT_COUNTED`] claims.
pub fn unclaimed(side: ServerKind, found: &BTreeMap<String, usize>) -> Vec<String> {
    let claimed: BTreeSet<&str> = FEATURES
        .iter()
        .flat_map(|f| match side {
            ServerKind::Raw => f.raw.iter(),
            ServerKind::Framework => f.framework.iter(),
        })
        .copied()
        .chain(
            NOT_COUNTED
                .iter()
                .filter(|(s, _, _)| *s == side)
                .map(|(_, anchor, _)| *anchor),
        )
        .collect();
    found
        .keys()
        .filter(|name| !claimed.contains(name.as_str()))
        .cloned()
        .collect()
}

/// Counted lines per region, over every `.rs` file under `dir`.
pub fn scan_dir(dir: &Path) -> anyhow::Result<BTreeMap<String, usize>> {
    let mut files = Vec::new();
    collect_rust_files(dir, &mut files)?;
    if files.is_empty() {
        bail!("no Rust source under {}", dir.display());
    }
    files.sort();
    let mut totals = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let counts = count_regions(&text).with_context(|| format!("in {}", file.display()))?;
        for (name, lines) in counts {
            *totals.entry(name).or_insert(0) += lines;
        }
    }
    Ok(totals)
}

fn collect_rust_files(dir: &Path, into: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_rust_files(&path, into)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            into.push(path);
        }
    }
    Ok(())
}

/// Counted lines per region of one file. A region must be closed, by name,
/// in the same file; every region is reported, even with 0 lines.
pub fn count_regions(text: &str) -> anyhow::Result<BTreeMap<String, usize>> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut open: Vec<String> = Vec::new();
    let mut in_block_comment = false;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(name) = marker(trimmed, "ANCHOR:") {
            counts.entry(name.to_owned()).or_insert(0);
            open.push(name.to_owned());
            continue;
        }
        if let Some(name) = marker(trimmed, "ANCHOR_END:") {
            let Some(position) = open.iter().rposition(|n| n == name) else {
                bail!("line {}: ANCHOR_END: {name} without its ANCHOR", number + 1);
            };
            open.remove(position);
            continue;
        }
        if in_block_comment {
            in_block_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with("/*") {
            in_block_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with("//") {
            continue;
        }
        if let Some(innermost) = open.last() {
            *counts.entry(innermost.clone()).or_insert(0) += 1;
        }
    }
    if let Some(name) = open.first() {
        bail!("ANCHOR: {name} is never closed");
    }
    Ok(counts)
}

/// The anchor name after `// ANCHOR:` (or `ANCHOR_END:`) on a comment line.
fn marker<'a>(trimmed: &'a str, keyword: &str) -> Option<&'a str> {
    let comment = trimmed.strip_prefix("//")?.trim_start();
    let name = comment.strip_prefix(keyword)?.trim();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = r#"//! A file.

// ANCHOR: outer
/// Docs are not code.
fn outer() {
    // a comment
    let a = 1;

    // ANCHOR: inner
    let b = 2;
    /* a block
       comment */
    let c = 3;
    // ANCHOR_END: inner
    let d = a + b + c;
}
// ANCHOR_END: outer

fn outside() {}
"#;

    #[test]
    fn counts_code_lines_once_for_the_innermost_region() {
        let counts = count_regions(FIXTURE).expect("balanced");

        // outer: `fn outer() {`, `let a`, `let d`, `}` — inner's lines are not
        // counted again; docs, comments, blanks and markers not at all.
        assert_eq!(counts.get("outer"), Some(&4));
        assert_eq!(counts.get("inner"), Some(&2));
        assert_eq!(counts.len(), 2);
    }

    #[test]
    fn an_unbalanced_region_is_an_error() {
        assert!(count_regions("// ANCHOR: a\nlet x = 1;\n").is_err());
        assert!(count_regions("let x = 1;\n// ANCHOR_END: a\n").is_err());
    }

    #[test]
    fn features_add_up_their_regions_and_the_totals_add_up_the_features() {
        let raw: BTreeMap<String, usize> = [
            ("routing", 10),
            ("route_table", 5),
            ("json", 3),
            ("serve_with_hyper", 2),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let framework: BTreeMap<String, usize> = [("route_table", 7), ("serve_with_axum", 9)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();

        let table = tabulate(&raw, &framework);

        let routing = &table.features[0];
        assert_eq!((routing.raw_lines, routing.framework_lines), (15, 7));
        assert_eq!(table.raw_total, 20);
        assert_eq!(table.framework_total, 7);
        assert_eq!(table.not_counted.len(), 1);
        assert_eq!(table.not_counted[0].lines, 9);
    }

    #[test]
    fn every_region_in_the_servers_belongs_to_a_feature() {
        let root = default_workspace_root();
        for side in [ServerKind::Raw, ServerKind::Framework] {
            let found = scan_dir(&root.join(side.source_dir())).expect("the servers' source");
            let stale = unclaimed(side, &found);
            assert!(
                stale.is_empty(),
                "{side:?} has ANCHOR regions no feature in commands/report/glue.rs claims: {stale:?}"
            );
        }
    }

    #[test]
    fn every_region_a_feature_names_exists_in_the_servers() {
        let root = default_workspace_root();
        for side in [ServerKind::Raw, ServerKind::Framework] {
            let found = scan_dir(&root.join(side.source_dir())).expect("the servers' source");
            for feature in FEATURES {
                let names = match side {
                    ServerKind::Raw => feature.raw,
                    ServerKind::Framework => feature.framework,
                };
                for name in names {
                    assert!(
                        found.contains_key(*name),
                        "feature `{}` names `{name}`, which {side:?} does not have",
                        feature.name
                    );
                }
            }
        }
    }
}
