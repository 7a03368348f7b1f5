//! Turns CLI flags (and the manifest's `[scan]` table) into validated [`Settings`] and
//! [`ReportSettings`], so the rest of the pipeline never re-checks its inputs.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{ColorChoice, InputArgs, OutputArgs};
use crate::error::Error;
use crate::globs;
use crate::report::columns::TableStyle;
use crate::report::Format;
use crate::source::fs::WalkOptions;
use crate::source::git::GitOptions;

/// Validated settings of a scan.
#[derive(Debug)]
pub struct Settings {
    /// The PATHs to scan (`-` is standard input).
    pub roots: Vec<PathBuf>,
    /// How to walk directories.
    pub walk: WalkOptions,
    /// Unreadable input is an error.
    pub strict: bool,
    /// Stderr verbosity: 0 quiet, 1 normal, 2 verbose (`-v`), 3 also rejections (`-v -v`).
    pub verbosity: u8,
    /// Scan git history too.
    pub history: bool,
    /// Scan only the staged index.
    pub staged: bool,
    /// How to read git content.
    pub git: GitOptions,
}

impl Settings {
    /// Validates the input flags; `manifest_excludes` are the manifest's `[scan] exclude`.
    pub fn from_input(
        args: &InputArgs,
        manifest_excludes: &[String],
    ) -> crate::error::Result<Self> {
        let mut patterns = args.exclude.clone();
        patterns.extend(manifest_excludes.iter().cloned());
        let excludes =
            globs::compile(&patterns).map_err(|e| Error::Config(format!("--exclude: {e}")))?;
        let threads = match args.threads {
            Some(0) => return Err(Error::Config("--threads must be at least 1".into())),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let git = GitOptions {
            since: args.since.clone(),
            max_file_size: args.max_file_size,
            excludes: excludes.clone(),
            default_excludes: !args.no_default_excludes,
            threads,
        };
        Ok(Self {
            history: args.history,
            staged: args.staged,
            git,
            roots: args.paths.clone(),
            walk: WalkOptions {
                excludes,
                default_excludes: !args.no_default_excludes,
                respect_gitignore: args.respect_gitignore,
                max_file_size: args.max_file_size,
                threads,
            },
            strict: args.strict,
            verbosity: if args.quiet { 0 } else { 1 + args.verbose },
        })
    }
}

/// Validated report settings.
#[derive(Debug)]
pub struct ReportSettings {
    /// Report format.
    pub format: Format,
    /// Where to write the report (stdout when None).
    pub output: Option<PathBuf>,
    /// Include raw secrets.
    pub show_secrets: bool,
    /// How a table is laid out: fitted and coloured for a terminal on stdout.
    pub table: TableStyle,
}

impl ReportSettings {
    /// From the output flags.
    pub fn from_output(args: &OutputArgs) -> Self {
        Self {
            format: args
                .format
                .unwrap_or_else(|| default_format(args.output.as_ref())),
            output: args.output.clone(),
            show_secrets: args.show_secrets,
            table: match args.output {
                Some(_) => table_style(args.color, false, None, |name| std::env::var(name).ok()),
                None => table_style_for(args.color, std::io::stdout()),
            },
        }
    }
}

/// The layout of a table written to `stream`, a terminal or not ([`table_style`]).
#[cfg(unix)]
pub fn table_style_for<S: IsTerminal + std::os::fd::AsFd>(
    color: ColorChoice,
    stream: S,
) -> TableStyle {
    let terminal = stream.is_terminal();
    let width = terminal
        .then(|| terminal_size::terminal_size_of(&stream))
        .flatten()
        .map(|(w, _)| usize::from(w.0));
    table_style(color, terminal, width, |name| std::env::var(name).ok())
}

/// The layout of a table written to `stream`, a terminal or not ([`table_style`]).
#[cfg(not(unix))]
pub fn table_style_for<S: IsTerminal>(color: ColorChoice, stream: S) -> TableStyle {
    table_style(color, stream.is_terminal(), None, |name| {
        std::env::var(name).ok()
    })
}

/// The layout of a table written to a terminal (`terminal`) reporting `width` columns, or
/// elsewhere: `COLUMNS` when set wins; a terminal that reports 0 (or nothing) has 100; a pipe
/// or a file has no limit. Colour only on a terminal (or with `always`), never with `NO_COLOR`.
pub fn table_style(
    color: ColorChoice,
    terminal: bool,
    width: Option<usize>,
    env: impl Fn(&str) -> Option<String>,
) -> TableStyle {
    let columns = env("COLUMNS")
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    let width = columns.or_else(|| terminal.then(|| width.filter(|&w| w > 0).unwrap_or(100)));
    // no-color.org: set and not empty.
    let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !no_color
        && match color {
            ColorChoice::Always => true,
            ColorChoice::Auto => terminal,
            ColorChoice::Never => false,
        };
    TableStyle { width, color }
}

/// Table for a person at a terminal; otherwise JSON, or the format the output file's
/// extension names.
fn default_format(output: Option<&PathBuf>) -> Format {
    match output {
        Some(path)
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".cdx.json")) =>
        {
            Format::Cyclonedx
        }
        Some(path) => match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl") => Format::Jsonl,
            Some("md") => Format::Markdown,
            Some("sarif") => Format::Sarif,
            Some("html" | "htm") => Format::Html,
            Some("txt") => Format::Table,
            _ => Format::Json,
        },
        None if std::io::stdout().is_terminal() => Format::Table,
        None => Format::Json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_terminal_of_width_zero_has_100_columns_and_columns_wins() {
        let auto = ColorChoice::Auto;
        assert_eq!(table_style(auto, true, Some(0), env(&[])).width, Some(100));
        assert_eq!(table_style(auto, true, None, env(&[])).width, Some(100));
        assert_eq!(
            table_style(auto, true, Some(132), env(&[])).width,
            Some(132)
        );
        let columns = [("COLUMNS", "80")];
        assert_eq!(
            table_style(auto, true, Some(132), env(&columns)).width,
            Some(80)
        );
        assert_eq!(
            table_style(auto, false, None, env(&columns)).width,
            Some(80)
        );
        assert_eq!(
            table_style(auto, false, None, env(&[("COLUMNS", "0")])).width,
            None
        );
        assert_eq!(table_style(auto, false, None, env(&[])).width, None);
    }

    #[test]
    fn colour_on_a_terminal_or_when_asked_and_never_with_no_color() {
        let none = env(&[]);
        assert!(table_style(ColorChoice::Auto, true, None, &none).color);
        assert!(!table_style(ColorChoice::Auto, false, None, &none).color);
        assert!(table_style(ColorChoice::Always, false, None, &none).color);
        assert!(!table_style(ColorChoice::Never, true, None, &none).color);
        let no_color = env(&[("NO_COLOR", "1")]);
        assert!(!table_style(ColorChoice::Always, true, None, &no_color).color);
        // no-color.org: an empty NO_COLOR does not count.
        let empty = env(&[("NO_COLOR", "")]);
        assert!(table_style(ColorChoice::Auto, true, None, &empty).color);
    }
}
