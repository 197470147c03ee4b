//! Which server: the one [`ServerKind`] every command, the hidden `serve`
//! subcommand and the report use, and [`BASELINE`], the server every other
//! one is compared against. Beside the Rust pair, `compare --suite` measures
//! the Node guests of `guests/node/` ([`Suite`], [`NODE_GUESTS`]), each
//! against its own ecosystem's baseline ([`baseline_for`]).

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

/// Which servers `compare` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Suite {
    /// raw-server and framework-server.
    #[default]
    Rust,
    /// The Node guests: node-http, express, express4, fastify.
    Node,
    /// Both: the Rust pair and the Node guests in the same rounds.
    All,
}

impl Suite {
    pub fn has_rust(self) -> bool {
        matches!(self, Suite::Rust | Suite::All)
    }

    pub fn has_node(self) -> bool {
        matches!(self, Suite::Node | Suite::All)
    }
}

/// A server written outside Rust, run as `node guests/node/<name>.js`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guest {
    /// Report name and script name.
    pub name: &'static str,
    pub description: &'static str,
}

/// The Node guests, their baseline ([`NODE_BASELINE`]) first.
pub const NODE_GUESTS: [Guest; 4] = [
    Guest {
        name: "node-http",
        description: "node-http: Node's http module, routing and escaping by hand",
    },
    Guest {
        name: "express",
        description: "express: Express 5, router, res.json, res.render (EJS)",
    },
    Guest {
        name: "express4",
        description: "express4: the same app on Express 4",
    },
    Guest {
        name: "fastify",
        description: "fastify: Fastify 5 with response schemas",
    },
];

/// The Node guests' baseline: Node's own `http`, as raw is Rust's.
pub const NODE_BASELINE: &str = "node-http";

/// The endpoints the guests implement, by catalogue name.
pub const GUEST_ENDPOINTS: [&str; 5] = ["plaintext", "json", "db", "queries", "fortunes"];

/// The baseline `server` is compared against: its own ecosystem's.
pub fn baseline_for(server: &str) -> &'static str {
    if NODE_GUESTS.iter().any(|g| g.name == server) {
        NODE_BASELINE
    } else {
        BASELINE
    }
}

/// `guests/node/` of this checkout.
pub fn node_guests_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../guests/node")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_is_raw_server() {
        assert_eq!(ServerKind::ALL[0].name(), BASELINE);
    }

    #[test]
    fn each_guest_is_compared_with_node_http_and_the_rust_servers_with_raw() {
        assert_eq!(NODE_GUESTS[0].name, NODE_BASELINE);
        for guest in NODE_GUESTS {
            assert_eq!(baseline_for(guest.name), NODE_BASELINE);
            assert!(
                node_guests_dir()
                    .join(format!("{}.js", guest.name))
                    .is_file()
            );
        }
        for kind in ServerKind::ALL {
            assert_eq!(baseline_for(kind.name()), BASELINE);
        }
        assert_eq!(baseline_for("framework-axum"), BASELINE);
    }

    #[test]
    fn names_match_the_serialised_form() {
        for kind in ServerKind::ALL {
            let json = serde_json::to_string(&kind).expect("serialises");
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
    }
}
