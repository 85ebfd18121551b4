//! Server-side SVG charts of a patient's assessments over time: a line chart of scores (ESAS-r,
//! IPOS, AKPS, …) and a timeline of phases of illness.
//!
//! Each function returns one `<svg>` element as a string, to embed inline in a page with
//! askama's `|safe`. Every piece of text is escaped here, so callers pass plain text. The markup
//! uses presentation attributes only, never `style` attributes or `<style>` elements, because the
//! Content-Security-Policy allows no inline styles.
//!
//! The charts are accessible images: `role="img"`, labelled by a `<title>` and a `<desc>` that
//! says in words what the picture shows (each series' latest value and the one before; the
//! current phase and since when). Series are told apart by colour from the Okabe–Ito palette,
//! which stays distinct for colour-blind readers, and also by marker shape and dash pattern, so
//! that colour is never the only cue. Every point carries a tooltip with its exact value and time.
//!
//! The line chart and the timeline share their horizontal layout, so that a timeline placed
//! under a line chart of the same window (both at the same width) lines up day for day.
//!
//! Nothing here panics: empty series, a single point, points outside the window, NaN, identical
//! timestamps, an empty or reversed window and very long labels all give a valid chart.

use std::fmt::Write as _;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};

/// One line on a chart: a label (e.g. "Shortness of breath") and its points in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series<'a> {
    /// What the line shows, e.g. "Shortness of breath".
    pub label: &'a str,
    /// The scores with when they were recorded, in time order. Points out of order are sorted
    /// before drawing; points outside the window and values that are not finite are left out.
    pub points: Vec<(Timestamp, f64)>,
}

/// The width of every chart in viewBox units; the SVG scales to its container.
const WIDTH: f64 = 720.0;
/// The left edge of the plot area: room for the y-axis numbers.
const PLOT_LEFT: f64 = 44.0;
/// The right edge of the plot area: room for the last date label.
const PLOT_RIGHT: f64 = 692.0;
/// The top of the line chart's plot area.
const PLOT_TOP: f64 = 14.0;
/// The bottom of the line chart's plot area (the zero line).
const PLOT_BOTTOM: f64 = 196.0;
/// The baseline of the line chart's date labels.
const X_LABEL_Y: f64 = 213.0;
/// The baseline of the first row of the legend.
const LEGEND_TOP: f64 = 238.0;
/// The height of one row of the legend.
const LEGEND_ROW: f64 = 18.0;
/// The least height of the line chart.
const LINE_CHART_HEIGHT: f64 = 260.0;
/// The height of the phase timeline.
const TIMELINE_HEIGHT: f64 = 70.0;
/// The top of the timeline's bands.
const BAND_TOP: f64 = 8.0;
/// The bottom of the timeline's bands.
const BAND_BOTTOM: f64 = 40.0;
/// The baseline of the timeline's date labels.
const TIMELINE_LABEL_Y: f64 = 58.0;
/// A generous estimate of the width of one character at font size 12, for fitting text.
const CHAR_WIDTH: f64 = 6.8;
/// The most characters of a label shown in the legend or beside the threshold line.
const MAX_LABEL_CHARS: usize = 36;
/// The most gridlines drawn on the y axis, whatever step is asked for.
const MAX_GRIDLINES: f64 = 25.0;

/// Text colour.
const TEXT: &str = "#333333";
/// Colour of secondary text: axis numbers, dates, messages.
const MUTED: &str = "#666666";
/// Colour of gridlines.
const GRID: &str = "#e2e2e2";
/// Colour of the axis lines and ticks.
const AXIS: &str = "#9a9a9a";
/// Colour of the threshold line and its label.
const THRESHOLD: &str = "#555555";
/// Background of the timeline where no phase is recorded.
const TRACK: &str = "#f4f4f4";

/// Series colours: the Okabe–Ito palette without its yellow, which is too faint on white.
const PALETTE: [&str; 7] = [
    "#0072B2", // blue
    "#D55E00", // vermilion
    "#009E73", // bluish green
    "#CC79A7", // reddish purple
    "#E69F00", // orange
    "#56B4E9", // sky blue
    "#000000", // black
];

/// Series dash patterns (`stroke-dasharray`); the empty one is a solid line.
const DASHES: [&str; 4] = ["", "6 3", "2 3", "8 3 2 3"];

/// The shape of a series' point markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Marker {
    Circle,
    Square,
    Diamond,
    TriangleUp,
    TriangleDown,
    Ring,
}

/// Series marker shapes, in the order they are given out.
const MARKERS: [Marker; 6] = [
    Marker::Circle,
    Marker::Square,
    Marker::Diamond,
    Marker::TriangleUp,
    Marker::TriangleDown,
    Marker::Ring,
];

/// How the series at `index` is drawn: colour, marker and dash pattern. The three cycle with
/// different lengths (7, 6, 4), so even beyond seven series no two of the first 84 look alike.
fn style(index: usize) -> (&'static str, Marker, &'static str) {
    (
        PALETTE[index % PALETTE.len()],
        MARKERS[index % MARKERS.len()],
        DASHES[index % DASHES.len()],
    )
}

/// A line chart of scores over time. `title` names the chart (used in `<title>` and
/// `aria-labelledby`); `y = (y_max, y_step)`: `y_max` is the top of the scale (e.g. 10.0 for
/// ESAS-r, 4.0 for IPOS, 100.0 for AKPS), y starts at 0, and `y_step` is the gridline interval
/// (e.g. 2.0, 1.0, 20.0); the x axis spans `window = (from, to)` inclusive with date tick labels in
/// `tz` (like "12 Nov"); `threshold` draws an optional dashed horizontal line with a label (e.g.
/// `Some((7.0, "Severe 7+"))`). Returns `"<svg …>…</svg>"`.
///
/// Values are clamped to `0..=y_max` for drawing (tooltips and the description keep the value as
/// recorded); points that are not finite or fall outside the window are left out. A `y_max` that
/// is not a positive number falls back to the largest value shown (or 1), a `y_step` that is not
/// positive or would give too many gridlines to a rounded fifth of the scale. A reversed window is
/// put the right way round, and an empty one (`from == to`) is widened to the day around it.
pub fn line_chart(
    title: &str,
    series: &[Series<'_>],
    y: (f64, f64),
    threshold: Option<(f64, &str)>,
    window: (Timestamp, Timestamp),
    tz: &TimeZone,
) -> String {
    let axis = TimeAxis::new(window);
    let shown: Vec<Vec<(Timestamp, f64)>> = series
        .iter()
        .map(|s| {
            let mut points: Vec<(Timestamp, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|&(t, v)| v.is_finite() && axis.contains(t))
                .collect();
            points.sort_by_key(|&(t, _)| t);
            points
        })
        .collect();
    let scale = YScale::new(y, &shown);
    let legend = legend_layout(series);
    let height = legend
        .last()
        .map_or(LINE_CHART_HEIGHT, |item| {
            LEGEND_TOP + item.row as f64 * LEGEND_ROW + 16.0
        })
        .max(LINE_CHART_HEIGHT);

    let id = chart_id("chart", title);
    let desc = line_description(series, &shown, &scale, threshold, &axis, tz);
    let mut out = open_svg(&id, title, &desc, height);

    // Gridlines and y-axis numbers.
    out.push_str("<g>");
    for (value, y) in scale.gridlines() {
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{MUTED}\">{}</text>",
            c(PLOT_LEFT),
            c(y),
            c(PLOT_RIGHT),
            c(y),
            c(PLOT_LEFT - 6.0),
            c(y + 4.0),
            num(value),
        );
    }
    // Date ticks with faint vertical gridlines.
    for (x, label) in date_ticks(&axis, tz) {
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{AXIS}\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
            c(x),
            c(PLOT_TOP),
            c(x),
            c(PLOT_BOTTOM),
            c(x),
            c(PLOT_BOTTOM),
            c(x),
            c(PLOT_BOTTOM + 4.0),
            c(label_x(x, &label)),
            c(X_LABEL_Y),
            esc(&label),
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{AXIS}\" stroke-width=\"1\"/></g>",
        c(PLOT_LEFT),
        c(PLOT_BOTTOM),
        c(PLOT_RIGHT),
        c(PLOT_BOTTOM),
    );

    // The threshold line, under the series; its label goes over their lines.
    let mut threshold_label = String::new();
    if let Some((value, label)) = threshold.filter(|(v, _)| v.is_finite()) {
        let y = scale.y(value);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{THRESHOLD}\" \
             stroke-width=\"1\" stroke-dasharray=\"5 4\"/>",
            c(PLOT_LEFT),
            c(y),
            c(PLOT_RIGHT),
            c(y),
        );
        let label = truncate(label.trim(), MAX_LABEL_CHARS);
        if !label.is_empty() {
            // Above the line, unless that would leave the plot area; a white halo keeps it
            // legible where a series crosses it.
            let text_y = if y - 4.0 < PLOT_TOP + 10.0 {
                y + 13.0
            } else {
                y - 4.0
            };
            let _ = write!(
                threshold_label,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{THRESHOLD}\" \
                 font-size=\"11\" stroke=\"white\" stroke-width=\"3\" \
                 paint-order=\"stroke\">{}</text>",
                c(PLOT_RIGHT - 4.0),
                c(text_y),
                esc(&label),
            );
        }
    }

    if shown.iter().all(Vec::is_empty) {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">\
             No scores recorded in this period</text>",
            c((PLOT_LEFT + PLOT_RIGHT) / 2.0),
            c((PLOT_TOP + PLOT_BOTTOM) / 2.0 + 4.0),
        );
    }

    // All lines first, then all markers, so that no line hides a marker's tooltip.
    for (index, points) in shown.iter().enumerate() {
        if points.len() < 2 {
            continue;
        }
        let (colour, _, dash) = style(index);
        let coordinates: Vec<String> = points
            .iter()
            .map(|&(t, v)| format!("{},{}", c(axis.x(t)), c(scale.y(v))))
            .collect();
        let _ = write!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" \
             stroke-linejoin=\"round\" stroke-linecap=\"round\"{}/>",
            coordinates.join(" "),
            dash_attribute(dash),
        );
    }
    out.push_str(&threshold_label);
    for (index, (s, points)) in series.iter().zip(&shown).enumerate() {
        if points.is_empty() {
            continue;
        }
        let (colour, shape, _) = style(index);
        out.push_str("<g>");
        for &(t, v) in points {
            let tip = format!("{}: {} on {}", s.label, num(v), day_month_time(t, tz));
            marker(&mut out, shape, colour, axis.x(t), scale.y(v), Some(&tip));
        }
        out.push_str("</g>");
    }

    // The legend.
    if !legend.is_empty() {
        out.push_str("<g>");
        for (index, item) in legend.iter().enumerate() {
            let (colour, shape, dash) = style(index);
            let baseline = LEGEND_TOP + item.row as f64 * LEGEND_ROW;
            let mid = baseline - 4.0;
            out.push_str("<g>");
            if item.truncated {
                let _ = write!(out, "<title>{}</title>", esc(item.full));
            }
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" \
                 stroke-width=\"2\"{}/>",
                c(item.x),
                c(mid),
                c(item.x + LEGEND_SAMPLE),
                c(mid),
                dash_attribute(dash),
            );
            marker(
                &mut out,
                shape,
                colour,
                item.x + LEGEND_SAMPLE / 2.0,
                mid,
                None,
            );
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"{TEXT}\">{}</text></g>",
                c(item.x + LEGEND_SAMPLE + 6.0),
                c(baseline),
                esc(&item.text),
            );
        }
        out.push_str("</g>");
    }

    out.push_str("</svg>");
    out
}

/// A timeline of phases of illness: each band runs from its start to the next one's start (the
/// last to `window.1`), labelled with `label` and coloured by `code` (codes: "stable",
/// "unstable", "deteriorating", "terminal", "bereaved"; any other code is grey); bands before
/// `window.0` are clipped to it. Each episode is `(code, label, start)`. Returns
/// `"<svg …>…</svg>"`.
///
/// Episodes out of order are sorted by start; of two with the same start the later in the slice
/// wins. Episodes that start after the window are left out. A band's label is drawn inside it
/// when it fits (shortened with "…" when only part fits), and every band has a tooltip.
pub fn phase_timeline(
    title: &str,
    episodes: &[(&str, &str, Timestamp)],
    window: (Timestamp, Timestamp),
    tz: &TimeZone,
) -> String {
    let axis = TimeAxis::new(window);
    let mut sorted: Vec<(&str, &str, Timestamp)> = episodes
        .iter()
        .copied()
        .filter(|&(_, _, start)| start <= axis.to)
        .collect();
    sorted.sort_by_key(|&(_, _, start)| start);
    // Of episodes with the same start, keep the last given.
    sorted.reverse();
    sorted.dedup_by_key(|&mut (_, _, start)| start);
    sorted.reverse();

    let id = chart_id("phases", title);
    let desc = phase_description(&sorted, tz);
    let mut out = open_svg(&id, title, &desc, TIMELINE_HEIGHT);

    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{TRACK}\"/>",
        c(PLOT_LEFT),
        c(BAND_TOP),
        c(PLOT_RIGHT - PLOT_LEFT),
        c(BAND_BOTTOM - BAND_TOP),
    );

    let mut drawn = 0;
    for (index, &(code, label, start)) in sorted.iter().enumerate() {
        let next = sorted.get(index + 1).map(|&(_, _, next)| next);
        let end = next.unwrap_or(axis.to).min(axis.to);
        let clipped_start = start.max(axis.from);
        if end <= clipped_start {
            continue;
        }
        drawn += 1;
        let name = phase_name(code, label);
        let (fill, ink) = phase_colours(code);
        let x1 = axis.x(clipped_start);
        let x2 = axis.x(end);
        let mut tip = format!("{name}: from {}", day_month(start, tz));
        if let Some(next) = next {
            let _ = write!(tip, " until {}", day_month(next, tz));
        }
        let _ = write!(
            out,
            "<g><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
             fill=\"{fill}\" stroke=\"white\" stroke-width=\"1\"/>",
            esc(&tip),
            c(x1),
            c(BAND_TOP),
            c(x2 - x1),
            c(BAND_BOTTOM - BAND_TOP),
        );
        let room = ((x2 - x1 - 12.0) / CHAR_WIDTH).floor();
        if room >= 3.0 {
            // `room` is a small whole number here: the band is at most the plot's width.
            let text = truncate(name, room as usize);
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"{ink}\">{}</text>",
                c(x1 + 6.0),
                c((BAND_TOP + BAND_BOTTOM) / 2.0 + 4.0),
                esc(&text),
            );
        }
        out.push_str("</g>");
    }
    if drawn == 0 {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">\
             No phase of illness recorded in this period</text>",
            c((PLOT_LEFT + PLOT_RIGHT) / 2.0),
            c((BAND_TOP + BAND_BOTTOM) / 2.0 + 4.0),
        );
    }

    for (x, label) in date_ticks(&axis, tz) {
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{AXIS}\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
            c(x),
            c(BAND_BOTTOM),
            c(x),
            c(BAND_BOTTOM + 4.0),
            c(label_x(x, &label)),
            c(TIMELINE_LABEL_Y),
            esc(&label),
        );
    }

    out.push_str("</svg>");
    out
}

/// The opening of a chart: the `<svg>` element with its title and description.
fn open_svg(id: &str, title: &str, desc: &str, height: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {} {}\" width=\"100%\" \
         font-family=\"inherit\" font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        c(WIDTH),
        c(height),
        esc(title),
        esc(desc),
    )
}

/// The x axis: a window of time mapped onto the plot's width.
struct TimeAxis {
    /// The window as given (put the right way round), for describing it.
    given: (Timestamp, Timestamp),
    /// The first instant drawn.
    from: Timestamp,
    /// The last instant drawn.
    to: Timestamp,
    /// `from` in milliseconds.
    from_ms: f64,
    /// The length of the window in milliseconds, never zero.
    span_ms: f64,
}

impl TimeAxis {
    fn new(window: (Timestamp, Timestamp)) -> TimeAxis {
        let given = if window.0 <= window.1 {
            window
        } else {
            (window.1, window.0)
        };
        let (mut from, mut to) = given;
        if from == to {
            // Nothing to spread points over: show the day around the instant.
            let half = SignedDuration::from_hours(12);
            from = from.checked_sub(half).unwrap_or(from);
            to = to.checked_add(half).unwrap_or(to);
        }
        let from_ms = from.as_millisecond() as f64;
        let span_ms = (to.as_millisecond() as f64 - from_ms).max(1.0);
        TimeAxis {
            given,
            from,
            to,
            from_ms,
            span_ms,
        }
    }

    fn contains(&self, t: Timestamp) -> bool {
        self.from <= t && t <= self.to
    }

    /// Where `t` falls across the plot, kept inside it.
    fn x(&self, t: Timestamp) -> f64 {
        let fraction = ((t.as_millisecond() as f64 - self.from_ms) / self.span_ms).clamp(0.0, 1.0);
        PLOT_LEFT + fraction * (PLOT_RIGHT - PLOT_LEFT)
    }

    fn span_days(&self) -> f64 {
        self.span_ms / 86_400_000.0
    }
}

/// The y axis: scores from 0 to `max` mapped onto the plot's height.
struct YScale {
    max: f64,
    step: f64,
}

impl YScale {
    fn new((max, step): (f64, f64), shown: &[Vec<(Timestamp, f64)>]) -> YScale {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            shown.iter().flatten().map(|&(_, v)| v).fold(1.0, f64::max)
        };
        let step = if step.is_finite() && step > 0.0 && max / step <= MAX_GRIDLINES {
            step
        } else {
            nice_step(max / 5.0)
        };
        YScale { max, step }
    }

    /// Where `value` falls up the plot, clamped to the scale.
    fn y(&self, value: f64) -> f64 {
        let value = if value.is_nan() { 0.0 } else { value };
        let fraction = (value / self.max).clamp(0.0, 1.0);
        PLOT_BOTTOM - fraction * (PLOT_BOTTOM - PLOT_TOP)
    }

    /// The gridlines as (value, y): 0, step, 2 × step, … up to the top of the scale.
    fn gridlines(&self) -> Vec<(f64, f64)> {
        let count = (self.max / self.step + 1e-9)
            .floor()
            .clamp(0.0, MAX_GRIDLINES);
        // `count` is a whole number from 0 to MAX_GRIDLINES.
        (0..=count as usize)
            .map(|k| {
                let value = k as f64 * self.step;
                (value, self.y(value))
            })
            .collect()
    }
}

/// A round step (1, 2 or 5 times a power of ten) of at least `rough`.
fn nice_step(rough: f64) -> f64 {
    if !rough.is_finite() || rough <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power);
    if step.is_finite() && step > 0.0 {
        step
    } else {
        1.0
    }
}

/// The spacing of the date ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TickStep {
    Days(i64),
    Months(i64),
}

/// A spacing that gives at most about seven ticks across a window of `days`.
fn tick_step(days: f64) -> TickStep {
    const MAX_TICKS: f64 = 7.0;
    for n in [1, 2, 3, 7, 14] {
        if days / n as f64 <= MAX_TICKS {
            return TickStep::Days(n);
        }
    }
    let months = days / 30.44;
    for n in [1, 2, 3, 6] {
        if months / n as f64 <= MAX_TICKS {
            return TickStep::Months(n);
        }
    }
    // Years: a round number of them (1, 2, 5, 10, 20, …).
    let years = nice_step(months / 12.0 / MAX_TICKS).clamp(1.0, 10_000.0);
    TickStep::Months(12 * years as i64)
}

/// The date ticks across the window as (x, label): at local midnight every few days (weeks start
/// on Mondays), or on the first of the month every few months (years start in January).
fn date_ticks(axis: &TimeAxis, tz: &TimeZone) -> Vec<(f64, String)> {
    let step = tick_step(axis.span_days());
    let first_day = axis.from.to_zoned(tz.clone()).date();
    let start = match step {
        TickStep::Days(n) if n >= 7 => {
            let to_monday = (7 - i64::from(first_day.weekday().to_monday_zero_offset())) % 7;
            add_days(first_day, to_monday)
        }
        TickStep::Days(_) => Some(first_day),
        TickStep::Months(n) if n >= 12 => {
            let back = i64::from(first_day.year()).rem_euclid(n / 12);
            add_months(first_day.first_of_year(), -12 * back)
        }
        TickStep::Months(n) => {
            let back = i64::from(first_day.month() - 1) % n;
            add_months(first_day.first_of_month(), -back)
        }
    };
    let mut ticks = Vec::new();
    let Some(mut date) = start else {
        return ticks;
    };
    // Bounded, whatever the dates do: the step gives at most about seven ticks.
    for _ in 0..40 {
        // A midnight beyond the last instant there is gives no tick, but the next may.
        let t = date
            .to_zoned(tz.clone())
            .map(|midnight| midnight.timestamp());
        if t.as_ref().is_ok_and(|&t| t > axis.to) {
            break;
        }
        if let Ok(t) = t
            && t >= axis.from
        {
            let label = match step {
                TickStep::Days(_) => format!("{} {}", date.day(), month_name(date.month())),
                TickStep::Months(n) if n >= 12 => date.year().to_string(),
                TickStep::Months(_) => format!("{} {}", month_name(date.month()), date.year()),
            };
            ticks.push((axis.x(t), label));
        }
        let next = match step {
            TickStep::Days(n) => add_days(date, n),
            TickStep::Months(n) => add_months(date, n),
        };
        match next {
            Some(next) if next > date => date = next,
            _ => break,
        }
    }
    ticks
}

fn add_days(date: Date, days: i64) -> Option<Date> {
    Span::new()
        .try_days(days)
        .and_then(|span| date.checked_add(span))
        .ok()
}

fn add_months(date: Date, months: i64) -> Option<Date> {
    Span::new()
        .try_months(months)
        .and_then(|span| date.checked_add(span))
        .ok()
}

/// Where to centre a date label at tick `x` so that it stays inside the chart.
fn label_x(x: f64, label: &str) -> f64 {
    let half = label.chars().count() as f64 * CHAR_WIDTH / 2.0;
    x.min(WIDTH - half - 2.0).max(half + 2.0)
}

/// The width of a legend entry's sample line.
const LEGEND_SAMPLE: f64 = 24.0;

/// One entry of the legend, placed.
struct LegendItem<'a> {
    x: f64,
    row: usize,
    /// The label as shown, shortened if long.
    text: String,
    /// The label in full, for a tooltip when shortened.
    full: &'a str,
    truncated: bool,
}

/// The legend's entries, left to right, wrapping onto further rows when a row is full.
fn legend_layout<'a>(series: &[Series<'a>]) -> Vec<LegendItem<'a>> {
    let mut items = Vec::with_capacity(series.len());
    let (mut x, mut row) = (PLOT_LEFT, 0);
    for s in series {
        let text = truncate(s.label.trim(), MAX_LABEL_CHARS);
        let width = LEGEND_SAMPLE + 6.0 + text.chars().count() as f64 * CHAR_WIDTH;
        if x > PLOT_LEFT && x + width > WIDTH - 8.0 {
            x = PLOT_LEFT;
            row += 1;
        }
        let truncated = text != s.label.trim();
        items.push(LegendItem {
            x,
            row,
            text,
            full: s.label,
            truncated,
        });
        x += width + 20.0;
    }
    items
}

/// Draws one point marker, with a tooltip if given.
fn marker(out: &mut String, shape: Marker, colour: &str, x: f64, y: f64, tip: Option<&str>) {
    let (open, close) = match shape {
        Marker::Circle => (
            format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{colour}\" stroke=\"white\" \
                 stroke-width=\"1\"",
                c(x),
                c(y)
            ),
            "</circle>",
        ),
        Marker::Ring => (
            format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"white\" stroke=\"{colour}\" \
                 stroke-width=\"2\"",
                c(x),
                c(y)
            ),
            "</circle>",
        ),
        Marker::Square => (
            format!(
                "<rect x=\"{}\" y=\"{}\" width=\"7\" height=\"7\" fill=\"{colour}\" \
                 stroke=\"white\" stroke-width=\"1\"",
                c(x - 3.5),
                c(y - 3.5)
            ),
            "</rect>",
        ),
        Marker::Diamond | Marker::TriangleUp | Marker::TriangleDown => {
            let corners = match shape {
                Marker::Diamond => [(0.0, -5.0), (5.0, 0.0), (0.0, 5.0), (-5.0, 0.0)].as_slice(),
                Marker::TriangleUp => [(0.0, -5.0), (4.5, 3.5), (-4.5, 3.5)].as_slice(),
                _ => [(0.0, 5.0), (4.5, -3.5), (-4.5, -3.5)].as_slice(),
            };
            let path: Vec<String> = corners
                .iter()
                .enumerate()
                .map(|(i, (dx, dy))| {
                    let command = if i == 0 { 'M' } else { 'L' };
                    format!("{command}{} {}", c(x + dx), c(y + dy))
                })
                .collect();
            (
                format!(
                    "<path d=\"{}Z\" fill=\"{colour}\" stroke=\"white\" stroke-width=\"1\"",
                    path.concat()
                ),
                "</path>",
            )
        }
    };
    out.push_str(&open);
    match tip {
        Some(tip) => {
            let _ = write!(out, "><title>{}</title>{close}", esc(tip));
        }
        None => out.push_str("/>"),
    }
}

/// ` stroke-dasharray="…"`, or nothing for a solid line.
fn dash_attribute(dash: &str) -> String {
    if dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{dash}\"")
    }
}

/// The line chart in words: the scale and window, then each series' latest value and the one
/// before.
fn line_description(
    series: &[Series<'_>],
    shown: &[Vec<(Timestamp, f64)>],
    scale: &YScale,
    threshold: Option<(f64, &str)>,
    axis: &TimeAxis,
    tz: &TimeZone,
) -> String {
    let (from, to) = axis.given;
    let period = format!("{} to {}", day_month(from, tz), day_month(to, tz));
    if shown.iter().all(Vec::is_empty) {
        return format!("No scores recorded in this period ({period}).");
    }
    let mut desc = format!("Scores from 0 to {}, {period}. ", num(scale.max));
    let parts: Vec<String> = series
        .iter()
        .zip(shown)
        .map(|(s, points)| match points.as_slice() {
            [] => format!("{}: no scores in this period", s.label),
            [(t, v)] => format!("{}: latest {} on {}", s.label, num(*v), day_month(*t, tz)),
            [.., (t0, v0), (t1, v1)] => format!(
                "{}: latest {} on {}, was {} on {}",
                s.label,
                num(*v1),
                day_month(*t1, tz),
                num(*v0),
                day_month(*t0, tz),
            ),
        })
        .collect();
    desc.push_str(&parts.join("; "));
    desc.push('.');
    if let Some((value, label)) = threshold.filter(|(v, _)| v.is_finite()) {
        let label = label.trim();
        if label.is_empty() {
            let _ = write!(desc, " Dashed line at {}.", num(value));
        } else {
            let _ = write!(desc, " Dashed line at {}: {label}.", num(value));
        }
    }
    desc
}

/// The timeline in words: the current phase and since when, and the one before it.
fn phase_description(sorted: &[(&str, &str, Timestamp)], tz: &TimeZone) -> String {
    match sorted {
        [] => "No phase of illness recorded in this period.".to_string(),
        [(code, label, start)] => format!(
            "Current phase: {}, since {}.",
            phase_name(code, label),
            day_month(*start, tz)
        ),
        [.., (code0, label0, start0), (code1, label1, start1)] => format!(
            "Current phase: {}, since {}; before that {}, since {}.",
            phase_name(code1, label1),
            day_month(*start1, tz),
            phase_name(code0, label0),
            day_month(*start0, tz),
        ),
    }
}

/// An episode's label, or its code when the label is blank.
fn phase_name<'a>(code: &'a str, label: &'a str) -> &'a str {
    let label = label.trim();
    if label.is_empty() { code.trim() } else { label }
}

/// A phase's (fill, text) colours.
fn phase_colours(code: &str) -> (&'static str, &'static str) {
    let code = code.trim();
    if code.eq_ignore_ascii_case("stable") {
        ("#bfe3c8", "#1d4a2a")
    } else if code.eq_ignore_ascii_case("unstable") {
        ("#f5bca6", "#6b230e")
    } else if code.eq_ignore_ascii_case("deteriorating") {
        ("#f6d68e", "#573e00")
    } else if code.eq_ignore_ascii_case("terminal") {
        ("#d6c5e8", "#3b2563")
    } else if code.eq_ignore_ascii_case("bereaved") {
        ("#d3d3d3", "#333333")
    } else {
        ("#e4e4e4", "#333333")
    }
}

/// An id for a chart, unique per title and valid in HTML and XML: the kind, a slug of the title
/// and a hash of the whole title (so titles with the same slug still differ), e.g.
/// `chart-breathlessness-1a2b3c4d`.
fn chart_id(kind: &str, title: &str) -> String {
    let mut slug = String::new();
    for ch in title.chars() {
        if slug.len() >= 32 {
            break;
        }
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let hash = fnv1a(title.as_bytes());
    // Fold the 64-bit hash into 32 bits: eight hex digits.
    let short = (hash ^ (hash >> 32)) & 0xffff_ffff;
    if slug.is_empty() {
        format!("{kind}-{short:08x}")
    } else {
        format!("{kind}-{slug}-{short:08x}")
    }
}

/// The 64-bit FNV-1a hash: small, and the same on every build and platform.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A coordinate rounded to one decimal place, without a trailing ".0".
fn c(v: f64) -> String {
    num(v)
}

/// A number rounded to one decimal place, compactly: "8", "2.5", never "8.000000", "-0" or
/// "NaN".
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let text = format!("{v:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_name(month: i8) -> &'static str {
    usize::try_from(month)
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("")
}

/// A date in `tz` as on the axis: "2 Dec".
fn day_month(t: Timestamp, tz: &TimeZone) -> String {
    let date = t.to_zoned(tz.clone()).date();
    format!("{} {}", date.day(), month_name(date.month()))
}

/// A date and time in `tz`: "2 Dec 14:30".
fn day_month_time(t: Timestamp, tz: &TimeZone) -> String {
    let zoned = t.to_zoned(tz.clone());
    format!(
        "{} {} {:02}:{:02}",
        zoned.day(),
        month_name(zoned.month()),
        zoned.hour(),
        zoned.minute()
    )
}

/// `s` cut to at most `max` characters, ending in "…" when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// `s` escaped for XML text and attribute values. Control characters, which XML does not allow,
/// become spaces.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{fffe}' | '\u{ffff}' => out.push(' '),
            ch if ch.is_control() => out.push(' '),
            ch => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::{TimeZone, offset};

    fn utc() -> TimeZone {
        TimeZone::UTC
    }

    /// 2025-11-`day` at `hour`:00 UTC (days past 30 run on into December).
    fn nov(day: i64, hour: i64) -> Timestamp {
        let start: Timestamp = "2025-11-01T00:00:00Z".parse().unwrap();
        start
            .checked_add(SignedDuration::from_hours((day - 1) * 24 + hour))
            .unwrap()
    }

    fn window() -> (Timestamp, Timestamp) {
        (nov(12, 0), nov(32, 23)) // 12 Nov to 2 Dec
    }

    fn esas<'a>(label: &'a str, points: &[(Timestamp, f64)]) -> Series<'a> {
        Series {
            label,
            points: points.to_vec(),
        }
    }

    fn chart(series: &[Series<'_>]) -> String {
        line_chart(
            "Symptoms",
            series,
            (10.0, 2.0),
            Some((7.0, "Severe 7+")),
            window(),
            &utc(),
        )
    }

    /// A tiny XML checker: tags balance and nest, attribute values are quoted, every `&` starts
    /// a known entity, and there is one root element.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg "), "starts with <svg: {svg}");
        assert!(svg.ends_with("</svg>"), "ends with </svg>: {svg}");
        assert!(!svg.contains("NaN"), "no NaN: {svg}");
        assert!(!svg.contains("inf\""), "no infinity: {svg}");
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        let mut roots = 0;
        while let Some(open) = rest.find('<') {
            check_text(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('>').expect("every < has a >");
            let tag = &after[..close];
            assert!(!tag.contains('<'), "no < inside a tag: {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "quotes balance: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                let top = stack.pop().expect("a close tag has an open one");
                assert_eq!(top, name, "tags nest");
            } else {
                let name: String = tag
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                assert!(!name.is_empty(), "an element has a name: {tag}");
                if stack.is_empty() {
                    roots += 1;
                }
                check_attributes(tag);
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
            rest = &after[close + 1..];
        }
        check_text(rest);
        assert!(rest.is_empty(), "nothing after the root");
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert_eq!(roots, 1, "one root element");
    }

    fn check_text(text: &str) {
        assert!(!text.contains('>'), "no raw > in text: {text}");
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "a known entity: {entity}"
            );
        }
    }

    fn check_attributes(tag: &str) {
        // Every attribute is name="value", with no raw & in the value.
        let mut parts = tag.split('"');
        let _ = parts.next();
        for (i, part) in parts.enumerate() {
            if i % 2 == 0 {
                check_text(part);
            }
        }
        let mut names = std::collections::HashSet::new();
        for part in tag.split('"').step_by(2) {
            if let Some(name) = part.split_whitespace().last()
                && let Some(name) = name.strip_suffix('=')
            {
                assert!(
                    names.insert(name.to_string()),
                    "no repeated attribute {name}"
                );
            }
        }
    }

    /// The values of every `name="…"` attribute, as written.
    fn attr_texts<'s>(svg: &'s str, name: &str) -> Vec<&'s str> {
        let needle = format!(" {name}=\"");
        svg.match_indices(&needle)
            .map(|(i, _)| {
                let value = &svg[i + needle.len()..];
                &value[..value.find('"').unwrap()]
            })
            .collect()
    }

    /// The numeric values of every `name="…"` attribute (others, like `width="100%"`, are
    /// left out).
    fn attr_values(svg: &str, name: &str) -> Vec<f64> {
        attr_texts(svg, name)
            .into_iter()
            .filter_map(|v| v.parse().ok())
            .collect()
    }

    /// The text of every element `<name …>` with a text child.
    fn texts(svg: &str, name: &str) -> Vec<String> {
        let open = format!("<{name}");
        let close = format!("</{name}>");
        svg.match_indices(&open)
            .filter_map(|(i, _)| {
                let rest = &svg[i..];
                let start = rest.find('>')? + 1;
                let end = rest.find(&close)?;
                (start <= end).then(|| rest[start..end].to_string())
            })
            .collect()
    }

    fn id_of(svg: &str) -> String {
        let start = svg.find("<title id=\"").unwrap() + "<title id=\"".len();
        let end = svg[start..].find('"').unwrap();
        svg[start..start + end]
            .strip_suffix("-title")
            .unwrap()
            .to_string()
    }

    fn desc_of(svg: &str) -> String {
        texts(svg, "desc").remove(0)
    }

    #[test]
    fn a_chart_is_one_svg_element_with_title_desc_and_aria() {
        let breath = esas(
            "Shortness of breath",
            &[(nov(25, 9), 4.0), (nov(32, 14), 8.0)],
        );
        let svg = chart(&[breath]);
        assert_well_formed(&svg);
        let id = id_of(&svg);
        assert!(svg.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("width=\"100%\""));
        assert!(svg.contains("viewBox=\"0 0 720 260\""));
        assert!(svg.contains("font-family=\"inherit\""));
        assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")));
        assert!(svg.contains(&format!("<title id=\"{id}-title\">Symptoms</title>")));
        assert!(!svg.contains("style="), "no inline styles under the CSP");
    }

    #[test]
    fn the_description_gives_each_series_latest_and_previous_values() {
        let breath = esas(
            "Shortness of breath",
            &[(nov(20, 9), 6.0), (nov(25, 9), 4.0), (nov(32, 14), 8.0)],
        );
        let pain = esas("Pain", &[(nov(30, 10), 3.0)]);
        let nausea = esas("Nausea", &[]);
        let svg = chart(&[breath, pain, nausea]);
        assert_well_formed(&svg);
        let desc = desc_of(&svg);
        assert!(
            desc.contains("Shortness of breath: latest 8 on 2 Dec, was 4 on 25 Nov; "),
            "{desc}"
        );
        assert!(desc.contains("Pain: latest 3 on 30 Nov; "), "{desc}");
        assert!(desc.contains("Nausea: no scores in this period."), "{desc}");
        assert!(desc.contains("0 to 10, 12 Nov to 2 Dec"), "{desc}");
        assert!(desc.contains("Dashed line at 7: Severe 7+."), "{desc}");
        assert!(!desc.contains("6 on"), "only the latest two: {desc}");
    }

    #[test]
    fn the_description_and_ticks_are_in_the_given_time_zone() {
        // 23:30 UTC on 1 Dec is 00:30 on 2 Dec an hour east.
        let late = nov(31, 23)
            .checked_add(SignedDuration::from_mins(30))
            .unwrap();
        let series = [esas("Pain", &[(late, 5.0)])];
        let east = TimeZone::fixed(offset(1));
        let svg = line_chart("Pain", &series, (10.0, 2.0), None, window(), &east);
        assert!(desc_of(&svg).contains("latest 5 on 2 Dec"), "{svg}");
        assert!(
            svg.contains("<title>Pain: 5 on 2 Dec 00:30</title>"),
            "{svg}"
        );
        let utc_svg = line_chart("Pain", &series, (10.0, 2.0), None, window(), &utc());
        assert!(utc_svg.contains("<title>Pain: 5 on 1 Dec 23:30</title>"));
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let nasty = "<script>alert(\"x\")</script> & 'y'";
        let series = [esas(nasty, &[(nov(20, 9), 6.0), (nov(25, 9), 4.0)])];
        let svg = line_chart(
            nasty,
            &series,
            (10.0, 2.0),
            Some((7.0, nasty)),
            window(),
            &utc(),
        );
        assert_well_formed(&svg);
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("& "));
        assert!(!svg.contains("'y'"));
        assert!(
            svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        );

        let episodes = [(nasty, nasty, nov(14, 0)), ("<b>", "", nov(20, 0))];
        let timeline = phase_timeline(nasty, &episodes, window(), &utc());
        assert_well_formed(&timeline);
        assert!(!timeline.contains("<script"));
        assert!(!timeline.contains("<b>"));
        assert!(timeline.contains("&lt;b&gt;"));
    }

    #[test]
    fn control_characters_do_not_break_the_xml() {
        let label = "Pain\u{0}\u{7}\nnow";
        let series = [esas(label, &[(nov(20, 9), 6.0)])];
        let svg = line_chart(label, &series, (10.0, 2.0), None, window(), &utc());
        assert_well_formed(&svg);
        assert!(!svg.contains('\u{0}'));
        assert!(!svg.contains('\u{7}'));
    }

    #[test]
    fn with_no_scores_the_chart_keeps_its_axes_and_says_so() {
        for series in [Vec::<Series<'_>>::new(), vec![esas("Pain", &[])]] {
            let svg = chart(&series);
            assert_well_formed(&svg);
            assert!(svg.contains(">No scores recorded in this period</text>"));
            assert!(desc_of(&svg).starts_with("No scores recorded in this period"));
            // Gridlines 0, 2, 4, 6, 8, 10 with their numbers, and date ticks.
            let numbers = texts(&svg, "text");
            for n in ["0", "2", "4", "6", "8", "10"] {
                assert!(numbers.iter().any(|t| t == n), "{n} in {numbers:?}");
            }
            assert!(numbers.iter().any(|t| t == "12 Nov"), "{numbers:?}");
            assert!(!svg.contains("<polyline"));
        }
    }

    #[test]
    fn one_point_gives_one_marker_and_no_line() {
        let svg = chart(&[esas("Pain", &[(nov(20, 14), 3.0)])]);
        assert_well_formed(&svg);
        assert!(!svg.contains("<polyline"));
        assert!(!svg.contains("No scores recorded"));
        let tips: Vec<String> = texts(&svg, "title")
            .into_iter()
            .filter(|t| t.starts_with("Pain:"))
            .collect();
        assert_eq!(tips, ["Pain: 3 on 20 Nov 14:00"]);
        // The legend's marker has no tooltip, the point's has.
        assert_eq!(svg.matches("<circle").count(), 2);
    }

    #[test]
    fn values_are_clamped_into_the_plot_area() {
        let series = [esas(
            "Pain",
            &[
                (nov(13, 0), 15.0),
                (nov(14, 0), -3.0),
                (nov(15, 0), f64::INFINITY),
            ],
        )];
        let svg = chart(&series);
        assert_well_formed(&svg);
        let ys = attr_values(&svg, "cy");
        // Two point markers (infinity is skipped) and the legend's marker.
        assert_eq!(ys.len(), 3, "{svg}");
        assert_eq!(ys[0], PLOT_TOP);
        assert_eq!(ys[1], PLOT_BOTTOM);
        let points = svg.split("points=\"").nth(1).unwrap();
        let points = &points[..points.find('"').unwrap()];
        for pair in points.split(' ') {
            let (x, y) = pair.split_once(',').unwrap();
            let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
            assert!((PLOT_LEFT..=PLOT_RIGHT).contains(&x), "{x}");
            assert!((PLOT_TOP..=PLOT_BOTTOM).contains(&y), "{y}");
        }
        // The tooltip keeps the value as recorded.
        assert!(svg.contains("<title>Pain: 15 on 13 Nov 00:00</title>"));
    }

    #[test]
    fn nan_and_points_outside_the_window_are_left_out() {
        let series = [esas(
            "Pain",
            &[
                (nov(1, 0), 5.0),
                (nov(20, 0), f64::NAN),
                (nov(22, 0), 4.0),
                (nov(40, 0), 6.0),
            ],
        )];
        let svg = chart(&series);
        assert_well_formed(&svg);
        let tips: Vec<String> = texts(&svg, "title")
            .into_iter()
            .filter(|t| t.starts_with("Pain:"))
            .collect();
        assert_eq!(tips, ["Pain: 4 on 22 Nov 00:00"]);
        assert!(desc_of(&svg).contains("Pain: latest 4 on 22 Nov."));

        let only_nan = [esas("Pain", &[(nov(20, 0), f64::NAN)])];
        let svg = chart(&only_nan);
        assert_well_formed(&svg);
        assert!(svg.contains("No scores recorded in this period"));
    }

    #[test]
    fn points_are_drawn_in_time_order_and_identical_times_are_fine() {
        let series = [esas(
            "Pain",
            &[
                (nov(25, 0), 2.0),
                (nov(20, 0), 6.0),
                (nov(20, 0), 7.0),
                (nov(30, 0), 4.0),
            ],
        )];
        let svg = chart(&series);
        assert_well_formed(&svg);
        let points = svg.split("points=\"").nth(1).unwrap();
        let points = &points[..points.find('"').unwrap()];
        let xs: Vec<f64> = points
            .split(' ')
            .map(|p| p.split_once(',').unwrap().0.parse().unwrap())
            .collect();
        assert_eq!(xs.len(), 4);
        assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{xs:?}");
        assert!(desc_of(&svg).contains("latest 4 on 30 Nov, was 2 on 25 Nov"));
    }

    #[test]
    fn coordinates_are_compact_and_inside_the_view_box() {
        let series = [
            esas("Pain", &[(nov(12, 0), 3.333_333), (nov(32, 23), 9.75)]),
            esas("Breath", &[(nov(13, 7), 2.5), (nov(19, 3), 7.0)]),
        ];
        let svg = chart(&series);
        assert_well_formed(&svg);
        assert!(svg.contains("Pain: 3.3 on 12 Nov 00:00"));
        assert!(svg.contains("Pain: 9.8 on 2 Dec 23:00"));
        for name in ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "height"] {
            for text in attr_texts(&svg, name) {
                let v: f64 = text.parse().unwrap();
                assert!((0.0..=720.0).contains(&v), "{name}={v}");
                let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
                assert!(decimals <= 1, "{name}={text}");
                assert!(!text.ends_with(".0"), "{name}={text}");
            }
        }
        for pair in attr_texts(&svg, "points")[0].split([' ', ',']) {
            let decimals = pair.split_once('.').map_or(0, |(_, d)| d.len());
            assert!(decimals <= 1, "{pair}");
        }
    }

    #[test]
    fn numbers_are_formatted_compactly() {
        assert_eq!(num(8.0), "8");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(2.25), "2.2");
        assert_eq!(num(7.96), "8");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(100.0), "100");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(f64::NEG_INFINITY), "0");
    }

    #[test]
    fn ids_are_valid_and_differ_between_titles() {
        let titles = [
            "Symptoms",
            "symptoms",
            "Symptoms!",
            "Phase of illness",
            "",
            "Été",
            "Ete",
            "<>&",
            "A very long title that goes on and on well past the length of any slug at all",
            "A very long title that goes on and on well past the length of any slug at all!",
        ];
        let mut seen = std::collections::HashSet::new();
        for title in titles {
            let svg = line_chart(title, &[], (10.0, 2.0), None, window(), &utc());
            let id = id_of(&svg);
            assert!(id.starts_with("chart-"), "{id}");
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id}"
            );
            assert!(id.len() <= 6 + 32 + 1 + 8, "{id}");
            assert!(seen.insert(id.clone()), "{id} is unique");
            // The same title always gives the same id.
            let again = line_chart(title, &[], (10.0, 2.0), None, window(), &utc());
            assert_eq!(id_of(&again), id);
        }
        assert!(id_of(&chart(&[])).starts_with("chart-symptoms-"));
        // A timeline with the same title as a chart does not share its ids.
        let timeline = phase_timeline("Symptoms", &[], window(), &utc());
        assert!(id_of(&timeline).starts_with("phases-symptoms-"));
    }

    #[test]
    fn series_differ_in_colour_marker_and_dash() {
        let labels: Vec<String> = (1..=12).map(|i| format!("Item {i}")).collect();
        let series: Vec<Series<'_>> = labels
            .iter()
            .map(|l| esas(l, &[(nov(14, 0), 2.0), (nov(20, 0), 5.0)]))
            .collect();
        let svg = chart(&series);
        assert_well_formed(&svg);
        let styles: std::collections::HashSet<_> = (0..10).map(style).collect();
        assert_eq!(styles.len(), 10);
        for i in 0..7 {
            assert_ne!(style(i).0, style(i + 1).0);
        }
        // Every series has a legend entry, wrapped onto more rows and a taller view box.
        for label in &labels {
            assert!(svg.contains(&format!(">{label}</text>")), "{label}");
        }
        assert!(svg.contains("stroke-dasharray=\"6 3\""));
        assert!(svg.contains("<path d=\"M"));
        assert!(svg.contains("<rect "));
        let view_box = svg.split("viewBox=\"0 0 720 ").nth(1).unwrap();
        let height: f64 = view_box[..view_box.find('"').unwrap()].parse().unwrap();
        assert!(height > LINE_CHART_HEIGHT);
        for y in attr_values(&svg, "y") {
            assert!(y <= height, "{y} inside {height}");
        }
    }

    #[test]
    fn long_labels_are_shortened_but_kept_in_tooltips() {
        let long = "Very long label ".repeat(10) + "é";
        let accented = "é".repeat(200);
        let series = [
            esas(&long, &[(nov(14, 0), 2.0)]),
            esas(&accented, &[(nov(15, 0), 3.0)]),
        ];
        let svg = line_chart(
            &long,
            &series,
            (10.0, 2.0),
            Some((7.0, &accented)),
            window(),
            &utc(),
        );
        assert_well_formed(&svg);
        let shown: Vec<String> = texts(&svg, "text")
            .into_iter()
            .filter(|t| t.ends_with('…'))
            .collect();
        assert_eq!(shown.len(), 3, "{shown:?}"); // two legend entries, the threshold label
        assert!(shown.iter().all(|t| t.chars().count() <= MAX_LABEL_CHARS));
        assert!(svg.contains(&format!("<title>{}</title>", long)));
        for x in attr_values(&svg, "x") {
            assert!((0.0..=720.0).contains(&x));
        }

        let episodes = [
            ("stable", long.as_str(), nov(12, 0)),
            ("terminal", &accented, nov(31, 0)),
        ];
        let timeline = phase_timeline(&long, &episodes, window(), &utc());
        assert_well_formed(&timeline);
        for text in texts(&timeline, "text") {
            assert!(text.chars().count() < 100, "{text}");
        }
    }

    #[test]
    fn an_empty_or_reversed_window_does_not_break() {
        let at = nov(20, 12);
        let series = [esas("Pain", &[(at, 5.0), (at, 6.0), (nov(25, 0), 1.0)])];
        let episodes = [("stable", "Stable", nov(10, 0))];
        for window in [
            (at, at),
            (nov(30, 0), nov(12, 0)),
            (Timestamp::MIN, Timestamp::MAX),
        ] {
            let svg = line_chart("Pain", &series, (10.0, 2.0), None, window, &utc());
            assert_well_formed(&svg);
            let timeline = phase_timeline("Phase", &episodes, window, &utc());
            assert_well_formed(&timeline);
            assert!(desc_of(&timeline).contains("Stable, since 10 Nov"));
        }
        let svg = line_chart("Pain", &series, (10.0, 2.0), None, (at, at), &utc());
        assert!(svg.contains("Pain: 6 on 20 Nov 12:00"), "{svg}");
        assert!(desc_of(&svg).contains("20 Nov to 20 Nov"));
    }

    #[test]
    fn a_strange_scale_does_not_break() {
        let series = [esas("Pain", &[(nov(14, 0), 2.0), (nov(20, 0), 50.0)])];
        for y in [
            (0.0, 1.0),
            (-5.0, 1.0),
            (f64::NAN, f64::NAN),
            (10.0, 0.0),
            (10.0, -1.0),
            (10.0, 0.0001),
            (f64::INFINITY, 1.0),
            (1e300, 1e-300),
        ] {
            let svg = line_chart("Pain", &series, y, Some((f64::NAN, "x")), window(), &utc());
            assert_well_formed(&svg);
            assert!(svg.matches("<line").count() < 60, "{y:?}");
        }
        // Without a scale, the largest value is the top.
        let svg = line_chart("Pain", &series, (0.0, 0.0), None, window(), &utc());
        assert!(texts(&svg, "text").iter().any(|t| t == "50"));
    }

    #[test]
    fn the_threshold_is_a_dashed_line_with_its_label() {
        let svg = chart(&[esas("Pain", &[(nov(14, 0), 2.0)])]);
        assert!(svg.contains("stroke-dasharray=\"5 4\""));
        assert!(svg.contains(">Severe 7+</text>"));
        // Near the top of the scale, the label goes under the line to stay inside the plot.
        let top = line_chart(
            "Pain",
            &[],
            (10.0, 2.0),
            Some((12.0, "Top")),
            window(),
            &utc(),
        );
        assert_well_formed(&top);
        let label = top.split(">Top</text>").next().unwrap();
        let y: f64 = label
            .rsplit(" y=\"")
            .next()
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(y > PLOT_TOP && y < PLOT_BOTTOM, "{y}");
    }

    #[test]
    fn date_ticks_suit_windows_of_days_to_years() {
        let start = nov(12, 0);
        for days in [1, 3, 7, 14, 21, 31, 60, 92, 183, 365, 730, 3650, 36500] {
            let end = start
                .checked_add(SignedDuration::from_hours(24 * days))
                .unwrap();
            let axis = TimeAxis::new((start, end));
            let ticks = date_ticks(&axis, &utc());
            assert!((1..=8).contains(&ticks.len()), "{days} days: {ticks:?}");
            if days >= 7 {
                assert!(ticks.len() >= 3, "{days} days: {ticks:?}");
            }
            assert!(ticks.windows(2).all(|w| w[0].0 < w[1].0), "{ticks:?}");
        }
        let axis = TimeAxis::new(window());
        let labels: Vec<String> = date_ticks(&axis, &utc()).into_iter().map(|t| t.1).collect();
        assert_eq!(
            labels,
            [
                "12 Nov", "15 Nov", "18 Nov", "21 Nov", "24 Nov", "27 Nov", "30 Nov"
            ]
        );
        let month = TimeAxis::new((nov(12, 0), nov(42, 0)));
        let labels: Vec<String> = date_ticks(&month, &utc())
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(
            labels,
            ["17 Nov", "24 Nov", "1 Dec", "8 Dec"],
            "weeks start on Mondays"
        );
        let decade = TimeAxis::new((nov(1, 0), nov(3653, 0)));
        let labels: Vec<String> = date_ticks(&decade, &utc())
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(labels, ["2026", "2028", "2030", "2032", "2034"]);
        let year = TimeAxis::new((nov(1, 0), nov(366, 0)));
        let labels: Vec<String> = date_ticks(&year, &utc()).into_iter().map(|t| t.1).collect();
        assert_eq!(labels[0], "Nov 2025");
        assert_eq!(labels[1], "Jan 2026");
    }

    #[test]
    fn the_timeline_clips_bands_and_names_the_current_phase() {
        let episodes = [
            ("stable", "Stable", nov(1, 0)),
            ("unstable", "Unstable", nov(20, 0)),
            ("deteriorating", "Deteriorating", nov(28, 0)),
            ("terminal", "Terminal", nov(40, 0)), // after the window
        ];
        let svg = phase_timeline("Phase of illness", &episodes, window(), &utc());
        assert_well_formed(&svg);
        assert!(svg.contains("viewBox=\"0 0 720 70\""));
        let desc = desc_of(&svg);
        assert_eq!(
            desc,
            "Current phase: Deteriorating, since 28 Nov; before that Unstable, since 20 Nov."
        );
        assert!(!svg.contains("Terminal"));
        // The track, then three bands: the first clipped to the window's start, the last
        // running to its end.
        let xs = attr_values(&svg, "x");
        let widths = attr_values(&svg, "width");
        assert_eq!(xs[0], PLOT_LEFT);
        assert_eq!(xs[1], PLOT_LEFT);
        assert_eq!(widths.len(), 4);
        let bands: Vec<(f64, f64)> = svg
            .split("<rect ")
            .skip(2)
            .map(|r| {
                let r = format!(" {r}");
                (attr_values(&r, "x")[0], attr_values(&r, "width")[0])
            })
            .collect();
        assert_eq!(bands.len(), 3);
        assert_eq!(bands[0].0, PLOT_LEFT);
        assert!(
            (bands[2].0 + bands[2].1 - PLOT_RIGHT).abs() < 0.2,
            "{bands:?}"
        );
        for w in bands.windows(2) {
            assert!(
                (w[0].0 + w[0].1 - w[1].0).abs() < 0.2,
                "bands meet: {bands:?}"
            );
        }
        for (code, fill) in [
            ("stable", "#bfe3c8"),
            ("unstable", "#f5bca6"),
            ("deteriorating", "#f6d68e"),
        ] {
            assert!(svg.contains(fill), "{code}");
        }
        assert!(svg.contains("<title>Stable: from 1 Nov until 20 Nov</title>"));
        assert!(svg.contains(">Stable</text>"));
        assert!(svg.contains(">Deteriorating</text>"));
    }

    #[test]
    fn the_timeline_without_episodes_says_so() {
        for episodes in [vec![], vec![("stable", "Stable", nov(40, 0))]] {
            let svg = phase_timeline("Phase", &episodes, window(), &utc());
            assert_well_formed(&svg);
            assert!(svg.contains(">No phase of illness recorded in this period</text>"));
            assert_eq!(
                desc_of(&svg),
                "No phase of illness recorded in this period."
            );
        }
    }

    #[test]
    fn the_timeline_handles_odd_episodes() {
        let episodes = [
            ("terminal", "Terminal", nov(31, 0)),
            ("STABLE", "", nov(12, 0)),
            ("mystery", "Unknown", nov(20, 0)),
            ("unstable", "Unstable", nov(20, 0)), // same start: the later wins
            ("bereaved", "Bereaved", nov(32, 22)), // too narrow for its label
        ];
        let svg = phase_timeline("Phase", &episodes, window(), &utc());
        assert_well_formed(&svg);
        assert!(
            desc_of(&svg).starts_with("Current phase: Bereaved, since 2 Dec; before that Terminal")
        );
        assert!(
            svg.contains(">STABLE</text>"),
            "a blank label falls back to the code"
        );
        assert!(svg.contains("#bfe3c8"), "codes match whatever their case");
        assert!(
            !svg.contains(">Unknown</text>"),
            "a zero-width band is not drawn"
        );
        assert!(svg.contains("<title>Bereaved: from 2 Dec</title>"));
        assert!(
            !svg.contains(">Bereaved</text>"),
            "too narrow for its label"
        );
        assert_eq!(
            phase_colours("mystery").0,
            "#e4e4e4",
            "unknown codes are grey"
        );
    }

    #[test]
    fn the_checker_catches_broken_markup() {
        for broken in [
            "<svg v=\"1\"><g></svg>",
            "<svg v=\"1\"><g></text></g></svg>",
            "<svg v=\"1\"><text>a & b</text></svg>",
            "<svg v=\"1\"><text>a > b</text></svg>",
            "<svg v=\"1><text>a</text></svg>",
            "<svg v=\"1\" v=\"2\"></svg>",
            "<svg v=\"1\"></svg><svg v=\"1\"></svg>",
            "<svg v=\"1\"><line/>",
            "<svg v=\"NaN\"></svg>",
        ] {
            let caught = std::panic::catch_unwind(|| assert_well_formed(broken));
            assert!(caught.is_err(), "{broken}");
        }
        assert_well_formed("<svg a=\"1\"><g><line/><text>a &amp; b</text></g></svg>");
    }
}
