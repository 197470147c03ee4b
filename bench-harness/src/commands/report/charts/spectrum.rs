//! The latency percentile spectrum, the x axis stretched by `1/(1-p)` so
//! 99%, 99.9% and 99.99% are equally far apart, as HdrHistogram and wrk2
//! plot it.

use crate::commands::report::svg::{
    Anchor, LinearScale, LogScale, Scale, Svg, colour, compact, dash, log_ticks, nice_max,
    nice_ticks, text_width,
};

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
    let names: Vec<(&str, &str)> = (chart.series.iter().enumerate())
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
    let (y, y_ticks, y_label) = latency_axis((min_y, max_y), (bottom, top));
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
    percentile_axis(&mut svg, &x, max_x, (left, right), (top, bottom));
    svg.vertical_text((14.0, (top + bottom) / 2.0), "label", y_label);
    let log_y = matches!(y, Scale::Log(_));
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

/// The latency axis between `min_y` and `max_y` µs. A tail a hundred times
/// the median flattens everything else on a linear axis: it is a log axis
/// when the values span that much.
fn latency_axis(
    (min_y, max_y): (f64, f64),
    (bottom, top): (f64, f64),
) -> (Scale, Vec<f64>, &'static str) {
    if max_y / min_y > 30.0 {
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
    }
}

/// The percentile axis: one tick per nine (0%, 90%, 99%, …), labels that
/// never overlap, and the median.
fn percentile_axis(
    svg: &mut Svg,
    x: &LogScale,
    max_x: f64,
    (left, right): (f64, f64),
    (top, bottom): (f64, f64),
) {
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
pub(super) fn percent_of_nines(nines: i32) -> String {
    let value = 100.0 - 100.0 / 10f64.powi(nines);
    let text = format!("{value:.*}", (nines - 2).max(0) as usize);
    text
}
