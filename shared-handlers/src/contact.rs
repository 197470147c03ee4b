//! The contact form: `POST /contact` with an urlencoded body, answered with
//! the parsed fields as JSON.
//!
//! Same two steps as the users resource: a loose wire type
//! ([`ContactForm`], every field optional) and a parser ([`Contact::parse`])
//! that reports every invalid field at once. The name and email rules are
//! the users' ([`UserName`], [`EmailAddress`]), so a person meets one set of
//! rules everywhere.
//!
//! Simplification on purpose: a real application would send the message
//! somewhere (a mailbox, a ticket queue); here the answer just echoes it, so
//! the conformance suite can see exactly what each server parsed.

use serde::{Deserialize, Serialize};

use crate::users::{EmailAddress, UserName};
use crate::validation::{FieldErrors, at_most_chars, required_text};

/// The longest message accepted, in characters.
pub const MESSAGE_MAX_CHARS: usize = 2000;

/// The form as it arrives (`name=…&email=…&message=…`). Unknown fields are
/// ignored; a field given twice is an error serde reports.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactForm {
    pub name: Option<String>,
    pub email: Option<String>,
    pub message: Option<String>,
}

/// A valid contact request, and the body of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub message: String,
}

impl Contact {
    /// Name and email as for users; the message is trimmed and must hold
    /// 1..=2000 characters (newlines are fine: it is a message).
    pub fn parse(form: ContactForm) -> Result<Contact, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", UserName::parse(form.name.as_deref()));
        let email = errors.check("email", EmailAddress::parse(form.email.as_deref()));
        let message = errors.check("message", parse_message(form.message.as_deref()));
        match (name, email, message) {
            (Some(name), Some(email), Some(message)) => Ok(Contact {
                name: name.as_str().to_owned(),
                email: email.as_str().to_owned(),
                message,
            }),
            _ => Err(errors),
        }
    }
}

fn parse_message(value: Option<&str>) -> Result<String, String> {
    let message = required_text("message", value)?;
    at_most_chars("message", message, MESSAGE_MAX_CHARS)?;
    Ok(message.to_owned())
}

/// `POST /contact`: accepts the message (see the module docs: it is echoed).
pub fn submit(contact: Contact) -> Contact {
    contact
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_form_is_accepted_and_trimmed() {
        let contact = Contact::parse(ContactForm {
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            message: Some(" Hello,\nworld \n".into()),
        })
        .expect("valid");
        assert_eq!(contact.message, "Hello,\nworld");
    }

    #[test]
    fn an_empty_form_names_all_three_fields() {
        let errors = Contact::parse(ContactForm::default()).expect_err("invalid");
        assert_eq!(errors.field_names(), "name, email, message");
    }
}
