//! A real outbound call by hand: read and check `ms`, call the upstream
//! through the shared client, answer.

use shared_handlers::delay::{DelayMs, DelayParams};
use shared_handlers::upstream;
use shared_handlers::{AppState, Error};

use crate::extract::query_param;
use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: upstream_show
pub async fn upstream_show(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let ms = DelayMs::parse(&DelayParams {
        ms: query_param(&input.parts, "ms")?,
    })?;
    let upstreamed = upstream::upstream_call(state.upstream(), ms).await?;
    response::json(&upstreamed)
}
// ANCHOR_END: upstream_show
