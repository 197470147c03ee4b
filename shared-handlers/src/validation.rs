//! Field-level validation, written once for both servers.
//!
//! Handlers never check a field themselves: they hand the raw values to a
//! parser here (or in [`crate::users`], [`crate::contact`]) and get back
//! either a domain type that is valid by construction or a list of
//! [`FieldError`]s, one per field that is wrong. Collecting *all* of them,
//! instead of stopping at the first, lets a person fix a form in one go.
//!
//! The list travels to the client inside the problem document (see
//! [`crate::error::Problem::errors`]) as
//! `"errors": [{"field": "email", "message": "..."}]`.

use serde::Serialize;

/// What is wrong with one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where the value sits in the body: a member name (`email`), a path
    /// into nested JSON (`address.city`, `tags[2]`), or `.` for the body as
    /// a whole (the notation of `serde_path_to_error`, which both servers use
    /// to locate errors serde finds).
    pub field: String,
    /// What the value must look like, in words a person can act on.
    pub message: String,
}

/// Every invalid field of one request, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// An empty list: nothing wrong (yet).
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    /// A list with one error.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> FieldErrors {
        let mut errors = FieldErrors::new();
        errors.push(field, message);
        errors
    }

    /// Records that `field` is invalid.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Checks one field: keeps the parsed value, or records the message.
    ///
    /// Returns `None` when the field is invalid, so that a caller can go on
    /// checking the other fields and report them all at once.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.push(field, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_slice(&self) -> &[FieldError] {
        &self.0
    }

    /// The names of the invalid fields, for a one-line summary.
    pub fn field_names(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|e| e.field.as_str()).collect();
        names.join(", ")
    }
}

/// The longest stretch of a client's value that an error message repeats.
const QUOTE_MAX_CHARS: usize = 40;

/// A client-sent value as an error message shows it: in backticks, cut
/// after 40 characters so a megabyte of garbage does not come back as a
/// megabyte of error message.
pub fn quote(value: &str) -> String {
    let mut chars = value.chars();
    let shown: String = chars.by_ref().take(QUOTE_MAX_CHARS).collect();
    if chars.next().is_some() {
        format!("`{shown}…`")
    } else {
        format!("`{shown}`")
    }
}

/// The longest message derived from a client's input (a parser's
/// explanation, which may quote the input, or a path into the body) that an
/// error repeats.
const MESSAGE_MAX_CHARS: usize = 200;

// ANCHOR: shorten
/// A message that may quote a client's input, as an error shows it: cut
/// after 200 characters with `…`.
///
/// serde's messages quote what they stumbled over in full (`invalid type:
/// string "…", expected …`), so a 2 MiB string sent where an object belongs
/// would come back as a 2 MiB error. Every message built from a parser's
/// words passes through here (see `Error::body_shape`, `Error::invalid_query`),
/// and so does every request path, method or email an error repeats (see
/// the `Error` messages); values we quote ourselves in field messages go
/// through [`quote`], which cuts shorter.
pub fn shorten(message: &str) -> String {
    match message.char_indices().nth(MESSAGE_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
    }
}
// ANCHOR_END: shorten

/// A required text field: present, and not blank once trimmed.
///
/// Returns the trimmed text; surrounding whitespace is never stored.
pub fn required_text<'a>(field: &str, value: Option<&'a str>) -> Result<&'a str, String> {
    match value.map(str::trim) {
        None => Err(format!("{field} is required")),
        Some("") => Err(format!("{field} must not be empty or only whitespace")),
        Some(text) => Ok(text),
    }
}

/// At most `max` characters (Unicode scalar values, not bytes: `é` is one).
pub fn at_most_chars(field: &str, text: &str, max: usize) -> Result<(), String> {
    let count = text.chars().count();
    if count > max {
        return Err(format!(
            "{field} must be at most {max} characters long, got {count}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_keeps_valid_values_and_collects_every_message() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check("a", Ok::<_, String>(1)), Some(1));
        assert_eq!(errors.check::<i32>("b", Err("b is bad".into())), None);
        assert_eq!(errors.check::<i32>("c", Err("c is bad".into())), None);
        assert_eq!(errors.field_names(), "b, c");
    }

    #[test]
    fn quote_cuts_long_values() {
        assert_eq!(quote("abc"), "`abc`");
        assert_eq!(quote(&"x".repeat(41)), format!("`{}…`", "x".repeat(40)));
    }

    #[test]
    fn shorten_keeps_short_messages_and_cuts_long_ones_on_a_character_boundary() {
        assert_eq!(shorten("short"), "short");
        let exact = "é".repeat(MESSAGE_MAX_CHARS);
        assert_eq!(shorten(&exact), exact);
        let long = format!("{exact}tail");
        assert_eq!(shorten(&long), format!("{exact}…"));
    }

    #[test]
    fn required_text_trims_and_names_the_field() {
        assert_eq!(required_text("name", Some("  Ann ")), Ok("Ann"));
        assert_eq!(
            required_text("name", None),
            Err("name is required".to_owned())
        );
        assert!(required_text("name", Some(" \t")).is_err());
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(at_most_chars("name", &"é".repeat(64), 64).is_ok());
        assert!(at_most_chars("name", &"é".repeat(65), 64).is_err());
    }
}
