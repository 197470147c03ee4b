//! The versioned files the harness writes and reads back: `results.json`
//! of `compare` ([`results`]), `cost.json` of `cost` ([`cost`], with
//! [`layers`] for `cost --layers`), `calibration.json` of `calibrate`
//! ([`calibration`]), `scale.json` of `scale` ([`scale`]), and criterion's
//! `estimates.json` ([`criterion`], read only). Each is plain data with
//! serde; the commands fill them and the report reads them.

pub mod calibration;
pub mod cost;
pub mod criterion;
pub mod layers;
pub mod results;
pub mod scale;
