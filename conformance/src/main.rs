//! `conformance`: the case tables against any running server.
//!
//! ```text
//! cargo run --release -p conformance -- --target http://127.0.0.1:8080
//! cargo run --release -p conformance -- --target http://127.0.0.1:8080 --groups benchmark,users
//! cargo run --release -p conformance -- --list
//! ```
//!
//! One line per case (`ok` or `FAIL` with the difference: status, header or
//! body), then `N passed, M failed`; the exit status is non-zero when a case
//! failed or the target cannot be reached. See `conformance::remote`.

use std::process::ExitCode;

use clap::Parser;
use conformance::groups::{self, GROUPS, Group};
use conformance::remote::Remote;

/// Runs frameworth's conformance cases against a server given by URL.
#[derive(Debug, Parser)]
struct Args {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    #[arg(long, required_unless_present = "list")]
    target: Option<String>,
    /// Groups to run, comma separated [default: every group; `--list` names them].
    #[arg(long, value_delimiter = ',')]
    groups: Vec<String>,
    /// Print only the failures and the last line.
    #[arg(short, long)]
    quiet: bool,
    /// List the groups and exit.
    #[arg(long)]
    list: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.list {
        for group in GROUPS {
            println!(
                "{:<10} {:>4} cases  {}",
                group.name,
                (group.cases)().len(),
                group.about
            );
        }
        return ExitCode::SUCCESS;
    }
    match chosen(&args.groups) {
        Ok(chosen) => run(&args, &chosen),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The groups named on the command line, in `GROUPS` order, or all.
fn chosen(names: &[String]) -> Result<Vec<&'static Group>, String> {
    if names.is_empty() {
        return Ok(GROUPS.iter().collect());
    }
    let known: Vec<&str> = GROUPS.iter().map(|g| g.name).collect();
    for name in names {
        if groups::by_name(name).is_none() {
            return Err(format!("no group {name:?}; groups: {}", known.join(", ")));
        }
    }
    Ok(GROUPS
        .iter()
        .filter(|g| names.iter().any(|n| n == g.name))
        .collect())
}

fn run(args: &Args, chosen: &[&'static Group]) -> ExitCode {
    let target = args.target.as_deref().unwrap_or_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let remote = match Remote::connect(target).await {
            Ok(remote) => remote,
            Err(e) => {
                eprintln!("error: {e:#}");
                return ExitCode::FAILURE;
            }
        };
        let (mut passed, mut failed) = (0, 0);
        for group in chosen {
            for outcome in remote.run(group.name, &(group.cases)()).await {
                match &outcome.failure {
                    None => {
                        passed += 1;
                        if !args.quiet {
                            println!("ok   [{}] {}", outcome.group, outcome.label);
                        }
                    }
                    Some(failure) => {
                        failed += 1;
                        println!("FAIL [{}] {}: {failure}", outcome.group, outcome.label);
                    }
                }
            }
        }
        println!("{passed} passed, {failed} failed");
        if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}
