//! Exercise 4, the starter: every answer is still a placeholder. Open
//! `docs/sample-report/cost.txt`, fill in each constant, then run
//! `cargo run -p workshop -- check 4`.

/// How many more instructions framework-server executes per `/json`
/// request than raw-server (framework − raw).
pub const JSON_EXTRA_INSTRUCTIONS: f64 = 0.0;

/// framework-server's instructions per `/json` request ÷ raw-server's.
pub const JSON_RATIO: f64 = 0.0;

/// How many more heap allocations framework-server makes per `/json` request.
pub const JSON_EXTRA_ALLOCATIONS: f64 = 0.0;

/// The share of framework-server's instructions per `/queries` request
/// (twenty SQLite reads) that raw-server does not execute, from 0 to 1:
/// extra ÷ framework.
pub const QUERIES_FRAMEWORK_SHARE: f64 = 0.0;

/// Part of the name of the axum function with the largest inclusive
/// instruction count in framework-server's `/json` profile (`top_functions`
/// in `cost.json`, the list under `json` in `cost.txt`), enough to tell it
/// from the other axum functions listed.
pub const JSON_TOP_AXUM_FUNCTION: &str = "";
