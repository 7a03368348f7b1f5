//! `--verify` end to end, against a mock provider on 127.0.0.1 reached through
//! `KEYAUDIT_VERIFY_CONNECT_TO` (never a real provider): what a live, dead, slow or rate-limited
//! answer makes of a key and of the audit, in every report format; each key asked once, at
//! most `--verify-concurrency` at a time; nothing sent without `--verify`, nor for a generic
//! finding; a `KEYAUDIT_VERIFY_CONNECT_TO` that is not loopback refused before anything is
//! read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

use crate::common::{assert_exit, fingerprint_under, keyaudit, random_text, ALPHANUMERIC};
use crate::mock_http::{MockServer, Reply, Route};

const CONNECT_TO: &str = "KEYAUDIT_VERIFY_CONNECT_TO";
const GITHUB_HOST: &str = "api.github.com";
const SALT: &str = "0123456789abcdef0123456789abcdef";

/// A fresh GitHub classic token of the documented shape (`ghp_` and 36 letters and digits).
pub(crate) fn github_token() -> String {
    format!("ghp_{}", random_text(ALPHANUMERIC, 36))
}

/// GitHub's `GET /user` answering `token` with `reply`.
pub(crate) fn user_route(token: &str, reply: Reply) -> Route {
    Route::new("GET", "/user", reply).when("authorization", &format!("Bearer {token}"))
}

/// A live answer of `GET /user` for `login`, with classic scopes.
pub(crate) fn live(login: &str, scopes: &str) -> Reply {
    Reply::json(
        200,
        &format!(r#"{{"login":"{login}","id":1,"type":"User"}}"#),
    )
    .header("X-OAuth-Scopes", scopes)
}

/// GitHub's answer to a bad token.
pub(crate) fn bad_credentials() -> Reply {
    Reply::json(
        401,
        r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
    )
}

/// A tree of files `(path, text)` in a temporary directory.
pub(crate) struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    pub(crate) fn new(files: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn arg(&self) -> String {
        self.path().to_str().unwrap().to_string()
    }

    /// Writes `keyaudit.toml` declaring `entries` (`[[key]]` bodies keyed by their secret) and
    /// returns its path.
    pub(crate) fn manifest(&self, entries: &[(&str, &str, &str)]) -> PathBuf {
        let path = self.path().join("keyaudit.toml");
        std::fs::write(&path, format!("version = 1\nsalt = \"{SALT}\"\n")).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        for (id, secret, body) in entries {
            let fingerprint = fingerprint_under(&path, secret);
            text.push_str(&format!(
                "\n[[key]]\nid = \"{id}\"\nfingerprint = \"{fingerprint}\"\n{body}\n"
            ));
        }
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// keyaudit with every verification request sent to `server`.
pub(crate) fn verifying(server: &MockServer) -> Command {
    let mut cmd = keyaudit();
    cmd.env(CONNECT_TO, server.addr());
    cmd
}

/// Runs `cmd`, expects `code`, and parses stdout as JSON.
fn json(cmd: &mut Command, code: i32) -> Value {
    let output = cmd.output().unwrap();
    assert_exit(&output, code);
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// Runs `cmd`, expects `code`, and returns stdout.
fn text(cmd: &mut Command, code: i32) -> String {
    let output = cmd.output().unwrap();
    assert_exit(&output, code);
    String::from_utf8(output.stdout).unwrap()
}

/// The only key of `report`.
fn only_key(report: &Value) -> &Value {
    let keys = report["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    &keys[0]
}

#[test]
fn a_live_key_carries_its_identity_scopes_and_verified_tier() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let server = MockServer::start(vec![user_route(
        &token,
        live("octocat", "repo, read:org").header(
            "GitHub-Authentication-Token-Expiration",
            "2027-01-01 00:00:00 UTC",
        ),
    )]);
    let report = json(
        verifying(&server).args([
            "scan",
            "--no-manifest",
            "--verify",
            "--format",
            "json",
            &tree.arg(),
        ]),
        1,
    );
    let key = only_key(&report);
    let v = &key["verification"];
    assert_eq!(v["status"], "live", "{v}");
    assert_eq!(v["endpoint"], GITHUB_HOST);
    assert_eq!(v["identity"], "octocat");
    assert_eq!(v["scopes"], serde_json::json!(["repo", "read:org"]));
    assert_eq!(v["expires"], "2027-01-01 00:00:00 UTC");
    assert!(v["checked_at"].as_str().unwrap().ends_with('Z'), "{v}");
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "checked_at",
            "endpoint",
            "expires",
            "identity",
            "note",
            "scopes",
            "status"
        ]
    );
    assert_eq!(key["privilege"], "full");
    assert_eq!(
        key["privilege_evidence"],
        "verified per GitHub (api.github.com): scopes repo, read:org"
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "GET");
    assert_eq!(received[0].path, "/user");
    assert_eq!(received[0].header("host"), Some(GITHUB_HOST));
    assert_eq!(
        received[0].header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
}

#[test]
fn a_key_declared_revoked_yet_live_is_stale_first_and_listed_first() {
    let revoked = github_token();
    let other = github_token();
    // The revoked key sits in the later file, so only the ordering puts it first.
    let tree = Tree::new(&[
        ("a.env", format!("OTHER={other}\n")),
        ("z.env", format!("OLD={revoked}\n")),
    ]);
    let manifest = tree.manifest(&[(
        "old-gh",
        &revoked,
        "state = \"revoked\"\ncreated = 2020-01-01\nmax_age = \"90d\"",
    )]);
    let server = MockServer::start(vec![
        user_route(&revoked, live("octocat", "repo")),
        user_route(&other, bad_credentials()),
    ]);
    let audit = |format: &str| {
        let mut cmd = verifying(&server);
        cmd.args(["audit", "--verify", "--format", format, "--manifest"])
            .arg(&manifest)
            .arg(tree.path());
        cmd
    };
    let report = json(&mut audit("json"), 1);
    let key = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["declared_as"] == "old-gh")
        .unwrap();
    assert_eq!(key["reason_codes"][0], "stale.revoked-live", "{key}");
    assert_eq!(
        key["reasons"][0],
        "declared revoked yet still live per GitHub (api.github.com), account octocat: revoke it at the provider now"
    );
    assert!(key["reason_codes"]
        .as_array()
        .unwrap()
        .contains(&"stale.revoked-present".into()));
    // JSON keeps the inventory's order; the views for people put the worst first.
    assert_eq!(report["keys"][1]["declared_as"], "old-gh");
    let other_hint = report["keys"][0]["redacted"].as_str().unwrap().to_string();
    for format in ["table", "markdown"] {
        let out = text(&mut audit(format), 1);
        let first = out.find("old-gh").unwrap();
        let second = out.find(&other_hint).unwrap();
        assert!(first < second, "{format}:\n{out}");
    }
    let html = text(&mut audit("html"), 1);
    let fingerprint = |k: &Value| k["fingerprint"].as_str().unwrap().to_string();
    let first = html.find(&fingerprint(key)).unwrap();
    let second = html.find(&fingerprint(&report["keys"][0])).unwrap();
    assert!(first < second, "html lists the revoked key first");
}

#[test]
fn a_declared_active_key_its_provider_says_is_dead_is_stale() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let manifest = tree.manifest(&[("ci-token", &token, "")]);
    let server = MockServer::start(vec![user_route(&token, bad_credentials())]);
    let report = json(
        verifying(&server)
            .args(["audit", "--verify", "--format", "json", "--manifest"])
            .arg(&manifest)
            .arg(tree.path()),
        1,
    );
    let key = only_key(&report);
    assert_eq!(key["verification"]["status"], "dead");
    assert_eq!(key["flags"], serde_json::json!(["stale"]));
    assert_eq!(key["reason_codes"], serde_json::json!(["stale.dead"]));
    assert_eq!(
        key["reasons"][0],
        "declared active but dead per GitHub (api.github.com): HTTP 401 (bad credentials)"
    );
    // The same audit without --verify finds nothing wrong, and asks nobody.
    let asked = server.received().len();
    let report = json(
        verifying(&server)
            .args(["audit", "--format", "json", "--manifest"])
            .arg(&manifest)
            .arg(tree.path()),
        0,
    );
    assert!(only_key(&report).get("verification").is_none());
    assert_eq!(server.received().len(), asked);
}

#[test]
fn verified_scopes_and_tier_beyond_the_manifest_are_over_privileged() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let manifest = tree.manifest(&[(
        "ci-token",
        &token,
        "scopes = [\"repo\"]\nmax_privilege = \"full\"",
    )]);
    let server = MockServer::start(vec![user_route(&token, live("octocat", "repo, admin:org"))]);
    let report = json(
        verifying(&server)
            .args(["audit", "--verify", "--format", "json", "--manifest"])
            .arg(&manifest)
            .arg(tree.path()),
        1,
    );
    let key = only_key(&report);
    assert_eq!(key["privilege"], "admin");
    assert_eq!(key["flags"], serde_json::json!(["over-privileged"]));
    assert_eq!(
        key["reason_codes"],
        serde_json::json!([
            "over-privileged.verified-tier",
            "over-privileged.verified-scopes"
        ])
    );
    assert_eq!(
        key["reasons"][1],
        "verified scopes admin:org per GitHub (api.github.com) beyond the declared scopes [repo]"
    );
    // Read back from the report, the audit needs no provider: the answer is in the report.
    let saved = tree.path().join("report.json");
    let asked = server.received().len();
    std::fs::write(
        &saved,
        text(
            verifying(&server)
                .args(["scan", "--verify", "--format", "json", "--manifest"])
                .arg(&manifest)
                .arg(tree.path()),
            1,
        ),
    )
    .unwrap();
    assert_eq!(server.received().len(), asked + 1);
    let read_back = json(
        verifying(&server)
            .args(["audit", "--format", "json", "--manifest"])
            .arg(&manifest)
            .arg("--inventory")
            .arg(&saved),
        1,
    );
    // A report holds no secret to send: --verify with --inventory is a usage error.
    let refused = verifying(&server)
        .args(["audit", "--verify", "--inventory"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_exit(&refused, 2);
    let key = only_key(&read_back);
    assert_eq!(key["verification"]["status"], "live");
    assert_eq!(
        key["reason_codes"],
        serde_json::json!([
            "over-privileged.verified-tier",
            "over-privileged.verified-scopes"
        ])
    );
    assert_eq!(server.received().len(), asked + 1);
}

/// Takes the real 10-second timeout once: a provider that answers after 11 seconds is an error,
/// never dead, and changes no verdict.
#[test]
fn a_provider_slower_than_the_10_second_timeout_is_an_error_never_dead() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let manifest = tree.manifest(&[("ci-token", &token, "")]);
    let server = MockServer::start(vec![user_route(
        &token,
        bad_credentials().after(Duration::from_secs(11)),
    )]);
    let started = std::time::Instant::now();
    let report = json(
        verifying(&server)
            .args(["audit", "--verify", "--format", "json", "--manifest"])
            .arg(&manifest)
            .arg(tree.path()),
        0,
    );
    assert!(started.elapsed() >= Duration::from_secs(9));
    let key = only_key(&report);
    assert_eq!(key["verification"]["status"], "error", "{key}");
    assert_eq!(
        key["verification"]["note"],
        "api.github.com did not answer in time"
    );
    assert_eq!(key["flags"], serde_json::json!([]));
}

#[test]
fn a_retry_after_is_waited_out_once() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let server = MockServer::start(vec![user_route(
        &token,
        Reply::json(429, r#"{"message":"slow down"}"#).header("Retry-After", "1"),
    )
    .then(live("octocat", "repo"))]);
    let started = std::time::Instant::now();
    let report = json(
        verifying(&server).args([
            "scan",
            "--no-manifest",
            "--verify",
            "--format",
            "json",
            &tree.arg(),
        ]),
        1,
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(only_key(&report)["verification"]["status"], "live");
    assert_eq!(server.received().len(), 2);
}

#[test]
fn at_most_verify_concurrency_calls_run_at_once() {
    let tokens: Vec<String> = (0..8).map(|_| github_token()).collect();
    let text: String = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| format!("TOKEN_{i}={t}\n"))
        .collect();
    let tree = Tree::new(&[("many.env", text)]);
    for cap in [1u8, 3] {
        let server = MockServer::start(
            tokens
                .iter()
                .map(|t| user_route(t, live("octocat", "repo").after(Duration::from_millis(300))))
                .collect(),
        );
        let report = json(
            verifying(&server).args([
                "scan",
                "--no-manifest",
                "--verify",
                "--verify-concurrency",
                &cap.to_string(),
                "--format",
                "json",
                &tree.arg(),
            ]),
            1,
        );
        assert_eq!(server.received().len(), 8);
        let most = server.most_at_once();
        assert!(
            most <= usize::from(cap),
            "{most} calls at once with a cap of {cap}"
        );
        if cap > 1 {
            assert!(most > 1, "the cap of {cap} was never used");
        }
        for key in report["keys"].as_array().unwrap() {
            assert_eq!(key["verification"]["status"], "live");
        }
    }
    for bad in ["0", "33", "x"] {
        let output = keyaudit()
            .args(["scan", "--verify", "--verify-concurrency", bad, &tree.arg()])
            .output()
            .unwrap();
        assert_exit(&output, 2);
    }
}

#[test]
fn each_key_is_asked_once_however_many_places_hold_it() {
    let token = github_token();
    let tree = Tree::new(&[
        ("a.env", format!("GITHUB_TOKEN={token}\n")),
        ("b/config.yml", format!("token: {token}\n")),
        ("c.json", format!("{{\"token\": \"{token}\"}}\n")),
    ]);
    let server = MockServer::start(vec![user_route(&token, live("octocat", "repo"))]);
    let report = json(
        verifying(&server).args([
            "scan",
            "--no-manifest",
            "--verify",
            "--format",
            "json",
            &tree.arg(),
        ]),
        1,
    );
    assert_eq!(only_key(&report)["locations"].as_array().unwrap().len(), 3);
    assert_eq!(server.received().len(), 1);
}

#[test]
fn each_key_is_asked_once_across_the_repositories_of_a_repos_run() {
    let token = github_token();
    let tree = Tree::new(&[
        ("one/app.env", format!("GITHUB_TOKEN={token}\n")),
        ("two/ci.env", format!("GH={token}\n")),
    ]);
    let list = tree.path().join("repos.txt");
    let root = tree.path().display();
    std::fs::write(&list, format!("{root}/one one\n{root}/two two\n")).unwrap();
    let server = MockServer::start(vec![user_route(&token, live("octocat", "repo"))]);
    let report = json(
        verifying(&server)
            .args([
                "scan",
                "--verify",
                "--no-manifest",
                "--format",
                "json",
                "--repos",
            ])
            .arg(&list),
        1,
    );
    let key = only_key(&report);
    assert_eq!(key["verification"]["status"], "live");
    assert_eq!(key["locations"].as_array().unwrap().len(), 2);
    assert_eq!(server.received().len(), 1);
}

#[test]
fn without_verify_nothing_is_sent_even_with_connect_to_set() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let server = MockServer::start(vec![user_route(&token, live("octocat", "repo"))]);
    for command in ["scan", "audit"] {
        for format in ["json", "table", "markdown", "sarif", "html", "cyclonedx"] {
            let out = text(
                verifying(&server).args([
                    command,
                    "--no-manifest",
                    "-v",
                    "--format",
                    format,
                    &tree.arg(),
                ]),
                1,
            );
            assert!(
                !out.contains("verif"),
                "{command} {format} speaks of verification"
            );
        }
    }
    assert_eq!(server.received().len(), 0);
}

/// Without `KEYAUDIT_VERIFY_CONNECT_TO`, requests go to the provider's host over HTTPS, through
/// `HTTPS_PROXY` when it is set: here a mock proxy on 127.0.0.1 that refuses the tunnel, so
/// nothing reaches a network and the answer is an error, never dead.
#[test]
fn https_proxy_carries_the_call_to_the_providers_host() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let proxy = MockServer::start(Vec::new());
    let mut cmd = keyaudit();
    cmd.env_remove(CONNECT_TO)
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("https_proxy")
        .env("HTTPS_PROXY", format!("http://{}", proxy.addr()))
        .args([
            "scan",
            "--no-manifest",
            "--verify",
            "--format",
            "json",
            &tree.arg(),
        ]);
    let report = json(&mut cmd, 1);
    let verification = &only_key(&report)["verification"];
    assert_eq!(verification["status"], "error", "{verification}");
    let asked = proxy.received();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].method, "CONNECT");
    assert_eq!(asked[0].path, format!("{GITHUB_HOST}:443"));
    let tunnel: String = format!("{asked:?}");
    assert!(
        !tunnel.contains(&token),
        "the key went to the proxy in the clear"
    );
}

#[test]
fn a_connect_to_that_is_not_loopback_is_refused_before_anything_is_read() {
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={}\n", github_token()))]);
    let missing = tree.path().join("no-such-dir");
    for value in [
        "10.0.0.1:8080",
        "example.com:443",
        "127.0.0.1",
        "0.0.0.0:80",
    ] {
        for command in ["scan", "audit"] {
            let output = keyaudit()
                .env(CONNECT_TO, value)
                .args([command, "--verify", "--no-manifest"])
                .arg(&missing)
                .output()
                .unwrap();
            assert_exit(&output, 2);
            let stderr = String::from_utf8_lossy(&output.stderr);
            // Refused before the missing PATH is even looked at.
            assert!(
                stderr.contains(CONNECT_TO) && stderr.contains("refused"),
                "{stderr}"
            );
            assert!(!stderr.contains("no-such-dir"), "{stderr}");
            assert!(output.stdout.is_empty());
        }
    }
}

#[test]
fn verify_only_asks_only_the_providers_named_in_any_case() {
    let token = github_token();
    let slack = format!(
        "xoxb-{}-{}-{}",
        random_text(b"0123456789", 11),
        random_text(b"0123456789", 12),
        random_text(ALPHANUMERIC, 24)
    );
    let tree = Tree::new(&[(
        "app.env",
        format!("GITHUB_TOKEN={token}\nSLACK_TOKEN={slack}\n"),
    )]);
    let server = MockServer::start(vec![user_route(&token, live("octocat", "repo"))]);
    let report = json(
        verifying(&server).args([
            "scan",
            "--no-manifest",
            "--verify",
            "--verify-only",
            "GITHUB",
            "--format",
            "json",
            &tree.arg(),
        ]),
        1,
    );
    let keys = report["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    for key in keys {
        let v = &key["verification"];
        if key["rule"].as_str().unwrap().starts_with("github") {
            assert_eq!(v["status"], "live");
        } else {
            assert_eq!(v["status"], "unknown");
            assert_eq!(v["endpoint"], Value::Null);
            let note = v["note"].as_str().unwrap();
            assert!(
                note == "not asked: --verify-only leaves out Slack"
                    || note.starts_with("no verifier for rule"),
                "{note}"
            );
        }
    }
    assert!(server.received().iter().all(|r| r.path == "/user"));
    assert_eq!(server.received().len(), 1);
    // An unknown name is a usage error naming the providers there are; so is --verify-only
    // without --verify.
    let output = keyaudit()
        .args([
            "scan",
            "--verify",
            "--verify-only",
            "github,gitbub",
            &tree.arg(),
        ])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("gitbub") && stderr.contains("GitHub"),
        "{stderr}"
    );
    let output = keyaudit()
        .args(["scan", "--verify-only", "github", &tree.arg()])
        .output()
        .unwrap();
    assert_exit(&output, 2);
}

#[test]
fn generic_findings_passwords_and_connection_strings_are_never_sent() {
    let password = format!(
        "{}+{}",
        random_text(ALPHANUMERIC, 11),
        random_text(ALPHANUMERIC, 11)
    );
    let db = random_text(ALPHANUMERIC, 20);
    let tree = Tree::new(&[(
        ".env",
        format!("DB_PASSWORD={password}\nDATABASE_URL=postgres://app:{db}@db.internal:5432/app\n"),
    )]);
    let server = MockServer::start(Vec::new());
    let report = json(
        verifying(&server).args([
            "scan",
            "--no-manifest",
            "--verify",
            "--format",
            "json",
            &tree.arg(),
        ]),
        1,
    );
    let keys = report["keys"].as_array().unwrap();
    assert!(keys.len() >= 2, "{keys:?}");
    for key in keys {
        let v = &key["verification"];
        assert_eq!(v["status"], "unknown");
        assert!(
            v["note"].as_str().unwrap().starts_with("never sent: "),
            "{v}"
        );
    }
    assert_eq!(server.received().len(), 0);
}

#[test]
fn every_format_shows_the_verification() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let server = MockServer::start(vec![user_route(&token, live("octocat", "repo, read:org"))]);
    let scan = |format: &str| {
        text(
            verifying(&server).args([
                "scan",
                "--no-manifest",
                "--verify",
                "--format",
                format,
                &tree.arg(),
            ]),
            1,
        )
    };
    let table = scan("table");
    assert!(
        table.lines().next().unwrap().contains("verified"),
        "{table}"
    );
    assert!(
        table.contains("verify: live per api.github.com: octocat; scopes repo, read:org"),
        "{table}"
    );
    let markdown = scan("markdown");
    assert!(markdown.contains("| verified |"), "{markdown}");
    assert!(markdown.contains("## Verification"), "{markdown}");
    assert!(
        markdown.contains("live per api.github.com: octocat"),
        "{markdown}"
    );
    let html = scan("html");
    assert!(html.contains("<section id=\"verification\">"), "{html}");
    assert!(html.contains("<td>octocat</td>") && html.contains("<td>live</td>"));
    assert!(html.contains("data-tile=\"verified live\""));
    let jsonl = scan("jsonl");
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["verification"]["status"], "live");
    let sarif: Value = serde_json::from_str(&scan("sarif")).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["verification"]["status"], "live");
    assert_eq!(result["properties"]["verification"]["identity"], "octocat");
    let bom: Value = serde_json::from_str(&scan("cyclonedx")).unwrap();
    let properties = bom["components"][0]["properties"].as_array().unwrap();
    let property = |name: &str| {
        properties
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        property("keyaudit:verification:status").as_deref(),
        Some("live")
    );
    assert_eq!(
        property("keyaudit:verification:endpoint").as_deref(),
        Some(GITHUB_HOST)
    );
    assert_eq!(
        property("keyaudit:verification:scopes").as_deref(),
        Some("repo,read:org")
    );
    assert_eq!(server.received().len(), 6);
}

#[test]
fn verbose_lines_name_the_provider_and_host_never_the_key_or_a_path() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    let server = MockServer::start(vec![user_route(&token, live("octocat", "repo"))]);
    let output = verifying(&server)
        .args([
            "scan",
            "--no-manifest",
            "--verify",
            "-v",
            "--format",
            "json",
            &tree.arg(),
        ])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("verify: github-classic-pat at app.env:1: GitHub api.github.com: live"),
        "{stderr}"
    );
    assert!(
        stderr.contains("verify: 1 key asked: 1 live; 0 not asked"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&token) && !stderr.contains("/user"),
        "{stderr}"
    );
}

#[test]
fn the_database_records_each_runs_verification_and_says_since_when() {
    let token = github_token();
    let tree = Tree::new(&[("app.env", format!("GITHUB_TOKEN={token}\n"))]);
    // Live twice, then dead (revoked at GitHub), then an error that proves nothing.
    let server = MockServer::start(vec![user_route(&token, live("octocat", "repo"))
        .then(live("octocat", "repo"))
        .then(bad_credentials())
        .then(Reply::json(502, "{}"))]);
    let db = tree.path().join("keys.db");
    let mut checked = Vec::new();
    for run in 0..4 {
        let report = tree.path().join(format!("run-{run}.json"));
        let output = verifying(&server)
            .args([
                "scan",
                "--no-manifest",
                "--verify",
                "--format",
                "json",
                "-o",
            ])
            .arg(&report)
            .arg(tree.path().join("app.env"))
            .output()
            .unwrap();
        assert_exit(&output, 1);
        let written: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        checked.push(
            only_key(&written)["verification"]["checked_at"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        let ingest = keyaudit()
            .args(["db", "ingest", "--quiet", "--db"])
            .arg(&db)
            .arg(&report)
            .output()
            .unwrap();
        assert_exit(&ingest, 0);
        let view = json(
            keyaudit()
                .args(["db", "report", "--format", "json", "--db"])
                .arg(&db),
            0,
        );
        let v = &only_key(&view)["verification"];
        let (status, since) = match run {
            0 | 1 => ("live", &checked[0]),
            _ => ("dead", &checked[2]),
        };
        assert_eq!(v["status"], status, "run {run}: {v}");
        // The database keeps times to the second.
        assert_eq!(
            &v["since"].as_str().unwrap()[..19],
            &since[..19],
            "run {run}: {v}"
        );
        assert_eq!(v["identity"], "octocat");
        assert_eq!(v["endpoint"], GITHUB_HOST);
    }
    let view = json(
        keyaudit()
            .args(["db", "report", "--format", "json", "--db"])
            .arg(&db),
        0,
    );
    assert_eq!(only_key(&view)["verification"]["last_status"], "error");
    let table = text(
        keyaudit()
            .args(["db", "report", "--format", "table", "--db"])
            .arg(&db),
        0,
    );
    assert!(
        table.contains("verified") && table.contains("dead since"),
        "{table}"
    );
    let markdown = text(
        keyaudit()
            .args(["db", "report", "--format", "markdown", "--db"])
            .arg(&db),
        0,
    );
    assert!(
        markdown.contains("| verified |") && markdown.contains("dead since"),
        "{markdown}"
    );
    let html = text(
        keyaudit()
            .args(["db", "report", "--format", "html", "--db"])
            .arg(&db),
        0,
    );
    assert!(html.contains("<th>verified</th>") && html.contains("dead since"));
    // One row per run: the status, when and whom, never a body or a secret.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let statuses: Vec<String> = conn
        .prepare("SELECT status FROM verifications ORDER BY checked_ms")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(statuses, ["live", "live", "dead", "error"]);
    drop(conn);
    let bytes = std::fs::read(&db).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(&token));
}
