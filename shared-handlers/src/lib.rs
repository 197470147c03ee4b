//! # shared-handlers: the business logic both servers share
//!
//! This crate is the part of frameworth that does **not** change between the
//! raw hyper server and the axum server. It knows no HTTP framework: its
//! functions take domain values (a [`QueryCount`], an [`AppState`]) and return
//! domain values ([`World`], [`Message`], rendered HTML) or one domain
//! [`Error`]. Each server turns HTTP requests into those inputs and the
//! results back into HTTP responses — and that translation is exactly what the
//! workshop compares.
//!
//! ## Layout
//!
//! | module        | concept                                                            |
//! |---------------|--------------------------------------------------------------------|
//! | [`catalogue`] | the one table of endpoints every other part of the project reads   |
//! | [`error`]     | the domain error enum and the RFC 9457 problem format it renders to |
//! | [`model`]     | domain types: `World`, `Fortune`, `Message`, and the users'        |
//! | [`params`]    | query-count parsing and clamping, written once for both servers    |
//! | [`db`]        | the storage, chosen once: embedded SQLite (default) or PostgreSQL  |
//! | [`cache`]     | the in-process `World` cache primed at start-up                    |
//! | [`state`]     | [`AppState`]: database + cache, cheap to clone into every request  |
//! | [`benchmark`] | the logic of the TechEmpower-style benchmark endpoints             |
//! | [`admin`]     | the logic of the `/admin/` endpoints                               |
//! | [`config`]    | [`AppConfig`]: admin token, body limit, request timeout            |
//! | [`chain`]     | the middleware chain's steps in order, and how much of it runs     |
//! | [`request_id`]| the request-id policy: echo sane ids, generate the rest            |
//! | [`auth`]      | constant-time bearer-token check for `/admin/`                     |
//! | [`host`]      | the RFC 9112 `Host` header rule                                    |
//! | [`stats`]     | per-endpoint request counters                                      |
//! | [`templates`] | server-side HTML templates (askama)                                 |
//! | [`validation`] | field errors and the small checks the parsers share               |
//! | [`users`]     | the users resource: wire and domain types, validation, operations  |
//! | [`contact`]   | the contact form: parsing and validating an urlencoded form         |
//! | [`visits`]    | the visit counter kept in a cookie, and its rules for odd values    |
//! | [`delay`]     | slow I/O on purpose: an async wait of a validated length            |
//! | [`upstream`]  | a real outbound call: one shared HTTP client, its failures as 502/504 |
//! | [`pages`]     | the home page: the catalogue rendered as an HTML table             |
//! | [`openapi`]   | the OpenAPI 3.1 document, generated from the catalogue             |

pub mod admin;
pub mod auth;
pub mod benchmark;
pub mod cache;
pub mod caching;
pub mod catalogue;
pub mod chain;
pub mod config;
pub mod contact;
pub mod contract;
pub mod db;
pub mod delay;
pub mod error;
pub mod host;
pub mod model;
pub mod openapi;
pub mod pages;
pub mod params;
pub mod request_id;
pub mod state;
pub mod stats;
pub mod templates;
pub mod upstream;
pub mod users;
pub mod validation;
pub mod visits;

pub use catalogue::{ENDPOINTS, Endpoint, EndpointId, Method};
pub use config::AppConfig;
pub use error::{Error, Problem};
pub use model::{Fortune, Message, World};
pub use params::{CachedQueriesParams, QueriesParams, QueryCount};
pub use state::AppState;

/// The value of the `Server` header on every response of both servers.
///
/// The benchmark rules require a `Server` header; both servers send the same
/// value so that a client cannot tell them apart by it.
pub const SERVER_NAME: &str = "frameworth";
