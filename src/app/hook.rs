//! `hook install` writes the git pre-commit hook; `hook run` is what that hook runs: an audit of
//! what is staged that says nothing when the commit may go on, and, when it blocks, names the
//! keys and what to do about them, on stderr.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::audit::run_audit;
use super::diag::tell;
use super::exit::{EXIT_CLEAN, EXIT_FOUND};
use super::finish::finish_with;
use super::output::write_atomically;
use crate::cli::{AuditArgs, HookInstallArgs};
use crate::config::table_style_for;
use crate::error::Diagnostic;
use crate::report::Format;
use crate::source::git;

/// The pre-commit hook for the keyaudit at `binary`: that binary, else `keyaudit` on PATH (a
/// GUI's or an IDE's PATH may lack the shell's), else a message saying how to mend it.
fn hook_script(binary: &Path) -> String {
    HOOK_SCRIPT.replace("{BINARY}", &shell_quote(&binary.to_string_lossy()))
}

/// The hook [`hook_script`] writes, `{BINARY}` standing for the quoted path of keyaudit.
const HOOK_SCRIPT: &str = r#"#!/bin/sh
# Installed by `keyaudit hook install`: audit what is staged before every commit.
# Bypass once with `git commit --no-verify`; remove this file to uninstall.
installed={BINARY}
keyaudit="$installed"
if [ ! -x "$keyaudit" ]; then
    keyaudit=$(command -v keyaudit) || {
        echo "keyaudit pre-commit hook: keyaudit is neither at $installed, where the hook was installed from, nor on PATH." >&2
        echo "Install it again and run 'keyaudit hook install --force' in this repository, or commit once without the check: git commit --no-verify" >&2
        exit 1
    }
fi
exec "$keyaudit" hook run .
"#;

/// `text` as one single-quoted shell word.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `keyaudit hook install`: writes the pre-commit hook of the repository at PATH.
pub(super) fn install(args: &HookInstallArgs) -> Result<u8> {
    let repo = git::discover(&args.path)
        .with_context(|| format!("{}: not in a git repository", args.path.display()))?;
    let hooks = match repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok())
    {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => repo.workdir().unwrap_or_else(|| repo.path()).join(dir),
        None => repo.commondir().join("hooks"),
    };
    let hook = hooks.join("pre-commit");
    if hook.exists() && !args.force {
        bail!(
            "{}: a pre-commit hook already exists; use --force to replace it",
            hook.display()
        );
    }
    let binary = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("cannot tell where this keyaudit is, to write its path into the hook")?;
    std::fs::create_dir_all(&hooks)
        .with_context(|| format!("{}: cannot create", hooks.display()))?;
    write_atomically(&hook, hook_script(&binary).as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("{}: cannot make executable", hook.display()))?;
    }
    tell(&Diagnostic::info(format!(
        "installed {}: it runs {} (else keyaudit on PATH)",
        hook.display(),
        binary.display()
    )));
    Ok(EXIT_CLEAN)
}

/// What to do about a blocked commit, `{DECLARE}` standing for the command that declares keys.
const BLOCKED_HELP: &str = "\
keyaudit: commit blocked: the staged changes hold the keys above. Either
  - declare a key that belongs here:  {DECLARE}  (then git add keyaudit.toml)
  - or take it out of the staged files, and rotate it if it was ever pushed or shared
  - or commit once without this check:  git commit --no-verify";

/// `keyaudit hook run`: audits what is staged. Prints nothing when the commit may go on; when
/// it may not, the table of keys and [`BLOCKED_HELP`] on stderr (git shows hooks' stderr, and
/// an IDE shows it in its commit dialog).
pub(super) fn run(args: &AuditArgs) -> Result<u8> {
    let audit = run_audit(args)?;
    let has_manifest = audit.prepared.manifest.is_some();
    finish_with(
        &audit.prepared,
        audit.collected,
        args.output.show_secrets,
        audit.started,
        Some(&audit.outcome),
        audit.failing,
        |report, code| {
            if code == EXIT_CLEAN {
                return Ok(());
            }
            let style = table_style_for(args.output.color, io::stderr());
            let mut rendered = Vec::new();
            report.render(Format::Table, &style, &mut rendered)?;
            let mut stderr = io::stderr().lock();
            stderr.write_all(&rendered)?;
            if code == EXIT_FOUND {
                let declare = if has_manifest {
                    "keyaudit manifest update --staged"
                } else {
                    "keyaudit manifest init --staged"
                };
                writeln!(stderr, "{}", BLOCKED_HELP.replace("{DECLARE}", declare))?;
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hook_names_its_binary_as_one_shell_word() {
        let script = hook_script(Path::new("/opt/it's here/keyaudit"));
        assert!(script.contains(r"installed='/opt/it'\''s here/keyaudit'"));
        assert!(script.ends_with("exec \"$keyaudit\" hook run .\n"));
    }
}
