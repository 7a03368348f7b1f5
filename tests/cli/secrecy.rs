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

/// Verification sends a key to its provider and nowhere else: the mock provider receives each
/// canary in its `Authorization` header, and no report format, no stderr line (with and
/// without `-v -v`), no report file and no database ever holds one, whatever the provider
/// answered (live, dead, an unexpected error).
#[test]
fn verification_sends_canaries_to_their_provider_only() {
    use crate::mock_http::{MockServer, Reply};
    use crate::verify::{bad_credentials, github_token, live, user_route, verifying, Tree};

    let (live_key, dead_key, error_key) = (github_token(), github_token(), github_token());
    let canaries = vec![live_key.clone(), dead_key.clone(), error_key.clone()];
    let tree = Tree::new(&[
        (
            ".env",
            format!("GITHUB_TOKEN={live_key}\nOLD_TOKEN={dead_key}\n"),
        ),
        ("ci/deploy.yml", format!("token: {error_key}\n")),
    ]);
    let manifest = tree.manifest(&[("old", &live_key, "state = \"revoked\"")]);
    let server = MockServer::start(vec![
        user_route(&live_key, live("octocat", "repo, admin:org")),
        user_route(&dead_key, bad_credentials()),
        user_route(&error_key, Reply::json(500, r#"{"message":"oops"}"#)),
    ]);
    let db = tree.path().join("inventory.db");
    let mut runs = 0;
    for command in ["scan", "audit"] {
        for verbose in [&[][..], &["-v", "-v"][..]] {
            for format in [
                "table",
                "json",
                "jsonl",
                "markdown",
                "sarif",
                "html",
                "cyclonedx",
            ] {
                let what = format!("{command} --verify {verbose:?} --format {format}");
                let out = tree.path().join(format!("report.{format}"));
                let output = verifying(&server)
                    .args([command, "--verify", "--format", format, "--manifest"])
                    .arg(&manifest)
                    .args(verbose)
                    .arg("-o")
                    .arg(&out)
                    .arg(tree.path())
                    .output()
                    .unwrap();
                runs += 1;
                assert_eq!(output.status.code(), Some(1), "{what}");
                assert_clean(&canaries, &output.stdout, &what);
                assert_clean(&canaries, &output.stderr, &format!("{what} stderr"));
                let written = std::fs::read(&out).unwrap();
                assert!(
                    String::from_utf8_lossy(&written).contains("octocat"),
                    "{what}: the verification is in the report"
                );
                assert_clean(&canaries, &written, &format!("{what} -o"));
                if !verbose.is_empty() {
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    assert!(stderr.contains("GitHub api.github.com: live"), "{stderr}");
                    assert!(stderr.contains("unexpected HTTP 500"), "{stderr}");
                }
                if format == "json" {
                    let ingest = crate::common::keyaudit()
                        .args(["db", "ingest", "--db"])
                        .arg(&db)
                        .arg(&out)
                        .output()
                        .unwrap();
                    assert_eq!(ingest.status.code(), Some(0), "{ingest:?}");
                    assert_clean(&canaries, &ingest.stderr, "db ingest stderr");
                }
            }
        }
    }
    for format in ["table", "json", "markdown", "html"] {
        let report = crate::common::keyaudit()
            .args(["db", "report", "--format", format, "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert_eq!(report.status.code(), Some(0), "{report:?}");
        assert_clean(&canaries, &report.stdout, &format!("db report {format}"));
    }
    // The database file itself, and its journal if one is left.
    for entry in std::fs::read_dir(tree.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("inventory.db") {
            assert_clean(&canaries, &std::fs::read(&path).unwrap(), "the database");
        }
    }
    // Each canary went to its provider, in the Authorization header, once a run.
    let received = server.received();
    assert_eq!(received.len(), runs * 3);
    for canary in &canaries {
        let bearer = format!("Bearer {canary}");
        let sent = received
            .iter()
            .filter(|r| r.header("authorization") == Some(bearer.as_str()))
            .count();
        assert_eq!(sent, runs, "a canary was not sent once a run");
    }
    assert!(received
        .iter()
        .all(|r| r.path == "/user" && r.header("host") == Some("api.github.com")));
}

/// A run recorded in a database (`--db`, incremental or not, even with `--show-secrets`)
/// leaves no secret in the database file, on stderr, or in what `db report` prints.
#[test]
fn recorded_runs_keep_no_secret_in_the_database() {
    let (dir, canaries) = canary_tree();
    let repo = crate::common::GitRepo::at(dir.path());
    repo.run(&["init", "-q"]);
    repo.commit_all("the canaries");
    std::fs::rename(dir.path().join(".env"), dir.path().join("old.env")).unwrap();
    let db = dir.path().join("runs.db");
    for round in 0..2 {
        if round == 1 {
            repo.commit_all("moved");
        }
        let output = keyaudit()
            .current_dir(dir.path())
            .args([
                "scan",
                "--history",
                "--incremental",
                "--show-secrets",
                "-v",
                "-v",
            ])
            .args(["--format", "json", "--db"])
            .arg(&db)
            .arg(".")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "round {round}");
        // Shown in the report, as asked: so their absence below means something.
        assert!(String::from_utf8_lossy(&output.stdout).contains(canaries[0].as_str()));
        assert_clean(&canaries, &output.stderr, "a recorded run's stderr");
    }
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("runs.db") {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert_clean(&canaries, &bytes, "the database file");
        }
    }
    for format in ["json", "table", "markdown", "html"] {
        let output = keyaudit()
            .args(["db", "report", "--format", format, "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        assert_clean(&canaries, &output.stdout, &format!("db report {format}"));
    }
}
