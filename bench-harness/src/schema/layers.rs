//! The `layers` part of `cost.json` (written by `bench-harness cost
//! --layers`): what each middleware step adds to one request.
//!
//! For each server and endpoint, one entry per chain configuration in chain
//! order — `none` (routing and the handler alone), every cumulative
//! `up-to=STEP`, and `full` — with its absolute figures and its
//! *increment* over the previous configuration, which is what that step
//! costs. The increments add up to `full − none` by construction; a
//! negative increment is possible (a step that answers sooner, or the
//! allocator's process-to-process spread) and is kept, not clipped.
//!
//! Like every cost figure, a value not measured is `null`, not 0.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

// ANCHOR: layers_json
/// Every configuration of every server on every endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayersCost {
    /// The configurations in chain order, as `--middleware` spells them:
    /// `none`, `up-to=request-id`, …, `full`.
    pub configurations: Vec<String>,
    pub endpoints: Vec<EndpointLayers>,
}

/// One endpoint: per server name (`raw`, `framework`), its configurations
/// in chain order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointLayers {
    pub endpoint: String,
    pub method: String,
    pub target: String,
    pub servers: BTreeMap<String, Vec<LayerCost>>,
}

/// One server on one endpoint with one chain configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerCost {
    /// `none`, `up-to=STEP` or `full`.
    pub configuration: String,
    /// The step this configuration adds to the previous one (`None` for
    /// `none`).
    pub step: Option<String>,
    /// Mean over the callgrind processes.
    pub instructions_per_request: Option<f64>,
    /// Every callgrind process's figure, in the order they ran.
    #[serde(default)]
    pub instructions_per_request_runs: Vec<f64>,
    /// The same without the instructions inside the C allocator: the
    /// part that repeats from process to process to ~0.1%, so the
    /// increment to trust when a step costs a few hundred instructions.
    #[serde(default)]
    pub instructions_outside_allocator_per_request: Option<f64>,
    pub allocations_per_request: Option<f64>,
    pub bytes_allocated_per_request: Option<f64>,
    /// This configuration minus the previous one (`None` for `none`, or
    /// when either was not measured).
    pub instructions_increment: Option<f64>,
    #[serde(default)]
    pub instructions_outside_allocator_increment: Option<f64>,
    pub allocations_increment: Option<f64>,
    pub bytes_increment: Option<f64>,
}
// ANCHOR_END: layers_json

impl LayersCost {
    /// The configurations of `server` on `endpoint`, in chain order.
    pub fn get(&self, endpoint: &str, server: &str) -> Option<&[LayerCost]> {
        self.endpoints
            .iter()
            .find(|e| e.endpoint == endpoint)
            .and_then(|e| e.servers.get(server))
            .map(Vec::as_slice)
    }
}

/// Fills every entry's increments from its predecessor in `layers` (chain
/// order); the first entry has none.
pub fn fill_increments(layers: &mut [LayerCost]) {
    let difference = |now: Option<f64>, before: Option<f64>| now.zip(before).map(|(n, b)| n - b);
    for i in 0..layers.len() {
        let (before, rest) = layers.split_at_mut(i);
        let now = &mut rest[0];
        match before.last() {
            None => {
                now.instructions_increment = None;
                now.instructions_outside_allocator_increment = None;
                now.allocations_increment = None;
                now.bytes_increment = None;
            }
            Some(previous) => {
                now.instructions_increment = difference(
                    now.instructions_per_request,
                    previous.instructions_per_request,
                );
                now.instructions_outside_allocator_increment = difference(
                    now.instructions_outside_allocator_per_request,
                    previous.instructions_outside_allocator_per_request,
                );
                now.allocations_increment = difference(
                    now.allocations_per_request,
                    previous.allocations_per_request,
                );
                now.bytes_increment = difference(
                    now.bytes_allocated_per_request,
                    previous.bytes_allocated_per_request,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(configuration: &str, instructions: Option<f64>, allocations: f64) -> LayerCost {
        LayerCost {
            configuration: configuration.to_owned(),
            instructions_per_request: instructions,
            instructions_outside_allocator_per_request: instructions.map(|i| i * 0.5),
            allocations_per_request: Some(allocations),
            bytes_allocated_per_request: Some(allocations * 100.0),
            ..LayerCost::default()
        }
    }

    #[test]
    fn each_increment_is_the_difference_to_the_previous_configuration() {
        let mut layers = vec![
            layer("none", Some(10_000.0), 10.0),
            layer("up-to=request-id", Some(10_400.0), 12.0),
            layer("full", Some(10_300.0), 12.0),
        ];

        fill_increments(&mut layers);

        assert_eq!(layers[0].instructions_increment, None);
        assert_eq!(layers[1].instructions_increment, Some(400.0));
        assert_eq!(
            layers[1].instructions_outside_allocator_increment,
            Some(200.0)
        );
        assert_eq!(layers[1].allocations_increment, Some(2.0));
        assert_eq!(layers[1].bytes_increment, Some(200.0));
        // A negative step is kept: it is a measurement, not an error.
        assert_eq!(layers[2].instructions_increment, Some(-100.0));
        let sum: f64 = layers.iter().filter_map(|l| l.instructions_increment).sum();
        assert_eq!(sum, 10_300.0 - 10_000.0);
    }

    #[test]
    fn an_unmeasured_figure_gives_no_increment_on_either_side() {
        let mut layers = vec![
            layer("none", None, 10.0),
            layer("up-to=request-id", Some(10_400.0), 12.0),
            layer("up-to=access-log", Some(10_900.0), 13.0),
        ];

        fill_increments(&mut layers);

        assert_eq!(layers[1].instructions_increment, None);
        assert_eq!(layers[1].allocations_increment, Some(2.0));
        assert_eq!(layers[2].instructions_increment, Some(500.0));
    }
}
