//! The visit counter by hand: find the `visits` cookie among the `Cookie`
//! headers, count, and send the new count back in a `Set-Cookie` header.

use cookie::{Cookie, SameSite};
use shared_handlers::visits::{self, COOKIE_NAME};
use shared_handlers::{AppState, Error};

use crate::extract::cookie;
use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: visits_show
pub async fn visits_show(input: Input, _state: &AppState) -> Result<HttpResponse, Error> {
    let previous = cookie(&input.parts, COOKIE_NAME);
    let visits = visits::count(previous.as_deref());
    // `HttpOnly`: page scripts cannot read it; `SameSite=Lax`: other sites'
    // requests do not carry it; `Path=/`: one cookie for the whole site.
    let cookie = Cookie::build((COOKIE_NAME, visits.visits.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build();
    response::with_cookie(response::json(&visits)?, &cookie)
}
// ANCHOR_END: visits_show
