//! Helpers shared by the integration tests.

use assert_cmd::Command;
use serde_json::Value;

/// The binary, run from the repository root.
pub fn keyaudit() -> Command {
    let mut cmd = Command::cargo_bin("keyaudit").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs keyaudit with `args`, expects exit code `code`, and parses stdout as JSON.
pub fn json_report(args: &[&str], code: i32) -> Value {
    let output = keyaudit().args(args).output().expect("runs");
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// `(rule, path, line)` of every location of every key.
pub fn placements(report: &Value) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    for key in report["keys"].as_array().expect("keys") {
        for location in key["locations"].as_array().expect("locations") {
            out.push((
                key["rule"].as_str().unwrap().to_string(),
                location["path"].as_str().unwrap().to_string(),
                location["line"].as_u64().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

/// The key reported by `rule`.
pub fn key_by_rule<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["rule"] == rule)
        .unwrap_or_else(|| panic!("no key from rule {rule}"))
}

/// The JSON report of `scan --no-manifest fixtures/basic` plus `extra`, which finds keys.
pub fn basic_report(extra: &[&str]) -> Value {
    let mut args = vec![
        "scan",
        "--no-manifest",
        "fixtures/basic",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    json_report(&args, 1)
}

/// `len` fresh random characters from `alphabet` (read from /dev/urandom), so no fixture can
/// stand in for a planted key.
pub fn random_text(alphabet: &[u8], len: usize) -> String {
    let mut random = vec![0u8; len];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut random))
        .expect("random bytes");
    random
        .iter()
        .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
        .collect()
}

/// Letters and digits.
pub const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fake Stripe live key of fresh random characters.
pub fn fresh_stripe_key() -> String {
    format!("sk_live_{}", random_text(ALPHANUMERIC, 32))
}
