//! The case tables, one module per group of endpoints, as library code so
//! that every consumer runs the same cases: the test files in `tests/`, and
//! anything that points the suite at another server.
//!
//! | group         | endpoints                                              |
//! |---------------|--------------------------------------------------------|
//! | [`benchmark`] | the seven benchmark endpoints, `HEAD`, `404`, `405`    |

pub mod benchmark;
