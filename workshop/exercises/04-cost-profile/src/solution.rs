//! One answer to exercise 4, read from `docs/sample-report/cost.txt`
//! (the `json` and `queries` rows, and the functions listed under
//! "json on framework"). A regenerated profile changes these figures.

/// How many more instructions framework-server executes per `/json`
/// request than raw-server (framework − raw).
pub const JSON_EXTRA_INSTRUCTIONS: f64 = 21_921.0;

/// framework-server's instructions per `/json` request ÷ raw-server's.
pub const JSON_RATIO: f64 = 2.18;

/// How many more heap allocations framework-server makes per `/json` request.
pub const JSON_EXTRA_ALLOCATIONS: f64 = 46.0;

/// The share of framework-server's instructions per `/queries` request
/// (twenty SQLite reads) that raw-server does not execute, from 0 to 1:
/// extra ÷ framework.
pub const QUERIES_FRAMEWORK_SHARE: f64 = 0.14;

/// Part of the name of the axum function with the largest inclusive
/// instruction count in framework-server's `/json` profile (`top_functions`
/// in `cost.json`, the list under `json` in `cost.txt`), enough to tell it
/// from the other axum functions listed.
pub const JSON_TOP_AXUM_FUNCTION: &str = "Next::run";
