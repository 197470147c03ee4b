//! The contact form on axum: `Form<ContactForm>` checks the `Content-Type`
//! and decodes the body; the shared parser validates; `Json` answers.

use shared_handlers::contact::{self, Contact, ContactForm};

use crate::error::ApiError;
use crate::extract::Form;

// ANCHOR: contact_submit
pub async fn contact_submit(
    Form(form): Form<ContactForm>,
) -> Result<axum::Json<Contact>, ApiError> {
    let contact = Contact::parse(form)?;
    Ok(axum::Json(contact::submit(contact)))
}
// ANCHOR_END: contact_submit
