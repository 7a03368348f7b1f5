//! Charts for the HTML report: small horizontal bar charts written as inline SVG, so the page
//! needs no plotting library and loads nothing. Every label is escaped; sizes come from the
//! data alone, so the same report always draws the same chart.

use std::fmt::Write as _;

use super::markup::escape;

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

/// At most `max` characters, with `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
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
    fn an_empty_chart_says_so() {
        assert!(bar_chart("x", &[]).contains("nothing to chart"));
    }
}
