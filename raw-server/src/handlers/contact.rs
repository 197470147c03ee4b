//! The contact form by hand: check the `Content-Type`, decode the
//! urlencoded body into the wire type, validate, echo as JSON.

use shared_handlers::contact::{self, Contact, ContactForm};
use shared_handlers::{AppState, Error};

use crate::extract::form_body;
use crate::response;
use crate::{HttpResponse, Input};

// ANCHOR: contact_submit
pub async fn contact_submit(input: Input, state: &AppState) -> Result<HttpResponse, Error> {
    let form: ContactForm = form_body(
        &input.parts,
        input.body,
        state.config().body_limit_in_force(),
    )
    .await?;
    let contact = Contact::parse(form)?;
    response::json(&contact::submit(contact))
}
// ANCHOR_END: contact_submit
