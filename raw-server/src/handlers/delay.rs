//! Slow I/O by hand: read and check `ms`, wait, answer.

use shared_handlers::delay::{self, DelayMs, DelayParams};
use shared_handlers::{AppState, Error};

use crate::extract::query_param;
use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: delay_show
pub async fn delay_show(input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    let ms = DelayMs::parse(&DelayParams {
        ms: query_param(&input.parts, "ms")?,
    })?;
    let delayed = delay::delay(ms).await;
    response::json(&delayed)
}
// ANCHOR_END: delay_show
