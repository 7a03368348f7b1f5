//! Turns CLI flags (and the manifest's `[scan]` table) into validated [`Settings`] and
//! [`ReportSettings`], so the rest of the pipeline never re-checks its inputs.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{InputArgs, OutputArgs};
use crate::globs;
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
    /// Stderr verbosity: 0 quiet, 1 normal, 2 verbose.
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
    pub fn from_input(args: &InputArgs, manifest_excludes: &[String]) -> Result<Self, String> {
        let mut patterns = args.exclude.clone();
        patterns.extend(manifest_excludes.iter().cloned());
        let excludes = globs::compile(&patterns).map_err(|e| format!("--exclude: {e}"))?;
        let threads = match args.threads {
            Some(0) => return Err("--threads must be at least 1".into()),
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
        }
    }
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
