//! The logic of the `/admin/` endpoints. The token check itself is a
//! middleware on both servers (see [`crate::auth`]), so these functions can
//! assume the caller is allowed in.

use crate::state::AppState;
use crate::stats::StatsSnapshot;

/// `GET /admin/stats`: the request counters kept by the stats middleware.
pub fn stats(state: &AppState) -> StatsSnapshot {
    state.stats().snapshot()
}

/// `GET /admin/panic`: panics on purpose, to show that both servers catch a
/// panicking handler, answer `500`, and keep serving.
pub fn panic_on_purpose() -> ! {
    panic!("GET /admin/panic panics on purpose")
}
