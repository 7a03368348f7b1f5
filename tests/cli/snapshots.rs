//! Snapshots (insta) of every report format, `table`, `json`, `jsonl`, `markdown`, `sarif`,
//! `html` and `cyclonedx`, of `keyaudit scan` and of `keyaudit audit` with every store export as
//! evidence, run on one fixed tree: `fixtures/evidence` (its own tree; `cloud/` is left out)
//! with an undeclared key, a declared key found nowhere and an allowed key added, so the audit
//! holds every class of finding: over-privileged, stale, unknown, unused, allowed and clean
//! keys, evidence matching no key and a centrally managed secret.
//!
//! The tree is copied outside any git repository, so no report names this checkout's folder,
//! branch or commit. What changes from run to run or machine to machine is redacted: the time
//! of the report, the scan's duration, keyaudit's version, the temporary directory and any
//! commit id. No report may hold a raw secret (none is run with `--show-secrets`).
//!
//! To accept a deliberate change, run `INSTA_UPDATE=always cargo test --test cli snapshots`
//! (or `cargo insta review` with cargo-insta) and review the diff of `tests/cli/snapshots/`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::keyaudit;

/// Ages, expiries and evidence are judged as of this date (as tests/cli/evidence.rs does).
const NOW: &str = "2026-11-23";

/// An undeclared GitHub token (fake), added to the tree: unknown.
const UNDECLARED: &str = "ghp_R7tW2kZ9qL4mX8vB3nC6dF1gH5jK0pS2rT4y";

/// A Stripe key (fake) in documentation, allowed by path.
const ALLOWED: &str = "sk_live_Wq7rT9mZ2xLp5vN8bK4sYc3dHg";

/// Added to the fixture's manifest: an active key found nowhere (unused), and the allowance of
/// keys in `docs/`.
const MANIFEST_TAIL: &str = r#"
# Added by tests/cli/snapshots.rs: declared, found nowhere.
[[key]]
id = "retired-twilio"
fingerprint = "hmac-sha256:00000000000000000000000000000000"
owner = "payments"
created = 2026-10-01

[[allow]]
path = "docs/**"
reason = "documentation"
"#;

/// The fixture's copy, in a temporary directory outside any git repository.
struct Tree {
    _dir: tempfile::TempDir,
    /// The tree's root, as keyaudit names it (canonical).
    root: PathBuf,
}

/// Copies the directory `from` into `to`, leaving out the entries named in `skip`.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if skip.iter().any(|s| entry.file_name() == *s) {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target, &[]);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `fixtures/evidence` copied, with the additions the module's doc lists.
fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("evidence");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/evidence");
    copy_dir(&fixture, &root, &["cloud"]);
    fs::create_dir_all(root.join("extra")).unwrap();
    fs::write(
        root.join("extra/ci.env"),
        format!("# An undeclared key.\nGITHUB_TOKEN={UNDECLARED}\n"),
    )
    .unwrap();
    fs::create_dir_all(root.join("docs")).unwrap();
    fs::write(
        root.join("docs/setup.md"),
        format!("Set `STRIPE_KEY={ALLOWED}` in the environment.\n"),
    )
    .unwrap();
    let manifest = root.join("keyaudit.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, text + MANIFEST_TAIL).unwrap();
    let root = root.canonicalize().unwrap();
    if let Some(repository) = root.ancestors().find(|p| p.join(".git").exists()) {
        panic!(
            "the temporary directory is inside the git repository {}: reports would name it",
            repository.display()
        );
    }
    Tree { _dir: dir, root }
}

/// Every raw secret in the tree: each value in `app/.env` but the AWS access key id (an
/// identifier, which reports show as `key_id`), and the keys added.
fn secrets(tree: &Tree) -> Vec<String> {
    let env = fs::read_to_string(tree.root.join("app/.env")).unwrap();
    let mut secrets: Vec<String> = env
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(name, _)| *name != "AWS_ACCESS_KEY_ID")
        .map(|(_, value)| value.to_string())
        .collect();
    assert_eq!(secrets.len(), 7, "{env}");
    secrets.extend([UNDECLARED.to_string(), ALLOWED.to_string()]);
    secrets
}

/// The arguments of `keyaudit COMMAND` in the tree, in `format`.
fn arguments(tree: &Tree, command: &str, format: &str) -> Vec<String> {
    let mut args: Vec<String> = [command, ".", "--now", NOW, "--format", format]
        .map(String::from)
        .to_vec();
    if command == "audit" {
        let mut exports: Vec<String> = fs::read_dir(tree.root.join("exports"))
            .unwrap()
            .map(|e| format!("exports/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        exports.sort();
        for export in exports {
            args.extend(["--evidence".to_string(), export]);
        }
    }
    args
}

/// Runs `keyaudit COMMAND` on a fresh copy of the tree in `format`, checks that it exits 1 (keys
/// found; flagged ones, for the audit) without a raw secret in the report, and compares the
/// report, redacted, with its snapshot `COMMAND-FORMAT`.
fn check(command: &str, format: &str) {
    let tree = tree();
    let args = arguments(&tree, command, format);
    let output = keyaudit()
        .current_dir(&tree.root)
        .args(&args)
        // No terminal width, colour, content-derived serial number or salt from the caller.
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .env_remove("KEYAUDIT_BOM_SERIAL")
        .env_remove("KEYAUDIT_SALT")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let report = String::from_utf8(output.stdout).expect("the report is UTF-8");
    for secret in secrets(&tree) {
        assert!(
            !report.contains(&secret),
            "{command} {format}: a raw secret in the report"
        );
    }

    let mut settings = insta::Settings::clone_current();
    settings.set_description(format!("keyaudit {}", args.join(" ")));
    settings.set_omit_expression(true);
    for (pattern, replacement) in filters(&tree) {
        settings.add_filter(&pattern, replacement);
    }
    settings.bind(|| insta::assert_snapshot!(format!("{command}-{format}"), report));
}

/// The redactions, as (regular expression, replacement) pairs.
fn filters(tree: &Tree) -> Vec<(String, &'static str)> {
    let time = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z";
    vec![
        // The time the report was made: JSON, JSON Lines, Markdown, HTML.
        (
            format!(r#"("generated_at": ?"|"timestamp": ?"|Generated |<time>){time}"#),
            "${1}[GENERATED]",
        ),
        // The scan's duration: JSON and JSON Lines, HTML.
        (r#"("duration_ms": ?)\d+"#.to_string(), "${1}[DURATION]"),
        (r"\d+ ms</dd>".to_string(), "[DURATION] ms</dd>"),
        // keyaudit's version: JSON, SARIF, CycloneDX, HTML.
        (
            format!(
                r#"("version": ?"|keyaudit ){}\b"#,
                regex::escape(env!("CARGO_PKG_VERSION"))
            ),
            "${1}[VERSION]",
        ),
        // The temporary directory (in the scan's scope).
        (regex::escape(&tree.root.display().to_string()), "[TREE]"),
        // Commit ids, should a report name one.
        (r"\b[0-9a-f]{40}\b".to_string(), "[COMMIT]"),
    ]
}

/// One test per command and format, named `COMMAND_FORMAT`.
macro_rules! snapshot_tests {
    ($($name:ident: $command:literal $format:literal;)*) => {
        $(
            #[test]
            fn $name() {
                check($command, $format);
            }
        )*
    };
}

snapshot_tests! {
    scan_table: "scan" "table";
    scan_json: "scan" "json";
    scan_jsonl: "scan" "jsonl";
    scan_markdown: "scan" "markdown";
    scan_sarif: "scan" "sarif";
    scan_html: "scan" "html";
    scan_cyclonedx: "scan" "cyclonedx";
    audit_table: "audit" "table";
    audit_json: "audit" "json";
    audit_jsonl: "audit" "jsonl";
    audit_markdown: "audit" "markdown";
    audit_sarif: "audit" "sarif";
    audit_html: "audit" "html";
    audit_cyclonedx: "audit" "cyclonedx";
}

/// Every format `keyaudit scan --help` lists has a snapshot of each command, so a format added
/// later is not left out.
#[test]
fn every_format_has_its_snapshots() {
    let help = keyaudit().args(["scan", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let formats = &help[help.find("--format <FORMAT>").expect("--format")..];
    let formats = &formats[..formats
        .find("-o, --output")
        .expect("--output after --format")];
    let listed: Vec<&str> = formats
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert!(listed.len() >= 7, "{formats}");
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/snapshots");
    for command in ["scan", "audit"] {
        for format in &listed {
            let snapshot = snapshots.join(format!("cli__snapshots__{command}-{format}.snap"));
            assert!(
                snapshot.exists(),
                "no snapshot of {command} --format {format}: add it to snapshot_tests!"
            );
        }
    }
}
