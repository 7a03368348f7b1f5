//! The command layer: one file per subcommand, each parsing its settings, calling the
//! [`pipeline`](crate::pipeline), writing the output and deciding the exit code. This is the
//! edge where `anyhow` lives, and the only place (with `main`) that writes to stdout and
//! stderr. Nothing below it imports it.

mod audit;
mod db;
mod diag;
mod exit;
mod fingerprint;
mod finish;
mod hook;
mod man;
mod manifest;
mod org;
mod output;
mod record;
mod rules;
mod scan;

use anyhow::Result;
use clap::CommandFactory;

pub use exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND};

use crate::cli::{Cli, Command, HookCommand, ManifestCommand, RulesCommand};

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) if args.repos.repos.is_some() => org::scan_repos(&args),
        Command::Scan(args) => {
            org::refuse_repo_flags(&args.repos)?;
            scan::run(&args)
        }
        Command::Audit(args) if args.inventory.is_some() => org::audit_inventory(&args),
        Command::Audit(args) if args.repos.repos.is_some() => org::audit_repos(&args),
        Command::Audit(args) => {
            org::refuse_repo_flags(&args.repos)?;
            audit::run(&args)
        }
        Command::Merge(args) => org::merge_command(&args),
        Command::Manifest(ManifestCommand::Init(args)) => manifest::init(&args),
        Command::Manifest(ManifestCommand::Update(args)) => manifest::update(&args),
        Command::Manifest(ManifestCommand::Check(args)) => manifest::check(&args),
        Command::Fingerprint(args) => fingerprint::run(&args),
        Command::Rules(RulesCommand::List(args)) => rules::list(&args),
        Command::Rules(RulesCommand::Check(args)) => rules::check(&args),
        Command::Hook(HookCommand::Install(args)) => hook::install(&args),
        Command::Hook(HookCommand::Run(mut args)) => {
            // What a commit will hold, and no chatter: a clean commit prints nothing.
            args.input.staged = true;
            args.input.quiet = true;
            hook::run(&args)
        }
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "keyaudit", &mut out);
            output::emit(None, &out)?;
            Ok(EXIT_CLEAN)
        }
        Command::Db(command) => db::run(&command),
        Command::Man => man::run(),
    }
}
