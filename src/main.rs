//! The `keyaudit` binary: parse the command line, run it, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use keyaudit::app::{self, EXIT_ERROR};
use keyaudit::cli::Cli;
use keyaudit::error::one_line;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
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
