//! Upstream services for `/upstream`'s cases, all on loopback: a live one
//! (a raw-server in this process: its `/delay` is exactly the protocol
//! `/upstream` speaks, with a delay the case chooses), and an address where
//! nothing listens.

use shared_handlers::AppConfig;

use crate::{Kind, Target};

/// A running upstream: a raw-server whose `/delay?ms=N` waits N ms.
pub async fn start_live() -> anyhow::Result<Target> {
    Target::start(Kind::Raw).await
}

/// `http://127.0.0.1:PORT` for a port that was just free: bound, then
/// closed, so a connection there is refused (unless, rarely, another
/// process takes the port in between; the cases then fail, never pass).
pub fn unreachable_url() -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    Ok(format!("http://{addr}"))
}

/// The default settings with `upstream` as the upstream service.
pub fn config_calling(upstream: &str) -> AppConfig {
    AppConfig {
        upstream: Some(upstream.to_owned()),
        ..AppConfig::default()
    }
}
