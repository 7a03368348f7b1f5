//! The command line, declared with clap derive. Doc comments here become `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::Format;
use crate::size::parse_size;

/// Inventory every provisioning key (API keys, tokens, private keys, passwords, connection
/// strings) in working trees, config files and environment dumps.
#[derive(Debug, Parser)]
#[command(name = "keyaudit", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build and print the inventory of keys found at each PATH.
    Scan(ScanArgs),
    /// Read one secret on stdin and print its fingerprint (nothing is echoed).
    Fingerprint,
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every loaded rule with provider, kind and privilege.
    List(RulesListArgs),
    /// Validate rules and run each rule's examples and negative examples.
    Check(RuleSourceArgs),
}

/// Which rules to load.
#[derive(Debug, Clone, Args)]
pub struct RuleSourceArgs {
    /// Extra rule file or directory of `*.toml` rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Use only the rules given with --rules.
    #[arg(long)]
    pub no_builtin_rules: bool,
}

/// `rules list` options.
#[derive(Debug, Args)]
pub struct RulesListArgs {
    /// Which rules.
    #[command(flatten)]
    pub source: RuleSourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RulesFormat,
}

/// Formats of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    /// A table.
    Table,
    /// A JSON array.
    Json,
}

/// Options of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directories (walked), files, or `-` for standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Which rules.
    #[command(flatten)]
    pub rule_source: RuleSourceArgs,
    /// Skip paths matching GLOB, relative to the PATH (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Honour .gitignore and .ignore files (off by default: a git-ignored .env still holds keys).
    #[arg(long)]
    pub respect_gitignore: bool,
    /// Also scan node_modules/, target/, vendor/, .venv/, venv/ and __pycache__/.
    #[arg(long)]
    pub no_default_excludes: bool,
    /// Skip larger files, reported as skipped (units B, KiB, MiB, GiB, KB, MB, GB).
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = parse_size)]
    pub max_file_size: u64,
    /// Report format [default: table on a terminal, else json].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Include raw secret values in the report (never by default).
    #[arg(long)]
    pub show_secrets: bool,
    /// Worker threads [default: all cores].
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Any input that could not be read makes the run an error (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print every skipped input on stderr.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
