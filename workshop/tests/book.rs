//! The workshop's pages in the book agree with themselves: the agenda's
//! minutes add up to its totals, and every segment has its speaker notes.

use std::fs;
use std::path::{Path, PathBuf};

fn page(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/src/workshop")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A segment row of the agenda: `| # | segment | minutes | kind |`.
#[derive(Debug)]
struct Segment {
    number: u32,
    name: String,
    minutes: u32,
}

/// The agenda's sections: `(heading, minutes the heading announces, rows)`.
fn sections(agenda: &str) -> Vec<(String, u32, Vec<Segment>)> {
    let mut sections: Vec<(String, u32, Vec<Segment>)> = Vec::new();
    for line in agenda.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            let announced = heading
                .rsplit_once('(')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("the heading {heading:?} announces no minutes"));
            sections.push((heading.to_owned(), announced, Vec::new()));
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 5 {
            continue;
        }
        let (Ok(number), Ok(minutes)) = (cells[1].parse(), cells[3].parse()) else {
            continue; // the header or the separator row
        };
        let section = sections.last_mut().expect("rows come after a heading");
        section.2.push(Segment {
            number,
            name: cells[2].to_owned(),
            minutes,
        });
    }
    sections
}

fn total(agenda: &str) -> u32 {
    let line = agenda
        .lines()
        .find(|l| l.starts_with("Total: "))
        .expect("the agenda states its total");
    line.trim_start_matches("Total: ")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number of minutes")
}

#[test]
fn each_sessions_segments_add_up_to_the_minutes_its_heading_announces() {
    let agenda = page("agenda.md");

    let sections = sections(&agenda);

    assert_eq!(sections.len(), 3, "two sessions and a break");
    for (heading, announced, segments) in &sections {
        let sum: u32 = segments.iter().map(|s| s.minutes).sum();
        assert_eq!(sum, *announced, "{heading}: the rows add up to {sum}");
    }
}

#[test]
fn the_agenda_adds_up_to_its_total_of_about_three_hours() {
    let agenda = page("agenda.md");

    let sum: u32 = sections(&agenda)
        .iter()
        .flat_map(|(_, _, rows)| rows)
        .map(|s| s.minutes)
        .sum();

    assert_eq!(sum, total(&agenda));
    assert!((170..=190).contains(&sum), "{sum} minutes is not about 180");
}

#[test]
fn segments_are_numbered_one_after_the_other() {
    let agenda = page("agenda.md");

    let numbers: Vec<u32> = sections(&agenda)
        .iter()
        .flat_map(|(_, _, rows)| rows)
        .map(|s| s.number)
        .collect();

    assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());
}

#[test]
fn every_segment_has_speaker_notes_under_its_number_and_name() {
    let agenda = page("agenda.md");
    let notes = page("speaker-notes.md");

    let missing: Vec<String> = sections(&agenda)
        .iter()
        .flat_map(|(_, _, rows)| rows)
        .map(|s| format!("### {}. {}", s.number, s.name))
        .filter(|heading| !notes.lines().any(|l| l == heading))
        .collect();

    assert!(
        missing.is_empty(),
        "speaker-notes.md lacks:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_rust_fragment_in_the_book_is_marked_so_mdbook_neither_tests_nor_runs_it() {
    // The fragments are included from the crates: none compiles on its
    // own, so each must say `ignore` (no `mdbook test` failure, no Run button).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/src");
    let mut unmarked = Vec::new();
    let mut pages = vec![dir];
    while let Some(path) = pages.pop() {
        if path.is_dir() {
            pages.extend(
                fs::read_dir(&path)
                    .expect("readable")
                    .map(|e| e.expect("entry").path()),
            );
        } else if path.extension().is_some_and(|e| e == "md") {
            let text = fs::read_to_string(&path).expect("readable");
            for (n, line) in text.lines().enumerate() {
                let info = line.trim_start().strip_prefix("```").unwrap_or_default();
                let is_rust = info.split(',').next() == Some("rust");
                if is_rust
                    && !info
                        .split(',')
                        .any(|a| a == "ignore" || a == "noplayground")
                {
                    unmarked.push(format!("{}:{}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        unmarked.is_empty(),
        "unmarked rust fragments:\n{}",
        unmarked.join("\n")
    );
}
