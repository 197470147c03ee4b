//! Query-count parsing, written once for both servers.
//!
//! `/queries?queries=N`, `/updates?queries=N` and `/cached-queries?count=N`
//! never reject a bad count; the benchmark rules say to *clamp* it:
//! missing, empty, not an integer or below 1 → 1; above 500 → 500.

use serde::Deserialize;

/// The smallest and largest number of rows one request may ask for.
pub const MIN_QUERIES: u16 = 1;
pub const MAX_QUERIES: u16 = 500;

/// A clamped row count, always in `1..=500`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryCount(u16);

impl QueryCount {
    /// Parses the raw parameter value (already percent-decoded), clamping as
    /// the rules say. Never fails: every input maps to a count.
    ///
    /// - `None`, `""`, `"foo"`, `"2.5"` → 1 (missing or not an integer)
    /// - `"0"`, `"-1"`, and numbers too negative for `i64` → 1
    /// - `"501"`, `"99999999999"`, and numbers too large for `i64` → 500
    pub fn parse(raw: Option<&str>) -> QueryCount {
        use std::num::IntErrorKind;
        let count = match raw.map(str::parse::<i64>) {
            Some(Ok(n)) => n.clamp(i64::from(MIN_QUERIES), i64::from(MAX_QUERIES)),
            // An integer too large to represent is still "more than 500".
            Some(Err(e)) if *e.kind() == IntErrorKind::PosOverflow => i64::from(MAX_QUERIES),
            // Missing, empty, not an integer, or hugely negative.
            None | Some(Err(_)) => i64::from(MIN_QUERIES),
        };
        QueryCount(u16::try_from(count).expect("clamped to 1..=500, which fits in u16"))
    }

    /// The count as a `usize`, for loops and allocations.
    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

/// Query parameters of `/queries` and `/updates`.
///
/// The value stays a `String` so that a non-number is clamped (to 1) rather
/// than rejected; [`QueryCount::parse`] does the rest. framework-server
/// deserializes this with axum's `Query`; raw-server reads the same key by hand.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueriesParams {
    pub queries: Option<String>,
}

/// Query parameters of `/cached-queries`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CachedQueriesParams {
    pub count: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_every_edge_the_rules_name() {
        let cases: &[(Option<&str>, usize)] = &[
            (None, 1),
            (Some(""), 1),
            (Some("foo"), 1),
            (Some("2.5"), 1),
            (Some("0"), 1),
            (Some("-1"), 1),
            (Some("1"), 1),
            (Some("2"), 2),
            (Some("20"), 20),
            (Some("500"), 500),
            (Some("501"), 500),
            (Some("99999999999"), 500),
            (Some("99999999999999999999999999"), 500),
            (Some("-99999999999999999999999999"), 1),
            (Some("+7"), 7),
            (Some(" 7"), 1),
        ];
        for &(raw, expected) in cases {
            assert_eq!(QueryCount::parse(raw).get(), expected, "input {raw:?}");
        }
    }
}
