//! # framework-server: frameworth on axum 0.8 + tower
//!
//! The same endpoints as raw-server, written the way axum's documentation
//! teaches: a [`Router`] that reads like the API list, extractors that turn
//! requests into typed input, an error type that implements `IntoResponse`,
//! and tower-http layers for cross-cutting concerns. Read it next to
//! `raw-server`: every piece of hand-written glue there has a counterpart
//! here that the framework provides.
//!
//! ## Layout
//!
//! | module       | concept                                                          |
//! |--------------|------------------------------------------------------------------|
//! | [`app`]      | the route table ([`app::router`]) and the layers around it       |
//! | [`handlers`] | one async fn per endpoint: extractors in, `impl IntoResponse` out |
//! | [`extract`]  | axum's `Query`, `Path`, `Json`, `Form` wrapped so their rejections speak the problem format |
//! | [`error`]    | [`ApiError`]: the domain error as an `IntoResponse`              |
//! | [`middleware`] | the middleware chain's own pieces; `app` stacks them with tower-http's layers |
//! | [`pages`]    | the home page and the OpenAPI document                           |
//! | [`static_files`] | `/static/...`: tower-http's `ServeDir`, errors as problems   |
//!
//! ## Serving
//!
//! By default the router is served through `connection-layer`, the same
//! hand-written hyper accept loop and HTTP/1 settings raw-server uses, so a
//! benchmark compares the request layer and nothing else (axum's
//! `serve-with-hyper` example shows the pattern). [`ServeMode::Axum`] uses
//! plain `axum::serve` instead, as a newcomer would: HTTP/1 and HTTP/2,
//! no header-read timeout, `TCP_NODELAY` off — axum's defaults, measured as such.

pub mod app;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod middleware;
pub mod pages;
pub mod static_files;

use std::future::Future;

use axum::Router;
use connection_layer::ConnectionSettings;
use hyper_util::service::TowerToHyperService;
use shared_handlers::AppState;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use app::router;
pub use error::ApiError;

/// How the router is put on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ServeMode {
    /// The same accept loop and hyper settings as raw-server.
    #[default]
    Hyper,
    /// Plain `axum::serve` with its defaults.
    Axum,
}

/// Serves frameworth's endpoints on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    settings: ConnectionSettings,
    mode: ServeMode,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state);
    match mode {
        ServeMode::Hyper => serve_with_hyper(listener, &settings, app, shutdown).await,
        ServeMode::Axum => serve_with_axum(listener, &settings, app, shutdown).await?,
    }
    Ok(())
}

// ANCHOR: serve_with_hyper
/// The `Router` is a tower `Service`; hyper wants its own `Service` trait.
/// `TowerToHyperService` bridges the two, and from there on the connection
/// is driven exactly like raw-server's.
async fn serve_with_hyper(
    listener: TcpListener,
    settings: &ConnectionSettings,
    app: Router,
    shutdown: impl Future<Output = ()>,
) {
    let service = TowerToHyperService::new(app);
    connection_layer::serve(listener, settings, service, shutdown).await;
}
// ANCHOR_END: serve_with_hyper

// ANCHOR: serve_with_axum
/// `axum::serve` as its docs show it. It waits for connections to finish
/// after shutdown but has no deadline of its own, so we add the same drain
/// deadline the other mode has.
async fn serve_with_axum(
    listener: TcpListener,
    settings: &ConnectionSettings,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let signalled = CancellationToken::new();
    let trigger = signalled.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        trigger.cancel();
    });
    let deadline = async {
        signalled.cancelled().await;
        tokio::time::sleep(settings.drain_timeout).await;
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!("drain deadline of {:?} passed; closing the connections still open", settings.drain_timeout);
            Ok(())
        }
    }
}
// ANCHOR_END: serve_with_axum
