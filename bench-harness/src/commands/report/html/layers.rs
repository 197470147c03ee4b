//! The page's "What each layer costs" section: per endpoint, a waterfall of
//! instructions per request for each server (from `none` through every
//! middleware step to `full`) and the sentences of [`crate::commands::report::layers`].
//! The table is with the others at the end of the page.

use super::super::Report;
use super::super::charts::{self, Waterfall, WaterfallChart};
use super::super::layers::{self, servers};
use super::figure;
use super::with_code;
use crate::schema::layers::{LayerCost, LayersCost};

/// The section, or nothing without layers.
pub(super) fn section_layers(page: &mut String, report: &Report) {
    let Some(layers) = layers::of(report) else {
        return;
    };
    page.push_str("<h2>What each layer costs</h2>\n");
    page.push_str(
        "<p>Each server measured with <code>--middleware none</code> (routing and the handler \
         alone), then with one more middleware step at a time, up to the full chain. Each \
         floating bar is what that step adds to one request.</p>\n",
    );
    for endpoint in &layers.endpoints {
        let name = &endpoint.endpoint;
        // The repeatable figure when it was measured (see the table's note).
        let outside = walks(layers, name, |l| {
            l.instructions_outside_allocator_per_request
        });
        let chart = if outside.is_empty() {
            WaterfallChart {
                title: format!("{name}: instructions per request, layer by layer"),
                axis_label: "instructions per request (callgrind, user space only)".to_owned(),
                series: walks(layers, name, |l| l.instructions_per_request),
            }
        } else {
            WaterfallChart {
                title: format!("{name}: instructions outside malloc per request, layer by layer"),
                axis_label: "instructions per request outside the C allocator (callgrind)"
                    .to_owned(),
                series: outside,
            }
        };
        if chart.series.is_empty() {
            continue;
        }
        let _ = std::fmt::Write::write_fmt(page, format_args!("<h3>{name}</h3>\n"));
        for sentence in layers::sentences(layers, name) {
            let _ =
                std::fmt::Write::write_fmt(page, format_args!("<p>{}</p>\n", with_code(&sentence)));
        }
        figure(
            page,
            &charts::waterfall_chart(&chart),
            "The first bar of each server is `none`; each bar below it starts where the one \
             above ended and is as long as what that step adds (grey: the step measured fewer \
             instructions than the configuration before it); the last bar is `full`.",
        );
    }
}

/// One walk per server that has the figure on every configuration.
fn walks(
    layers: &LayersCost,
    endpoint: &str,
    figure: fn(&LayerCost) -> Option<f64>,
) -> Vec<Waterfall> {
    servers(layers, endpoint)
        .into_iter()
        .filter_map(|server| {
            let walk = layers.get(endpoint, &server)?;
            let values: Option<Vec<f64>> = walk.iter().map(figure).collect();
            let values = values?;
            let (first, rest) = walk.split_first()?;
            let steps = rest
                .iter()
                .zip(values.windows(2))
                .map(|(layer, pair)| {
                    let step = layer
                        .step
                        .clone()
                        .unwrap_or_else(|| layer.configuration.clone());
                    (format!("+ {step}"), pair[1] - pair[0])
                })
                .collect();
            Some(Waterfall {
                name: server,
                start: (first.configuration.clone(), *values.first()?),
                steps,
                total_label: "= full".to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::report::fixtures;

    #[test]
    fn the_page_shows_one_waterfall_per_endpoint_with_both_servers() {
        let mut report = Report::new(fixtures::results(&["plaintext"], 3));
        report.cost = Some(fixtures::cost_with_layers(&["plaintext", "db"]));
        let mut page = String::new();

        section_layers(&mut page, &report);

        assert_eq!(page.matches("<figure>").count(), 2, "{page}");
        assert!(page.contains("+ compression") && page.contains("= full"));
        assert!(page.contains("The costliest layer on each side"));
        let walks = walks(layers::of(&report).expect("layers"), "db", |l| {
            l.instructions_per_request
        });
        assert_eq!(walks.len(), 2);
        assert_eq!(walks[0].name, "raw");
        assert_eq!(walks[0].steps.len(), 10);
        // The walk ends where `full` was measured.
        assert_eq!(walks[0].total(), 7_500.0 + 1_750.0);
    }

    #[test]
    fn without_layers_the_page_has_no_such_section() {
        let mut report = Report::new(fixtures::results(&["json"], 3));
        report.cost = Some(fixtures::cost(&["json"]));
        let mut page = String::new();

        section_layers(&mut page, &report);

        assert!(page.is_empty());
    }
}
