//! Which server: the one [`ServerKind`] every command, the hidden `serve`
//! subcommand and the report use, and [`BASELINE`], the server every other
//! one is compared against.

use serde::{Deserialize, Serialize};

/// One of the two servers of the workspace.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ServerKind {
    /// raw-server: hyper and tokio, everything else by hand.
    Raw,
    /// framework-server: axum, tower and tower-http.
    Framework,
}

impl ServerKind {
    /// Both servers, the baseline first.
    pub const ALL: [ServerKind; 2] = [ServerKind::Raw, ServerKind::Framework];

    /// The name in reports and on the command line: `raw`, `framework`.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Raw => "raw",
            ServerKind::Framework => "framework",
        }
    }

    /// The crate's source folder, relative to the workspace root.
    pub fn source_dir(self) -> &'static str {
        match self {
            ServerKind::Raw => "raw-server/src",
            ServerKind::Framework => "framework-server/src",
        }
    }
}

/// The server every other one is compared against, by report name.
pub const BASELINE: &str = "raw";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_is_raw_server() {
        assert_eq!(ServerKind::ALL[0].name(), BASELINE);
    }

    #[test]
    fn names_match_the_serialised_form() {
        for kind in ServerKind::ALL {
            let json = serde_json::to_string(&kind).expect("serialises");
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
    }
}
