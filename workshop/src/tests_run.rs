//! Runs one exercise package's tests with `cargo test` and reads its
//! output back: which tests passed, which failed and why, or that the code
//! did not compile.

use std::path::Path;
use std::process::Command;

/// Which side of an exercise to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The learner's `starter` (the package's `starter` feature).
    Starter,
    /// The committed solution (default features).
    Solution,
}

/// What one `cargo test` of an exercise showed.
#[derive(Debug, Default)]
pub(crate) struct TestRun {
    /// Did the package and its tests build?
    pub(crate) compiled: bool,
    pub(crate) passed: Vec<String>,
    /// `(test name, the first lines of its panic message)`.
    pub(crate) failed: Vec<(String, Vec<String>)>,
    /// The compiler's error lines, when it did not build.
    pub(crate) compile_errors: Vec<String>,
}

impl TestRun {
    pub(crate) fn all_passed(&self) -> bool {
        self.compiled && self.failed.is_empty() && !self.passed.is_empty()
    }
}

/// Runs `cargo test -p package` for `side` from `root` and parses the output.
pub(crate) fn run(root: &Path, package: &str, side: Side) -> anyhow::Result<TestRun> {
    // `CARGO` is set when the runner itself runs under `cargo run`: the same
    // toolchain then builds the exercise.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["test", "-p", package, "--no-fail-fast", "--color", "never"]);
    if side == Side::Starter {
        command.args(["--features", "starter"]);
    }
    // Tests print one line each; the threads they run on stay the default.
    let output = command.env("RUST_BACKTRACE", "0").output()?;
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(parse(&text))
}

/// Reads libtest's and cargo's output.
pub(crate) fn parse(text: &str) -> TestRun {
    let mut run = TestRun {
        compiled: text.contains("test result:"),
        ..TestRun::default()
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("test ") {
            if let Some(name) = rest.strip_suffix(" ... ok") {
                run.passed.push(name.to_owned());
            } else if let Some(name) = rest.strip_suffix(" ... FAILED") {
                run.failed.push((name.to_owned(), Vec::new()));
            }
        }
    }
    for (name, message) in &mut run.failed {
        *message = failure_message(text, name);
    }
    if !run.compiled {
        run.compile_errors = text
            .lines()
            .skip_while(|l| !l.starts_with("error"))
            .take(30)
            .map(str::to_owned)
            .collect();
    }
    run
}

/// The panic message in `---- NAME stdout ----`, without libtest's notes.
fn failure_message(text: &str, name: &str) -> Vec<String> {
    let header = format!("---- {name} stdout ----");
    let Some(start) = text.find(&header) else {
        return Vec::new();
    };
    text[start + header.len()..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("---- ") && !l.starts_with("failures:"))
        .filter(|l| !l.trim().is_empty() && !l.starts_with("note: run with"))
        .take(8)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "running 2 tests
test a_thing_works ... ok
test another_thing_works ... FAILED

failures:

---- another_thing_works stdout ----

thread 'another_thing_works' panicked at tests/x.rs:3:5:
raw: GET /health: status 404 instead of 200
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

failures:
    another_thing_works

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out
";

    #[test]
    fn passing_and_failing_tests_are_told_apart_with_the_failure_message() {
        let run = parse(OUTPUT);

        assert!(run.compiled);
        assert_eq!(run.passed, ["a_thing_works"]);
        assert_eq!(run.failed.len(), 1);
        assert_eq!(run.failed[0].0, "another_thing_works");
        assert_eq!(
            run.failed[0].1.last().map(String::as_str),
            Some("raw: GET /health: status 404 instead of 200")
        );
        assert!(!run.all_passed());
    }

    #[test]
    fn a_build_that_fails_is_reported_with_the_compiler_errors() {
        let run = parse(
            "   Compiling x\nerror[E0004]: non-exhaustive patterns\n  --> src/starter.rs:3\n",
        );

        assert!(!run.compiled);
        assert_eq!(
            run.compile_errors[0],
            "error[E0004]: non-exhaustive patterns"
        );
        assert!(!run.all_passed());
    }
}
