//! The command line, declared with clap derive. Doc comments here become `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::manifest::AuditClass;
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
    /// Scan, then diff the inventory against the manifest: unknown, stale, over-privileged
    /// and unused keys.
    Audit(AuditArgs),
    /// Write, update or check the manifest (keyaudit.toml).
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Read one secret on stdin and print its fingerprint under the manifest's salt (nothing
    /// is echoed).
    Fingerprint(FingerprintArgs),
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// The git pre-commit hook: install it, or run what it runs (an audit of what is staged).
    #[command(subcommand)]
    Hook(HookCommand),
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout.
    Man,
    /// One inventory from the JSON reports of many runs (shards of `--repos`, or any scans).
    Merge(MergeArgs),
    /// The inventory over time: record JSON reports as runs in an SQLite file, then report
    /// keys' status (open, resolved) and the keys new in the latest run.
    #[command(subcommand)]
    Db(DbCommand),
}

/// `db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Record JSON reports (of scan, audit or merge) as runs; a report already recorded
    /// changes nothing. All reports go in one transaction: a bad one records none.
    Ingest(DbIngestArgs),
    /// Every run with its counts, and every key with its status, first and last seen, days
    /// open and where the latest run saw it.
    Report(DbReportArgs),
    /// The keys first seen in the latest run; exit 1 if there are any (for nightly alerts).
    New(DbNewArgs),
}

/// `db ingest` options.
#[derive(Debug, Args)]
pub struct DbIngestArgs {
    /// The database file (created on first use).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// JSON reports of `scan`, `audit` or `merge`.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `db report` options.
#[derive(Debug, Args)]
pub struct DbReportArgs {
    /// The database file.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Output format [default: table on a terminal, else json; with -o, by extension].
    #[arg(long, value_enum)]
    pub format: Option<crate::db::render::ReportFormat>,
    /// Only runs made at or after DATE (RFC 3339 date or datetime), and the keys seen or
    /// resolved since then; open keys are always listed.
    #[arg(long, value_name = "DATE", value_parser = parse_now)]
    pub since: Option<jiff::Timestamp>,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `db new` options.
#[derive(Debug, Args)]
pub struct DbNewArgs {
    /// The database file.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Output format [default: table on a terminal, else json; with -o, by extension].
    #[arg(long, value_enum)]
    pub format: Option<crate::db::render::NewFormat>,
    /// Write the list to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `hook` subcommands.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write .git/hooks/pre-commit (or under core.hooksPath) running `keyaudit hook run`, with
    /// the path of this keyaudit.
    Install(HookInstallArgs),
    /// What the hook runs: `audit --staged`, silent when the commit may go on; when it may not,
    /// the keys and what to do, on stderr. Exit codes as `audit`.
    Run(Box<AuditArgs>),
}

/// `hook install` options.
#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// A directory in the repository whose hook to write.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// Replace an existing pre-commit hook.
    #[arg(long)]
    pub force: bool,
}

/// `completions` options.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `manifest` subcommands.
#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Write a manifest declaring every key found now (refuses to overwrite without --force).
    Init(InitArgs),
    /// Add newly found keys to an existing manifest, keeping every existing byte.
    Update(UpdateArgs),
    /// Validate a manifest; errors name line and column.
    Check(ManifestFileArgs),
}

/// `manifest init` options.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// What to scan.
    #[command(flatten)]
    pub input: InputArgs,
    /// Replace an existing manifest.
    #[arg(long)]
    pub force: bool,
    /// Evidence for the new entries' dates.
    #[command(flatten)]
    pub evidence: EvidenceArgs,
}

/// `manifest update` options.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// What to scan.
    #[command(flatten)]
    pub input: InputArgs,
    /// Evidence for the new entries' dates.
    #[command(flatten)]
    pub evidence: EvidenceArgs,
}

/// Evidence files.
#[derive(Debug, Clone, Default, Args)]
pub struct EvidenceArgs {
    /// An export from a key store or log, recognised by its content (repeatable); `--help`
    /// lists every export.
    // The long help is built from the table of exports, so it names every one.
    #[arg(
        long = "evidence",
        visible_alias = "usage",
        value_name = "[STORE=]FILE",
        value_parser = parse_evidence,
        long_help = crate::evidence::exports::help()
    )]
    pub files: Vec<crate::evidence::EvidenceArg>,
}

/// Options naming a manifest file.
#[derive(Debug, Args)]
pub struct ManifestFileArgs {
    /// The manifest [default: keyaudit.toml here, else at the repository root].
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
}

/// `fingerprint` options.
#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// The manifest whose salt keys the fingerprint [default: keyaudit.toml here, else at the
    /// repository root; without one, the fixed key `keyaudit-v1`].
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Ignore any manifest: use the fixed key `keyaudit-v1`.
    #[arg(long, conflicts_with = "manifest")]
    pub no_manifest: bool,
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
    /// Colour the table: on a terminal (auto), always, or never; never with NO_COLOR set.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

/// Formats of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    /// A table.
    Table,
    /// A JSON array.
    Json,
}

/// What to scan and how: shared by scan, audit and manifest init/update.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Directories (walked), files, or `-` for standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Also scan every commit reachable from any ref of each git repository at a PATH.
    #[arg(long)]
    pub history: bool,
    /// With --history: only commits not reachable from REV (a pull request's new commits).
    #[arg(long, value_name = "REV", requires = "history")]
    pub since: Option<String>,
    /// Scan only what is staged in the index, as it will be committed (the pre-commit mode).
    #[arg(long, conflicts_with = "history")]
    pub staged: bool,
    /// Which rules.
    #[command(flatten)]
    pub rule_source: RuleSourceArgs,
    /// The manifest [default: keyaudit.toml in the first PATH's directory, else at its
    /// repository root, if present].
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Use no manifest, even if one is present.
    #[arg(long, conflicts_with = "manifest")]
    pub no_manifest: bool,
    /// Skip paths matching GLOB, relative to the PATH (repeatable; adds to [scan] exclude).
    // The brackets are the help text's, read by clap as written: not a link.
    #[allow(rustdoc::broken_intra_doc_links)]
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
    /// Do not open archives (zip and jar, tar, .gz/.bz2/.xz/.zst, container images): they are
    /// skipped as binary files.
    #[arg(long)]
    pub no_archives: bool,
    /// Open archives inside archives up to N levels deep (the outermost is level 1).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub archive_depth: usize,
    /// Stop reading an archive once its entries together inflate past SIZE, reported as
    /// skipped.
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_size)]
    pub max_archive_size: u64,
    /// Evaluate ages and expiries as of DATE (RFC 3339 date or datetime) [default: now].
    #[arg(long, value_name = "DATE", value_parser = parse_now)]
    pub now: Option<jiff::Timestamp>,
    /// Worker threads [default: all cores].
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Any input that could not be read makes the run an error (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print every skipped input on stderr; twice (-v -v), also every candidate value turned
    /// down and why (never the value).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// How to report: shared by scan and audit.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format [default: table on a terminal, else json].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Include raw secret values in the report (never by default).
    #[arg(long)]
    pub show_secrets: bool,
    /// Colour the table: on a terminal (auto), always, or never; never with NO_COLOR set.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

/// When to colour the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always, unless NO_COLOR is set.
    Always,
    /// Never.
    Never,
}

/// Options of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// What to scan.
    #[command(flatten)]
    pub input: InputArgs,
    /// How to report.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Many repositories.
    #[command(flatten)]
    pub repos: ReposArgs,
    /// Asking providers whether keys are live.
    #[command(flatten)]
    pub verify: VerifyArgs,
    /// Recording the run in a database.
    #[command(flatten)]
    pub record: RecordArgs,
}

/// Recording runs in a database, and reading only what is new
/// (`docs/reference/incremental.md`).
#[derive(Debug, Clone, Default, Args)]
pub struct RecordArgs {
    /// After the run, record its report in this SQLite database (created if missing) as
    /// `keyaudit db ingest` does, with the refs of each repository whose history was read.
    #[arg(long, value_name = "FILE", conflicts_with = "staged")]
    pub db: Option<PathBuf>,
    /// With --history and --db: read only the commits not reachable from the refs the
    /// database recorded for each repository (all of them the first time, or after a
    /// force-push); the database carries the rest of the history forward.
    #[arg(long, requires_all = ["db", "history"], conflicts_with = "since")]
    pub incremental: bool,
}

/// Opt-in verification (`docs/reference/verification.md`): only from the command line, never
/// from a manifest, a configuration or the environment.
#[derive(Debug, Clone, Default, Args)]
pub struct VerifyArgs {
    /// Ask each key's own provider, at its documented API host over HTTPS, whether the key is
    /// live, whose it is and what it may do (off by default: without it nothing leaves the
    /// machine). Generic findings, passwords and connection strings are never sent.
    #[arg(long)]
    pub verify: bool,
    /// With --verify: ask only these providers, comma-separated, any case (`github,slack`);
    /// other keys are left unknown.
    #[arg(
        long,
        value_name = "PROVIDERS",
        value_delimiter = ',',
        requires = "verify",
        value_parser = parse_provider,
        long_help = crate::verify::verify_only_help()
    )]
    pub verify_only: Vec<String>,
    /// With --verify: at most N provider calls at once (1 to 32).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 4,
        requires = "verify",
        value_parser = clap::value_parser!(u8).range(1..=32)
    )]
    pub verify_concurrency: u8,
}

/// Runs over many repositories (`--repos`), one shard at a time.
#[derive(Debug, Clone, Default, Args)]
pub struct ReposArgs {
    /// Scan the repositories listed in FILE (`-`: stdin) instead of PATHs: one per line, a
    /// local path (working tree or bare) or a clone URL, optionally followed by a name; `#`
    /// starts a comment.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "staged"])]
    pub repos: Option<PathBuf>,
    /// Keep only the repositories of shard I of N (0 <= I < N): FNV-1a 64 of the name modulo N.
    #[arg(long, value_name = "I/N", requires = "repos", value_parser = parse_shard)]
    pub shard: Option<crate::org::repos::Shard>,
    /// Where URLs are cloned as bare mirrors, and fetched on later runs [default: the user's
    /// cache directory, keyaudit/repos].
    #[arg(long, value_name = "DIR", requires = "repos")]
    pub clone_dir: Option<PathBuf>,
}

/// Options of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports of `scan`, `audit` or `merge`.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// How to report.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// What to scan.
    #[command(flatten)]
    pub input: InputArgs,
    /// How to report.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Classes that make the run exit 1, comma-separated: unknown, stale, over-privileged,
    /// unused [default: the manifest's [policy] fail_on, else unknown,stale,over-privileged].
    // The brackets are the help text's, read by clap as written: not a link.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long, value_name = "CLASSES", value_delimiter = ',', value_parser = parse_class)]
    pub fail_on: Option<Vec<AuditClass>>,
    /// Evidence from key stores and logs.
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    /// Many repositories.
    #[command(flatten)]
    pub repos: ReposArgs,
    /// Audit this JSON report of `scan` or `merge` instead of scanning.
    #[arg(long, value_name = "REPORT", conflicts_with_all = ["paths", "repos", "history", "staged", "verify", "incremental"])]
    pub inventory: Option<PathBuf>,
    /// Asking providers whether keys are live.
    #[command(flatten)]
    pub verify: VerifyArgs,
    /// Recording the run in a database.
    #[command(flatten)]
    pub record: RecordArgs,
}

fn parse_shard(text: &str) -> Result<crate::org::repos::Shard, String> {
    crate::org::repos::Shard::parse(text).map_err(|e| e.to_string())
}

/// A provider's name as `--verify-only` takes it: any case, written back as the provider
/// spells it; an unknown name lists the known ones.
fn parse_provider(text: &str) -> Result<String, String> {
    crate::verify::provider_named(text)
        .map(|p| p.name().to_string())
        .ok_or_else(|| {
            format!(
                "no verifier is called {}: the providers are {}",
                crate::error::shown(text),
                crate::verify::provider_names().join(", ")
            )
        })
}

fn parse_now(text: &str) -> Result<jiff::Timestamp, String> {
    crate::time::parse_date(text).map_err(|e| e.to_string())
}

fn parse_evidence(text: &str) -> Result<crate::evidence::EvidenceArg, String> {
    crate::evidence::EvidenceArg::parse(text)
}

fn parse_class(text: &str) -> Result<AuditClass, String> {
    AuditClass::parse(text).ok_or_else(|| {
        format!("unknown audit class `{text}`: expected unknown, stale, over-privileged or unused")
    })
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
