//! The case tables, one module per group of endpoints, as library code so
//! that every consumer runs the same cases: the test files in `tests/`, and
//! the runner that points the suite at any server (`src/main.rs`,
//! [`crate::remote`]).
//!
//! | group               | endpoints                                        |
//! |---------------------|--------------------------------------------------|
//! | [`benchmark`]       | the seven benchmark endpoints, `HEAD`, `404`, `405`; `hello` is its `/plaintext` and `/json` share |
//! | [`users`]           | `/users` and `/users/{id}`, in order, on a fresh database |
//! | [`forms_and_cookies`] | `/contact`, `/visits`, `/delay`                |
//! | [`pages`]           | `/` and `/openapi.json`                          |
//! | [`static_files`]    | `/static/...`, from the repository's `static/`   |

pub mod benchmark;
pub mod forms_and_cookies;
pub mod pages;
pub mod static_files;
pub mod users;

use crate::cases::Case;

/// One named group of cases, as the runner's `--groups` names it.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub name: &'static str,
    pub about: &'static str,
    pub cases: fn() -> Vec<Case>,
}

/// Every group, in the order the runner runs them.
pub const GROUPS: &[Group] = &[
    Group {
        name: "hello",
        about: "/plaintext and /json only: HEAD, 404, 405 (a guest server's first goal)",
        cases: benchmark::hello_cases,
    },
    Group {
        name: "benchmark",
        about: "the seven benchmark endpoints, HEAD, 404, 405",
        cases: benchmark::cases,
    },
    Group {
        name: "users",
        about: "the users resource, in order, on a fresh database",
        cases: users::cases,
    },
    Group {
        name: "contact",
        about: "POST /contact, urlencoded",
        cases: forms_and_cookies::contact_cases,
    },
    Group {
        name: "cookies",
        about: "GET /visits and its cookie",
        cases: forms_and_cookies::cookie_cases,
    },
    Group {
        name: "delay",
        about: "GET /delay?ms=N",
        cases: forms_and_cookies::delay_cases,
    },
    Group {
        name: "pages",
        about: "the home page and /openapi.json",
        cases: pages::cases,
    },
    Group {
        name: "static",
        about: "/static/... from the repository's static/ folder",
        cases: static_files::cases,
    },
];

/// The group called `name`, if there is one.
pub fn by_name(name: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|group| group.name == name)
}
