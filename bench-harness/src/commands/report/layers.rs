//! What each middleware layer costs, in the report: the `layers` part of
//! `cost.json` (`bench-harness cost --layers`) as a table, a waterfall per
//! endpoint (see [`super::html`]) and two sentences per endpoint — what
//! routing alone costs in axum against a `match` by hand, and the costliest
//! layer on each side.
//!
//! Nothing here when the cost file has no layers: a plain `cost` run, or a
//! file written before `--layers` existed.

use std::fmt::Write as _;

use super::tables::{NONE, Table};
use super::{Report, number, percent_change};
use crate::schema::layers::{LayerCost, LayersCost};
use crate::servers::BASELINE;

/// The layers of the report's cost file, if it has them.
pub fn of(report: &Report) -> Option<&LayersCost> {
    report.cost.as_ref()?.layers.as_ref()
}

/// The server names of one endpoint, the baseline (`raw`) first.
pub fn servers(layers: &LayersCost, endpoint: &str) -> Vec<String> {
    let mut names: Vec<String> = layers
        .endpoints
        .iter()
        .find(|e| e.endpoint == endpoint)
        .map(|e| e.servers.keys().cloned().collect())
        .unwrap_or_default();
    names.sort_by_key(|name| (name != BASELINE, name.clone()));
    names
}

/// Every configuration of every server on every endpoint, with increments.
pub fn table(report: &Report) -> Option<Table> {
    let layers = of(report)?;
    let optional = |value: Option<f64>, decimals: usize| {
        value.map_or_else(|| NONE.to_owned(), |v| number(v, decimals))
    };
    let signed = |value: Option<f64>, decimals: usize| {
        value.map_or_else(
            || NONE.to_owned(),
            |v| {
                let text = number(v, decimals);
                if text.starts_with('-') {
                    text
                } else {
                    format!("+{text}")
                }
            },
        )
    };
    let mut rows = Vec::new();
    for endpoint in &layers.endpoints {
        for server in servers(layers, &endpoint.endpoint) {
            for layer in endpoint.servers.get(&server).into_iter().flatten() {
                rows.push(vec![
                    endpoint.endpoint.clone(),
                    server.clone(),
                    layer.configuration.clone(),
                    optional(layer.instructions_per_request, 0),
                    signed(layer.instructions_increment, 0),
                    optional(layer.instructions_outside_allocator_per_request, 0),
                    signed(layer.instructions_outside_allocator_increment, 0),
                    optional(layer.allocations_per_request, 1),
                    signed(layer.allocations_increment, 1),
                    optional(layer.bytes_allocated_per_request, 0),
                    signed(layer.bytes_increment, 0),
                ]);
            }
        }
    }
    let repeat = report.cost.as_ref().map_or(1, |c| c.method.repeat.max(1));
    Some(Table {
        title: "What each middleware layer costs".to_owned(),
        headers: [
            "endpoint",
            "server",
            "configuration",
            "instructions/request",
            "+ instructions",
            "outside malloc/request",
            "+ outside malloc",
            "allocations/request",
            "+ allocations",
            "bytes/request",
            "+ bytes",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        notes: vec![format!(
            "`bench-harness cost --layers`: each configuration (`--middleware none`, each cumulative \
             `up-to=STEP`, `full`) measured like the cost table above, instructions the mean of {repeat} \
             callgrind processes. A `+` column is the increase over the row before: what that \
             step costs. `none` is routing and the handler alone. Outside malloc: without the \
             instructions inside the C allocator, whose share varies by a few percent between \
             processes; that column repeats to about 0.1%, so its increments are the ones to \
             trust for steps of a few hundred instructions."
        )],
    })
}

/// The figure of `layer` named `none` (the first) and of `full` (the last).
fn ends(layers: &[LayerCost], figure: fn(&LayerCost) -> Option<f64>) -> Option<(f64, f64)> {
    Some((figure(layers.first()?)?, figure(layers.last()?)?))
}

/// The two sentences the report says about one endpoint's layers.
pub fn sentences(layers: &LayersCost, endpoint: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(raw), Some(framework)) = (
        layers.get(endpoint, BASELINE),
        layers.get(endpoint, "framework"),
    ) && let Some(sentence) = routing_alone(raw, framework)
    {
        out.push(sentence);
    }
    let costliest: Vec<String> = servers(layers, endpoint)
        .iter()
        .filter_map(|server| costliest_layer(server, layers.get(endpoint, server)?))
        .collect();
    if !costliest.is_empty() {
        out.push(format!(
            "The costliest layer on each side: {}.",
            costliest.join("; ")
        ));
    }
    out
}

/// "Routing and extraction alone": both servers' first configuration.
fn routing_alone(raw: &[LayerCost], framework: &[LayerCost]) -> Option<String> {
    let alone = |figure: fn(&LayerCost) -> Option<f64>| {
        Some((figure(framework.first()?)?, figure(raw.first()?)?))
    };
    let (fw, base) = alone(|l| l.instructions_per_request)?;
    let change = percent_change(base, fw).map_or_else(String::new, |p| format!(" ({p:+.0}%)"));
    let mut sentence = format!(
        "Routing and extraction alone (`--middleware none`): axum {} instructions per \
         request against raw's hand-written `match` {}{change}",
        number(fw, 0),
        number(base, 0)
    );
    if let Some((fw_o, raw_o)) = alone(|l| l.instructions_outside_allocator_per_request) {
        let change =
            percent_change(raw_o, fw_o).map_or_else(String::new, |p| format!(" ({p:+.0}%)"));
        let _ = write!(
            sentence,
            "; outside malloc {} against {}{change}",
            number(fw_o, 0),
            number(raw_o, 0)
        );
    }
    if let Some((fw_a, raw_a)) = alone(|l| l.allocations_per_request) {
        let _ = write!(
            sentence,
            "; {} allocations against {}",
            number(fw_a, 1),
            number(raw_a, 1)
        );
    }
    sentence.push('.');
    Some(sentence)
}

/// The step that adds the most on one server, ranked by the repeatable
/// figure (outside malloc) when every step has one.
fn costliest_layer(server: &str, walk: &[LayerCost]) -> Option<String> {
    let outside = walk
        .iter()
        .skip(1)
        .all(|l| l.instructions_outside_allocator_increment.is_some());
    let increment_of = |l: &LayerCost| {
        if outside {
            l.instructions_outside_allocator_increment
        } else {
            l.instructions_increment
        }
    };
    let top = walk
        .iter()
        .filter(|l| increment_of(l).is_some())
        .max_by(|a, b| {
            increment_of(a)
                .unwrap_or(0.0)
                .total_cmp(&increment_of(b).unwrap_or(0.0))
        })?;
    let (none, full) = if outside {
        ends(walk, |l| l.instructions_outside_allocator_per_request)?
    } else {
        ends(walk, |l| l.instructions_per_request)?
    };
    let increment = increment_of(top)?;
    let share = (full > none).then(|| increment / (full - none) * 100.0);
    Some(format!(
        "{server}: {} (+{} instructions{}{}, {} allocations)",
        top.step.as_deref().unwrap_or(&top.configuration),
        number(increment, 0),
        if outside { " outside malloc" } else { "" },
        share.map_or_else(String::new, |s| format!(
            ", {s:.0}% of what the whole chain adds"
        )),
        top.allocations_increment
            .map_or_else(|| NONE.to_owned(), |a| format!("{a:+.1}"))
    ))
}

/// `report.md`'s section: the sentences per endpoint (the table is with
/// the others).
pub fn markdown(report: &Report) -> String {
    let Some(layers) = of(report) else {
        return String::new();
    };
    let mut out = String::from("## What each layer costs\n\n");
    for endpoint in &layers.endpoints {
        for sentence in sentences(layers, &endpoint.endpoint) {
            let _ = writeln!(out, "**{}**: {sentence}\n", endpoint.endpoint);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::report::fixtures;

    #[test]
    fn every_number_in_the_layers_table_equals_the_one_in_the_cost_file() {
        let mut report = Report::new(fixtures::results(&["plaintext"], 3));
        report.cost = Some(fixtures::cost_with_layers(&["plaintext", "json"]));
        let layers = of(&report).expect("layers").clone();

        let table = table(&report).expect("a table");

        assert_eq!(table.rows.len(), 2 * 2 * 11);
        for row in &table.rows {
            let walk = layers
                .get(&row[0], &row[1])
                .expect("the row is in the file");
            let layer = walk
                .iter()
                .find(|l| l.configuration == row[2])
                .expect("the configuration is in the file");
            let shown = |cell: &str| cell.replace([',', '+'], "").parse::<f64>().ok();
            assert_eq!(
                shown(&row[3]),
                layer.instructions_per_request.map(f64::round)
            );
            assert_eq!(shown(&row[4]), layer.instructions_increment.map(f64::round));
            assert_eq!(
                shown(&row[5]),
                layer
                    .instructions_outside_allocator_per_request
                    .map(f64::round)
            );
            assert_eq!(
                shown(&row[6]),
                layer
                    .instructions_outside_allocator_increment
                    .map(f64::round)
            );
            assert_eq!(shown(&row[7]), layer.allocations_per_request);
            assert_eq!(shown(&row[8]), layer.allocations_increment);
            assert_eq!(
                shown(&row[9]),
                layer.bytes_allocated_per_request.map(f64::round)
            );
        }
        assert_eq!(table.rows[0][1], "raw", "the baseline first");
        assert_eq!(table.rows[0][4], NONE, "`none` has no increment");
    }

    #[test]
    fn the_sentences_name_routing_alone_and_the_costliest_layer_of_each_server() {
        let cost = fixtures::cost_with_layers(&["json"]);
        let layers = cost.layers.as_ref().expect("layers");

        let sentences = sentences(layers, "json");

        assert_eq!(sentences.len(), 2, "{sentences:?}");
        // The fixture: raw starts at 7,500, framework at 11,000; the
        // framework's largest step is compression, raw's host-check.
        assert!(
            sentences[0].contains("axum 11,000") && sentences[0].contains("7,500 (+47%)"),
            "{}",
            sentences[0]
        );
        assert!(
            sentences[0].contains("outside malloc 9,900 against 6,750 (+47%)"),
            "{}",
            sentences[0]
        );
        assert!(sentences[1].contains("raw: host-check"), "{}", sentences[1]);
        assert!(
            sentences[1].contains("framework: compression"),
            "{}",
            sentences[1]
        );
    }

    #[test]
    fn a_cost_file_without_layers_adds_nothing() {
        let mut report = Report::new(fixtures::results(&["json"], 3));
        report.cost = Some(fixtures::cost(&["json"]));

        assert!(table(&report).is_none());
        assert_eq!(markdown(&report), "");
    }
}
