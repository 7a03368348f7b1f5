//! The `keyaudit` binary: parse the command line, run it, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use keyaudit::app::{self, EXIT_ERROR};
use keyaudit::cli::Cli;
use keyaudit::error::one_line;

fn main() -> ExitCode {
    install_panic_hook();
    keyaudit::source::git::configure_libgit2();
    // Debug builds only: lets the secrecy tests check that a panic quoting a secret stays quiet.
    #[cfg(debug_assertions)]
    if let Some(text) = std::env::var_os("KEYAUDIT_TEST_PANIC") {
        panic!("test panic quoting {}", text.to_string_lossy());
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() => {
            // One style for every error: `keyaudit: error: …`, clap's usage errors included.
            let _ = write!(std::io::stderr(), "keyaudit: {}", err.render());
            return ExitCode::from(EXIT_ERROR);
        }
        Err(help_or_version) => {
            let _ = help_or_version.print();
            return ExitCode::from(0);
        }
    };
    match app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let message = format!("{err:#}");
            let _ = writeln!(std::io::stderr(), "keyaudit: error: {}", one_line(&message));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Panics report where they happened, never their message: a message can quote the bytes being
/// scanned (a bad slice index prints the string), and those may be a secret. Exit code 101.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map_or_else(
            || "an unknown place".to_string(),
            |l| format!("{}:{}", l.file(), l.line()),
        );
        let _ = writeln!(
            std::io::stderr(),
            "keyaudit: internal error at {place} (details withheld: they may quote scanned content); please report it"
        );
    }));
}
