//! The report's three kinds of chart, built from [`super::svg`]:
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
//!
//! Each takes plain numbers (no `Results`), so tests can draw synthetic data.

use super::svg::{
    Anchor, LinearScale, LogScale, Scale, Svg, colour, compact, dash, log_ticks, nice_max,
    nice_ticks, text_width,
};

/// Width of every full-width chart, in pixels.
pub const WIDTH: f64 = 940.0;

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

    let largest = chart
        .groups
        .iter()
        .flat_map(|g| g.bars.iter().flatten())
        .flat_map(|b| {
            std::iter::once(b.value)
                .chain(b.interval.map(|i| i.1))
                .chain(b.points.iter().copied())
        })
        .fold(0.0, f64::max);
    let x = LinearScale::new((0.0, nice_max(largest)), (left, right));

    let mut svg = Svg::new(WIDTH, height, &chart.title);
    let names: Vec<(&str, &str)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), colour(i)))
        .collect();
    svg.legend((left, 16.0), &names);
    let bottom = top + plot_height;
    for tick in nice_ticks(0.0, x.domain.1, 6) {
        let px = x.map(tick);
        svg.line((px, top - 4.0), (px, bottom), "#e4e4e4", 1.0);
        svg.text((px, bottom + 16.0), Anchor::Middle, "axis", &compact(tick));
    }
    svg.line((left, top - 4.0), (left, bottom), "#555555", 1.0);
    svg.text(
        ((left + right) / 2.0, bottom + 36.0),
        Anchor::Middle,
        "label",
        &chart.axis_label,
    );

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
            let Some(bar) = bar else {
                svg.text(
                    (left + 4.0, y + BAR_HEIGHT - 3.0),
                    Anchor::Start,
                    "muted",
                    "not measured",
                );
                continue;
            };
            let name = chart.series.get(s).map_or("", String::as_str);
            let tooltip = format!("{} · {}: {}", group.label, name, bar.label);
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
    }
    svg.finish()
}

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

    let (mut low, mut high) = (0.0f64, 0.0f64);
    for estimate in chart.rows.iter().flat_map(|r| &r.estimates) {
        low = low.min(estimate.low).min(estimate.value);
        high = high.max(estimate.high).max(estimate.value);
    }
    // Leave a margin, and never less than ±5% so a tiny difference is not
    // blown up to fill the chart.
    let pad = ((high - low) * 0.08).max(1.0);
    let (low, high) = ((low - pad).min(-5.0), (high + pad).max(5.0));
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
        y += 10.0;
    }
    svg.finish()
}

/// One latency spectrum: `(percentile 0..=100, latency µs)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectrumLine {
    pub series: usize,
    pub points: Vec<(f64, f64)>,
    /// Requests behind the spectrum: where the 100th percentile is drawn.
    pub count: u64,
    /// Drawn thick (the round with the median p99); others thin and faint.
    pub emphasis: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpectrumChart {
    pub title: String,
    pub series: Vec<String>,
    pub lines: Vec<SpectrumLine>,
}

/// Width of a spectrum chart: two fit side by side in the page.
pub const SPECTRUM_WIDTH: f64 = 460.0;

/// Where percentile `p` (0..=100) sits on the `1/(1-p)` axis. The 100th
/// percentile (the maximum) has no finite position; it is the worst of
/// `count` requests, so it is drawn where `1 - 1/count` would be.
pub fn percentile_position(p: f64, count: u64) -> f64 {
    let last = 1.0 - 1.0 / (count.max(2) as f64);
    let q = (p / 100.0).clamp(0.0, last);
    1.0 / (1.0 - q)
}

/// The latency percentile spectrum, one line per round.
pub fn spectrum_chart(chart: &SpectrumChart) -> String {
    let (left, right, top) = (72.0, SPECTRUM_WIDTH - 14.0, 44.0);
    let height = 290.0;
    let bottom = height - 50.0;
    let mut svg = Svg::new(SPECTRUM_WIDTH, height, &chart.title);
    svg.text((left, 16.0), Anchor::Start, "title", &chart.title);
    let names: Vec<(&str, &str)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), colour(i)))
        .collect();
    svg.legend((left, 34.0), &names);

    let positioned: Vec<Vec<(f64, f64)>> = chart
        .lines
        .iter()
        .map(|line| {
            line.points
                .iter()
                .map(|(p, us)| (percentile_position(*p, line.count), *us))
                .collect()
        })
        .collect();
    let all = positioned.iter().flatten();
    let max_x = all.clone().map(|(x, _)| *x).fold(10.0, f64::max);
    let min_y = all
        .clone()
        .map(|(_, y)| *y)
        .filter(|y| *y > 0.0)
        .fold(f64::INFINITY, f64::min);
    let max_y = all.map(|(_, y)| *y).fold(1.0, f64::max);
    if !min_y.is_finite() {
        svg.text(
            ((left + right) / 2.0, (top + bottom) / 2.0),
            Anchor::Middle,
            "muted",
            "no latencies recorded",
        );
        return svg.finish();
    }

    let x = LogScale::new((1.0, max_x), (left, right));
    // A tail a hundred times the median flattens everything else on a
    // linear axis: switch to a log axis when the values span that much.
    let log_y = max_y / min_y > 30.0;
    let (y, y_ticks, y_label) = if log_y {
        let scale = LogScale::new((min_y * 0.8, max_y * 1.25), (bottom, top));
        (
            Scale::Log(scale),
            log_ticks(min_y * 0.8, max_y * 1.25),
            "latency (log scale)",
        )
    } else {
        let top_value = nice_max(max_y);
        (
            Scale::Linear(LinearScale::new((0.0, top_value), (bottom, top))),
            nice_ticks(0.0, top_value, 5),
            "latency",
        )
    };
    for tick in y_ticks {
        let py = y.map(tick);
        svg.line((left, py), (right, py), "#e4e4e4", 1.0);
        svg.text(
            (left - 6.0, py + 4.0),
            Anchor::End,
            "axis",
            &tick_micros(tick),
        );
    }
    let mut decade = 1.0;
    let mut nines = 0;
    // Right edge of the last label drawn, so labels never overlap.
    let mut free_from = f64::NEG_INFINITY;
    while decade <= max_x * 1.0001 {
        let px = x.map(decade);
        svg.line((px, top), (px, bottom), "#e4e4e4", 1.0);
        let label = match nines {
            0 => "0%".to_owned(),
            n => format!("{}%", percent_of_nines(n)),
        };
        // The last label would stick out of the picture: end it at its tick.
        let width = text_width(&label) * 0.9;
        let (anchor, start) = if px + width / 2.0 > SPECTRUM_WIDTH - 2.0 {
            (Anchor::End, px - width)
        } else {
            (Anchor::Middle, px - width / 2.0)
        };
        if start > free_from + 4.0 {
            svg.text((px, bottom + 16.0), anchor, "axis", &label);
            free_from = start + width;
        }
        decade *= 10.0;
        nines += 1;
    }
    // 50% (the median) gets a line, and a label where there is room for
    // one next to 0%.
    if max_x >= 2.0 {
        let px = x.map(2.0);
        svg.line((px, top), (px, bottom), "#f0f0f0", 1.0);
        if px - left > 30.0 {
            svg.text((px, bottom + 16.0), Anchor::Middle, "axis", "50%");
        }
    }
    svg.line((left, top), (left, bottom), "#555555", 1.0);
    svg.line((left, bottom), (right, bottom), "#555555", 1.0);
    svg.text(
        ((left + right) / 2.0, bottom + 36.0),
        Anchor::Middle,
        "label",
        "percentile (each step right: one more nine)",
    );
    svg.vertical_text((14.0, (top + bottom) / 2.0), "label", y_label);

    // Faint lines first, so the emphasised ones are drawn on top.
    let mut order: Vec<usize> = (0..chart.lines.len()).collect();
    order.sort_by_key(|&i| chart.lines[i].emphasis);
    for i in order {
        let line = &chart.lines[i];
        let points: Vec<(f64, f64)> = positioned[i]
            .iter()
            .filter(|(_, us)| !log_y || *us > 0.0)
            .map(|(px, us)| (x.map(*px), y.map(*us)))
            .collect();
        let (width, opacity) = if line.emphasis {
            (2.2, 1.0)
        } else {
            (1.0, 0.45)
        };
        svg.polyline(
            &points,
            colour(line.series),
            width,
            dash(line.series),
            opacity,
        );
    }
    svg.finish()
}

/// A latency tick: `250 µs`, `1.5 ms`, `20 ms`, `2 s`.
pub fn tick_micros(micros: f64) -> String {
    if micros < 1_000.0 {
        format!("{} µs", compact(micros))
    } else if micros < 1_000_000.0 {
        format!("{} ms", compact(micros / 1_000.0))
    } else {
        format!("{} s", compact(micros / 1_000_000.0))
    }
}

/// `90`, `99`, `99.9`, … for 1, 2, 3, … nines.
fn percent_of_nines(nines: i32) -> String {
    let value = 100.0 - 100.0 / 10f64.powi(nines);
    let text = format!("{value:.*}", (nines - 2).max(0) as usize);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

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
