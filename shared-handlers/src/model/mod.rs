//! Domain types. They serialize to exactly the JSON the benchmark rules
//! prescribe, so both servers produce the same bytes from them. The users
//! resource's types are in [`user`].

use serde::Serialize;

pub mod user;

/// The greeting of `/json`: `{"message":"Hello, World!"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Message {
    pub message: &'static str,
}

/// A row of table `World`: `{"id":N,"randomNumber":M}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct World {
    pub id: i32,
    #[serde(rename = "randomNumber")]
    pub random_number: i32,
}

/// A row of table `Fortune`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fortune {
    pub id: i32,
    pub message: String,
}
