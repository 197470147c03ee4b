//! Slow I/O on axum: `Query` reads `ms`, the shared parser checks it.

use shared_handlers::delay::{self, DelayMs, DelayParams, Delayed};

use crate::error::ApiError;
use crate::extract::Query;

// ANCHOR: delay_show
pub async fn delay_show(
    Query(params): Query<DelayParams>,
) -> Result<axum::Json<Delayed>, ApiError> {
    let ms = DelayMs::parse(&params)?;
    let delayed = delay::delay(ms).await;
    Ok(axum::Json(delayed))
}
// ANCHOR_END: delay_show
