//! Secrets are toxic: no raw secret in any report format, on stderr, or in `-o` files unless
//! `--show-secrets` is given; the fingerprint command agrees with the inventory.

use crate::common::{basic_report, fresh_stripe_key, keyaudit, random_text, ALPHANUMERIC};

/// Every raw secret in fixtures/basic, read through `--show-secrets`. A key whose value is its
/// own `key_id` (an AWS access key id) is a public identifier by `docs/reference/report-format.md` and is left out.
fn planted_secrets() -> Vec<String> {
    let report = basic_report(&["--show-secrets"]);
    let secrets: Vec<String> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["key_id"] != k["secret"])
        .map(|k| k["secret"].as_str().expect("secret shown").to_string())
        .collect();
    assert_eq!(secrets.len(), 11);
    secrets
}

#[test]
fn no_format_reveals_a_secret_without_show_secrets() {
    let secrets = planted_secrets();
    let report = basic_report(&[]);
    let hints: Vec<&str> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["redacted"].as_str().unwrap())
        .collect();
    for format in ["table", "json", "jsonl"] {
        let output = keyaudit()
            .args([
                "scan",
                "--no-manifest",
                "fixtures/basic",
                "-v",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // The report is there, naming every key by its hint: its silence is no pass.
        for hint in &hints {
            assert!(stdout.contains(hint), "{format} does not show {hint}");
        }
        for secret in &secrets {
            // The private key is checked by its body: its armour lines are not secret.
            let probe = secret
                .lines()
                .nth(1)
                .filter(|_| secret.starts_with("-----"))
                .unwrap_or(secret);
            assert!(!stdout.contains(probe), "{format} report leaks a secret");
            assert!(!stderr.contains(probe), "{format} stderr leaks a secret");
        }
    }
}

#[test]
fn show_secrets_reveals_them_in_every_format() {
    let secrets = planted_secrets();
    let stripe = secrets
        .iter()
        .find(|s| s.starts_with("sk_live_"))
        .expect("stripe key planted");
    let run = |format: &str| {
        let output = keyaudit()
            .args([
                "scan",
                "--no-manifest",
                "fixtures/basic",
                "--show-secrets",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{format}: keys found");
        String::from_utf8(output.stdout).unwrap()
    };
    for format in ["table", "json", "jsonl", "markdown"] {
        assert!(run(format).contains(stripe.as_str()), "{format} shows it");
    }
    // SARIF is made to be uploaded to code-scanning services: it never carries a value, even
    // when asked, and still reports every key (by fingerprint).
    let sarif = run("sarif");
    assert!(!sarif.contains(stripe.as_str()));
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let fingerprint_of = |secret: &str| {
        json["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["secret"] == secret)
            .expect("the key in the JSON report")["fingerprint"]
            .clone()
    };
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    for secret in &secrets {
        let fingerprint = fingerprint_of(secret);
        assert!(
            results
                .iter()
                .any(|r| r["partialFingerprints"]["keyFingerprint/v1"] == fingerprint),
            "no SARIF result for {fingerprint}"
        );
    }
}

#[test]
fn redacted_hints_show_at_most_a_third() {
    let report = basic_report(&["--show-secrets"]);
    for key in report["keys"].as_array().unwrap() {
        let secret = key["secret"].as_str().unwrap();
        let hint = key["redacted"].as_str().unwrap();
        let shown = hint.chars().filter(|c| *c != '…').count();
        assert!(shown * 3 <= secret.chars().count() && shown <= 6, "{hint}");
        assert!(secret.starts_with(hint.split('…').next().unwrap()));
    }
}

#[test]
fn fingerprint_command_matches_the_inventory_and_echoes_nothing() {
    let report = basic_report(&["--show-secrets"]);
    for key in report["keys"].as_array().unwrap().iter().take(4) {
        let secret = key["secret"].as_str().unwrap();
        let output = keyaudit()
            .args(["fingerprint", "--no-manifest"])
            .write_stdin(format!("{secret}\n"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let printed = String::from_utf8(output.stdout).unwrap();
        assert_eq!(printed.trim_end(), key["fingerprint"].as_str().unwrap());
        assert!(!printed.contains(secret));
        assert!(output.stderr.is_empty());
    }
}

#[test]
fn fingerprint_of_nothing_is_an_error() {
    keyaudit()
        .args(["fingerprint", "--no-manifest"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no secret"));
}

/// Fresh canary keys of several kinds, planted in a new tree: (tree, canaries).
fn canary_tree() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let stripe = fresh_stripe_key();
    // A symbol keeps the password from ever reading as an identifier (a CI run must not flake).
    let password = format!(
        "{}+{}",
        random_text(ALPHANUMERIC, 11),
        random_text(ALPHANUMERIC, 11)
    );
    let aws_secret = random_text(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+",
        40,
    );
    let aws_id = format!(
        "AKIA{}",
        random_text(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    );
    let db_password = random_text(ALPHANUMERIC, 20);
    std::fs::write(
        dir.path().join(".env"),
        format!("STRIPE_SECRET_KEY={stripe}\nDB_PASSWORD={password}\nDATABASE_URL=postgres://app:{db_password}@db.internal:5432/app\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        format!("[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}\n"),
    )
    .unwrap();
    (dir, vec![stripe, password, aws_secret, db_password])
}

/// Asserts that no canary appears in `text`, naming `what` leaked.
fn assert_clean(canaries: &[String], text: &[u8], what: &str) {
    let text = String::from_utf8_lossy(text);
    for canary in canaries {
        assert!(!text.contains(canary.as_str()), "{what} leaks a canary");
    }
}

#[test]
fn canaries_never_leak_into_reports_files_stderr_errors_or_panics() {
    let (dir, canaries) = canary_tree();
    let tree = dir.path().to_str().unwrap().to_string();
    // The canaries are found: shown with --show-secrets, so hiding them below means something.
    let shown = keyaudit()
        .args([
            "scan",
            "--no-manifest",
            "--show-secrets",
            "--format",
            "json",
            &tree,
        ])
        .output()
        .unwrap();
    for canary in &canaries {
        assert!(
            String::from_utf8_lossy(&shown.stdout).contains(canary.as_str()),
            "a canary was not found at all"
        );
    }

    // A manifest declaring what is there, so audits run with one.
    let manifest = dir.path().join("keyaudit.toml");
    let init = keyaudit()
        .args(["manifest", "init", "-v", "-v", &tree])
        .output()
        .unwrap();
    assert_eq!(init.status.code(), Some(0));
    assert_clean(&canaries, &init.stdout, "manifest init stdout");
    assert_clean(&canaries, &init.stderr, "manifest init stderr");
    assert_clean(
        &canaries,
        &std::fs::read(&manifest).unwrap(),
        "the manifest",
    );

    for command in ["scan", "audit"] {
        for format in ["table", "json", "jsonl", "markdown", "sarif"] {
            let what = format!("{command} --format {format}");
            let out = dir.path().join(format!("report-{command}.{format}"));
            for to_file in [false, true] {
                let mut cmd = keyaudit();
                cmd.args([command, "-v", "-v", "--format", format, &tree]);
                if to_file {
                    cmd.arg("-o").arg(&out);
                }
                let output = cmd.output().unwrap();
                assert!(output.status.code().is_some_and(|c| c < 2), "{what}");
                assert_clean(&canaries, &output.stdout, &what);
                assert_clean(&canaries, &output.stderr, &format!("{what} stderr"));
            }
            assert_clean(
                &canaries,
                &std::fs::read(&out).unwrap(),
                &format!("{what} -o"),
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&out).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{what}: report file mode");
            }
        }
    }

    // Errors: a canary pasted into the manifest, a rule file or an evidence file.
    let stripe = &canaries[0];
    let bad_manifests = [
        format!("version = 1\nsalt = \"s\"\n[[key]]\nid = \"k\"\nfingerprint = \"{stripe}\"\n"),
        format!("version = 1\nsalt = \"s\"\n[[key]]\nid = \"k\"\nowner = {{ a = \"{stripe}\" }}\n"),
        format!("version = 1\nsalt = \"s\"\n[[key]]\nid = \"k\"\nenvironment = \"{stripe}\"\n"),
        format!("version = 1\nsalt = \"s\"\n[[key]]\nid = \"{stripe}\"\nkey_id = 7\n"),
        format!("version = 1\nsalt = \"s\"\n{stripe}\n"),
        format!("version = 1\nsalt = \"s\"\n[policy]\nmax_age = \"{stripe}\"\n"),
    ];
    for (i, text) in bad_manifests.iter().enumerate() {
        std::fs::write(&manifest, text).unwrap();
        for args in [vec!["manifest", "check"], vec!["audit", &tree]] {
            let output = keyaudit()
                .args(&args)
                .arg("--manifest")
                .arg(&manifest)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "bad manifest {i}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains("keyaudit.toml:"),
                "names the file: {stderr}"
            );
            assert_clean(
                &canaries,
                &output.stderr,
                &format!("bad manifest {i} error"),
            );
        }
    }
    let env_file = dir.path().join(".env");
    for option in ["--rules", "--usage"] {
        let output = keyaudit()
            .args(["audit", "--no-manifest", &tree, option])
            .arg(&env_file)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{option} .env is an error");
        assert_clean(&canaries, &output.stderr, &format!("{option} error"));
    }

    // A panic quoting a canary prints only where it happened.
    let output = keyaudit()
        .env("KEYAUDIT_TEST_PANIC", stripe)
        .args(["scan", &tree])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(101));
    assert!(String::from_utf8_lossy(&output.stderr).contains("internal error at"));
    assert_clean(&canaries, &output.stderr, "a panic");

    // The fingerprint command reads a canary and prints only its fingerprint.
    let output = keyaudit()
        .args(["fingerprint", "--no-manifest"])
        .write_stdin(format!("{stripe}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_clean(&canaries, &output.stdout, "fingerprint");
}
