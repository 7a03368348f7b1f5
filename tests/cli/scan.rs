//! `keyaudit scan` on directories, files and standard input.

use std::fs;

use crate::common::{basic_report, json_report, key_by_rule, keyaudit, placements, random_text};

fn owned(rows: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    let mut rows: Vec<_> = rows
        .iter()
        .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
        .collect();
    rows.sort();
    rows
}

#[test]
fn finds_every_planted_key_with_rule_and_line() {
    let report = basic_report(&[]);
    let expected = owned(&[
        ("npm-access-token", ".hidden/token.txt", 1),
        ("stripe-secret-key-live", "config/.env", 3),
        ("github-classic-pat", "config/.env", 4),
        ("github-classic-pat", "docs/setup.md", 3),
        ("postgres-connection-string", "config/.env", 5),
        ("slack-webhook-url", "config/.env", 6),
        ("stripe-publishable-key-test", "config/.env", 7),
        ("aws-access-key-id", "deploy/settings.yaml", 4),
        ("aws-secret-access-key", "deploy/settings.yaml", 5),
        ("sendgrid-api-key", "deploy/settings.yaml", 7),
        ("anthropic-api-key", "ignored.env", 1),
        ("private-key-rsa", "keys/id_rsa", 1),
        ("openai-project-key", "src/app.py", 8),
    ]);
    assert_eq!(placements(&report), expected);
    assert_eq!(report["summary"]["keys"], 12);
    assert_eq!(report["summary"]["locations"], 13);
}

#[test]
fn tiers_environments_and_evidence_come_from_the_rules() {
    let report = basic_report(&[]);
    let stripe = key_by_rule(&report, "stripe-secret-key-live");
    assert_eq!(stripe["privilege"], "full");
    assert_eq!(stripe["environment"], "live");
    assert_eq!(stripe["privilege_evidence"], "prefix sk_live_");
    assert_eq!(stripe["kind"], "api-key");
    assert_eq!(stripe["lifetime"], "long");
    let publishable = key_by_rule(&report, "stripe-publishable-key-test");
    assert_eq!(publishable["privilege"], "public");
    assert_eq!(publishable["environment"], "test");
    assert_eq!(
        key_by_rule(&report, "anthropic-api-key")["privilege"],
        "scoped"
    );
    assert_eq!(
        key_by_rule(&report, "private-key-rsa")["kind"],
        "private-key"
    );
    let akia = key_by_rule(&report, "aws-access-key-id");
    assert!(akia["key_id"].as_str().unwrap().starts_with("AKIA"));
    assert!(key_by_rule(&report, "aws-secret-access-key")["key_id"].is_null());
}

#[test]
fn locations_carry_columns_and_variables() {
    let report = basic_report(&[]);
    let stripe = key_by_rule(&report, "stripe-secret-key-live");
    let location = &stripe["locations"][0];
    assert_eq!(location["source"], "file");
    assert_eq!(location["column"], 19);
    assert_eq!(location["variable"], "STRIPE_SECRET_KEY");
    let secret_key = key_by_rule(&report, "aws-secret-access-key");
    assert_eq!(secret_key["locations"][0]["variable"], "secret_access_key");
}

#[test]
fn one_key_pasted_twice_is_one_entry_with_both_locations() {
    let report = basic_report(&[]);
    let token = key_by_rule(&report, "github-classic-pat");
    let paths: Vec<&str> = token["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["config/.env", "docs/setup.md"]);
    assert!(token["fingerprint"]
        .as_str()
        .unwrap()
        .starts_with("hmac-sha256:"));
    assert_eq!(token["fingerprint"].as_str().unwrap().len(), 12 + 32);
}

#[test]
fn binary_files_and_default_excludes_are_skipped() {
    let report = basic_report(&[]);
    let skipped = report["scan"]["skipped"].as_array().unwrap();
    assert!(skipped
        .iter()
        .any(|s| s["path"] == "image.bin" && s["reason"] == "binary file"));
    assert!(!placements(&report)
        .iter()
        .any(|(_, path, _)| path.starts_with("node_modules")));
    let all = basic_report(&["--no-default-excludes"]);
    assert!(placements(&all)
        .iter()
        .any(|(_, path, _)| path == "node_modules/left-pad/index.js"));
}

#[test]
fn gitignored_files_are_scanned_unless_asked_not_to() {
    let report = basic_report(&["--respect-gitignore"]);
    assert!(!placements(&report)
        .iter()
        .any(|(_, path, _)| path == "ignored.env"));
    assert_eq!(report["summary"]["keys"], 11);
}

#[test]
fn exclude_globs_skip_paths() {
    let report = basic_report(&["--exclude", "deploy/**", "--exclude", "*.md"]);
    let rows = placements(&report);
    assert!(!rows.iter().any(|(_, p, _)| p.starts_with("deploy/")));
    assert!(!rows.iter().any(|(_, p, _)| p.ends_with(".md")));
    assert_eq!(report["summary"]["keys"], 9);
}

#[test]
fn placeholders_and_inline_allow_are_not_reported() {
    let report = json_report(
        &[
            "scan",
            "--no-manifest",
            "fixtures/basic/src/app.py",
            "--format",
            "json",
        ],
        1,
    );
    let rows = placements(&report);
    assert_eq!(
        rows,
        owned(&[("openai-project-key", "fixtures/basic/src/app.py", 8)])
    );
}

#[test]
fn a_tree_without_keys_exits_zero() {
    let report = json_report(
        &[
            "scan",
            "--no-manifest",
            "fixtures/clean",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(report["keys"].as_array().unwrap().len(), 0);
    assert_eq!(report["scan"]["files"], 2);
}

#[test]
fn stdin_env_dump_records_variables() {
    let dump = fs::read("fixtures/envdump/printenv.txt").unwrap();
    let output = keyaudit()
        .args(["scan", "--no-manifest", "-", "--format", "json"])
        .write_stdin(dump)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found: Vec<(String, String, String)> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let l = &k["locations"][0];
            (
                k["rule"].as_str().unwrap().into(),
                l["source"].as_str().unwrap().into(),
                l["variable"].as_str().unwrap().into(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "aws-secret-access-key".into(),
                "stdin".into(),
                "AWS_SECRET_ACCESS_KEY".into()
            ),
            (
                "aws-temporary-access-key-id".into(),
                "stdin".into(),
                "AWS_ACCESS_KEY_ID".into()
            ),
            (
                "npm-access-token".into(),
                "stdin".into(),
                "NPM_TOKEN".into()
            ),
        ]
    );
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let strip = |mut v: serde_json::Value| {
        v["scan"]["duration_ms"] = 0.into();
        v["generated_at"] = "".into();
        v
    };
    let one = strip(basic_report(&["-j", "1"]));
    let two = strip(basic_report(&["-j", "2"]));
    let four = strip(basic_report(&["-j", "4"]));
    assert_eq!(one, two);
    assert_eq!(one, four);
}

#[test]
fn jsonl_is_one_key_per_line_then_a_summary() {
    let output = keyaudit()
        .args([
            "scan",
            "--no-manifest",
            "fixtures/basic",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 13);
    assert!(lines[..12].iter().all(|l| l["fingerprint"].is_string()));
    assert_eq!(lines[12]["summary"]["keys"], 12);
}

#[test]
fn table_lists_keys_and_a_summary_line() {
    let output = keyaudit()
        .args([
            "scan",
            "--no-manifest",
            "fixtures/basic",
            "--format",
            "table",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("stripe-secret-key-live"));
    assert!(text.contains("config/.env:3 (STRIPE_SECRET_KEY)"));
    assert!(text
        .lines()
        .last()
        .unwrap()
        .starts_with("12 keys in 13 locations"));
}

#[test]
fn output_file_is_written_whole_with_no_temporary_left() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("inventory.json");
    keyaudit()
        .args(["scan", "--no-manifest", "fixtures/basic", "-o"])
        .arg(&target)
        .assert()
        .code(1)
        .stdout("");
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(&target).unwrap()).expect("-o defaults to JSON");
    assert_eq!(report["summary"]["keys"], 12);
    let entries: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "a temporary file was left behind");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "report readable by others: {mode:o}");
    }
}

/// `-o /dev/null` or a named pipe is written into, never replaced by a file (a rename over
/// it would, run as root, turn `/dev/null` into a regular file).
#[cfg(unix)]
#[test]
fn output_to_a_pipe_writes_into_the_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo (coreutils) failed");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    keyaudit()
        .args([
            "scan",
            "--no-manifest",
            "fixtures/basic",
            "--format",
            "json",
            "-o",
        ])
        .arg(&fifo)
        .assert()
        .code(1)
        .stdout("");
    // Checked before waiting on the reader, which a replaced pipe would leave waiting.
    assert!(
        fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "the pipe was replaced"
    );
    let report: serde_json::Value = serde_json::from_slice(&reader.join().unwrap()).unwrap();
    assert_eq!(report["summary"]["keys"], 12);
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left"
    );
}

#[test]
fn missing_path_is_an_error_naming_it() {
    keyaudit()
        .args(["scan", "--no-manifest", "fixtures/no-such-dir"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("fixtures/no-such-dir"));
}

#[test]
fn oversized_files_are_skipped_with_the_reason() {
    let report = basic_report(&["--max-file-size", "300B"]);
    let skipped = report["scan"]["skipped"].as_array().unwrap();
    assert!(skipped.iter().any(|s| s["path"] == "keys/id_rsa"
        && s["reason"]
            .as_str()
            .unwrap()
            .starts_with("larger than --max-file-size")));
    assert!(!placements(&report)
        .iter()
        .any(|(rule, _, _)| rule == "private-key-rsa"));
}

#[cfg(unix)]
#[test]
fn fifos_and_symlinks_are_skipped_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("/etc", dir.path().join("outside")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let report = json_report(
        &[
            "scan",
            "--no-manifest",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    let skipped = report["scan"]["skipped"].to_string();
    assert!(
        skipped.contains(r#"{"path":"pipe","reason":"not a regular file"}"#),
        "{skipped}"
    );
    assert!(skipped.contains(r#"{"path":"loop","reason":"symbolic link not followed"}"#));
    assert!(skipped.contains(r#"{"path":"outside","reason":"symbolic link not followed"}"#));
}

#[test]
fn closed_stdout_ends_quietly_with_the_run_code() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("keyaudit"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "scan",
            "--no-manifest",
            "fixtures/basic",
            "--format",
            "jsonl",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// Fresh random private-key bodies that spell a placeholder marker by chance (`fAkE`, `xxXX`
/// between other letters, as one real RSA key in two hundred does) are keys; blocks whose
/// marker stands as a word of its own (`YOUR_PRIVATE_KEY_HERE`, a line of `X`) are not.
#[test]
fn private_keys_that_spell_a_marker_by_chance_are_found() {
    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let dir = tempfile::tempdir().unwrap();
    let block = |kind: &str, body: &str| {
        let lines: Vec<String> = body
            .as_bytes()
            .chunks(64)
            .map(|line| String::from_utf8(line.to_vec()).unwrap())
            .collect();
        format!(
            "-----BEGIN {kind}PRIVATE KEY-----\n{}\n-----END {kind}PRIVATE KEY-----\n",
            lines.join("\n")
        )
    };
    let spelled = |word: &str, len: usize| {
        let body = random_text(BASE64, len);
        let at = len / 2;
        format!("{}Q{word}q{}", &body[..at], &body[at + word.len() + 2..])
    };
    let keys = [
        ("rsa.pem", "RSA ", spelled("fAkE", 1592)),
        ("ec.pem", "EC ", spelled("xxXX", 160)),
        ("pkcs8.key", "", spelled("Fake", 1620)),
        ("id_ed25519", "OPENSSH ", spelled("dummy", 380)),
    ];
    for (file, kind, body) in &keys {
        fs::write(dir.path().join(file), block(kind, body)).unwrap();
    }
    let noise = random_text(BASE64, 1600);
    let placeholders = [
        format!("{}YOUR_PRIVATE_KEY_HERE{}", &noise[..64], &noise[85..]),
        format!("{}{}{}", &noise[..640], "X".repeat(64), &noise[704..]),
    ];
    for (n, body) in placeholders.iter().enumerate() {
        fs::write(dir.path().join(format!("doc{n}.pem")), block("RSA ", body)).unwrap();
    }
    let root = dir.path().display().to_string();
    let report = json_report(&["scan", "--no-manifest", "--format", "json", &root], 1);
    let mut found: Vec<String> = placements(&report)
        .into_iter()
        .map(|(_, path, _)| path.rsplit('/').next().unwrap().to_string())
        .collect();
    found.sort();
    assert_eq!(found, ["ec.pem", "id_ed25519", "pkcs8.key", "rsa.pem"]);
}

/// Random hex keys of 32 digits that fall under 3 bits of entropy by chance (one in 8,000) are
/// still keys; hex that repeats a pattern is not.
#[test]
fn low_entropy_random_hex_keys_are_found_and_patterns_are_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.py"),
        "API_KEY = \"4c46ce640101617c4f4c8e8888788cc0\"\nWEBHOOK_SECRET = \"3a3a3a3a5c5c5c5c3a3a3a3a5c5c5c71\"\n",
    )
    .unwrap();
    let path = dir.path().display().to_string();
    let report = json_report(
        &[
            "scan",
            "--no-manifest",
            "--show-secrets",
            "--format",
            "json",
            &path,
        ],
        1,
    );
    let secrets: Vec<&str> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["secret"].as_str().unwrap())
        .collect();
    assert_eq!(secrets, ["4c46ce640101617c4f4c8e8888788cc0"]);
}
