//! `cost --layers`: what each middleware step costs one request.
//!
//! Both servers take `--middleware none|full|up-to=STEP`. This runs the
//! whole `cost` measurement once per configuration in chain order — `none`
//! (routing and the handler alone), every cumulative `up-to=STEP`, `full` —
//! eleven per server, and differences neighbours: the increment of
//! `up-to=timeout` over `up-to=host-check` is what the timeout step costs.
//! Cumulative prefixes rather than one step at a time on its own, because
//! that is how the servers run them: a step's cost can depend on what runs
//! outside it (compression sees the headers cache-headers added).
//!
//! Each configuration is a fresh set of server processes, measured exactly
//! as plain `cost` measures `full` (same request counts, same pinning,
//! `--repeat` callgrind processes, mean); only `full` is annotated for its
//! top functions, which is also what fills the file's `endpoints`, so a
//! `cost --layers` file is a complete plain cost file as well.
//!
//! Where it simplifies: an increment smaller than the per-process spread of
//! the two configurations it separates (both are in `cost.json`) is not a
//! measured cost; the table shows the spread beside it for that reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use shared_handlers::chain::{Chain, Step};

use super::figures::spread;
use super::render::count;
use super::{CostOptions, EndpointCost, Plan, measure};
use crate::schema::cost::CostReport;
use crate::schema::layers::{EndpointLayers, LayerCost, LayersCost, fill_increments};

/// The endpoints `--layers` measures unless `--endpoints` says otherwise:
/// the three with the least handler work, where the chain's share is
/// largest.
pub const DEFAULT_ENDPOINTS: &[&str] = &["plaintext", "json", "db"];

/// Callgrind processes per configuration, endpoint and server unless
/// `--repeat` says otherwise. Three endpoints make 66 measurements; one
/// callgrind process takes ~1.5 s at the raised priority on a 2-core
/// machine with other builds running (measured: `--repeat 2` took 3 min
/// 46 s in all), and over 20 s when other work saturates both cores, so 2
/// leaves room to stay near 10 minutes on a busier machine. More repeats
/// narrow the allocator's process-to-process spread of the *total*
/// instructions (with the square root of the count, at linear cost); the
/// instructions outside malloc need no more than one.
pub const DEFAULT_REPEAT: usize = 2;

/// The step a configuration adds to the one before it in
/// [`Chain::prefixes`]: none for `none`, the last step it runs otherwise.
fn added_step(chain: Chain) -> Option<Step> {
    Step::ALL
        .iter()
        .rev()
        .copied()
        .find(|step| chain.runs(*step))
}

/// Measures every configuration; returns `full`'s figures (the plain
/// `endpoints` of the file) and the layers.
pub(super) fn measure(
    options: &CostOptions,
    plan: &Plan,
) -> anyhow::Result<(Vec<EndpointCost>, LayersCost)> {
    let mut measured = Vec::new();
    for chain in Chain::prefixes() {
        options
            .progress
            .line(&format!("middleware {chain}: both servers"));
        let configuration = CostOptions {
            middleware: chain,
            // Annotating takes a while; `full` is the one people read.
            top: if chain == Chain::FULL { options.top } else { 0 },
            ..options.clone()
        };
        measured.push((chain, measure::measure(&configuration, plan)?));
    }
    let full = measured
        .iter()
        .find(|(chain, _)| *chain == Chain::FULL)
        .map(|(_, endpoints)| endpoints.clone())
        .unwrap_or_default();
    Ok((full, pivot(&measured)))
}

/// From "per configuration, per endpoint, per server" (the order of
/// measuring) to "per endpoint, per server, configurations in chain order"
/// (the order of reading), with the increments filled in.
pub fn pivot(measured: &[(Chain, Vec<EndpointCost>)]) -> LayersCost {
    let mut endpoints: Vec<EndpointLayers> = Vec::new();
    for (chain, costs) in measured {
        for cost in costs {
            let index = match endpoints.iter().position(|e| e.endpoint == cost.endpoint) {
                Some(index) => index,
                None => {
                    endpoints.push(EndpointLayers {
                        endpoint: cost.endpoint.clone(),
                        method: cost.method.clone(),
                        target: cost.target.clone(),
                        servers: BTreeMap::new(),
                    });
                    endpoints.len() - 1
                }
            };
            for (server, figures) in &cost.servers {
                endpoints[index]
                    .servers
                    .entry(server.clone())
                    .or_default()
                    .push(LayerCost {
                        configuration: chain.to_string(),
                        step: added_step(*chain).map(|step| step.name().to_owned()),
                        instructions_per_request: figures.instructions_per_request,
                        instructions_per_request_runs: figures
                            .instructions_per_request_runs
                            .clone(),
                        instructions_outside_allocator_per_request: figures
                            .instructions_outside_allocator_per_request,
                        allocations_per_request: figures.allocations_per_request,
                        bytes_allocated_per_request: figures.bytes_allocated_per_request,
                        ..LayerCost::default()
                    });
            }
        }
    }
    for endpoint in &mut endpoints {
        for layers in endpoint.servers.values_mut() {
            fill_increments(layers);
        }
    }
    LayersCost {
        configurations: measured.iter().map(|(c, _)| c.to_string()).collect(),
        endpoints,
    }
}

/// The layers table for the terminal and `cost.txt` (empty without
/// `--layers`): per endpoint and server, each configuration with its
/// figures and its increment.
pub fn table(report: &CostReport) -> String {
    let Some(layers) = &report.layers else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nwhat each middleware step adds per request (cumulative configurations, mean of {} processes)",
        report.method.repeat.max(1)
    );
    for endpoint in &layers.endpoints {
        for (server, configurations) in &endpoint.servers {
            let _ = writeln!(
                out,
                "\n{} on {server}\n{:<26} {:>10} {:>9} {:>7} {:>10} {:>9} {:>8} {:>7} {:>8} {:>8}",
                endpoint.endpoint,
                "configuration",
                "instr",
                "+instr",
                "spread",
                "no-malloc",
                "+no-mal",
                "allocs",
                "+allocs",
                "bytes",
                "+bytes"
            );
            for layer in configurations {
                let _ = writeln!(out, "{}", row(layer));
            }
        }
    }
    out
}

fn row(layer: &LayerCost) -> String {
    let signed = |value: Option<f64>, decimals: usize| {
        // What rounds to zero is shown as `+0`, never `-0.0`.
        let shown = |v: f64| {
            if v.abs() < 0.5 / 10f64.powi(decimals as i32) {
                0.0
            } else {
                v
            }
        };
        value.map(shown).map_or_else(
            || "-".to_owned(),
            |v| match decimals {
                0 if v >= 0.0 => format!("+{}", count(Some(v))),
                0 => count(Some(v)),
                _ => format!("{v:+.decimals$}"),
            },
        )
    };
    format!(
        "{:<26} {:>10} {:>9} {:>7} {:>10} {:>9} {:>8} {:>7} {:>8} {:>8}",
        layer.configuration,
        count(layer.instructions_per_request),
        signed(layer.instructions_increment, 0),
        spread(&layer.instructions_per_request_runs)
            .map_or_else(|| "-".to_owned(), |s| format!("{:.2}%", s * 100.0)),
        count(layer.instructions_outside_allocator_per_request),
        signed(layer.instructions_outside_allocator_increment, 0),
        layer
            .allocations_per_request
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}")),
        signed(layer.allocations_increment, 1),
        count(layer.bytes_allocated_per_request),
        signed(layer.bytes_increment, 0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::cost::ServerCost;

    fn endpoint(name: &str, raw: f64, framework: f64) -> EndpointCost {
        let server = |instructions: f64| ServerCost {
            instructions_per_request: Some(instructions),
            instructions_per_request_runs: vec![instructions - 1.0, instructions + 1.0],
            allocations_per_request: Some(instructions / 1000.0),
            bytes_allocated_per_request: Some(instructions / 10.0),
            ..ServerCost::default()
        };
        EndpointCost {
            endpoint: name.to_owned(),
            method: "GET".to_owned(),
            target: format!("/{name}"),
            servers: [
                ("raw".to_owned(), server(raw)),
                ("framework".to_owned(), server(framework)),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn each_configuration_is_named_by_the_step_it_adds() {
        let prefixes = Chain::prefixes();

        assert_eq!(prefixes.len(), 11);
        assert_eq!(added_step(prefixes[0]), None);
        assert_eq!(added_step(prefixes[1]), Some(Step::RequestId));
        assert_eq!(added_step(prefixes[6]), Some(Step::CacheHeaders));
        assert_eq!(added_step(Chain::FULL), Some(Step::AdminToken));
    }

    #[test]
    fn pivoting_keeps_chain_order_and_differences_neighbours() {
        let chains = Chain::prefixes();
        let measured: Vec<(Chain, Vec<EndpointCost>)> = chains
            .iter()
            .enumerate()
            .map(|(i, chain)| {
                let step = i as f64;
                (
                    *chain,
                    vec![
                        endpoint("plaintext", 5_000.0 + 100.0 * step, 9_000.0 + 300.0 * step),
                        endpoint("json", 6_000.0 + 100.0 * step, 10_000.0 + 200.0 * step),
                    ],
                )
            })
            .collect();

        let layers = pivot(&measured);

        assert_eq!(
            layers.configurations.first().map(String::as_str),
            Some("none")
        );
        assert_eq!(
            layers.configurations.last().map(String::as_str),
            Some("full")
        );
        let framework = layers.get("plaintext", "framework").expect("measured");
        assert_eq!(framework.len(), 11);
        assert_eq!(framework[0].instructions_per_request, Some(9_000.0));
        assert_eq!(framework[0].instructions_increment, None);
        assert_eq!(framework[3].configuration, "up-to=host-check");
        assert_eq!(framework[3].step.as_deref(), Some("host-check"));
        assert_eq!(framework[3].instructions_increment, Some(300.0));
        let raw_json = layers.get("json", "raw").expect("measured");
        assert_eq!(raw_json[10].instructions_increment, Some(100.0));
        assert_eq!(raw_json[10].instructions_per_request_runs.len(), 2);
    }

    #[test]
    fn the_table_lists_every_configuration_of_every_server() {
        let measured: Vec<(Chain, Vec<EndpointCost>)> = Chain::prefixes()
            .into_iter()
            .map(|chain| (chain, vec![endpoint("db", 20_000.0, 25_000.0)]))
            .collect();
        let mut report = super::super::tests::sample_report();
        report.layers = Some(pivot(&measured));

        let text = table(&report);

        assert!(text.contains("db on framework"), "{text}");
        assert!(text.contains("db on raw"), "{text}");
        assert_eq!(text.matches("up-to=compression").count(), 2, "{text}");
        assert_eq!(text.matches("\nfull ").count(), 2, "{text}");
        report.layers = None;
        assert_eq!(table(&report), "");
    }
}
