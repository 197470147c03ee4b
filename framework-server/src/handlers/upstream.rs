//! A real outbound call on axum: `Query` reads `ms`, `State` hands over the
//! shared client, the shared function makes the call.

use axum::extract::State;
use shared_handlers::AppState;
use shared_handlers::delay::DelayMs;
use shared_handlers::upstream::{self, UpstreamParams, Upstreamed};

use crate::error::ApiError;
use crate::extract::Query;

// ANCHOR: upstream_show
pub async fn upstream_show(
    State(state): State<AppState>,
    Query(params): Query<UpstreamParams>,
) -> Result<axum::Json<Upstreamed>, ApiError> {
    let ms = DelayMs::parse(&params)?;
    let upstreamed = upstream::upstream_call(state.upstream(), ms).await?;
    Ok(axum::Json(upstreamed))
}
// ANCHOR_END: upstream_show
