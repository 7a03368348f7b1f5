//! Turns CLI flags (and the manifest's `[scan]` table) into validated [`Settings`] and
//! [`ReportSettings`], so the rest of the pipeline never re-checks its inputs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::{ColorChoice, InputArgs, OutputArgs};
use crate::error::Error;
use crate::globs;
use crate::report::columns::TableStyle;
use crate::report::Format;
use crate::source::archive::ArchiveOptions;
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
        if args.archive_depth == 0 {
            return Err(Error::Config(
                "--archive-depth must be at least 1 (--no-archives turns archives off)".into(),
            ));
        }
        let archives = (!args.no_archives).then_some(ArchiveOptions {
            depth: args.archive_depth,
            max_file_size: args.max_file_size,
            max_archive_size: args.max_archive_size,
        });
        let git = GitOptions {
            since: args.since.clone(),
            hidden: Vec::new(),
            known_blobs: Vec::new(),
            max_file_size: args.max_file_size,
            excludes: excludes.clone(),
            default_excludes: !args.no_default_excludes,
            threads,
            archives,
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
                archives,
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
            format: args.format.unwrap_or_else(|| {
                default_format(args.output.as_deref(), std::io::stdout().is_terminal())
            }),
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

/// The format a command writes when `--format` is not given: a table for a person at a
/// terminal (`terminal`: stdout is one) when there is no output file; else the format the
/// file's name asks for ([`format_named_by`]) if the command has it, else JSON. `F` is the
/// command's format enum, matched by its `--format` names (each has `table` and `json`).
pub fn default_format<F: clap::ValueEnum>(output: Option<&Path>, terminal: bool) -> F {
    let wanted = match output {
        Some(path) => format_named_by(path).unwrap_or("json"),
        None if terminal => "table",
        None => "json",
    };
    F::from_str(wanted, false)
        .or_else(|_| F::from_str("json", false))
        .expect("every output format enum has json")
}

/// The `--format` name an output file's name asks for: `.cdx.json` cyclonedx, `.jsonl`,
/// `.md` markdown, `.sarif`, `.html` or `.htm`, `.txt` a table; none for any other name.
pub fn format_named_by(path: &Path) -> Option<&'static str> {
    if path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".cdx.json"))
    {
        return Some("cyclonedx");
    }
    match path.extension().and_then(|e| e.to_str())? {
        "jsonl" => Some("jsonl"),
        "md" => Some("markdown"),
        "sarif" => Some("sarif"),
        "html" | "htm" => Some("html"),
        "txt" => Some("table"),
        _ => None,
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
    fn the_output_file_name_picks_the_format_each_command_has() {
        use crate::db::render::{NewFormat, ReportFormat};
        let pick = |name: &str| {
            let path = Path::new(name);
            (
                default_format::<Format>(Some(path), true),
                default_format::<ReportFormat>(Some(path), true),
                default_format::<NewFormat>(Some(path), true),
            )
        };
        assert_eq!(
            pick("r.cdx.json"),
            (Format::Cyclonedx, ReportFormat::Json, NewFormat::Json)
        );
        assert_eq!(
            pick("r.html"),
            (Format::Html, ReportFormat::Html, NewFormat::Json)
        );
        assert_eq!(
            pick("r.htm"),
            (Format::Html, ReportFormat::Html, NewFormat::Json)
        );
        assert_eq!(
            pick("r.sarif"),
            (Format::Sarif, ReportFormat::Json, NewFormat::Json)
        );
        assert_eq!(
            pick("r.md"),
            (
                Format::Markdown,
                ReportFormat::Markdown,
                NewFormat::Markdown
            )
        );
        assert_eq!(
            pick("r.jsonl"),
            (Format::Jsonl, ReportFormat::Jsonl, NewFormat::Jsonl)
        );
        assert_eq!(
            pick("r.txt"),
            (Format::Table, ReportFormat::Table, NewFormat::Table)
        );
        assert_eq!(
            pick("r.out"),
            (Format::Json, ReportFormat::Json, NewFormat::Json)
        );
        assert_eq!(default_format::<NewFormat>(None, true), NewFormat::Table);
        assert_eq!(
            default_format::<ReportFormat>(None, false),
            ReportFormat::Json
        );
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
