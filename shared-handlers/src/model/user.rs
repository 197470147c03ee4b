//! The users resource's types: the loose *wire* types a server deserializes
//! ([`UserBody`], [`UserPath`], [`UserListParams`]), and the parsed *domain*
//! types whose fields are valid by construction ([`NewUser`], [`UserName`],
//! [`EmailAddress`], [`UserListQuery`]). The rules they enforce are listed
//! in [`crate::users`], which re-exports them beside the operations.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::validation::{FieldErrors, at_most_chars, quote, required_text};

/// The longest name accepted, in characters.
pub const NAME_MAX_CHARS: usize = 64;
/// The longest email address accepted, in bytes (RFC 5321's path limit).
pub const EMAIL_MAX_BYTES: usize = 254;
/// The longest local part (before the `@`), in bytes (RFC 5321).
pub const EMAIL_LOCAL_MAX_BYTES: usize = 64;
/// Page size when `?limit=` is absent.
pub const DEFAULT_LIMIT: u32 = 20;
/// The largest page a client may ask for.
pub const MAX_LIMIT: u32 = 100;

/// A stored user, as every answer shows it: `{"id":1,"name":"…","email":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
}

impl User {
    /// Where this user lives: the `Location` of a `201 Created`.
    pub fn location(&self) -> String {
        format!("/users/{}", self.id)
    }
}

/// The path parameters of `/users/{id}`. A named struct (not a bare `i64`)
/// so that axum's `Path` rejection names the parameter, and so that
/// raw-server knows which capture to parse.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct UserPath {
    pub id: i64,
}

/// The body of `POST /users` and `PUT /users/{id}` as it arrives.
///
/// Both fields are optional *here* so that a missing field is reported by
/// [`NewUser::parse`] together with every other problem, in our words,
/// instead of by serde alone and first. Unknown members are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(expecting = "a JSON object with the members `name` and `email`")]
pub struct UserBody {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A user's display name: trimmed, 1..=64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName(String);

impl UserName {
    pub fn parse(value: Option<&str>) -> Result<UserName, String> {
        let name = required_text("name", value)?;
        at_most_chars("name", name, NAME_MAX_CHARS)?;
        if name.chars().any(char::is_control) {
            return Err("name must not contain control characters (tabs, newlines, ...)".into());
        }
        Ok(UserName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plausible email address (see the module docs for the rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(value: Option<&str>) -> Result<EmailAddress, String> {
        let email = required_text("email", value)?;
        // The length and the ASCII rule apply to the value as sent, the
        // whitespace around it included: then a byte is a character, and
        // the OpenAPI document can state both limits exactly. Addresses with
        // non-ASCII characters (RFC 6531) are out of scope here.
        let sent = value.unwrap_or_default();
        if sent.len() > EMAIL_MAX_BYTES {
            return Err(format!(
                "email must be at most {EMAIL_MAX_BYTES} bytes long, got {}",
                sent.len()
            ));
        }
        if !sent.is_ascii() {
            return Err("email must be ASCII, like ada@example.com".into());
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("email must not contain spaces or control characters".into());
        }
        let Some((local, domain)) = email.split_once('@').filter(|(_, d)| !d.contains('@')) else {
            return Err(format!(
                "email must contain exactly one `@`, like ada@example.com; got {}",
                quote(email)
            ));
        };
        if local.is_empty() || local.len() > EMAIL_LOCAL_MAX_BYTES {
            return Err(format!(
                "email needs 1 to {EMAIL_LOCAL_MAX_BYTES} bytes before the `@`, like ada@example.com"
            ));
        }
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err(format!(
                "email needs a domain with a dot and no empty parts after the `@`, like example.com; got {}",
                quote(domain)
            ));
        }
        Ok(EmailAddress(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user to store: valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: UserName,
    pub email: EmailAddress,
}

impl NewUser {
    /// Checks every field and reports every one that is wrong.
    pub fn parse(body: UserBody) -> Result<NewUser, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", UserName::parse(body.name.as_deref()));
        let email = errors.check("email", EmailAddress::parse(body.email.as_deref()));
        match (name, email) {
            (Some(name), Some(email)) => Ok(NewUser { name, email }),
            _ => Err(errors),
        }
    }
}

impl TryFrom<UserBody> for NewUser {
    type Error = FieldErrors;

    fn try_from(body: UserBody) -> Result<Self, Self::Error> {
        NewUser::parse(body)
    }
}

/// The query string of `GET /users` as it arrives: raw strings, so that a
/// bad value gets *our* message naming the parameter and its range, not
/// serde's "invalid digit found in string".
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserListParams {
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub name: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserListQuery {
    /// 1..=100.
    pub limit: u32,
    /// 0 or more.
    pub offset: i64,
    /// Substring to look for in names, ignoring ASCII case.
    pub name: Option<String>,
}

impl UserListQuery {
    /// `limit` 1..=100 (default 20), `offset` ≥ 0 (default 0); anything else
    /// is a `400` naming the parameter.
    pub fn parse(params: UserListParams) -> Result<UserListQuery, Error> {
        let limit = match params.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    Error::InvalidQuery(format!(
                        "query parameter `limit` must be a whole number from 1 to {MAX_LIMIT}, got {}",
                        quote(raw)
                    ))
                })?,
        };
        let offset = match params.offset.as_deref() {
            None => 0,
            Some(raw) => raw.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "query parameter `offset` must be a whole number of 0 or more, got {}",
                    quote(raw)
                ))
            })?,
        };
        Ok(UserListQuery {
            limit,
            offset,
            name: params.name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(name: Option<&str>, email: Option<&str>) -> UserBody {
        UserBody {
            name: name.map(str::to_owned),
            email: email.map(str::to_owned),
        }
    }

    #[test]
    fn a_valid_user_is_trimmed() {
        let user = NewUser::parse(body(Some(" Ada "), Some(" ada@example.com"))).expect("valid");
        assert_eq!(user.name.as_str(), "Ada");
        assert_eq!(user.email.as_str(), "ada@example.com");
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let errors = NewUser::parse(body(None, Some("nope"))).expect_err("invalid");
        let fields: Vec<&str> = errors.as_slice().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email"]);
    }

    #[test]
    fn names_are_limited_to_64_characters() {
        assert!(UserName::parse(Some(&"ü".repeat(64))).is_ok());
        let message = UserName::parse(Some(&"ü".repeat(65))).expect_err("too long");
        assert!(message.contains("64"), "{message}");
        assert!(UserName::parse(Some("a\nb")).is_err());
    }

    #[test]
    fn implausible_emails_are_rejected() {
        for email in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.c",
            "a@b@c.d",
            "a@b..c",
            "a@.b.c",
            "a b@c.d",
        ] {
            assert!(EmailAddress::parse(Some(email)).is_err(), "{email:?}");
        }
        assert!(EmailAddress::parse(Some("ü@exämple.com")).is_err());
        assert!(
            EmailAddress::parse(Some("\u{3000}a@b.c")).is_err(),
            "ASCII as sent"
        );
        let padded = format!(" {}@example.com", "a".repeat(64));
        assert!(EmailAddress::parse(Some(&padded)).is_ok());
        let long = format!(" {}@{}.com", "a".repeat(64), "b".repeat(185));
        assert_eq!(long.trim().len(), 254);
        assert!(
            EmailAddress::parse(Some(&long)).is_err(),
            "254 bytes as sent, padding included"
        );
        for email in ["a@b.c", "first.last+tag@sub.example.co.uk", "x*@e.x!"] {
            assert!(EmailAddress::parse(Some(email)).is_ok(), "{email:?}");
        }
    }

    #[test]
    fn list_parameters_default_and_reject_out_of_range_values_naming_them() {
        let query = UserListQuery::parse(UserListParams::default()).expect("defaults");
        assert_eq!((query.limit, query.offset), (20, 0));
        for (limit, offset, mentions) in [
            (Some("0"), None, "limit"),
            (Some("101"), None, "limit"),
            (Some("x"), None, "limit"),
            (None, Some("-1"), "offset"),
            (None, Some(""), "offset"),
        ] {
            let params = UserListParams {
                limit: limit.map(str::to_owned),
                offset: offset.map(str::to_owned),
                name: None,
            };
            let error = UserListQuery::parse(params).expect_err("invalid");
            assert!(error.to_string().contains(mentions), "{error}");
        }
    }
}
