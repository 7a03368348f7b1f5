//! Library errors. Each variant carries the file, and the line and column where there is one,
//! so the one-line message tells the user exactly where to look. No variant holds a secret.

use std::path::PathBuf;

/// An error the library reports to its caller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be parsed; positions are 1-based.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A rule is invalid or fails its own examples.
    #[error("{}:{line}: rule `{rule}`: {message}", path.display())]
    Rule {
        /// The rule file.
        path: PathBuf,
        /// 1-based line of the rule's id.
        line: usize,
        /// The rule id.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `text` on one line: runs of whitespace, newlines included, become one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A TOML parse error of `text` (the file at `path`) as a `file:line:column` error.
pub fn toml_error(path: &std::path::Path, text: &str, err: &toml::de::Error) -> Error {
    let (line, column) = err
        .span()
        .map_or((1, 1), |span| line_column(text, span.start));
    Error::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        message: err.message().trim().to_string(),
    }
}

/// Converts a byte offset in `text` to a 1-based (line, column) pair, counting columns in
/// characters.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn positions_are_one_based() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 7), (2, 4));
        assert_eq!(line_column(text, 999), (3, 2));
    }
}
