//! The visit counter on axum: axum-extra's `CookieJar` parses the `Cookie`
//! headers going in and writes `Set-Cookie` for what was added going out.

use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use shared_handlers::visits::{self, COOKIE_NAME, Visits};

// ANCHOR: visits_show
pub async fn visits_show(jar: CookieJar) -> (CookieJar, axum::Json<Visits>) {
    let visits = visits::count(jar.get(COOKIE_NAME).map(Cookie::value));
    // `HttpOnly`: page scripts cannot read it; `SameSite=Lax`: other sites'
    // requests do not carry it; `Path=/`: one cookie for the whole site.
    let cookie = Cookie::build((COOKIE_NAME, visits.visits.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax);
    // The jar is part of the response: what was added becomes `Set-Cookie`.
    (jar.add(cookie), axum::Json(visits))
}
// ANCHOR_END: visits_show
