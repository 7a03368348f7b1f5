//! `-v -v`: each candidate value turned down, with its rule and reason, on stderr; never the
//! value itself.

use crate::common::keyaudit;

/// Stderr of `scan ARGS` over a directory holding a code-shaped value and a template under
/// secret names.
fn stderr_of(verbosity: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("service.conf"),
        "password = getenv(\"X\")\ntoken: ${TOKEN}\n",
    )
    .unwrap();
    let output = keyaudit()
        .args(["scan", "--no-manifest", "--format", "json"])
        .args(verbosity)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "nothing to find");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn rejected_candidates_are_listed_with_their_reasons_under_two_v() {
    let stderr = stderr_of(&["-v", "-v"]);
    let lines: Vec<&str> = stderr.lines().collect();
    for expected in [
        "service.conf:1:12: generic-secret-assignment: rejected (code)",
        "service.conf:2:8: generic-secret-assignment: rejected (template)",
    ] {
        assert!(lines.contains(&expected), "{expected} not in:\n{stderr}");
    }
    // The values, or any part of them, never.
    for value in ["getenv", "\"X\"", "${", "TOKEN}"] {
        assert!(!stderr.contains(value), "{value} in:\n{stderr}");
    }
}

#[test]
fn fewer_than_two_v_list_no_rejections() {
    for verbosity in [&[][..], &["-v"], &["-q", "-v", "-v"]] {
        let stderr = stderr_of(verbosity);
        assert!(!stderr.contains("rejected"), "{verbosity:?}:\n{stderr}");
    }
}
