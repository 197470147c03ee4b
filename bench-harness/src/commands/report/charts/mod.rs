//! The report's four kinds of chart, built from [`super::svg`]:
//!
//! - [`bar_chart`]: horizontal bars grouped by endpoint (or feature), one
//!   bar per server, with an optional 95% interval drawn as a whisker and
//!   the individual rounds as dots. Horizontal, so long endpoint names fit
//!   and 15 endpoints simply make the chart taller.
//! - [`forest_chart`]: percentage changes with their intervals around a
//!   zero line (a "forest plot"): is the difference real, and how big?
//! - [`spectrum_chart`]: the latency percentile spectrum, the x axis
//!   stretched by `1/(1-p)` so 99%, 99.9% and 99.99% are equally far apart,
//!   as HdrHistogram and wrk2 plot it.
//! - [`waterfall_chart`]: a walk from a start to a total in increments,
//!   one floating bar per step (what each middleware layer adds).
//!
//! Each takes plain numbers (no `Results`), so tests can draw synthetic data.

mod bar;
mod forest;
mod spectrum;
mod waterfall;

pub use bar::{Bar, BarChart, BarGroup, bar_chart};
pub use forest::{Estimate, ForestChart, ForestRow, forest_chart};
pub use spectrum::{
    SPECTRUM_WIDTH, SpectrumChart, SpectrumLine, percentile_position, spectrum_chart, tick_micros,
};
pub use waterfall::{Waterfall, WaterfallChart, waterfall_chart};

/// Width of every full-width chart, in pixels.
pub const WIDTH: f64 = 940.0;

#[cfg(test)]
mod tests {
    use super::spectrum::percent_of_nines;
    use super::*;
    use crate::commands::report::svg::colour;

    fn bar(value: f64) -> Option<Bar> {
        Some(Bar {
            value,
            interval: Some((value * 0.9, value * 1.1)),
            points: vec![value * 0.95, value * 1.05],
            label: format!("{value}"),
        })
    }

    /// The `width` of every `<rect>` of the given colour.
    fn bar_widths(svg: &str, fill: &str) -> Vec<f64> {
        svg.split("<rect ")
            .skip(1)
            .filter(|rect| rect.contains(&format!(r#"fill="{fill}""#)))
            .filter_map(|rect| {
                let start = rect.find("width=\"")? + 7;
                let end = start + rect[start..].find('"')?;
                rect[start..end].parse().ok()
            })
            .filter(|width: &f64| *width > 12.0) // not the legend swatch
            .collect()
    }

    #[test]
    fn two_series_with_different_values_get_bars_of_proportional_length() {
        let chart = BarChart {
            title: "t".into(),
            axis_label: "requests per second".into(),
            series: vec!["raw".into(), "framework".into()],
            groups: vec![BarGroup {
                label: "json".into(),
                bars: vec![bar(1000.0), bar(500.0)],
            }],
        };

        let svg = bar_chart(&chart);

        let raw = bar_widths(&svg, colour(0));
        let framework = bar_widths(&svg, colour(1));
        assert_eq!((raw.len(), framework.len()), (1, 1));
        assert!(
            (raw[0] / framework[0] - 2.0).abs() < 0.01,
            "{raw:?} vs {framework:?}"
        );
        assert!(svg.contains("requests per second"));
    }

    #[test]
    fn a_missing_bar_says_so_instead_of_drawing_zero() {
        let chart = BarChart {
            title: "t".into(),
            axis_label: "x".into(),
            series: vec!["raw".into(), "framework".into()],
            groups: vec![BarGroup {
                label: "json".into(),
                bars: vec![bar(10.0), None],
            }],
        };
        let svg = bar_chart(&chart);
        assert!(svg.contains("not measured"));
        assert!(bar_widths(&svg, colour(1)).is_empty());
    }

    #[test]
    fn the_forest_chart_places_a_positive_change_right_of_zero_and_a_negative_left() {
        let chart = ForestChart {
            title: "t".into(),
            axis_label: "change".into(),
            rows: vec![ForestRow {
                label: "json".into(),
                estimates: vec![
                    Estimate {
                        label: "up".into(),
                        colour: colour(0),
                        value: 20.0,
                        low: 10.0,
                        high: 30.0,
                    },
                    Estimate {
                        label: "down".into(),
                        colour: colour(1),
                        value: -20.0,
                        low: -30.0,
                        high: -10.0,
                    },
                ],
            }],
        };
        let svg = forest_chart(&chart);
        let cx = |fill: &str| -> f64 {
            let circle = svg
                .split("<circle ")
                .find(|c| c.contains(&format!(r#"fill="{fill}""#)))
                .expect("a marker");
            let start = circle.find("cx=\"").expect("cx") + 4;
            circle[start..start + circle[start..].find('"').expect("quote")]
                .parse()
                .expect("number")
        };
        assert!(cx(colour(0)) > cx(colour(1)));
        assert!(svg.contains("+20.0% [+10.0%, +30.0%]"));
    }

    #[test]
    fn the_maximum_is_drawn_where_one_in_count_requests_would_be() {
        assert_eq!(percentile_position(0.0, 1000), 1.0);
        assert!((percentile_position(90.0, 1000) - 10.0).abs() < 1e-9);
        assert!((percentile_position(100.0, 1000) - 1000.0).abs() < 1e-6);
    }

    #[test]
    fn two_different_spectra_draw_different_lines() {
        let spectrum = |scale: f64| SpectrumLine {
            series: 0,
            points: vec![
                (50.0, 100.0 * scale),
                (99.0, 300.0 * scale),
                (100.0, 900.0 * scale),
            ],
            count: 10_000,
            emphasis: true,
        };
        let chart = |lines| SpectrumChart {
            title: "json".into(),
            series: vec!["raw".into(), "framework".into()],
            lines,
        };
        let mut second = spectrum(2.0);
        second.series = 1;
        let svg = spectrum_chart(&chart(vec![spectrum(1.0), second]));
        let polylines: Vec<&str> = svg
            .split("<polyline ")
            .skip(1)
            .map(|p| &p[..p.find("/>").expect("closed")])
            .collect();
        assert_eq!(polylines.len(), 2);
        let points = |p: &str| p.split('"').nth(1).expect("points").to_owned();
        assert_ne!(points(polylines[0]), points(polylines[1]));
        assert!(svg.contains("99.9%") || svg.contains("99%"));
    }

    #[test]
    fn latency_ticks_carry_their_unit() {
        assert_eq!(tick_micros(250.0), "250 µs");
        assert_eq!(tick_micros(1_500.0), "1.5 ms");
        assert_eq!(tick_micros(100_000.0), "100 ms");
        assert_eq!(tick_micros(2_000_000.0), "2 s");
    }

    #[test]
    fn nines_are_labelled_as_percentiles() {
        assert_eq!(percent_of_nines(1), "90");
        assert_eq!(percent_of_nines(2), "99");
        assert_eq!(percent_of_nines(3), "99.9");
        assert_eq!(percent_of_nines(4), "99.99");
    }
}
