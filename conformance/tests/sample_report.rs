//! The book cannot drift from its data: every figure the book quotes from
//! the committed sample report (`docs/sample-report/`) carries a marker,
//! `34,993<!-- sample: cost json framework instructions -->`, invisible in
//! the built book, and this test recomputes each marked figure from
//! `results.json` or `cost.json` and fails when the quoted text differs.
//!
//! | key                                      | figure, as quoted          |
//! |------------------------------------------|----------------------------|
//! | `cost ENDPOINT SERVER instructions`      | per request, `34,993`      |
//! | `cost ENDPOINT SERVER allocations`       | per request, `48.0`        |
//! | `cost ENDPOINT extra-instructions`       | framework − raw, `+18,241` |
//! | `cost ENDPOINT extra-allocations`        | framework − raw, `+39.0`   |
//! | `cost ENDPOINT ratio`                    | framework ÷ raw, `2.09x`   |
//! | `cost ENDPOINT percent`                  | framework vs raw, `+117.6%` |
//! | `cost ENDPOINT share`                    | (framework − raw) ÷ framework, `52%` |
//! | `compare ENDPOINT SERVER rps`            | median requests/s, `184,586` |
//! | `compare ENDPOINT SERVER cpu-us`         | median server CPU µs/request, `5.35` |
//! | `compare ENDPOINT SERVER p50-us`         | median latency µs, `310` |
//! | `compare ENDPOINT cpu-change`            | framework vs raw, `+41.5%` |
//! | `compare ENDPOINT rps-change`            | framework vs raw, `-29.5%` |
//! | `compare ENDPOINT cpu-low`, `cpu-high`   | the CPU change's 95% interval, `+8.6%` |
//! | `compare ENDPOINT cpu-share`             | (framework − raw) ÷ framework CPU, `29%` |
//! | `compare ENDPOINT latency-share`         | the same for the median latency, `3%` |
//! | `glue FEATURE SERVER`                    | lines of glue in report.md's table, `832` |

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn load(name: &str) -> Value {
    let path = root().join("docs/sample-report").join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `1234567.4` → `1,234,567`.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 && digits != "0" {
        format!("-{out}")
    } else {
        out
    }
}

fn signed_thousands(value: f64) -> String {
    if value >= 0.0 {
        format!("+{}", thousands(value))
    } else {
        thousands(value)
    }
}

struct Sample {
    results: Value,
    cost: Value,
    report: String,
}

impl Sample {
    fn cost(&self, endpoint: &str, server: &str, field: &str) -> Result<f64, String> {
        self.cost["endpoints"]
            .as_array()
            .and_then(|all| all.iter().find(|e| e["endpoint"] == endpoint))
            .and_then(|e| e["servers"][server][field].as_f64())
            .ok_or_else(|| format!("cost.json has no {field} for {server} on {endpoint}"))
    }

    fn summary(&self, endpoint: &str, server: &str) -> Result<&Value, String> {
        self.results["summary"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|s| s["endpoint"] == endpoint && s["server"] == server)
            })
            .ok_or_else(|| format!("results.json has no summary for {server} on {endpoint}"))
    }

    fn median(&self, endpoint: &str, server: &str, field: &str) -> Result<f64, String> {
        self.summary(endpoint, server)?["median"][field]
            .as_f64()
            .ok_or_else(|| format!("results.json has no median {field} for {server} on {endpoint}"))
    }

    fn change(&self, endpoint: &str, field: &str) -> Result<String, String> {
        self.change_bound(endpoint, field, "ratio")
    }

    /// `ratio`, `ci_low` or `ci_high` of framework's `field` against raw, as a change.
    fn change_bound(&self, endpoint: &str, field: &str, bound: &str) -> Result<String, String> {
        let ratio = self.summary(endpoint, "framework")?["vs_baseline"][field][bound]
            .as_f64()
            .ok_or_else(|| format!("results.json has no {field} ratio on {endpoint}"))?;
        Ok(format!("{:+.1}%", (ratio - 1.0) * 100.0))
    }

    /// A cell of report.md's lines-of-glue table: `| feature | raw | framework | … |`.
    fn glue(&self, feature: &str, server: &str) -> Result<String, String> {
        let column = match server {
            "raw" => 2,
            "framework" => 3,
            _ => return Err(format!("no glue column for {server}")),
        };
        self.report
            .lines()
            .map(|line| line.split('|').map(str::trim).collect::<Vec<_>>())
            .find(|cells| cells.len() > column && cells[1] == feature)
            .map(|cells| cells[column].to_owned())
            .ok_or_else(|| format!("report.md has no glue row {feature:?}"))
    }

    /// The figure `key` names, formatted as the book quotes it.
    fn figure(&self, key: &str) -> Result<String, String> {
        let words: Vec<&str> = key.split_whitespace().collect();
        let share =
            |raw: f64, framework: f64| format!("{:.0}%", (framework - raw) / framework * 100.0);
        match words.as_slice() {
            ["cost", e, s, "instructions"] => {
                Ok(thousands(self.cost(e, s, "instructions_per_request")?))
            }
            ["cost", e, s, "allocations"] => Ok(format!(
                "{:.1}",
                self.cost(e, s, "allocations_per_request")?
            )),
            ["cost", e, "extra-instructions"] => {
                let field = "instructions_per_request";
                Ok(signed_thousands(
                    self.cost(e, "framework", field)? - self.cost(e, "raw", field)?,
                ))
            }
            ["cost", e, "extra-allocations"] => {
                let field = "allocations_per_request";
                Ok(format!(
                    "{:+.1}",
                    self.cost(e, "framework", field)? - self.cost(e, "raw", field)?
                ))
            }
            ["cost", e, "ratio"] => {
                let field = "instructions_per_request";
                Ok(format!(
                    "{:.2}x",
                    self.cost(e, "framework", field)? / self.cost(e, "raw", field)?
                ))
            }
            ["cost", e, "percent"] => {
                let field = "instructions_per_request";
                let ratio = self.cost(e, "framework", field)? / self.cost(e, "raw", field)?;
                Ok(format!("{:+.1}%", (ratio - 1.0) * 100.0))
            }
            ["cost", e, "share"] => {
                let field = "instructions_per_request";
                Ok(share(
                    self.cost(e, "raw", field)?,
                    self.cost(e, "framework", field)?,
                ))
            }
            ["compare", e, s, "rps"] => Ok(thousands(self.median(e, s, "requests_per_second")?)),
            ["compare", e, s, "cpu-us"] => Ok(format!(
                "{:.2}",
                self.median(e, s, "server_cpu_us_per_request")?
            )),
            ["compare", e, s, "p50-us"] => Ok(thousands(self.median(e, s, "p50_us")?)),
            ["compare", e, "cpu-change"] => self.change(e, "server_cpu_us_per_request"),
            ["compare", e, "rps-change"] => self.change(e, "requests_per_second"),
            ["compare", e, "cpu-low"] => {
                self.change_bound(e, "server_cpu_us_per_request", "ci_low")
            }
            ["compare", e, "cpu-high"] => {
                self.change_bound(e, "server_cpu_us_per_request", "ci_high")
            }
            ["compare", e, "cpu-share"] => {
                let field = "server_cpu_us_per_request";
                Ok(share(
                    self.median(e, "raw", field)?,
                    self.median(e, "framework", field)?,
                ))
            }
            ["compare", e, "latency-share"] => Ok(share(
                self.median(e, "raw", "p50_us")?,
                self.median(e, "framework", "p50_us")?,
            )),
            ["glue", feature @ .., server] if !feature.is_empty() => {
                self.glue(&feature.join(" "), server)
            }
            _ => Err(format!("unknown figure key {key:?}")),
        }
    }
}

/// Every `(quoted text, key)` pair in `text`: the key is the marker's
/// content, the quoted text the figure just before it (digits, `,`, `.`,
/// a sign, `%` or `x`, past any `*` or `` ` `` of Markdown emphasis).
fn markers(text: &str) -> Vec<(String, String)> {
    const OPEN: &str = "<!-- sample: ";
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(OPEN).map(|i| i + from) {
        let end = text[at..].find("-->").map(|i| i + at).unwrap_or(text.len());
        let key = text[at + OPEN.len()..end].trim().to_owned();
        let before = text[..at].trim_end_matches(['*', '`', '_']);
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| {
                c.is_ascii_digit() || matches!(c, ',' | '.' | '+' | '-' | '%' | 'x' | '−')
            })
            .last()
            .map_or(before.len(), |(i, _)| i);
        found.push((before[start..].replace('−', "-"), key));
        from = end;
    }
    found
}

fn book_pages(dir: &Path) -> Vec<PathBuf> {
    let mut pages = Vec::new();
    for entry in fs::read_dir(dir).expect("docs/src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            pages.extend(book_pages(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    pages.sort();
    pages
}

#[test]
fn every_figure_the_book_quotes_from_the_sample_report_is_the_samples() {
    let report =
        fs::read_to_string(root().join("docs/sample-report/report.md")).expect("report.md");
    let sample = Sample {
        results: load("results.json"),
        cost: load("cost.json"),
        report,
    };
    let mut checked = 0;
    let mut failures = Vec::new();

    for page in book_pages(&root().join("docs/src")) {
        let text = fs::read_to_string(&page).expect("page is readable");
        for (quoted, key) in markers(&text) {
            checked += 1;
            match sample.figure(&key) {
                Ok(expected) if expected == quoted => {}
                Ok(expected) => failures.push(format!(
                    "{}: {key}: quotes {quoted:?}, the sample says {expected:?}",
                    page.display()
                )),
                Err(e) => failures.push(format!("{}: {e}", page.display())),
            }
        }
    }

    assert!(
        failures.is_empty(),
        "figures that drifted from docs/sample-report:\n{}",
        failures.join("\n")
    );
    assert!(
        checked >= 10,
        "only {checked} marked figures: the scorecard quotes more than that"
    );
}

#[test]
fn a_marker_reads_the_figure_just_before_it() {
    let text = "costs **+18,241**<!-- sample: cost json extra-instructions --> more, `2.09x`<!-- sample: cost json ratio -->";

    let found = markers(text);

    assert_eq!(
        found[0],
        (
            "+18,241".to_owned(),
            "cost json extra-instructions".to_owned()
        )
    );
    assert_eq!(found[1], ("2.09x".to_owned(), "cost json ratio".to_owned()));
}

#[test]
fn figures_are_formatted_as_the_book_writes_them() {
    assert_eq!(thousands(34_993.4), "34,993");
    assert_eq!(thousands(999.6), "1,000");
    assert_eq!(signed_thousands(18_241.0), "+18,241");
    assert_eq!(signed_thousands(-5.0), "-5");
}
