//! Text columns that fit a terminal: as many columns as the width holds, chosen by importance,
//! each as wide as its widest cell, so no word is ever broken; the columns that do not fit are
//! written under each row as `name: value` pairs, wrapped between pairs. Colour is ANSI, added
//! after the widths are measured, and only when the caller says so.

/// How a table is laid out: the width to fit (`None`: no limit, for pipes and files) and
/// whether to colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableStyle {
    /// Columns of the terminal, or `None` to put every column on the row.
    pub width: Option<usize>,
    /// Colour with ANSI escapes.
    pub color: bool,
}

impl TableStyle {
    /// No width limit, no colour: what a pipe, a file or a CI log gets.
    pub const PLAIN: TableStyle = TableStyle {
        width: None,
        color: false,
    };
}

/// A colour for a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// Something that fails: an unknown key, a leak.
    Red,
    /// Something to act on soon: a stale key.
    Yellow,
    /// More power than declared.
    Magenta,
    /// Nothing to do.
    Green,
    /// Emphasis without a judgement.
    Bold,
}

impl Color {
    fn code(self) -> &'static str {
        match self {
            Color::Red => "31",
            Color::Yellow => "33",
            Color::Magenta => "35",
            Color::Green => "32",
            Color::Bold => "1",
        }
    }
}

/// A column: its header and how much it matters (0 first) when the width cannot hold all.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header.
    pub header: &'static str,
    /// 0 is kept first; higher numbers move under the row first.
    pub priority: u8,
}

/// One cell: text and an optional colour.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// What it says.
    pub text: String,
    /// How it is coloured on a terminal.
    pub color: Option<Color>,
}

impl Cell {
    /// A cell without colour.
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            color: None,
        }
    }

    /// A coloured cell.
    pub fn colored(text: impl Into<String>, color: Option<Color>) -> Self {
        Self {
            text: text.into(),
            color,
        }
    }
}

/// Space between columns.
const GAP: usize = 2;
/// How far the lines under a row are indented.
const INDENT: &str = "    ";

fn width_of(text: &str) -> usize {
    text.chars().count()
}

fn paint(text: &str, color: Option<Color>, style: &TableStyle) -> String {
    match color {
        Some(color) if style.color => format!("\x1b[{}m{text}\x1b[0m", color.code()),
        _ => text.to_string(),
    }
}

/// Lays `rows` out under `columns` to fit `style`, one line per row (and the lines of its
/// columns that did not fit), each ending in a newline.
pub fn layout(columns: &[Column], rows: &[Vec<Cell>], style: &TableStyle) -> String {
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            rows.iter()
                .map(|row| row.get(i).map_or(0, |c| width_of(&c.text)))
                .chain([width_of(column.header)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let shown = shown_columns(columns, &widths, style.width);
    let mut out = String::new();
    let line = |cells: Vec<(String, usize, Option<Color>)>, out: &mut String| {
        let last = cells.len().saturating_sub(1);
        let mut text = String::new();
        for (n, (cell, width, color)) in cells.into_iter().enumerate() {
            text.push_str(&paint(&cell, color, style));
            if n < last {
                text.push_str(&" ".repeat(width - width_of(&cell) + GAP));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(
        shown
            .iter()
            .map(|&i| (columns[i].header.to_string(), widths[i], Some(Color::Bold)))
            .collect(),
        &mut out,
    );
    for row in rows {
        let cell = |i: usize| row.get(i).cloned().unwrap_or_default();
        line(
            shown
                .iter()
                .map(|&i| {
                    let c = cell(i);
                    (c.text, widths[i], c.color)
                })
                .collect(),
            &mut out,
        );
        let pairs: Vec<(String, Option<Color>)> = (0..columns.len())
            .filter(|i| !shown.contains(i))
            .map(|i| (columns[i].header, cell(i)))
            .filter(|(_, c)| !c.text.is_empty() && c.text != "-")
            .map(|(header, c)| (format!("{header}: {}", c.text), c.color))
            .collect();
        for wrapped in wrap_pairs(&pairs, style.width) {
            let painted: Vec<String> = wrapped
                .iter()
                .map(|(text, color)| paint(text, *color, style))
                .collect();
            out.push_str(INDENT);
            out.push_str(&painted.join(" · "));
            out.push('\n');
        }
    }
    out
}

/// The columns that fit `width`, in their order: the most important first, then the others
/// while they fit. The first column by importance is always shown.
fn shown_columns(columns: &[Column], widths: &[usize], width: Option<usize>) -> Vec<usize> {
    let Some(width) = width else {
        return (0..columns.len()).collect();
    };
    let mut by_priority: Vec<usize> = (0..columns.len()).collect();
    by_priority.sort_by_key(|&i| (columns[i].priority, i));
    let mut shown = Vec::new();
    let mut used = 0;
    for i in by_priority {
        let needed = widths[i] + if shown.is_empty() { 0 } else { GAP };
        if shown.is_empty() || used + needed <= width {
            shown.push(i);
            used += needed;
        }
    }
    shown.sort_unstable();
    shown
}

/// `pairs` packed into lines of at most `width` less the indent, split only between pairs; a
/// pair longer than a line has a line of its own, unbroken.
fn wrap_pairs(
    pairs: &[(String, Option<Color>)],
    width: Option<usize>,
) -> Vec<Vec<(String, Option<Color>)>> {
    let room = width.map_or(usize::MAX, |w| w.saturating_sub(INDENT.len()));
    let mut lines: Vec<Vec<(String, Option<Color>)>> = Vec::new();
    let mut used = 0;
    for pair in pairs {
        let needed = width_of(&pair.0);
        match lines.last_mut() {
            Some(line) if used + 3 + needed <= room => {
                line.push(pair.clone());
                used += 3 + needed;
            }
            _ => {
                lines.push(vec![pair.clone()]);
                used = needed;
            }
        }
    }
    lines
}

/// `text` with every line longer than `width` wrapped at spaces, the continuation indented two
/// more than the line; a word longer than a line stands on its own, unbroken. No width: as is.
pub fn fit_lines(text: &str, width: Option<usize>) -> String {
    let Some(width) = width else {
        return text.to_string();
    };
    let mut out = String::new();
    for line in text.lines() {
        if width_of(line) <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let continuation = " ".repeat(indent + 2);
        let mut current = line[..indent].to_string();
        let mut fresh = true;
        for word in line.split_whitespace() {
            if !fresh && width_of(&current) + 1 + width_of(word) > width {
                out.push_str(&current);
                out.push('\n');
                current = continuation.clone();
                fresh = true;
            }
            if !fresh {
                current.push(' ');
            }
            current.push_str(word);
            fresh = false;
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        vec![
            Column {
                header: "name",
                priority: 0,
            },
            Column {
                header: "where",
                priority: 2,
            },
            Column {
                header: "state",
                priority: 1,
            },
        ]
    }

    fn rows() -> Vec<Vec<Cell>> {
        vec![vec![
            Cell::plain("alpha"),
            Cell::plain("services/billing/config/production.env:12 (STRIPE_SECRET_KEY)"),
            Cell::colored("unknown", Some(Color::Red)),
        ]]
    }

    #[test]
    fn every_column_is_on_the_row_without_a_width() {
        let text = layout(&columns(), &rows(), &TableStyle::PLAIN);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[1].starts_with("alpha  services/billing"), "{text}");
        assert!(lines[1].ends_with("unknown"), "{text}");
    }

    #[test]
    fn columns_that_do_not_fit_move_under_their_row_whole() {
        let style = TableStyle {
            width: Some(40),
            color: false,
        };
        let text = layout(&columns(), &rows(), &style);
        assert_eq!(
            text,
            "name   state\nalpha  unknown\n    where: services/billing/config/production.env:12 (STRIPE_SECRET_KEY)\n"
        );
    }

    #[test]
    fn colour_is_added_after_the_widths_are_measured() {
        let style = TableStyle {
            width: None,
            color: true,
        };
        let text = layout(&columns(), &rows(), &style);
        assert!(text.contains("\x1b[31munknown\x1b[0m"), "{text:?}");
        assert!(text.starts_with("\x1b[1mname\x1b[0m  "), "{text:?}");
        let plain = layout(&columns(), &rows(), &TableStyle::PLAIN);
        assert!(!plain.contains('\x1b'));
    }

    #[test]
    fn long_lines_wrap_between_words() {
        let text = "  gh (github-classic-pat): age 1010 days since created 2024-03-01 exceeds max_age 365 days\nshort\n";
        let fitted = fit_lines(text, Some(40));
        for line in fitted.lines() {
            assert!(line.chars().count() <= 40, "{fitted}");
        }
        assert_eq!(
            fitted.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        assert!(
            fitted.lines().nth(1).unwrap().starts_with("    "),
            "{fitted}"
        );
        assert_eq!(fit_lines(text, None), text);
    }

    #[test]
    fn pairs_wrap_between_pairs_only() {
        let pairs = vec![
            ("rule: stripe-secret-key-live".to_string(), None),
            ("locations: 3".to_string(), None),
            ("declared as: billing-stripe".to_string(), None),
        ];
        let lines = wrap_pairs(&pairs, Some(50));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 2);
        assert_eq!(lines[1][0].0, "declared as: billing-stripe");
    }
}
