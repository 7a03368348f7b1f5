//! The manifest's lifecycle: `manifest init`, `audit`, a new key, `manifest update`,
//! `manifest check`, `fingerprint` under the manifest's salt, and malformed manifests.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::keyaudit;

/// A copy of fixtures/basic in a temporary directory (so no repository manifest applies).
fn basic_tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    copy_dir(Path::new("fixtures/basic"), &root);
    (dir, root)
}

/// Runs `keyaudit manifest ARGS ROOT` and expects success.
fn manifest(args: &[&str], root: &Path) {
    keyaudit()
        .arg("manifest")
        .args(args)
        .arg(root)
        .assert()
        .code(0);
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn init_then_audit_is_clean_and_a_new_key_is_the_one_unknown_until_update() {
    let (_guard, root) = basic_tree();
    manifest(&["init"], &root);
    let manifest_path = root.join("keyaudit.toml");
    let original = fs::read_to_string(&manifest_path).unwrap();
    assert!(original.contains("version = 1"));
    assert_eq!(original.matches("[[key]]").count(), 12);
    assert!(
        !original.contains("sk_live_"),
        "the manifest holds no secret"
    );

    keyaudit().arg("audit").arg(&root).assert().code(0);

    fs::write(
        root.join("config/new.env"),
        "NEW_TOKEN=glpat-Zq8rT2mW9xLp4vN7bK3s\n",
    )
    .unwrap();
    let output = keyaudit()
        .arg("audit")
        .arg(&root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let unknown: Vec<&serde_json::Value> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| {
            k["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "unknown")
        })
        .collect();
    assert_eq!(unknown.len(), 1, "exactly one unknown");
    assert_eq!(unknown[0]["rule"], "gitlab-personal-access-token");

    manifest(&["update"], &root);
    let updated = fs::read_to_string(&manifest_path).unwrap();
    assert_eq!(
        &updated[..original.len()],
        original,
        "every existing byte is kept"
    );
    let added = &updated[original.len()..];
    assert_eq!(added.matches("[[key]]").count(), 1);
    assert!(added.contains("id = \"gitlab-new-token\""), "{added}");
    assert!(added.contains("locations = [\"config/new.env\"]"));
    keyaudit().arg("audit").arg(&root).assert().code(0);
}

#[test]
fn update_keeps_comments_and_layout_byte_for_byte() {
    let (_guard, root) = basic_tree();
    manifest(&["init"], &root);
    let path = root.join("keyaudit.toml");
    // Hand edits a user would make: comments, blank lines, odd spacing, an owner.
    let edited = fs::read_to_string(&path).unwrap().replacen(
        "[[key]]",
        "# payments keys below\n\n[[key]]   # first\nowner    =   \"team-a\"",
        1,
    );
    fs::write(&path, &edited).unwrap();
    fs::write(
        root.join("later.env"),
        "HF_TOKEN=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\n",
    )
    .unwrap();
    manifest(&["update"], &root);
    let updated = fs::read_to_string(&path).unwrap();
    assert!(updated.starts_with(&edited));
    assert_eq!(updated[edited.len()..].matches("[[key]]").count(), 1);
    // Nothing new: the file is left untouched.
    manifest(&["update"], &root);
    assert_eq!(fs::read_to_string(&path).unwrap(), updated);
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let (_guard, root) = basic_tree();
    manifest(&["init"], &root);
    let first = fs::read_to_string(root.join("keyaudit.toml")).unwrap();
    keyaudit()
        .arg("manifest")
        .arg("init")
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already exists"));
    assert_eq!(
        fs::read_to_string(root.join("keyaudit.toml")).unwrap(),
        first
    );
    manifest(&["init", "--force"], &root);
    let second = fs::read_to_string(root.join("keyaudit.toml")).unwrap();
    assert_ne!(first, second, "a fresh salt each time");
    assert_eq!(
        second.matches("[[key]]").count(),
        12,
        "the old manifest is not scanned as input"
    );
}

#[test]
fn fingerprint_uses_the_manifest_salt() {
    let env = fs::read_to_string("fixtures/audit/unknown/ok.env").unwrap();
    let secret = env
        .lines()
        .nth(1)
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let manifest = fs::read_to_string("fixtures/audit/unknown/keyaudit.toml").unwrap();
    let output = keyaudit()
        .args([
            "fingerprint",
            "--manifest",
            "fixtures/audit/unknown/keyaudit.toml",
        ])
        .write_stdin(format!("{secret}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(manifest.contains(&format!("fingerprint = \"{}\"", printed.trim())));
    assert!(!printed.contains(&secret));
}

#[test]
fn salt_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyaudit.toml");
    fs::write(
        &path,
        "version = 1\nsalt = { env = \"KEYAUDIT_TEST_SALT\" }\n",
    )
    .unwrap();
    let run = |salt: &str| {
        let output = keyaudit()
            .args(["fingerprint", "--manifest"])
            .arg(&path)
            .env("KEYAUDIT_TEST_SALT", salt)
            .write_stdin("s3cr3t-value")
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    assert_ne!(run("one"), run("two"));
    keyaudit()
        .args(["manifest", "check", "--manifest"])
        .arg(&path)
        .env_remove("KEYAUDIT_TEST_SALT")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "keyaudit.toml:2:8: salt comes from environment variable KEYAUDIT_TEST_SALT, which is not set",
        ));
}

/// Writes `text` as a manifest and expects `manifest check` and `audit` to fail with `error`.
fn rejects(text: &str, error: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyaudit.toml");
    fs::write(&path, text).unwrap();
    for args in [vec!["manifest", "check"], vec!["audit", "fixtures/clean"]] {
        let output = keyaudit()
            .args(&args)
            .arg("--manifest")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        let expected = format!("{}:{error}", path.display());
        assert!(stderr.contains(&expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    }
}

const VALID: &str = "version = 1\nsalt = \"abc\"\n\n[[key]]\nid = \"a\"\nfingerprint = \"hmac-sha256:0123456789abcdef0123456789abcdef\"\ncreated = 2026-01-01\n";

#[test]
fn manifest_check_accepts_a_valid_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyaudit.toml");
    fs::write(&path, VALID).unwrap();
    keyaudit()
        .args(["manifest", "check", "--manifest"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "ok (1 key, 0 allow entries, 0 environments)",
        ));
}

#[test]
fn unknown_field_is_rejected_with_position() {
    rejects(
        &VALID.replace("created", "colour = \"red\"\ncreated"),
        "7:1: unknown field `colour`",
    );
}

#[test]
fn bad_date_is_rejected_with_position() {
    rejects(
        &VALID.replace("2026-01-01", "\"2026-02-30\""),
        "7:11: invalid date `2026-02-30`",
    );
}

#[test]
fn duplicate_id_is_rejected_with_position() {
    let text = format!("{VALID}\n[[key]]\nid = \"a\"\nkey_id = \"AKIAQ2ZRT4MWXLP4VN7Q\"\n");
    rejects(
        &text,
        "10:6: duplicate key id `a` (first declared on line 5)",
    );
}

#[test]
fn malformed_fingerprint_is_rejected_with_position() {
    rejects(
        &VALID.replace("0123456789abcdef0123456789abcdef", "xyz"),
        "6:15: malformed fingerprint for key `a`",
    );
}

#[test]
fn update_without_a_manifest_is_an_error() {
    let (_guard, root) = basic_tree();
    keyaudit()
        .arg("manifest")
        .arg("update")
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no manifest to update"));
}

#[test]
fn every_json_report_names_its_salt_by_id_without_revealing_it() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("keyaudit.toml");
    fs::write(&manifest, "version = 1\nsalt = \"org-wide salt 42\"\n").unwrap();
    let salt_id = |extra: &[&str]| {
        let output = keyaudit()
            .args(["scan", "fixtures/clean", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report["scan"]["salt_id"].as_str().unwrap().to_string()
    };
    // HMAC-SHA256(salt, "keyaudit salt id"), first 16 hex digits, computed outside keyaudit.
    assert_eq!(salt_id(&["--no-manifest"]), "186558e90f536961");
    let manifest = manifest.to_str().unwrap();
    assert_eq!(salt_id(&["--manifest", manifest]), "d37e0e879df30022");
}

#[test]
fn a_syntax_error_keeps_the_punctuation_it_expects() {
    rejects(
        "version = 1\nsalt = abc\n",
        "2:8: invalid string expected `\"`, `'`",
    );
}

#[test]
fn every_error_has_one_style_and_says_its_cause_once() {
    let missing = keyaudit()
        .args([
            "audit",
            "fixtures/clean",
            "--manifest",
            "no-such-manifest.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert_eq!(
        stderr,
        "keyaudit: error: no-such-manifest.toml: no such file or directory\n"
    );
    // A usage error that clap finds is in the same style as keyaudit's own.
    let usage = keyaudit().args(["scan", "--bogus"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let stderr = String::from_utf8(usage.stderr).unwrap();
    assert!(
        stderr.starts_with("keyaudit: error: unexpected argument '--bogus'"),
        "{stderr}"
    );
    // Help is not an error: on stdout, exit 0.
    let help = keyaudit().args(["scan", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8(help.stdout)
        .unwrap()
        .contains("Usage: keyaudit scan"));
}

#[test]
fn manifest_check_warns_about_a_missing_or_short_salt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyaudit.toml");
    let check = |text: &str| {
        fs::write(&path, text).unwrap();
        let output = keyaudit()
            .args(["manifest", "check", "--manifest"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "a warning, not an error");
        String::from_utf8(output.stderr).unwrap()
    };
    let none = check("version = 1\n");
    assert!(
        none.contains("warning:") && none.contains("no salt"),
        "{none}"
    );
    assert!(none.contains("openssl rand -hex 16"), "{none}");
    let short = check("version = 1\nsalt = \"5f0c9a12ab34\"\n");
    assert!(short.contains("the salt is 12 characters"), "{short}");
    let good = check("version = 1\nsalt = \"5f0c9a12ab34cd56ef7890a1b2c3d4e5\"\n");
    assert_eq!(good, "");
}
