//! A horizontal waterfall: for each server, a first bar from zero (the
//! start, e.g. `none`: routing and the handler alone), then one floating
//! bar per step from where the previous one ended to where this one ends
//! (its increment), then a closing bar from zero to the total (`full`).
//!
//! Read top to bottom, each server's bars walk from "what routing costs" to
//! "what the server as shipped costs", and the longest floating bar is the
//! costliest step. A negative increment floats leftwards, hatched in grey,
//! rather than being clipped to zero.

use super::WIDTH;
use crate::commands::report::svg::{Anchor, LinearScale, Svg, colour, nice_max, text_width};

/// One server's walk: the start, each step's increment, and the total.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    /// Series name, which also picks its colour: `raw`, `framework`.
    pub name: String,
    /// The first bar's label and value (`none`).
    pub start: (String, f64),
    /// `(step name, increment)` in order.
    pub steps: Vec<(String, f64)>,
    /// The closing bar's label (`full`); its value is start plus every step.
    pub total_label: String,
}

impl Waterfall {
    /// Where the walk ends: the start plus every increment.
    pub fn total(&self) -> f64 {
        self.start.1 + self.steps.iter().map(|(_, v)| v).sum::<f64>()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallChart {
    pub title: String,
    /// The value axis, with its unit.
    pub axis_label: String,
    /// One walk per server, in colour order.
    pub series: Vec<Waterfall>,
}

const ROW: f64 = 13.0;
const GAP: f64 = 3.0;
const SERIES_GAP: f64 = 22.0;
/// Increments below zero: a neutral colour, so they are not read as a server.
const NEGATIVE: &str = "#999999";

/// The chart, one row per bar, servers one below the other.
pub fn waterfall_chart(chart: &WaterfallChart) -> String {
    let rows: usize = chart.series.iter().map(|s| s.steps.len() + 2).sum();
    let label_width = chart
        .series
        .iter()
        .flat_map(|s| {
            std::iter::once(&s.start.0)
                .chain(s.steps.iter().map(|(l, _)| l))
                .chain(std::iter::once(&s.total_label))
        })
        .map(|l| text_width(l))
        .fold(60.0, f64::max);
    let left = label_width + 16.0;
    let right = WIDTH - 90.0;
    let top = 34.0;
    let plot = rows as f64 * (ROW + GAP) + chart.series.len() as f64 * SERIES_GAP;
    let bottom = top + plot;
    let largest = chart
        .series
        .iter()
        .map(|s| running_max(s).max(s.total()))
        .fold(0.0, f64::max);
    let x = LinearScale::new((0.0, nice_max(largest)), (left, right));

    let mut svg = Svg::new(WIDTH, bottom + 44.0, &chart.title);
    let names: Vec<(&str, &str)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), colour(i)))
        .collect();
    svg.legend((left, 16.0), &names);
    svg.x_axis_from_zero(&x, (top, bottom), &chart.axis_label);
    let mut y = top;
    for (s, series) in chart.series.iter().enumerate() {
        svg.text(
            (left + 4.0, y + 12.0),
            Anchor::Start,
            "strong",
            &series.name,
        );
        y += SERIES_GAP;
        y = draw_walk(&mut svg, &x, (left, y), s, series);
    }
    svg.finish()
}

/// The highest point a walk reaches on the way (a negative step later can
/// end below it).
fn running_max(series: &Waterfall) -> f64 {
    let mut level = series.start.1;
    let mut max = level;
    for (_, increment) in &series.steps {
        level += increment;
        max = max.max(level);
    }
    max
}

/// One server's bars from `y` down; returns the `y` below the last.
fn draw_walk(
    svg: &mut Svg,
    x: &LinearScale,
    (left, mut y): (f64, f64),
    s: usize,
    series: &Waterfall,
) -> f64 {
    let mut row = |svg: &mut Svg, label: &str, from: f64, to: f64, fill: &str, value: String| {
        let (low, high) = (from.min(to), from.max(to));
        let tooltip = format!("{} · {label}: {value}", series.name);
        svg.text((left - 8.0, y + ROW - 3.0), Anchor::End, "label", label);
        let width = (x.map(high) - x.map(low)).max(1.0);
        svg.rect(x.map(low), y, width, ROW, fill, Some(&tooltip));
        svg.text(
            (x.map(high) + 6.0, y + ROW - 3.0),
            Anchor::Start,
            "value",
            &value,
        );
        y += ROW + GAP;
    };
    let (start_label, start) = &series.start;
    row(
        svg,
        start_label,
        0.0,
        *start,
        colour(s),
        compact_count(*start),
    );
    let mut level = *start;
    for (label, increment) in &series.steps {
        let fill = if *increment < 0.0 {
            NEGATIVE
        } else {
            colour(s)
        };
        let value = format!("{increment:+.0}");
        row(svg, label, level, level + increment, fill, value);
        level += increment;
    }
    row(
        svg,
        &series.total_label,
        0.0,
        level,
        colour(s),
        compact_count(level),
    );
    y
}

/// A bar's total, rounded: `12,345`.
fn compact_count(value: f64) -> String {
    crate::commands::report::number(value, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(name: &str, start: f64, steps: &[f64]) -> Waterfall {
        Waterfall {
            name: name.to_owned(),
            start: ("none".to_owned(), start),
            steps: steps
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("step-{i}"), *v))
                .collect(),
            total_label: "full".to_owned(),
        }
    }

    /// `(x, width)` of every `<rect>` of the given colour.
    fn rects(svg: &str, fill: &str) -> Vec<(f64, f64)> {
        let attribute = |rect: &str, name: &str| -> Option<f64> {
            let start = rect.find(&format!(" {name}=\""))? + name.len() + 3;
            let end = start + rect[start..].find('"')?;
            rect[start..end].parse().ok()
        };
        svg.split("<rect")
            .skip(1)
            .filter(|rect| rect.contains(&format!(r#"fill="{fill}""#)))
            .filter_map(|rect| Some((attribute(rect, "x")?, attribute(rect, "width")?)))
            .filter(|(_, width)| *width > 1.0 && *width != 12.0) // not the legend swatch
            .collect()
    }

    #[test]
    fn each_step_floats_where_the_previous_one_ended_and_the_total_closes_the_walk() {
        let chart = WaterfallChart {
            title: "t".into(),
            axis_label: "instructions per request".into(),
            series: vec![walk("raw", 1_000.0, &[500.0, 250.0])],
        };

        let svg = waterfall_chart(&chart);

        let bars = rects(&svg, colour(0));
        assert_eq!(bars.len(), 4, "{svg}");
        let (none, first, second, full) = (bars[0], bars[1], bars[2], bars[3]);
        let end = |(x, w): (f64, f64)| x + w;
        assert!((first.0 - end(none)).abs() < 0.15);
        assert!((second.0 - end(first)).abs() < 0.15);
        assert!((end(full) - end(second)).abs() < 0.15);
        assert!(
            (first.1 - 2.0 * second.1).abs() < 0.25,
            "widths follow increments"
        );
        assert!(svg.contains("+500") && svg.contains("1,750"));
        assert!(svg.contains("instructions per request"));
    }

    #[test]
    fn a_negative_step_goes_left_in_grey_and_the_total_includes_it() {
        let series = walk("framework", 2_000.0, &[400.0, -100.0]);
        let chart = WaterfallChart {
            title: "t".into(),
            axis_label: "a".into(),
            series: vec![walk("raw", 1_000.0, &[10.0]), series.clone()],
        };

        let svg = waterfall_chart(&chart);

        assert_eq!(series.total(), 2_300.0);
        let grey = rects(&svg, NEGATIVE);
        assert_eq!(grey.len(), 1, "{svg}");
        let framework = rects(&svg, colour(1));
        let raised = framework[1];
        // The grey bar ends where the raised level was.
        assert!((grey[0].0 + grey[0].1 - (raised.0 + raised.1)).abs() < 0.15);
        assert!(svg.contains("-100") && svg.contains("2,300"));
    }
}
