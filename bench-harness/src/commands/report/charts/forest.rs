//! A forest plot: percentage changes with their intervals around a zero
//! line — is the difference real, and how big?

use super::WIDTH;
use crate::commands::report::svg::{Anchor, LinearScale, Svg, nice_ticks, text_width};

/// One estimate with its interval, in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// What changed: `CPU per request`.
    pub label: String,
    /// Colour of the metric (an SVG colour).
    pub colour: &'static str,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// The estimates of one endpoint (and server).
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    pub label: String,
    pub estimates: Vec<Estimate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForestChart {
    pub title: String,
    pub axis_label: String,
    pub rows: Vec<ForestRow>,
}

const ESTIMATE_HEIGHT: f64 = 16.0;

/// `+4.4% [+1.0%, +7.9%]`; a deterministic figure has no interval to show.
fn estimate_text(estimate: &Estimate) -> String {
    if estimate.low == estimate.high {
        format!("{:+.1}% (exact count)", estimate.value)
    } else {
        format!(
            "{:+.1}% [{:+.1}%, {:+.1}%]",
            estimate.value, estimate.low, estimate.high
        )
    }
}

/// Estimates with intervals around a zero line.
pub fn forest_chart(chart: &ForestChart) -> String {
    let row_label_width = chart
        .rows
        .iter()
        .map(|r| text_width(&r.label))
        .fold(50.0, f64::max);
    let metric_width = chart
        .rows
        .iter()
        .flat_map(|r| &r.estimates)
        .map(|e| text_width(&e.label))
        .fold(50.0, f64::max);
    let left = row_label_width + metric_width + 28.0;
    // Room on the right for the longest "+x% [low, high]" text.
    let value_width = chart
        .rows
        .iter()
        .flat_map(|r| &r.estimates)
        .map(|e| text_width(&estimate_text(e)))
        .fold(100.0, f64::max);
    let right = WIDTH - value_width - 24.0;
    let top = 18.0;
    let lines: usize = chart.rows.iter().map(|r| r.estimates.len().max(1)).sum();
    let plot_height = lines as f64 * ESTIMATE_HEIGHT + chart.rows.len() as f64 * 10.0;
    let height = top + plot_height + 46.0;
    let (low, high) = domain(chart);
    let x = LinearScale::new((low, high), (left, right));

    let mut svg = Svg::new(WIDTH, height, &chart.title);
    let bottom = top + plot_height;
    for tick in nice_ticks(low, high, 8) {
        let px = x.map(tick);
        svg.line((px, top), (px, bottom), "#e4e4e4", 1.0);
        svg.text(
            (px, bottom + 16.0),
            Anchor::Middle,
            "axis",
            &if tick == 0.0 {
                "0%".to_owned()
            } else {
                format!("{tick:+}%")
            },
        );
    }
    svg.line((x.map(0.0), top), (x.map(0.0), bottom), "#333333", 1.5);
    svg.text(
        ((left + right) / 2.0, bottom + 36.0),
        Anchor::Middle,
        "label",
        &chart.axis_label,
    );
    let mut y = top;
    for row in &chart.rows {
        y = draw_row(&mut svg, &x, (left, right), y, row);
    }
    svg.finish()
}

/// The percentages shown: every estimate with a margin, and never less than
/// ±5% so a tiny difference is not blown up to fill the chart.
fn domain(chart: &ForestChart) -> (f64, f64) {
    let (mut low, mut high) = (0.0f64, 0.0f64);
    for estimate in chart.rows.iter().flat_map(|r| &r.estimates) {
        low = low.min(estimate.low).min(estimate.value);
        high = high.max(estimate.high).max(estimate.value);
    }
    let pad = ((high - low) * 0.08).max(1.0);
    ((low - pad).min(-5.0), (high + pad).max(5.0))
}

/// One row (endpoint) from height `y`; returns where the next one starts.
fn draw_row(
    svg: &mut Svg,
    x: &LinearScale,
    (left, right): (f64, f64),
    mut y: f64,
    row: &ForestRow,
) -> f64 {
    svg.text(
        (8.0, y + ESTIMATE_HEIGHT - 4.0),
        Anchor::Start,
        "label strong",
        &row.label,
    );
    for estimate in &row.estimates {
        let middle = y + ESTIMATE_HEIGHT / 2.0;
        svg.text(
            (left - 8.0, middle + 4.0),
            Anchor::End,
            "label",
            &estimate.label,
        );
        let fill = estimate.colour;
        let (lx, hx) = (x.map(estimate.low), x.map(estimate.high));
        svg.line((lx, middle), (hx, middle), fill, 2.5);
        svg.line((lx, middle - 4.0), (lx, middle + 4.0), fill, 1.5);
        svg.line((hx, middle - 4.0), (hx, middle + 4.0), fill, 1.5);
        let text = estimate_text(estimate);
        svg.circle(
            (x.map(estimate.value), middle),
            4.5,
            fill,
            Some(&format!("{} · {}: {text}", row.label, estimate.label)),
        );
        svg.text((right + 10.0, middle + 4.0), Anchor::Start, "value", &text);
        y += ESTIMATE_HEIGHT;
    }
    if row.estimates.is_empty() {
        svg.text(
            (left + 4.0, y + ESTIMATE_HEIGHT - 4.0),
            Anchor::Start,
            "muted",
            "no estimate",
        );
        y += ESTIMATE_HEIGHT;
    }
    y + 10.0
}
