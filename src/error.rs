//! Library errors: one [`Error`] for the whole library, `db` included. Each variant carries the
//! file, and the line and column where there is one, so the one-line message tells the user
//! exactly where to look; variants without a file carry a message that names what it is about
//! (the value, the repository, the option). No variant holds a secret.

use std::path::PathBuf;

/// An error the library reports to its caller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be parsed; positions are 1-based.
    #[error("{}:{line}:{column}: {}", path.display(), one_line(message))]
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
    #[error("{}:{line}: rule `{rule}`: {}", path.display(), one_line(message))]
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
    /// A file or directory could not be read. The cause is said in the message, once, and is
    /// not a `source`: a chain would say it twice.
    #[error("{}: {}", path.display(), os_reason(cause))]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// A value (a size, a date, a duration, a glob, a salt) is not valid; the message quotes
    /// it as [`shown`] allows.
    #[error("{0}")]
    Value(String),
    /// A git repository, or a pack in it, could not be read; the message names the repository.
    #[error("{0}")]
    Git(String),
    /// Work across repositories failed: a repository list, a mirror, a merge of reports.
    #[error("{0}")]
    Org(String),
    /// The options of a run contradict each other or are invalid (`--exclude: …`).
    #[error("{0}")]
    Config(String),
    /// A report is not a keyaudit JSON report, at a place in it (`db`).
    #[error("{}:{line}:{column}: {}", path.display(), one_line(message))]
    ReportAt {
        /// The report.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (never a value from the report).
        message: String,
    },
    /// A report is refused as a whole (`db`).
    #[error("{}: {}", path.display(), one_line(message))]
    Report {
        /// The report.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A report's fingerprints are keyed by another salt than the database's.
    #[error(
        "{}: salt_id {report} differs from the database's {database}: fingerprints made with different salts cannot be compared",
        path.display()
    )]
    SaltMismatch {
        /// The report.
        path: PathBuf,
        /// The report's salt id.
        report: String,
        /// The database's salt id.
        database: String,
    },
    /// The database file has no usable schema.
    #[error("{}: {}", path.display(), one_line(message))]
    Schema {
        /// The database.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// SQLite failed.
    #[error("{}: {}", path.display(), one_line(&source.to_string()))]
    Sqlite {
        /// The database.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// `db report` or `db new` on a database that does not exist.
    #[error("{}: no such database (record reports with `keyaudit db ingest --db FILE REPORT...`)", path.display())]
    Missing {
        /// The database.
        path: PathBuf,
    },
}

impl Error {
    /// An SQLite error on the database at `path`.
    pub fn sqlite(path: &std::path::Path, source: rusqlite::Error) -> Self {
        Self::Sqlite {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How much a [`Diagnostic`] matters, and so how it begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something failed (`error: …`).
    Error,
    /// Something is wrong or incomplete, and the run goes on (`warning: …`).
    Warning,
    /// Worth knowing, wrong in nothing (`note: …`).
    Note,
    /// What was done (`wrote keyaudit.toml declaring 3 keys`).
    Info,
    /// One line of a listing asked for (`-v -v`: the values the scanner turned down), written
    /// as it is.
    Listing,
}

/// One thing a run tells the person running it, on one line: the library's only way to say
/// anything besides its result and its [`Error`]. The command layer decides whether and where
/// it is written; it never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How much it matters.
    pub level: Level,
    /// What it is about (a file, a repository, `path:line`), when it is about one thing.
    pub path: Option<String>,
    /// What there is to say.
    pub message: String,
}

impl Diagnostic {
    fn new(level: Level, message: impl Into<String>) -> Self {
        Self {
            level,
            path: None,
            message: message.into(),
        }
    }

    /// An error.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Level::Error, message)
    }

    /// A warning.
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Level::Warning, message)
    }

    /// A note.
    pub fn note(message: impl Into<String>) -> Self {
        Self::new(Level::Note, message)
    }

    /// What was done.
    pub fn info(message: impl Into<String>) -> Self {
        Self::new(Level::Info, message)
    }

    /// A line of a listing.
    pub fn listing(message: impl Into<String>) -> Self {
        Self::new(Level::Listing, message)
    }

    /// The same, about `path`.
    pub fn at(self, path: impl Into<String>) -> Self {
        Self {
            path: Some(path.into()),
            ..self
        }
    }
}

/// `warning: path: message`: the level's word, what it is about, and what there is to say.
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.level {
            Level::Error => f.write_str("error: ")?,
            Level::Warning => f.write_str("warning: ")?,
            Level::Note => f.write_str("note: ")?,
            Level::Info | Level::Listing => {}
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The operating system's reason for `err`, in lower case without its error number
/// (`permission denied`, `no such file or directory`).
pub fn os_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
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
        message: redact_quoted(&one_line(err.message())),
    }
}

/// `value` as an error message may show it: in backticks when it cannot be a key, else only its
/// length. A key pasted into the wrong field must not come back in the error.
pub fn shown(value: &str) -> String {
    // A run of letters alone can be a key too (a random password without a digit): long runs,
    // and mixed-case runs of ten or more, are withheld; words and short names stay readable.
    let secret_like = value.chars().count() > 64
        || value
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|run| {
                let has = |class: fn(&u8) -> bool| run.bytes().any(|b| class(&b));
                run.len() >= 20
                    || (run.len() >= 10
                        && (has(u8::is_ascii_digit) && has(u8::is_ascii_alphabetic)
                            || has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase)))
            });
    if secret_like {
        format!("(a {}-character value, not shown)", value.chars().count())
    } else {
        format!("`{value}`")
    }
}

/// `message` with quoted or backticked values that could be secrets replaced by `…`: parsers
/// echo what they could not use (`invalid type: string "…"`), and that may be a key pasted in
/// the wrong place. Short lower-case names (fields, variants) stay readable.
pub fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().expect("found a quote");
        let Some(len) = rest[open + 1..].find(quote) else {
            break;
        };
        let inner = &rest[open + 1..open + 1 + len];
        out.push_str(&rest[..=open]);
        // Punctuation alone (a parser's `expected `"`, `'``) is syntax, never a secret.
        let is_syntax = !inner.is_empty() && inner.chars().all(|c| c.is_ascii_punctuation());
        let is_name = is_syntax
            || inner.len() <= 32
                && inner
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || matches!(c, '_' | '-' | '.' | ' ' | ','));
        out.push_str(if is_name { inner } else { "…" });
        out.push(quote);
        rest = &rest[open + 2 + len..];
    }
    out.push_str(rest);
    out
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
    use super::{line_column, redact_quoted, shown, toml_error};
    use std::path::Path;

    #[test]
    fn diagnostics_say_their_level_then_what_they_are_about() {
        use super::Diagnostic;
        let line = Diagnostic::warning("cannot read").at("a.env").to_string();
        assert_eq!(line, "warning: a.env: cannot read");
        assert_eq!(Diagnostic::note("n").to_string(), "note: n");
        assert_eq!(Diagnostic::error("e").to_string(), "error: e");
        assert_eq!(
            Diagnostic::info("wrote x").at("k.toml").to_string(),
            "k.toml: wrote x"
        );
        assert_eq!(Diagnostic::listing("a:1:2: r").to_string(), "a:1:2: r");
    }

    #[test]
    fn positions_are_one_based() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 7), (2, 4));
        assert_eq!(line_column(text, 999), (3, 2));
    }

    #[test]
    fn toml_errors_are_one_line() {
        // Found by the manifest fuzz target: toml's message spans two lines.
        let text = "version = 1\n[key.\n";
        let err = toml::from_str::<toml::Value>(text).unwrap_err();
        let message = toml_error(Path::new("k.toml"), text, &err).to_string();
        assert!(message.starts_with("k.toml:2:"), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }

    #[test]
    fn messages_quoting_multi_line_input_stay_on_one_line() {
        // Found by the manifest fuzz target: a glob in a multi-line TOML string was echoed
        // with its newline.
        let text = "version = 1\n[scan]\nexclude = [\"\"\"a{\nb\"\"\"]\n";
        let err = crate::manifest::Manifest::parse(Path::new("k.toml"), text, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("k.toml:3:"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn quoted_values_are_redacted_and_names_kept() {
        assert_eq!(
            redact_quoted("invalid type: string \"sk_live_Zq8rT2mW9xLp\", expected a table"),
            "invalid type: string \"…\", expected a table"
        );
        assert_eq!(
            redact_quoted("unknown field `nmae`, expected one of `id`, `max_age`"),
            "unknown field `nmae`, expected one of `id`, `max_age`"
        );
        assert_eq!(
            redact_quoted("unknown variant `Ab3dEf5g`"),
            "unknown variant `…`"
        );
        assert_eq!(redact_quoted("unclosed \"quote"), "unclosed \"quote");
        assert_eq!(shown("90x"), "`90x`");
        assert_eq!(shown("over-privileged"), "`over-privileged`");
        // Regression: a random letters-only password (no digit) was echoed.
        assert_eq!(
            shown("qHwTzKpLmRvXbNcJ"), // keyaudit:allow
            "(a 16-character value, not shown)"
        );
        assert_eq!(
            shown("qhwtzkplmrvxbncjdfgsyweu"), // keyaudit:allow
            "(a 24-character value, not shown)"
        );
        assert_eq!(shown("2026-13-01T00:00:00Z"), "`2026-13-01T00:00:00Z`");
        assert_eq!(
            shown("sk_live_Zq8rT2mW9xLpAb3dEf5g"), // keyaudit:allow
            "(a 28-character value, not shown)"
        );
    }
}
