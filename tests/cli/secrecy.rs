//! Secrets are toxic: no raw secret in any report format, on stderr, or in `-o` files unless
//! `--show-secrets` is given; the fingerprint command agrees with the inventory.

use crate::common::{basic_report, keyaudit};

/// Every raw secret in fixtures/basic, read through `--show-secrets`. A key whose value is its
/// own `key_id` (an AWS access key id) is a public identifier by SPEC section 3 and is left out.
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
    for format in ["table", "jsonl"] {
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
        assert!(String::from_utf8_lossy(&output.stdout).contains(stripe.as_str()));
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
