//! Charts for the HTML views (the report's page and `db report --format html`): horizontal bar
//! charts and line charts written as inline SVG, each in a captioned figure, so a page needs no
//! plotting library and loads nothing. Every label is escaped; sizes come from the data alone,
//! so the same data always draws the same chart.

use std::fmt::Write as _;

use super::markup::escape;
use super::text::truncate;

/// One bar: its label, its count and its fill colour (a CSS colour).
pub struct Bar {
    /// What the bar counts.
    pub label: String,
    /// How many.
    pub count: usize,
    /// Fill colour.
    pub color: &'static str,
}

const WIDTH: usize = 420;
const LABEL: usize = 150;
const ROW: usize = 24;
const COUNT: usize = 56;

/// A titled horizontal bar chart; bars are drawn in the order given. An empty chart says so.
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let height = ROW * bars.len().max(1) + 8;
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    if bars.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="0" y="18" class="empty">nothing to chart</text>"#
        );
    }
    let span = WIDTH - LABEL - COUNT;
    for (i, bar) in bars.iter().enumerate() {
        let y = i * ROW + 4;
        let length = if bar.count == 0 {
            0
        } else {
            (bar.count * span / max).max(2)
        };
        let label = truncate(&bar.label, 22);
        let _ = write!(
            svg,
            r#"<g><title>{full}: {count}</title><text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{LABEL}" y="{y}" width="{length}" height="{h}" rx="2" fill="{color}"/><text x="{cx}" y="{ty}" class="count">{count}</text></g>"#,
            full = escape(&bar.label),
            count = bar.count,
            lx = LABEL - 6,
            ty = y + 13,
            label = escape(&label),
            h = ROW - 6,
            color = bar.color,
            cx = LABEL + length + 4,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A chart in a figure with its caption, as the pages lay charts out (in `.charts`).
pub fn figure(caption: &str, chart: &str) -> String {
    format!(
        "<figure><figcaption>{}</figcaption>{chart}</figure>",
        escape(caption)
    )
}

/// One line of a line chart: its name, its colour (a CSS colour) and a value per point; a
/// point without one (not measured there) breaks the line.
pub struct Line {
    /// What the line counts.
    pub name: String,
    /// Stroke colour.
    pub color: &'static str,
    /// One value per point, oldest first.
    pub values: Vec<Option<u64>>,
}

const LINE_WIDTH: f64 = 560.0;
const PLOT_HEIGHT: f64 = 220.0;
/// Points drawn as dots (with their value as a tooltip) up to this many.
const MAX_DOTS: usize = 120;

/// A titled line chart over evenly spaced points, oldest on the left: ticks at zero, half and
/// the largest value, `ends` under the first and last point, a dot per value whose tooltip
/// names its line, its value and `points[i]`, and a legend naming each line.
pub fn line_chart(title: &str, points: &[String], ends: (&str, &str), lines: &[Line]) -> String {
    let (w, h) = (LINE_WIDTH, PLOT_HEIGHT);
    let (left, right, top, bottom) = (44.0, 12.0, 10.0, 34.0);
    let legend_rows = legend_layout(lines).last().map_or(0, |&(row, _)| row + 1);
    let height = h + 20.0 * legend_rows as f64;
    let max = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let n = points.len();
    let x = |i: usize| {
        if n <= 1 {
            left + (w - left - right) / 2.0
        } else {
            left + (w - left - right) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| top + (h - top - bottom) * (1.0 - v as f64 / max as f64);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" viewBox="0 0 {w} {height}" width="{w}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    for tick in [0, max / 2, max] {
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{x2}" y1="{ty:.1}" y2="{ty:.1}" stroke="#e3e7ee"/><text x="{tx}" y="{ly:.1}" text-anchor="end" class="count">{tick}</text>"##,
            x2 = w - right,
            ty = y(tick),
            tx = left - 6.0,
            ly = y(tick) + 4.0,
        );
    }
    if n > 0 {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{ay}" class="count">{}</text><text x="{ex}" y="{ay}" text-anchor="end" class="count">{}</text>"#,
            escape(ends.0),
            escape(ends.1),
            ay = h - 10.0,
            ex = w - right,
        );
    }
    for line in lines {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in line.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1}",
                        if pen_down { " L" } else { " M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg,
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
                path.trim_start(),
                line.color
            );
        }
        if n <= MAX_DOTS {
            for (i, v) in line.values.iter().enumerate() {
                if let Some(v) = v {
                    let _ = write!(
                        svg,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"><title>{}: {v} ({})</title></circle>"#,
                        x(i),
                        y(*v),
                        line.color,
                        escape(&line.name),
                        escape(points.get(i).map_or("", String::as_str))
                    );
                }
            }
        }
    }
    for (line, (row, at)) in lines.iter().zip(legend_layout(lines)) {
        let ly = h + 8.0 + 20.0 * row as f64;
        let _ = write!(
            svg,
            r#"<g class="legend"><rect x="{at}" y="{ry}" width="10" height="10" rx="2" fill="{}"/><text x="{tx}" y="{ty}">{}</text></g>"#,
            line.color,
            escape(&line.name),
            ry = ly - 9.0,
            tx = at + 14.0,
            ty = ly,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Where each legend entry goes: (row, x), filling rows left to right. Widths are estimated
/// from the name's length, so the layout depends on the data alone.
fn legend_layout(lines: &[Line]) -> Vec<(usize, f64)> {
    let (start, room) = (44.0, LINE_WIDTH - 12.0);
    let mut placed = Vec::new();
    let (mut row, mut at) = (0, start);
    for line in lines {
        let width = 14.0 + 7.0 * line.name.chars().count() as f64 + 16.0;
        if at > start && at + width > room {
            row += 1;
            at = start;
        }
        placed.push((row, at));
        at += width;
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_labels_are_escaped() {
        let svg = bar_chart(
            "by <provider>",
            &[
                Bar {
                    label: "A&B".into(),
                    count: 10,
                    color: "#123",
                },
                Bar {
                    label: "C".into(),
                    count: 5,
                    color: "#456",
                },
            ],
        );
        assert!(svg.contains("by &lt;provider&gt;"));
        assert!(svg.contains("A&amp;B"));
        assert!(!svg.contains("<provider>"));
        let span = WIDTH - LABEL - COUNT;
        assert!(svg.contains(&format!(r#"width="{span}""#)));
        assert!(svg.contains(&format!(r#"width="{}""#, span / 2)));
    }

    #[test]
    fn lines_break_where_a_point_has_no_value_and_every_name_is_escaped() {
        let points: Vec<String> = ["2026-01-01", "2026-02-01", "2026-03-01"]
            .map(String::from)
            .to_vec();
        let svg = line_chart(
            "per <run>",
            &points,
            ("jan", "mar"),
            &[
                Line {
                    name: "keys & more".into(),
                    color: "#123",
                    values: vec![Some(4), Some(2), Some(4)],
                },
                Line {
                    name: "stale".into(),
                    color: "#456",
                    values: vec![Some(1), None, Some(1)],
                },
            ],
        );
        assert!(svg.contains("per &lt;run&gt;") && !svg.contains("<run>"));
        // One unbroken path, and one broken into two moves.
        assert!(
            svg.contains(r#"d="M44.0,10.0 L296.0,98.0 L548.0,10.0""#),
            "{svg}"
        );
        assert_eq!(svg.matches(" M").count() + svg.matches("\"M").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(svg.contains("<title>keys &amp; more: 2 (2026-02-01)</title>"));
        assert!(svg.contains(">jan</text>") && svg.contains(">mar</text>"));
        assert_eq!(svg.matches(r#"<g class="legend">"#).count(), 2);
    }

    #[test]
    fn an_empty_chart_says_so() {
        assert!(bar_chart("x", &[]).contains("nothing to chart"));
    }
}
