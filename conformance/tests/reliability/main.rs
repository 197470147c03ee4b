//! The reliability suite.

mod static_streaming;
