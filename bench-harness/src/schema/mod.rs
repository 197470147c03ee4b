//! The versioned files the harness writes and reads back: `results.json`
//! of `compare` ([`results`]), `cost.json` of `cost` ([`cost`]),
//! `calibration.json` of `calibrate` ([`calibration`]), and criterion's
//! `estimates.json` ([`criterion`], read only). Each is plain data with
//! serde; the commands fill them and the report reads them.

pub mod calibration;
pub mod cost;
pub mod criterion;
pub mod results;
