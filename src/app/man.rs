//! `keyaudit man`: the whole manual as one roff page on stdout, so `keyaudit man > keyaudit.1 &&
//! man ./keyaudit.1` works without a page per subcommand. Commands, arguments and options are
//! walked from the clap definition (what `--help` says, so the page cannot drift from it); the
//! exit codes, the manifest's fields, the environment and the files are written here, and the
//! manifest's field list is tested against the parser's (see the tests at the bottom).

use anyhow::Result;
use clap::{Arg, ArgAction, CommandFactory};
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};

use super::exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND};
use super::output::emit;
use crate::cli::Cli;
use crate::report::cyclonedx::SERIAL_ENV;

/// Prints the manual page.
pub(super) fn run() -> Result<u8> {
    emit(None, page().as_bytes())?;
    Ok(EXIT_CLEAN)
}

/// The manual page: roff source for `man -l`, ASCII only.
pub(super) fn page() -> String {
    let mut cli = Cli::command();
    // Built, every subcommand knows its full name (`keyaudit manifest init`) and its help flag.
    cli.build();
    let name = cli.get_name().to_owned();
    let commands = commands(&cli);

    let mut roff = Roff::new();
    roff.control("SH", ["NAME"]);
    // The whatis line: the short about, without the full stop the prose below gets.
    let summary = cli.get_about().map(ToString::to_string).unwrap_or_default();
    roff.text([roman(format!("{name} - {summary}"))]);

    roff.control("SH", ["SYNOPSIS"]);
    for (i, cmd) in commands.iter().filter(|c| !c.has_subcommands()).enumerate() {
        if i > 0 {
            roff.control("br", []);
        }
        usage(&mut roff, cmd);
    }

    roff.control("SH", ["DESCRIPTION"]);
    paragraphs(&mut roff, &about(&cli), "PP");
    roff.control("PP", []);
    roff.text([roman(
        "Each command, with every argument and option it takes, is described under COMMANDS \
         below; keyaudit COMMAND --help prints the same text. The manifest, keyaudit.toml, \
         declares the keys that may exist (MANIFEST below): audit reports every key found that \
         it does not declare (unknown), that is past its rotation or expiry (stale), that has \
         more power or is in more places than declared (over-privileged), and every declared \
         key found nowhere (unused).",
    )]);

    roff.control("SH", ["OPTIONS"]);
    arguments(&mut roff, &cli, true);

    roff.control("SH", ["COMMANDS"]);
    roff.text([
        roman("Every command also takes "),
        bold("-h"),
        roman(", "),
        bold("--help"),
        roman(" (a summary with -h)."),
    ]);
    for cmd in &commands {
        command(&mut roff, cmd);
    }

    exit_status(&mut roff);
    manifest(&mut roff);
    environment(&mut roff);
    files(&mut roff);

    roff.control("SH", ["SEE ALSO"]);
    roff.text([
        bold("git"),
        roman("(1), "),
        bold("githooks"),
        roman(
            "(5); in keyaudit's source, docs/guide.md (a tutorial from a first scan to a CI gate \
             and an organisation's nightly audit) and docs/reference/ (every command, the \
             manifest, the audit's reason codes, the report formats and schema).",
        ),
    ]);

    // `.TH` first, by hand: the roff crate puts its apostrophe preamble before everything, and
    // drops an empty date argument, which shifts the ones after it.
    let title = format!(
        ".TH {} 1 \"\" \"{name} {}\" \"User Commands\"\n",
        name.to_uppercase(),
        cli.get_version().unwrap_or_default()
    );
    ascii(&(title + &roff.render()))
}

/// The commands directly under `cmd`, clap's generated `help` command left out.
fn subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
}

/// Every command under `cmd`, depth first in definition order: groups (`manifest`) before their
/// own commands.
fn commands(cmd: &clap::Command) -> Vec<&clap::Command> {
    let mut out = Vec::new();
    for sub in subcommands(cmd) {
        out.push(sub);
        out.extend(commands(sub));
    }
    out
}

/// The long about text, else the short one.
fn about(cmd: &clap::Command) -> String {
    cmd.get_long_about()
        .or_else(|| cmd.get_about())
        .map(|about| sentence(&about.to_string()))
        .unwrap_or_default()
}

/// `text` ending in a full stop: clap drops the one a doc comment ends with, which suits
/// `--help`'s terse lines but not the page's prose.
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    match text.chars().last() {
        Some(c) if c.is_alphanumeric() || c == ')' || c == '`' => format!("{text}."),
        _ => text.to_string(),
    }
}

/// One line of help text, its `code` spans in bold (when the backticks pair up).
fn prose(line: &str) -> Vec<Inline> {
    if !line.matches('`').count().is_multiple_of(2) {
        return vec![roman(line)];
    }
    line.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| if i % 2 == 1 { bold(part) } else { roman(part) })
        .collect()
}

/// `text` as filled lines, a blank line starting a new paragraph (`.IP` within a list entry,
/// where `.PP` would end the entry's indent).
fn paragraphs(roff: &mut Roff, text: &str, break_with: &str) {
    for line in text.lines() {
        if line.trim().is_empty() {
            roff.control(break_with, []);
        } else {
            roff.text(prose(line.trim()));
        }
    }
}

/// The command's usage lines as clap prints them, its full name in bold.
fn usage(roff: &mut Roff, cmd: &clap::Command) {
    let full_name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let rendered = cmd.clone().render_usage().to_string();
    for (i, line) in rendered.lines().enumerate() {
        let line = line.trim();
        let line = line.strip_prefix("Usage:").unwrap_or(line).trim();
        if line.is_empty() {
            continue;
        }
        if i > 0 {
            roff.control("br", []);
        }
        match line.strip_prefix(full_name) {
            Some(rest) => roff.text([bold(full_name), roman(rest)]),
            None => roff.text([roman(line)]),
        };
    }
}

/// One command's subsection: what it does, its usage, its arguments and options.
fn command(roff: &mut Roff, cmd: &clap::Command) {
    let full_name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    roff.control("SS", [full_name]);
    paragraphs(roff, &about(cmd), "PP");
    roff.control("PP", []);
    usage(roff, cmd);
    if cmd.has_subcommands() {
        let mut line = vec![roman("Its commands, below: ")];
        for (i, sub) in subcommands(cmd).enumerate() {
            if i > 0 {
                line.push(roman(", "));
            }
            line.push(bold(sub.get_name()));
        }
        line.push(roman("."));
        roff.control("PP", []);
        roff.text(line);
    }
    arguments(roff, cmd, false);
}

/// Whether `arg` is clap's own `-h/--help` (said once for every command) or `-V/--version`.
fn is_generated(arg: &Arg) -> bool {
    matches!(
        arg.get_action(),
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
    )
}

/// A `.TP` entry for each argument, then each option, in `--help`'s order. `top`: the
/// program's own options, where `--help` and `--version` are the whole list.
fn arguments(roff: &mut Roff, cmd: &clap::Command, top: bool) {
    let args: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && (top || !is_generated(a)))
        .collect();
    let (positionals, options): (Vec<&Arg>, Vec<&Arg>) =
        args.into_iter().partition(|a| a.is_positional());
    for arg in positionals.into_iter().chain(options) {
        roff.control("TP", []);
        roff.text(arg_header(arg));
        arg_body(roff, arg);
    }
}

/// The value names of `arg`, or its id in capitals when it has none.
fn value_names(arg: &Arg) -> String {
    match arg.get_value_names() {
        Some(names) if !names.is_empty() => names
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => arg.get_id().as_str().to_uppercase(),
    }
}

/// `-o, --output FILE`, `--evidence, --usage [STORE=]FILE`, `[PATH]...`, as `--help` has them.
fn arg_header(arg: &Arg) -> Vec<Inline> {
    let range = arg.get_num_args().unwrap_or_default();
    let many = range.max_values() > 1 || matches!(arg.get_action(), ArgAction::Append);
    let mut header = Vec::new();
    if arg.is_positional() {
        let required = arg.is_required_set();
        header.push(roman(if required { "" } else { "[" }));
        header.push(italic(value_names(arg)));
        header.push(roman(if required { "" } else { "]" }));
        if many {
            header.push(roman("..."));
        }
        return header;
    }
    let mut flags: Vec<String> = Vec::new();
    flags.extend(arg.get_short().map(|s| format!("-{s}")));
    flags.extend(
        arg.get_visible_short_aliases()
            .unwrap_or_default()
            .into_iter()
            .map(|s| format!("-{s}")),
    );
    flags.extend(arg.get_long().map(|l| format!("--{l}")));
    flags.extend(
        arg.get_visible_aliases()
            .unwrap_or_default()
            .into_iter()
            .map(|l| format!("--{l}")),
    );
    for (i, flag) in flags.into_iter().enumerate() {
        if i > 0 {
            header.push(roman(", "));
        }
        header.push(bold(flag));
    }
    if range.takes_values() {
        let optional = range.min_values() == 0;
        header.push(roman(if optional { " [" } else { " " }));
        header.push(italic(value_names(arg)));
        if optional {
            header.push(roman("]"));
        }
    }
    if matches!(arg.get_action(), ArgAction::Count) {
        header.push(roman("..."));
    }
    header
}

/// The help text, the default, the possible values (each with its help) and any environment
/// variable of `arg`.
fn arg_body(roff: &mut Roff, arg: &Arg) {
    let help = arg
        .get_long_help()
        .or_else(|| arg.get_help())
        .map(|help| sentence(&help.to_string()))
        .unwrap_or_default();
    paragraphs(roff, &help, "IP");
    let takes_values = arg.get_num_args().unwrap_or_default().takes_values();
    let defaults = arg.get_default_values();
    if takes_values && !arg.is_hide_default_value_set() && !defaults.is_empty() {
        let defaults: Vec<_> = defaults.iter().map(|d| d.to_string_lossy()).collect();
        roff.text([roman(format!("[default: {}]", defaults.join(",")))]);
    }
    if takes_values && !arg.is_hide_possible_values_set() {
        let values: Vec<_> = arg
            .get_possible_values()
            .into_iter()
            .filter(|v| !v.is_hide_set())
            .collect();
        if values.iter().any(|v| v.get_help().is_some()) {
            roff.control("RS", []);
            for value in &values {
                roff.control("TP", []);
                roff.text([bold(value.get_name())]);
                if let Some(help) = value.get_help() {
                    roff.text(prose(&sentence(&help.to_string())));
                }
            }
            roff.control("RE", []);
        } else if !values.is_empty() {
            let names: Vec<_> = values.iter().map(|v| v.get_name()).collect();
            roff.text([roman(format!("Possible values: {}.", names.join(", ")))]);
        }
    }
    if let Some(env) = arg.get_env().filter(|_| !arg.is_hide_env_set()) {
        roff.text([roman(format!(
            "Also read from the environment variable {}.",
            env.to_string_lossy()
        ))]);
    }
}

/// `.TP` entries of a bold term and its text.
fn entries(roff: &mut Roff, entries: &[(&str, &str)]) {
    for (term, text) in entries {
        roff.control("TP", []);
        roff.text([bold(*term)]);
        roff.text([roman(*text)]);
    }
}

/// EXIT STATUS: the codes of `app.rs`, and the panic hook's 101.
fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    let codes = [
        (
            EXIT_CLEAN.to_string(),
            "Success: scan (or merge) found no key; audit (or hook run) found nothing in a \
             --fail-on class; db new found no new key; the other commands did what they were \
             asked.",
        ),
        (
            EXIT_FOUND.to_string(),
            "Found: scan (or merge) found at least one key; audit (or hook run) found at least \
             one key in a --fail-on class (or a declared key found nowhere, when unused is one); \
             db new found keys first seen in the latest run.",
        ),
        (
            EXIT_ERROR.to_string(),
            "Error: bad usage; an invalid manifest or rule file (the message names file, line \
             and column, or file, line and rule id); a PATH that does not exist; a failing rule \
             example; an existing manifest for manifest init without --force; a report that db \
             ingest, merge or audit --inventory refuses; or, with --strict, any input that could \
             not be read. The message is one line on stderr, starting keyaudit: error:.",
        ),
        (
            "101".to_string(),
            "Internal error (a panic): stderr says where it happened, never what was being \
             read (it could be a secret); please report it.",
        ),
    ];
    for (code, text) in &codes {
        roff.control("TP", []);
        roff.text([bold(code.as_str())]);
        roff.text([roman(*text)]);
    }
    roff.control("PP", []);
    roff.text([roman(
        "A closed stdout (keyaudit scan . | head) ends quietly with the code the run would have \
         had.",
    )]);
}

/// A table of the manifest and the fields it may hold.
struct Table {
    /// `[policy]`, `[[key]]`; empty for the top level.
    header: &'static str,
    /// What the table is.
    about: &'static str,
    /// Its fields.
    fields: &'static [Field],
}

/// A manifest field: its name, an example value (TOML, parsed by the tests), what it means.
struct Field {
    name: &'static str,
    example: &'static str,
    meaning: &'static str,
}

const fn field(name: &'static str, example: &'static str, meaning: &'static str) -> Field {
    Field {
        name,
        example,
        meaning,
    }
}

/// Every table and field of `keyaudit.toml`: `ManifestSpec` and the spec structs of
/// `src/manifest/model.rs`, which the tests check this list against.
const MANIFEST: &[Table] = &[
    Table {
        header: "",
        about: "The top level.",
        fields: &[
            field("version", "1", "The manifest format; must be 1."),
            field(
                "salt",
                "{ env = \"KEYAUDIT_SALT\" }",
                "The secret key of the fingerprints (HMAC-SHA256): a random string, which \
                 manifest init writes, or { env = \"NAME\" } to read it from that environment \
                 variable (not set is an error). Keep it for good: fingerprints under another \
                 salt do not match. Without one, fingerprints are keyed by the public default \
                 keyaudit-v1, so anyone holding the manifest can test a guessed key against \
                 them, and manifest check warns, as it does for a salt shorter than 32 \
                 characters.",
            ),
        ],
    },
    Table {
        header: "[policy]",
        about: "What the audit fails on. Durations are days (90d), weeks (12w) or years (1y, \
                365 days).",
        fields: &[
            field(
                "max_age",
                "\"90d\"",
                "Rotate at least this often: a key whose age (since the later of rotated and \
                 the evidence's last rotation, else created, else the first commit seen) \
                 exceeds it is stale.",
            ),
            field(
                "unused_after",
                "\"90d\"",
                "With usage evidence (--evidence): a key idle this long is stale.",
            ),
            field(
                "expiry_warning",
                "\"14d\"",
                "A key expiring within this is a warning, not a failure.",
            ),
            field(
                "fail_on",
                "[\"unknown\", \"stale\", \"over-privileged\"]",
                "The audit classes that make audit exit 1: unknown, stale, over-privileged, \
                 unused. --fail-on overrides it; without either, unknown, stale and \
                 over-privileged.",
            ),
            field(
                "test_paths",
                "[\"tests/**\", \"fixtures/**\"]",
                "Globs where live keys must not be: a live key (or one declared for a prod or \
                 production environment) found there is over-privileged.",
            ),
            field(
                "require_rotation",
                "false",
                "With store evidence: a secret whose store has rotation switched off is stale.",
            ),
            field(
                "require_expiry",
                "false",
                "A long-lived key with no expiry anywhere (declared, carried by the key, or in \
                 evidence) is over-privileged.",
            ),
        ],
    },
    Table {
        header: "[scan]",
        about: "What to scan.",
        fields: &[
            field(
                "exclude",
                "[\"third_party/**\"]",
                "Globs of paths not to scan; --exclude adds to them.",
            ),
            field(
                "rules",
                "[\"ci/extra-rules.toml\"]",
                "Extra rule files or directories of *.toml rule files, relative to the \
                 manifest, loaded as with --rules.",
            ),
        ],
    },
    Table {
        header: "[[environment]]",
        about: "An environment (one table each), which keys may belong to.",
        fields: &[
            field(
                "name",
                "\"prod\"",
                "Its name, unique, which [[key]] environment refers to.",
            ),
            field(
                "aws_accounts",
                "[\"123456789012\"]",
                "AWS account ids (12 digits) that belong to it: an AWS key of one of its keys \
                 from another account is over-privileged.",
            ),
            field(
                "paths",
                "[\"deploy/prod/**\"]",
                "Globs of the paths that belong to it: a key of another environment found \
                 there is over-privileged.",
            ),
        ],
    },
    Table {
        header: "[[key]]",
        about: "A declared key (one table each). It needs a fingerprint or a key_id; a key \
                found matches an entry by either.",
        fields: &[
            field(
                "id",
                "\"billing-stripe\"",
                "A stable, unique id, which reports use.",
            ),
            field(
                "fingerprint",
                "\"hmac-sha256:9f2c0000000000000000000000000000\"",
                "The key's fingerprint under the salt: hmac-sha256: and 32 lowercase hex digits, \
                 as keyaudit fingerprint prints it. The manifest never holds the key itself.",
            ),
            field(
                "key_id",
                "\"AKIA...\"",
                "A key id that is not secret (an AWS access key id) naming the key instead of a \
                 fingerprint; inside keyaudit.toml it is a reference, not a finding.",
            ),
            field(
                "rule",
                "\"stripe-secret-key-live\"",
                "The rule expected to find it (keyaudit rules list); found by another, it is \
                 over-privileged.",
            ),
            field(
                "owner",
                "\"payments-team\"",
                "Who owns it; reports show it.",
            ),
            field("purpose", "\"charges customers\"", "What it is for."),
            field(
                "environment",
                "\"prod\"",
                "The [[environment]] it belongs to: found in another environment's paths, or \
                 its AWS account not one of its environment's, it is over-privileged.",
            ),
            field(
                "max_privilege",
                "\"scoped\"",
                "The most it may grant: public, read, scoped, full or admin. A key whose \
                 inferred tier is higher is over-privileged.",
            ),
            field(
                "scopes",
                "[\"charges:write\"]",
                "The scopes it may carry: decoded scopes (JWT scope or scp) beyond them are \
                 over-privileged.",
            ),
            field(
                "locations",
                "[\"env/prod-billing.env\", \"deploy/prod/**\"]",
                "Globs where it may appear; found elsewhere it is over-privileged. Without \
                 them, anywhere.",
            ),
            field(
                "created",
                "2026-02-01",
                "When it was created: a TOML date or an RFC 3339 string.",
            ),
            field(
                "rotated",
                "2026-09-01",
                "When it was last rotated; its age counts from here.",
            ),
            field(
                "expires",
                "2027-02-01",
                "When it expires: present past it, it is stale. A kind of key that never \
                 expires by itself, declared to expire within max_age, is over-privileged: \
                 nothing will end it.",
            ),
            field(
                "max_age",
                "\"180d\"",
                "Its own rotation period, instead of [policy] max_age.",
            ),
            field(
                "state",
                "\"active\"",
                "Its lifecycle: active (in use; the default), deprecated (being phased out), \
                 revoked (must be gone: stale if in the tree, a warning if only in history) or \
                 compromised (known leaked: stale wherever it is found). An active key found \
                 nowhere is unused.",
            ),
            field(
                "store",
                "\"vault:kv/billing#stripe\"",
                "Where it is meant to live: aws-sm:NAME, gcp-sm:NAME, azure-kv:VAULT/NAME, \
                 vault:PATH or entra:APP_ID/KEY_ID, matched against --evidence from that store. \
                 Found in a file, dump or commit (outside its locations, when it has them), it \
                 is over-privileged; not for entra:, which names a credential, not where its \
                 value lives.",
            ),
        ],
    },
    Table {
        header: "[[allow]]",
        about: "Values that are not keys (one table each); it needs a fingerprint or a path.",
        fields: &[
            field(
                "fingerprint",
                "\"hmac-sha256:9f2c0000000000000000000000000000\"",
                "Allow this exact key: it is not reported.",
            ),
            field(
                "path",
                "\"docs/**\"",
                "Allow keys at these paths (a glob): those locations are not reported, nor a \
                 key with none left.",
            ),
            field(
                "rule",
                "\"generic-password\"",
                "Only keys found by this rule.",
            ),
            field("reason", "\"documentation\"", "Why, for the reader."),
        ],
    },
];

/// MANIFEST: every table and field of `keyaudit.toml`.
fn manifest(roff: &mut Roff) {
    roff.control("SH", ["MANIFEST"]);
    roff.text([roman(
        "keyaudit.toml, a TOML file, declares the keys that may exist and the policy they are \
         audited against; manifest init writes one declaring every key found now, manifest \
         update adds the keys found since (every existing byte kept), manifest check validates \
         one. Unknown fields are errors, and every error names file:line:column. Globs \
         (locations, test_paths, paths, [[allow]] path) match paths relative to the manifest's \
         directory.",
    )]);
    for table in MANIFEST {
        let heading = if table.header.is_empty() {
            "Top level"
        } else {
            table.header
        };
        roff.control("SS", [heading]);
        roff.text([roman(table.about)]);
        for field in table.fields {
            roff.control("TP", []);
            roff.text([bold(field.name), roman(format!(" = {}", field.example))]);
            roff.text([roman(field.meaning)]);
        }
    }
}

/// ENVIRONMENT: the variables keyaudit reads.
fn environment(roff: &mut Roff) {
    roff.control("SH", ["ENVIRONMENT"]);
    entries(
        roff,
        &[
            (
                "KEYAUDIT_SALT",
                "Or any name the manifest gives in salt = { env = \"NAME\" }: the salt of the \
                 fingerprints, kept out of the file (one salt for every shard of an \
                 organisation's run). Not set is an error.",
            ),
            (
                "NO_COLOR",
                "Set and not empty: the table is never coloured, whatever --color says.",
            ),
            (
                "COLUMNS",
                "A positive number: the width the table fits, instead of the terminal's (100 \
                 when the terminal reports none; no limit in a pipe or a file).",
            ),
            (
                crate::verify::http::CONNECT_TO_VAR,
                "With --verify: HOST:PORT of a loopback server (127.0.0.0/8, ::1, localhost) that \
                 receives every verification request over plain HTTP, unchanged otherwise (the \
                 provider's host in Host:), for tests and local mirrors. Any other value is an \
                 error (exit 2) before anything is read. Never turns verification on.",
            ),
            (
                "HTTPS_PROXY",
                "With --verify: the proxy verification calls go through (also https_proxy, \
                 else ALL_PROXY, all_proxy).",
            ),
            (
                SERIAL_ENV,
                "Set to content: CycloneDX reports get a serialNumber derived from the rest of \
                 the document (the same inventory, the same serial). Otherwise they have none.",
            ),
        ],
    );
}

/// FILES: what keyaudit reads and writes by default.
fn files(roff: &mut Roff) {
    roff.control("SH", ["FILES"]);
    entries(
        roff,
        &[
            (
                "keyaudit.toml",
                "The manifest: in the first PATH's directory, else at its repository root \
                 (--manifest FILE names another, --no-manifest uses none).",
            ),
            (
                ".git/hooks/pre-commit",
                "Written by hook install (under core.hooksPath when that is set); it runs \
                 keyaudit hook run.",
            ),
            (
                "$XDG_CACHE_HOME/keyaudit/repos",
                "Or ~/.cache/keyaudit/repos; on macOS under ~/Library/Caches: bare mirrors of the URLs of \
                 --repos, fetched again on later runs (--clone-dir DIR names another).",
            ),
        ],
    );
}

/// `text` with every non-ASCII character as a groff `\[uXXXX]` escape, so the page needs no
/// input encoding.
fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;
    use crate::fingerprint::DEFAULT_SALT;
    use crate::manifest::model::MIN_SALT_LEN;
    use crate::manifest::{AuditClass, Manifest};

    /// A manifest holding every field of [`MANIFEST`] with its example value.
    fn every_field(probe: Option<&str>) -> String {
        let mut text = String::new();
        for table in MANIFEST {
            if !table.header.is_empty() {
                text.push_str(&format!("\n{}\n", table.header));
            }
            for field in table.fields {
                text.push_str(&format!("{} = {}\n", field.name, field.example));
            }
            if probe == Some(table.header) {
                text.push_str("zz_probe = 1\n");
            }
        }
        text
    }

    fn parse(text: &str) -> crate::error::Result<Manifest> {
        Manifest::parse(Path::new("keyaudit.toml"), text, &|name| {
            (name == "KEYAUDIT_SALT").then(|| "0123456789abcdef0123456789abcdef".to_string())
        })
    }

    /// The backticked names after "expected one of" in a parser's error.
    fn expected(error: &str) -> BTreeSet<String> {
        let list = error
            .split_once("expected")
            .unwrap_or_else(|| panic!("no expected list in {error}"))
            .1;
        list.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    fn lookup(header: &str, name: &str) -> &'static Field {
        MANIFEST
            .iter()
            .find(|t| t.header == header)
            .and_then(|t| t.fields.iter().find(|f| f.name == name))
            .unwrap_or_else(|| panic!("{header} {name} is not in the page"))
    }

    fn meaning(header: &str, name: &str) -> &'static str {
        lookup(header, name).meaning
    }

    fn example(header: &str, name: &str) -> &'static str {
        lookup(header, name).example
    }

    #[test]
    fn every_field_the_page_names_parses() {
        let text = every_field(None);
        let manifest = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(manifest.keys.len(), 1);
        assert_eq!(manifest.allows.len(), 1);
        assert_eq!(manifest.environments.len(), 1);
    }

    /// The parser's own list of the fields of each table (serde's "unknown field" error) is
    /// the page's: a field added to model.rs and not to the page fails here.
    #[test]
    fn the_page_names_every_field_the_parser_knows() {
        for table in MANIFEST {
            let error = parse(&every_field(Some(table.header)))
                .unwrap_err()
                .to_string();
            assert!(error.contains("unknown field `zz_probe`"), "{error}");
            let mut named: BTreeSet<String> =
                table.fields.iter().map(|f| f.name.to_string()).collect();
            if table.header.is_empty() {
                // The top level also holds the tables, named by their headers.
                named.extend(
                    MANIFEST
                        .iter()
                        .filter(|t| !t.header.is_empty())
                        .map(|t| t.header.trim_matches(['[', ']']).to_string()),
                );
            }
            assert_eq!(expected(&error), named, "{}", table.header);
        }
    }

    /// The values the page lists for state, max_privilege and fail_on are the parser's.
    #[test]
    fn the_page_names_every_value_of_the_enumerated_fields() {
        for (header, name) in [("[[key]]", "state"), ("[[key]]", "max_privilege")] {
            let example = example(header, name);
            let text = every_field(None).replace(
                &format!("\n{name} = {example}\n"),
                &format!("\n{name} = \"zz_probe\"\n"),
            );
            let error = parse(&text).unwrap_err().to_string();
            assert!(error.contains("unknown variant"), "{error}");
            for value in expected(&error) {
                assert!(meaning(header, name).contains(&value), "{name}: {value}");
            }
        }
        for class in AuditClass::ALL {
            assert!(meaning("[policy]", "fail_on").contains(class.as_str()));
        }
    }

    #[test]
    fn the_salt_text_says_the_default_and_the_minimum() {
        let salt = meaning("", "salt");
        assert!(salt.contains(std::str::from_utf8(DEFAULT_SALT).unwrap()));
        assert!(salt.contains(&format!("shorter than {MIN_SALT_LEN} characters")));
    }

    #[test]
    fn the_page_holds_every_command_and_option_of_the_definition() {
        let page = page();
        assert!(page.starts_with(".TH KEYAUDIT 1 "), "{}", &page[..80]);
        assert!(page.is_ascii());
        let mut cli = Cli::command();
        cli.build();
        for cmd in commands(&cli) {
            let full_name = cmd.get_bin_name().unwrap();
            assert!(
                page.contains(&format!(".SS \"{full_name}\"")),
                "{full_name}"
            );
            for arg in cmd.get_arguments().filter(|a| !is_generated(a)) {
                if let Some(long) = arg.get_long() {
                    let flag = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
                    assert!(page.contains(&flag), "{full_name} {flag}");
                }
            }
        }
        for section in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "COMMANDS",
            "MANIFEST",
        ] {
            assert!(page.contains(&format!("\n.SH {section}\n")), "{section}");
        }
        for section in ["EXIT STATUS", "SEE ALSO"] {
            assert!(
                page.contains(&format!("\n.SH \"{section}\"\n")),
                "{section}"
            );
        }
        assert!(!page.contains("keyaudit\\-scan(1)"));
    }
}
