//! Horizontal grouped bars: one group per endpoint (or feature), one bar
//! per server, with an optional 95% interval as a whisker and the rounds
//! as dots.

use super::WIDTH;
use crate::commands::report::svg::{Anchor, LinearScale, Svg, colour, nice_max, text_width};

/// One bar: the value (a median), its interval, and the values it came
/// from (drawn as dots, so a reader sees the spread of the rounds).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub value: f64,
    pub interval: Option<(f64, f64)>,
    pub points: Vec<f64>,
    /// Text at the end of the bar, e.g. `63,812 req/s`.
    pub label: String,
}

/// The bars of one endpoint: `bars[i]` belongs to series `i` (`None`: not
/// measured for that server).
#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    pub label: String,
    pub bars: Vec<Option<Bar>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    /// The value axis, with its unit: `requests per second`.
    pub axis_label: String,
    /// Series names, in colour order: `raw`, `framework`, …
    pub series: Vec<String>,
    pub groups: Vec<BarGroup>,
}

const BAR_HEIGHT: f64 = 14.0;
const BAR_GAP: f64 = 3.0;
const GROUP_GAP: f64 = 14.0;

/// Horizontal grouped bars on an axis starting at zero.
pub fn bar_chart(chart: &BarChart) -> String {
    let series = chart.series.len().max(1);
    let label_width = chart
        .groups
        .iter()
        .map(|g| text_width(&g.label))
        .fold(60.0, f64::max);
    let value_label_width = chart
        .groups
        .iter()
        .flat_map(|g| g.bars.iter().flatten())
        .map(|b| text_width(&b.label))
        .fold(40.0, f64::max);
    let left = label_width + 16.0;
    let right = WIDTH - value_label_width - 14.0;
    let top = 34.0;
    let group_height = series as f64 * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
    let plot_height = chart.groups.len().max(1) as f64 * (group_height + GROUP_GAP);
    let height = top + plot_height + 44.0;
    let x = LinearScale::new((0.0, nice_max(largest_value(chart))), (left, right));

    let mut svg = Svg::new(WIDTH, height, &chart.title);
    let names: Vec<(&str, &str)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), colour(i)))
        .collect();
    svg.legend((left, 16.0), &names);
    let bottom = top + plot_height;
    svg.x_axis_from_zero(&x, (top, bottom), &chart.axis_label);
    for (g, group) in chart.groups.iter().enumerate() {
        let group_top = top + g as f64 * (group_height + GROUP_GAP);
        svg.text(
            (left - 8.0, group_top + group_height / 2.0 + 4.0),
            Anchor::End,
            "label",
            &group.label,
        );
        for (s, bar) in group.bars.iter().enumerate() {
            let y = group_top + s as f64 * (BAR_HEIGHT + BAR_GAP);
            let name = chart.series.get(s).map_or("", String::as_str);
            let tooltip = format!("{} · {name}", group.label);
            draw_bar(&mut svg, &x, (left, y), s, bar.as_ref(), &tooltip);
        }
    }
    svg.finish()
}

/// The largest value any bar, whisker or dot reaches.
fn largest_value(chart: &BarChart) -> f64 {
    chart
        .groups
        .iter()
        .flat_map(|g| g.bars.iter().flatten())
        .flat_map(|b| {
            std::iter::once(b.value)
                .chain(b.interval.map(|i| i.1))
                .chain(b.points.iter().copied())
        })
        .fold(0.0, f64::max)
}

/// One bar of series `s` at `(left, y)`, its whisker, dots and label; or
/// "not measured".
fn draw_bar(
    svg: &mut Svg,
    x: &LinearScale,
    (left, y): (f64, f64),
    s: usize,
    bar: Option<&Bar>,
    tooltip: &str,
) {
    let Some(bar) = bar else {
        svg.text(
            (left + 4.0, y + BAR_HEIGHT - 3.0),
            Anchor::Start,
            "muted",
            "not measured",
        );
        return;
    };
    let tooltip = format!("{tooltip}: {}", bar.label);
    svg.rect(
        left,
        y,
        x.map(bar.value) - left,
        BAR_HEIGHT,
        colour(s),
        Some(&tooltip),
    );
    let mut end = x.map(bar.value);
    if let Some((low, high)) = bar.interval {
        let middle = y + BAR_HEIGHT / 2.0;
        let (lx, hx) = (x.map(low), x.map(high));
        svg.line((lx, middle), (hx, middle), "#222222", 1.2);
        svg.line((lx, y + 2.0), (lx, y + BAR_HEIGHT - 2.0), "#222222", 1.2);
        svg.line((hx, y + 2.0), (hx, y + BAR_HEIGHT - 2.0), "#222222", 1.2);
        end = end.max(hx);
    }
    for point in &bar.points {
        svg.circle((x.map(*point), y + BAR_HEIGHT / 2.0), 2.2, "#222222", None);
        end = end.max(x.map(*point));
    }
    svg.text(
        (end + 6.0, y + BAR_HEIGHT - 3.0),
        Anchor::Start,
        "value",
        &bar.label,
    );
}
