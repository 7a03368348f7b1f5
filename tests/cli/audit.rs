//! `keyaudit audit` over `fixtures/audit/<cause>/`: each cause of `docs/reference/audit.md` has its own
//! tree and manifest, and every tree also holds a declared key (`sendgrid`) that must stay
//! clean. `--now` makes ages and expiries reproducible.

use serde_json::Value;

use crate::common::keyaudit;

const NOW: &str = "2026-11-23";

/// Runs `audit` on one fixture case with its own manifest; returns (exit code, report).
fn audit_case(case: &str, extra: &[&str]) -> (i32, Value) {
    let dir = format!("fixtures/audit/{case}");
    let manifest = format!("{dir}/keyaudit.toml");
    let output = keyaudit()
        .args([
            "audit",
            &dir,
            "--manifest",
            &manifest,
            "--now",
            NOW,
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!("{case}: {}", String::from_utf8_lossy(&output.stderr));
    });
    (output.status.code().unwrap(), report)
}

fn key_declared_as<'a>(report: &'a Value, id: Option<&str>) -> &'a Value {
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["declared_as"].as_str() == id)
        .unwrap_or_else(|| panic!("no key declared as {id:?}"))
}

/// Checks one cause: the key `id` carries exactly `class` with a reason containing `why`, the
/// fine key carries nothing, and the run exits `code`.
fn check(case: &str, extra: &[&str], id: Option<&str>, class: &str, why: &str, code: i32) {
    let (exit, report) = audit_case(case, extra);
    assert_eq!(exit, code, "{case}: exit code");
    let key = key_declared_as(&report, id);
    assert_eq!(
        key["flags"],
        serde_json::json!([class]),
        "{case}: {}",
        key["reasons"]
    );
    let reasons = key["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{case}: one reason per cause");
    assert!(
        reasons[0].as_str().unwrap().contains(why),
        "{case}: {} does not say {why}",
        reasons[0]
    );
    let fine = key_declared_as(&report, Some("sendgrid"));
    assert_eq!(
        fine["flags"],
        serde_json::json!([]),
        "{case}: the declared key is fine"
    );
    assert_eq!(fine["reasons"], serde_json::json!([]));
}

#[test]
fn unknown_key() {
    check(
        "unknown",
        &[],
        None,
        "unknown",
        "not declared in keyaudit.toml",
        1,
    );
}

#[test]
fn stale_by_age() {
    check(
        "stale-age",
        &[],
        Some("billing"),
        "stale",
        "age 312 days since rotated 2026-01-15 exceeds max_age 90 days",
        1,
    );
    let (_, report) = audit_case("stale-age", &[]);
    assert_eq!(key_declared_as(&report, Some("billing"))["age_days"], 312);
}

#[test]
fn stale_by_declared_expiry() {
    check(
        "stale-expired",
        &[],
        Some("ci-token"),
        "stale",
        "expired on 2026-10-01 (declared expires)",
        1,
    );
}

#[test]
fn stale_by_decoded_expiry() {
    check(
        "stale-decoded-expiry",
        &[],
        Some("reports"),
        "stale",
        "expired on 2025-07-01 (expiry carried by the key)",
        1,
    );
    let (_, report) = audit_case("stale-decoded-expiry", &[]);
    assert_eq!(
        key_declared_as(&report, Some("reports"))["expires"],
        "2025-07-01T00:00:00Z"
    );
}

#[test]
fn stale_when_revoked_yet_present() {
    check(
        "stale-revoked",
        &[],
        Some("old-token"),
        "stale",
        "declared revoked but still present",
        1,
    );
}

#[test]
fn stale_by_usage_evidence() {
    let usage = [
        "--usage",
        "fixtures/audit/stale-unused-evidence/credential-report.csv",
        "--usage",
        "fixtures/audit/stale-unused-evidence/list-access-keys.json",
    ];
    check(
        "stale-unused",
        &usage,
        Some("deployer"),
        "stale",
        "last used 2026-05-01 (205 days ago) per IAM credential report (credential-report.csv)",
        1,
    );
    let (code, _) = audit_case("stale-unused", &[]);
    assert_eq!(
        code, 0,
        "without usage evidence nothing says the key is idle"
    );
}

#[test]
fn over_privileged_by_tier() {
    check(
        "over-privileged-tier",
        &[],
        Some("bot"),
        "over-privileged",
        "privilege full (prefix ghp_; checksum does not match: random or fabricated) exceeds max_privilege scoped",
        1,
    );
}

#[test]
fn over_privileged_by_decoded_scopes() {
    check(
        "over-privileged-scopes",
        &[],
        Some("billing-sync"),
        "over-privileged",
        "scopes billing:write beyond the declared scopes [billing:read]",
        1,
    );
}

#[test]
fn over_privileged_outside_locations() {
    check(
        "over-privileged-location",
        &[],
        Some("deploy-token"),
        "over-privileged",
        "found outside its declared locations [deploy/**]: src/config.py:1",
        1,
    );
}

#[test]
fn over_privileged_live_key_under_test_paths() {
    check(
        "over-privileged-test-paths",
        &[],
        Some("payments"),
        "over-privileged",
        "live key under test_paths: tests/payment.env:1",
        1,
    );
}

#[test]
fn over_privileged_by_type() {
    check(
        "over-privileged-rule",
        &[],
        Some("ci"),
        "over-privileged",
        "found by rule github-classic-pat, but declared as rule github-fine-grained-pat",
        1,
    );
}

#[test]
fn over_privileged_by_lifetime() {
    check(
        "over-privileged-lifetime",
        &[],
        Some("promo"),
        "over-privileged",
        "never expires by itself",
        1,
    );
}

#[test]
fn over_privileged_by_environment() {
    check(
        "over-privileged-environment",
        &[],
        Some("release"),
        "over-privileged",
        "found in environment staging's paths (deploy/staging/app.env:1), but declared for prod",
        1,
    );
}

#[test]
fn unused_fails_only_when_asked() {
    let (code, report) = audit_case("unused", &[]);
    assert_eq!(code, 0, "unused is not in the default fail_on");
    assert_eq!(report["unused"][0]["id"], "retired-bot");
    assert_eq!(report["unused"][0]["owner"], "platform");
    assert_eq!(report["summary"]["flagged"]["unused"], 1);
    let (code, _) = audit_case("unused", &["--fail-on", "unused"]);
    assert_eq!(code, 1);
}

#[test]
fn fail_on_limits_what_fails() {
    let (code, _) = audit_case("unknown", &["--fail-on", "stale,over-privileged"]);
    assert_eq!(code, 0);
    keyaudit()
        .args(["audit", "fixtures/audit/unknown", "--fail-on", "sad"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown audit class `sad`"));
}

#[test]
fn allow_by_fingerprint_and_by_path() {
    let (code, report) = audit_case("allow", &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["allowed"], 2);
    assert_eq!(
        report["keys"].as_array().unwrap().len(),
        1,
        "only the declared key is left"
    );
}

#[test]
fn expiry_within_the_warning_window_warns_without_failing() {
    let (code, report) = audit_case("expiry-warning", &[]);
    assert_eq!(code, 0);
    let key = key_declared_as(&report, Some("nightly"));
    assert_eq!(key["flags"], serde_json::json!([]));
    assert_eq!(
        key["warnings"][0],
        "expires on 2026-12-01 (expiry carried by the key), in 8 days: within expiry_warning 14 days"
    );
    assert_eq!(
        key["warning_codes"],
        serde_json::json!(["warning.expiring-soon"])
    );
    assert_eq!(key["reason_codes"], serde_json::json!([]));
}

#[test]
fn every_format_renders_the_audit_without_secrets() {
    let secret_line = std::fs::read_to_string("fixtures/audit/stale-age/billing.env").unwrap();
    let secret = secret_line.trim().split('=').nth(1).unwrap().to_string();
    for format in ["table", "json", "jsonl", "markdown"] {
        let output = keyaudit()
            .args([
                "audit",
                "fixtures/audit/stale-age",
                "--manifest",
                "fixtures/audit/stale-age/keyaudit.toml",
                "--now",
                NOW,
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{format}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(
            text.contains("exceeds max_age 90 days"),
            "{format} shows the reason"
        );
        assert!(!text.contains(&secret), "{format} leaks the secret");
    }
}

#[test]
fn markdown_summarises_classes_and_findings() {
    let output = keyaudit()
        .args([
            "audit",
            "fixtures/audit/over-privileged-tier",
            "--manifest",
            "fixtures/audit/over-privileged-tier/keyaudit.toml",
            "--now",
            NOW,
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    // The title names this checkout's repository (its folder differs from clone to clone), or
    // nothing outside git.
    let title = text.lines().next().unwrap();
    assert!(
        title == "# keyaudit audit" || title.starts_with("# keyaudit audit of "),
        "{title}"
    );
    assert!(text.contains("| over-privileged | 1 |"));
    assert!(text.contains("## Findings"));
    assert!(text.contains(
        "- `bot` (github-classic-pat): `[over-privileged.tier]` privilege full (prefix ghp_; checksum does not match: random or fabricated) exceeds max_privilege scoped"
    ));
}

#[test]
fn the_repository_audits_clean_against_its_own_manifest() {
    keyaudit()
        .args(["audit", ".", "--format", "json"])
        .assert()
        .code(0);
}

/// The audit whose reports are compared with reviewed snapshots, less its `--format`.
const SNAPSHOT_AUDIT: [&str; 6] = [
    "audit",
    "fixtures/audit/over-privileged-environment",
    "--manifest",
    "fixtures/audit/over-privileged-environment/keyaudit.toml",
    "--now",
    NOW,
];

/// The Markdown report, compared whole with a reviewed snapshot. To accept a deliberate change,
/// regenerate the snapshot with the command in its test and review the diff.
#[test]
fn markdown_report_matches_its_snapshot() {
    let output = keyaudit()
        .args(SNAPSHOT_AUDIT)
        .args(["--format", "markdown"])
        .output()
        .unwrap();
    let expected =
        std::fs::read_to_string("tests/snapshots/audit-over-privileged-environment.md").unwrap();
    assert_eq!(
        without_run_lines(&String::from_utf8(output.stdout).unwrap()),
        expected
    );
}

/// A Markdown report without what changes from run to run and checkout to checkout: the
/// repository named in the title and its line (this checkout's folder, branch and commit) and
/// the time it was made.
fn without_run_lines(markdown: &str) -> String {
    let mut lines: Vec<&str> = markdown.lines().collect();
    let title = lines[0].split(" of ").next().unwrap().to_string();
    lines.retain(|l| !l.starts_with("Repository **") && !l.starts_with("Generated "));
    let mut out = String::new();
    let mut blank = false;
    for (n, line) in lines.iter().enumerate() {
        // The removed lines leave double blank lines behind.
        if line.is_empty() && blank {
            continue;
        }
        blank = line.is_empty();
        out.push_str(if n == 0 { &title } else { line });
        out.push('\n');
    }
    out
}

/// The table fitted to 80, 100 and 200 columns (`COLUMNS`), compared whole with reviewed
/// snapshots; at every width no line is wider than the terminal and no word is broken (the
/// words are those of the table without a width), and colour only comes when asked for.
/// Regenerate a snapshot with `COLUMNS=N keyaudit audit … --format table` and review the diff.
#[test]
fn table_fits_the_terminal_width_without_breaking_words() {
    let args = [SNAPSHOT_AUDIT.as_slice(), &["--format", "table"]].concat();
    let table = |columns: Option<&str>, extra: &[&str]| {
        let mut command = keyaudit();
        command.args(&args).args(extra).env_remove("NO_COLOR");
        match columns {
            Some(c) => command.env("COLUMNS", c),
            None => command.env_remove("COLUMNS"),
        };
        String::from_utf8(command.output().unwrap().stdout).unwrap()
    };
    // The words below the header, less the names of moved columns and the separators.
    let words = |text: &str| {
        let mut words: Vec<&str> = text
            .lines()
            .skip(1)
            .flat_map(str::split_whitespace)
            .filter(|w| !["rule:", "locations:", "first", "location:", "·"].contains(w))
            .collect();
        words.sort();
        words.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    // In a pipe, without COLUMNS: every column on the row, nothing moved or wrapped.
    let unlimited = table(None, &[]);
    assert!(unlimited.lines().next().unwrap().contains("first location"));
    for width in [80, 100, 200] {
        let text = table(Some(&width.to_string()), &[]);
        let expected =
            std::fs::read_to_string(format!("tests/snapshots/audit-table-{width}.txt")).unwrap();
        assert_eq!(text, expected, "at {width} columns");
        for line in text.lines() {
            assert!(line.chars().count() <= width, "wider than {width}: {line}");
        }
        assert_eq!(
            words(&text),
            words(&unlimited),
            "a word broken or lost at {width} columns"
        );
        assert!(!text.contains('\x1b'), "colour in a pipe");
    }
    assert!(table(Some("80"), &[]).contains("\n    rule: github-classic-pat"));
    // Colour when asked for, never with NO_COLOR or --color never.
    let coloured = table(Some("200"), &["--color", "always"]);
    assert!(
        coloured.contains("\x1b[35mover-privileged\x1b[0m"),
        "{coloured:?}"
    );
    assert!(!table(Some("200"), &["--color", "never"]).contains('\x1b'));
    let output = keyaudit()
        .args(&args)
        .args(["--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8(output.stdout).unwrap().contains('\x1b'));
}
