//! The contact form (`POST /contact`, urlencoded), the visit counter
//! (`GET /visits`, a cookie) and slow I/O (`GET /delay`), good and bad.
//!
//! Each case is sent to every server; the servers must agree byte for byte
//! (`Set-Cookie` included) and match the expectation.

use conformance::cases::run_cases;
use conformance::groups::forms_and_cookies::{contact_cases, cookie_cases, delay_cases};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_contact_form_case_gets_the_same_correct_answer_from_every_server() {
    let count = run_cases(&contact_cases()).await;
    println!("{count} contact-form cases passed on every server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_visits_cookie_case_gets_the_same_correct_answer_from_every_server() {
    let count = run_cases(&cookie_cases()).await;
    println!("{count} visits-cookie cases passed on every server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_delay_case_gets_the_same_correct_answer_from_every_server() {
    let count = run_cases(&delay_cases()).await;
    println!("{count} delay cases passed on every server");
}
