//! Hand-written SVG: the few primitives the report's charts are made of.
//!
//! A chart is a picture of numbers, so the pieces are few: a *scale* turns
//! a value into a pixel position (linear, or logarithmic when values span
//! decades), *ticks* are the round numbers an axis shows, and an [`Svg`]
//! collects lines, rectangles, circles, polylines and text. No JavaScript
//! and no charting library: the output is plain markup that any browser
//! (or an XML parser, in the tests) reads offline.
//!
//! Colours are attributes on the elements rather than CSS classes, so a
//! chart copied out of the page still looks the same.

use std::fmt::Write as _;

/// Escapes text for use in XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A colour-blind-safe palette (Paul Tol's "bright"): series 0 is blue,
/// 1 red, 2 green, and so on.
pub const PALETTE: &[&str] = &[
    "#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB",
];

/// The colour of series `index` (the palette repeats beyond its end).
pub fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// Dash patterns to tell lines apart without colour (series 0 solid).
pub fn dash(index: usize) -> &'static str {
    ["", "6 3", "2 2", "8 3 2 3"][index % 4]
}

/// Maps a value interval (the domain) linearly onto a pixel interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl LinearScale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> LinearScale {
        // A zero-width domain (one value, or all zeros) would divide by zero:
        // widen it so the value lands in the middle.
        let domain = if (domain.1 - domain.0).abs() < f64::EPSILON {
            (domain.0 - 1.0, domain.1 + 1.0)
        } else {
            domain
        };
        LinearScale { domain, range }
    }

    /// The pixel position of `value`.
    pub fn map(&self, value: f64) -> f64 {
        let t = (value - self.domain.0) / (self.domain.1 - self.domain.0);
        self.range.0 + t * (self.range.1 - self.range.0)
    }
}

/// Maps a positive value interval onto pixels by `log10`, for values that
/// span decades (tail latencies, `1/(1-p)` of percentiles).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogScale {
    linear: LinearScale,
}

impl LogScale {
    /// `domain` must be positive; values below `1e-12` are clamped there.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> LogScale {
        LogScale {
            linear: LinearScale::new(
                (domain.0.max(1e-12).log10(), domain.1.max(1e-12).log10()),
                range,
            ),
        }
    }

    pub fn map(&self, value: f64) -> f64 {
        self.linear.map(value.max(1e-12).log10())
    }
}

/// Either kind of scale, for charts whose value axis picks one at run time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    Linear(LinearScale),
    Log(LogScale),
}

impl Scale {
    pub fn map(&self, value: f64) -> f64 {
        match self {
            Scale::Linear(scale) => scale.map(value),
            Scale::Log(scale) => scale.map(value),
        }
    }
}

/// About `count` round tick values covering `[min, max]`: multiples of
/// 1, 2 or 5 times a power of ten, the numbers people read easily.
pub fn nice_ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite()) || max <= min || count == 0 {
        return vec![min];
    }
    let rough = (max - min) / count as f64;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power);
    let first = (min / step).ceil() as i64;
    let last = (max / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// A nice upper bound for an axis that starts at 0: the smallest tick
/// value at or above `max`, so the longest bar does not touch the edge.
pub fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|candidate| *candidate >= max)
        .unwrap_or(10.0 * power)
}

/// Powers of ten from below `min` to above `max`, with 2× and 5× steps in
/// between when the range is short: ticks for a log axis.
pub fn log_ticks(min: f64, max: f64) -> Vec<f64> {
    let min = min.max(1e-12);
    let max = max.max(min);
    let low = min.log10().floor() as i32;
    let high = max.log10().ceil() as i32;
    let multiples: &[f64] = if high - low <= 2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let mut ticks = Vec::new();
    for exponent in low..=high {
        for m in multiples {
            let value = m * 10f64.powi(exponent);
            if value >= min * 0.999 && value <= max * 1.001 {
                ticks.push(value);
            }
        }
    }
    ticks
}

/// Formats a tick value compactly: `0`, `2.5`, `40`, `1.2k`, `3M`.
pub fn compact(value: f64) -> String {
    let magnitude = value.abs();
    let (scaled, suffix) = if magnitude >= 1e9 {
        (value / 1e9, "G")
    } else if magnitude >= 1e6 {
        (value / 1e6, "M")
    } else if magnitude >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let text = if scaled == scaled.trunc() {
        format!("{scaled:.0}")
    } else if (scaled * 10.0).round() == scaled * 10.0 {
        format!("{scaled:.1}")
    } else {
        format!("{scaled:.2}")
    };
    format!("{text}{suffix}")
}

/// Horizontal text alignment, SVG's `text-anchor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// Roughly how wide `text` is in pixels at the report's 12 px font: used
/// to leave room for labels (an estimate; SVG cannot measure before layout).
pub fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 6.6
}

/// An SVG picture under construction. Every method appends one element;
/// [`Svg::finish`] closes the document.
#[derive(Debug)]
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    /// A picture of `width` × `height` pixels; `title` is what screen
    /// readers announce and browsers show on hover.
    pub fn new(width: f64, height: f64, title: &str) -> Svg {
        let mut body = String::new();
        let _ = write!(body, "<title>{}</title>", escape(title));
        Svg {
            width,
            height,
            body,
        }
    }

    pub fn width(&self) -> f64 {
        self.width
    }

    pub fn line(&mut self, from: (f64, f64), to: (f64, f64), stroke: &str, width: f64) {
        let _ = write!(
            self.body,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{stroke}" stroke-width="{width}"/>"#,
            from.0, from.1, to.0, to.1
        );
    }

    /// A rectangle; `tooltip` becomes its `<title>` (shown on hover).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tooltip: Option<&str>) {
        let _ = write!(
            self.body,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}""#,
            w.max(0.0),
            h.max(0.0)
        );
        match tooltip {
            Some(text) => {
                let _ = write!(self.body, "><title>{}</title></rect>", escape(text));
            }
            None => self.body.push_str("/>"),
        }
    }

    pub fn circle(&mut self, centre: (f64, f64), radius: f64, fill: &str, tooltip: Option<&str>) {
        let _ = write!(
            self.body,
            r##"<circle cx="{:.1}" cy="{:.1}" r="{radius}" fill="{fill}" stroke="#ffffff" stroke-width="0.8""##,
            centre.0, centre.1
        );
        match tooltip {
            Some(text) => {
                let _ = write!(self.body, "><title>{}</title></circle>", escape(text));
            }
            None => self.body.push_str("/>"),
        }
    }

    /// A connected line through `points`, not filled.
    pub fn polyline(
        &mut self,
        points: &[(f64, f64)],
        stroke: &str,
        width: f64,
        dash: &str,
        opacity: f64,
    ) {
        let mut coordinates = String::new();
        for (x, y) in points {
            let _ = write!(coordinates, "{x:.1},{y:.1} ");
        }
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = write!(
            self.body,
            r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="{width}" stroke-opacity="{opacity}" stroke-linejoin="round"{dash}/>"#,
            coordinates.trim_end()
        );
    }

    /// Text at `(x, y)` (the baseline); `class` picks a style from the
    /// page's stylesheet (`label`, `axis`, `value`, `title`, `muted`).
    pub fn text(&mut self, at: (f64, f64), anchor: Anchor, class: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="{}" class="{class}">{}</text>"#,
            at.0,
            at.1,
            anchor.name(),
            escape(text)
        );
    }

    /// Text rotated a quarter turn anticlockwise around `at`: a y-axis label.
    pub fn vertical_text(&mut self, at: (f64, f64), class: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" class="{class}" transform="rotate(-90 {x:.1} {y:.1})">{}</text>"#,
            escape(text),
            x = at.0,
            y = at.1
        );
    }

    /// A small legend: a swatch and a name per entry, in one row from `at`.
    pub fn legend(&mut self, at: (f64, f64), entries: &[(&str, &str)]) {
        let (mut x, y) = at;
        for (name, colour) in entries {
            self.rect(x, y - 9.0, 12.0, 12.0, colour, None);
            self.text((x + 16.0, y + 1.0), Anchor::Start, "label", name);
            x += 16.0 + text_width(name) + 18.0;
        }
    }

    /// A horizontal value axis from zero along the bottom of a plot that
    /// spans `top..bottom`: a light grid line and a figure per tick, the
    /// zero line, and `label` centred below.
    pub fn x_axis_from_zero(&mut self, x: &LinearScale, (top, bottom): (f64, f64), label: &str) {
        for tick in nice_ticks(0.0, x.domain.1, 6) {
            let px = x.map(tick);
            self.line((px, top - 4.0), (px, bottom), "#e4e4e4", 1.0);
            self.text((px, bottom + 16.0), Anchor::Middle, "axis", &compact(tick));
        }
        let (left, right) = x.range;
        self.line((left, top - 4.0), (left, bottom), "#555555", 1.0);
        self.text(
            ((left + right) / 2.0, bottom + 36.0),
            Anchor::Middle,
            "label",
            label,
        );
    }

    /// Closes the picture.
    pub fn finish(self) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" role="img">{}</svg>"#,
            self.body,
            w = self.width,
            h = self.height
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_scale_maps_the_ends_of_its_domain_onto_the_ends_of_its_range() {
        let scale = LinearScale::new((0.0, 100.0), (10.0, 210.0));
        assert_eq!(scale.map(0.0), 10.0);
        assert_eq!(scale.map(50.0), 110.0);
        assert_eq!(scale.map(100.0), 210.0);
    }

    #[test]
    fn a_log_scale_puts_each_decade_the_same_distance_apart() {
        let scale = LogScale::new((1.0, 1000.0), (0.0, 300.0));
        assert!((scale.map(10.0) - 100.0).abs() < 1e-9);
        assert!((scale.map(100.0) - 200.0).abs() < 1e-9);
    }

    #[test]
    fn a_one_value_domain_does_not_divide_by_zero() {
        let scale = LinearScale::new((5.0, 5.0), (0.0, 100.0));
        assert!(scale.map(5.0).is_finite());
    }

    #[test]
    fn nice_ticks_are_round_numbers_inside_the_range() {
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 7.0, 4), vec![0.0, 2.0, 4.0, 6.0]);
        let ticks = nice_ticks(-12.0, 30.0, 5);
        assert!(ticks.contains(&0.0) && ticks.iter().all(|t| (-12.0..=30.0).contains(t)));
    }

    #[test]
    fn nice_max_rounds_up_to_a_readable_bound() {
        assert_eq!(nice_max(63_800.0), 80_000.0);
        assert_eq!(nice_max(9.2), 10.0);
        assert_eq!(nice_max(0.0), 1.0);
    }

    #[test]
    fn log_ticks_cover_the_decades_of_the_range() {
        assert_eq!(log_ticks(30.0, 20_000.0), vec![100.0, 1000.0, 10_000.0]);
        assert_eq!(log_ticks(150.0, 900.0), vec![200.0, 500.0]);
    }

    #[test]
    fn compact_numbers_read_like_axis_labels() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(2.5), "2.5");
        assert_eq!(compact(1_200.0), "1.2k");
        assert_eq!(compact(3_000_000.0), "3M");
    }

    #[test]
    fn text_is_escaped_in_content_and_attributes() {
        let mut svg = Svg::new(10.0, 10.0, "a <b> & \"c\"");
        svg.text((0.0, 0.0), Anchor::Start, "label", "x < y");
        let markup = svg.finish();
        assert!(markup.contains("a &lt;b&gt; &amp; &quot;c&quot;"));
        assert!(markup.contains("x &lt; y"));
    }
}
