//! `workshop`: the workshop's runner.
//!
//! ```text
//! cargo run -p workshop -- list       # the exercises
//! cargo run -p workshop -- check 1    # test your starter, with hints
//! cargo run -p workshop -- verify     # CI: every starter fails, every solution passes
//! ```
//!
//! An exercise is a Cargo package under `workshop/exercises/` whose
//! `starter` feature builds the learner's file instead of the solution, so
//! `cargo test --workspace` tests the solutions and only this runner runs
//! the starters' (failing) tests, the check rustlings' CI makes.

mod exercises;
mod tests_run;

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use exercises::{EXERCISES, Exercise};
use tests_run::{Side, TestRun};

#[derive(Debug, Parser)]
#[command(about = "frameworth's workshop: exercises with tests and checked solutions")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the exercises.
    List,
    /// Test your work on exercise N (its starter file), with hints.
    Check { number: u8 },
    /// For CI: every starter compiles and fails its tests, every solution passes.
    Verify,
}

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let result = match Cli::parse().command {
        Command::List => {
            list();
            Ok(true)
        }
        Command::Check { number } => check(&root, number),
        Command::Verify => verify(&root),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn list() {
    for exercise in EXERCISES {
        println!(
            "{}  {:<60} {}",
            exercise.number, exercise.title, exercise.starter
        );
    }
}

fn check(root: &Path, number: u8) -> anyhow::Result<bool> {
    let exercise = exercises::find(number).ok_or_else(|| {
        anyhow::anyhow!("no exercise {number}; `cargo run -p workshop -- list` shows them")
    })?;
    println!("exercise {}: {}", exercise.number, exercise.title);
    println!("  your file: {}", exercise.starter);
    println!("  testing… (the first build takes a minute)\n");
    let run = tests_run::run(root, exercise.package, Side::Starter)?;
    show(exercise, &run);
    Ok(run.all_passed())
}

/// The learner's view of one test run: each test, why it failed, a hint.
fn show(exercise: &Exercise, run: &TestRun) {
    if !run.compiled {
        println!("✗ it does not compile yet:\n");
        for line in &run.compile_errors {
            println!("    {line}");
        }
        println!(
            "\n  fix the first error, then run `cargo run -p workshop -- check {}` again",
            exercise.number
        );
        return;
    }
    for name in &run.passed {
        println!("  ✓ {}", sentence(name));
    }
    for (name, message) in &run.failed {
        println!("  ✗ {}", sentence(name));
        for line in message.iter().filter(|l| !l.starts_with("thread '")) {
            println!("      {line}");
        }
        // A hint matches the test's name or a word of its failure message.
        let matches = |key: &str| name.contains(key) || message.iter().any(|l| l.contains(key));
        for (_, hint) in exercise.hints.iter().filter(|(key, _)| matches(key)) {
            println!("      hint: {hint}");
        }
    }
    let total = run.passed.len() + run.failed.len();
    if run.all_passed() {
        println!(
            "\n✓ all {total} tests pass: exercise {} done. Compare with {}",
            exercise.number, exercise.solution
        );
    } else {
        println!(
            "\n{} of {total} tests pass. Stuck? One answer is in {}",
            run.passed.len(),
            exercise.solution
        );
    }
}

/// A test name as the sentence it is: `path::a_thing_works` → "a thing works".
fn sentence(name: &str) -> String {
    name.rsplit("::").next().unwrap_or(name).replace('_', " ")
}

fn verify(root: &Path) -> anyhow::Result<bool> {
    let (mut passed, mut failed) = (0, 0);
    for exercise in EXERCISES {
        let starter = tests_run::run(root, exercise.package, Side::Starter)?;
        let solution = tests_run::run(root, exercise.package, Side::Solution)?;
        let verdict = verdict(&starter, &solution);
        match &verdict {
            Ok(summary) => {
                passed += 1;
                println!(
                    "ok   exercise {} ({}): {summary}",
                    exercise.number, exercise.package
                );
            }
            Err(problem) => {
                failed += 1;
                println!(
                    "FAIL exercise {} ({}): {problem}",
                    exercise.number, exercise.package
                );
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// A starter must build and fail at least one test; a solution must pass all.
fn verdict(starter: &TestRun, solution: &TestRun) -> Result<String, String> {
    if !starter.compiled {
        return Err(format!(
            "the starter does not compile: {}",
            starter.compile_errors.join(" / ")
        ));
    }
    if starter.failed.is_empty() {
        return Err("the starter passes every test: there is nothing to do".into());
    }
    if !solution.all_passed() {
        let failing: Vec<&str> = solution.failed.iter().map(|(n, _)| n.as_str()).collect();
        return Err(if solution.compiled {
            format!("the solution fails {}", failing.join(", "))
        } else {
            format!(
                "the solution does not compile: {}",
                solution.compile_errors.join(" / ")
            )
        });
    }
    Ok(format!(
        "starter fails {} of {} tests, solution passes all {}",
        starter.failed.len(),
        starter.failed.len() + starter.passed.len(),
        solution.passed.len()
    ))
}
