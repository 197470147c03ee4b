//! The book cannot drift from the code: every `{{#include file:anchor}}` in
//! `docs/` must name a file that exists and, when it names an anchor, a
//! region marked `// ANCHOR: name` … `// ANCHOR_END: name` in that file.
//! Also every chapter file is linked from `SUMMARY.md`, and every link there
//! names a file that exists.

use std::fs;
use std::path::{Path, PathBuf};

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/src")
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("docs/src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(markdown_files(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Every `{{#include ...}}` / `{{#rustdoc_include ...}}` argument in `text`.
fn includes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for directive in ["{{#include ", "{{#rustdoc_include "] {
        let mut rest = text;
        while let Some(start) = rest.find(directive) {
            let after = &rest[start + directive.len()..];
            let end = after.find("}}").unwrap_or(after.len());
            found.push(after[..end].trim().to_owned());
            rest = &after[end..];
        }
    }
    found
}

/// Checks one include argument (`path`, `path:anchor` or `path:1:10`) made
/// from a chapter in `chapter_dir`.
fn check_include(chapter_dir: &Path, argument: &str) -> Result<(), String> {
    let mut pieces = argument.splitn(2, ':');
    let file = pieces.next().unwrap_or_default();
    let selector = pieces.next();
    let path = chapter_dir.join(file);
    let source = fs::read_to_string(&path)
        .map_err(|e| format!("{argument}: cannot read {}: {e}", path.display()))?;
    let Some(anchor) = selector.filter(|s| !s.starts_with(|c: char| c.is_ascii_digit())) else {
        return Ok(()); // whole file, or a line range
    };
    let starts = source
        .lines()
        .filter(|l| l.trim_start().ends_with(&format!("ANCHOR: {anchor}")))
        .count();
    let ends = source
        .lines()
        .filter(|l| l.trim_start().ends_with(&format!("ANCHOR_END: {anchor}")))
        .count();
    if starts != 1 || ends != 1 {
        return Err(format!(
            "{argument}: anchor `{anchor}` has {starts} start and {ends} end markers in {file}"
        ));
    }
    Ok(())
}

#[test]
fn every_include_in_the_book_names_an_existing_file_and_anchor() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for chapter in markdown_files(&docs_dir()) {
        let text = fs::read_to_string(&chapter).expect("chapter is readable");
        let dir = chapter.parent().expect("a chapter lives in a folder");
        for argument in includes(&text) {
            checked += 1;
            if let Err(e) = check_include(dir, &argument) {
                failures.push(format!("{}: {e}", chapter.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "broken includes:\n{}",
        failures.join("\n")
    );
    assert!(checked > 0, "the book includes no code at all");
}

#[test]
fn every_chapter_is_in_the_summary_and_every_summary_link_exists() {
    let dir = docs_dir();
    let summary = fs::read_to_string(dir.join("SUMMARY.md")).expect("SUMMARY.md exists");
    let mut linked = Vec::new();
    for piece in summary.split("](").skip(1) {
        let target = piece.split(')').next().unwrap_or_default();
        assert!(
            dir.join(target).is_file(),
            "SUMMARY.md links to missing {target}"
        );
        linked.push(dir.join(target));
    }
    for chapter in markdown_files(&dir) {
        if chapter.file_name().is_some_and(|n| n == "SUMMARY.md") {
            continue;
        }
        assert!(
            linked.contains(&chapter),
            "{} is not linked from SUMMARY.md",
            chapter.display()
        );
    }
}

#[test]
fn a_missing_anchor_is_reported() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    assert!(check_include(&dir, "docs.rs").is_ok());
    assert!(check_include(&dir, "docs.rs:no_such_anchor").is_err());
    assert!(check_include(&dir, "no_such_file.rs").is_err());
}

#[test]
fn the_readme_lists_every_catalogue_endpoint() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
        .expect("README.md exists");
    for endpoint in shared_handlers::ENDPOINTS {
        let listed = format!("`{}", endpoint.path);
        assert!(
            readme.contains(&listed),
            "README.md does not list {}",
            endpoint.path
        );
    }
}
