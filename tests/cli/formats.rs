//! Env dumps and config formats as inputs (`fixtures/formats/`): every key records the
//! variable it is assigned to and the decoding that revealed it; malformed inputs never crash
//! and never yield a key; structured keys refine their tier, expiry and account offline.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use crate::common::{json_report, keyaudit};

/// `(path, line, rule, variable, decoded)` of every location.
fn rows(report: &Value) -> Vec<(String, u64, String, String, String)> {
    let mut rows = Vec::new();
    for key in report["keys"].as_array().unwrap() {
        for l in key["locations"].as_array().unwrap() {
            rows.push((
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
                key["rule"].as_str().unwrap().to_string(),
                l["variable"].as_str().unwrap_or("-").to_string(),
                l["decoded"].as_str().unwrap_or("-").to_string(),
            ));
        }
    }
    rows.sort();
    rows
}

#[test]
fn every_format_yields_its_keys_with_variables() {
    let report = json_report(
        &[
            "scan",
            "--no-manifest",
            "fixtures/formats",
            "--format",
            "json",
        ],
        1,
    );
    let expected: Vec<(&str, u64, &str, &str, &str)> = vec![
        ("app.env", 2, "sendgrid-api-key", "SENDGRID_API_KEY", "-"),
        (
            "app.env",
            3,
            "generic-secret-assignment",
            "DB_PASSWORD",
            "-",
        ),
        ("app.env", 5, "private-key-rsa", "SIGNING_KEY", "-"),
        (
            "aws/config",
            3,
            "aws-secret-access-key",
            "aws_secret_access_key",
            "-",
        ),
        (
            "aws/credentials",
            2,
            "aws-access-key-id",
            "aws_access_key_id",
            "-",
        ),
        (
            "aws/credentials",
            3,
            "aws-secret-access-key",
            "aws_secret_access_key",
            "-",
        ),
        (
            "billing.envfile",
            2,
            "mailgun-api-key",
            "MAILGUN_API_KEY",
            "-",
        ),
        (
            "billing.service",
            5,
            "slack-bot-token",
            "SLACK_BOT_TOKEN",
            "-",
        ),
        (
            "ci/deploy.yml",
            4,
            "flyio-access-token",
            "FLY_API_TOKEN",
            "-",
        ),
        (
            "ci/deploy.yml",
            9,
            "generic-secret-assignment",
            "DEPLOY_PASSWORD",
            "-",
        ),
        (
            "docker-inspect.json",
            7,
            "databricks-access-token",
            "DATABRICKS_TOKEN",
            "-",
        ),
        ("docker/config.json", 4, "docker-config-auth", "auth", "-"),
        ("export-p.txt", 2, "npm-access-token", "NPM_TOKEN", "-"),
        ("git/.git-credentials", 1, "github-classic-pat", "-", "-"),
        (
            "k8s/secret.json",
            8,
            "npm-access-token",
            "NPM_TOKEN",
            "base64",
        ),
        (
            "k8s/secrets.yaml",
            14,
            "stripe-secret-key-live",
            "STRIPE_SECRET_KEY",
            "base64",
        ),
        (
            "k8s/secrets.yaml",
            15,
            "generic-secret-assignment",
            "DB_PASSWORD",
            "base64",
        ),
        (
            "k8s/secrets.yaml",
            17,
            "gitlab-personal-access-token",
            "GITLAB_TOKEN",
            "-",
        ),
        ("kube/config", 10, "jwt", "token", "-"),
        (
            "kube/config",
            13,
            "private-key-rsa",
            "client-key-data",
            "base64",
        ),
        ("netrc/.netrc", 3, "netrc-password", "password", "-"),
        ("npmrc/.npmrc", 2, "npm-access-token", "_authToken", "-"),
        (
            "printenv.txt",
            3,
            "stripe-secret-key-live",
            "STRIPE_SECRET_KEY",
            "-",
        ),
        ("printenv.txt", 5, "github-classic-pat", "GITHUB_TOKEN", "-"),
        ("pypirc/.pypirc", 6, "pypi-api-token", "password", "-"),
        ("set.txt", 2, "openai-project-key", "OPENAI_API_KEY", "-"),
    ];
    let expected: Vec<(String, u64, String, String, String)> = expected
        .into_iter()
        .map(|(p, l, r, v, d)| (p.into(), l, r.into(), v.into(), d.into()))
        .collect();
    assert_eq!(rows(&report), expected);
}

#[test]
fn a_kubernetes_secret_with_a_base64_stripe_key_yields_the_key() {
    let report = json_report(
        &[
            "scan",
            "--no-manifest",
            "--show-secrets",
            "fixtures/formats/k8s/secrets.yaml",
            "--format",
            "json",
        ],
        1,
    );
    let stripe = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["rule"] == "stripe-secret-key-live")
        .unwrap();
    assert!(stripe["secret"].as_str().unwrap().starts_with("sk_live_"));
    assert_eq!(stripe["locations"][0]["decoded"], "base64");
    assert_eq!(
        report["keys"].as_array().unwrap().len(),
        3,
        "the encoded forms are not keys too"
    );
}

#[test]
fn malformed_inputs_never_crash_nor_yield_bogus_keys() {
    let report = json_report(
        &[
            "scan",
            "--no-manifest",
            "fixtures/malformed",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(report["keys"], serde_json::json!([]));
    assert_eq!(report["scan"]["errors"], serde_json::json!([]));
    assert_eq!(report["scan"]["files"], 5);
}

fn jwt(claims: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.as_bytes()),
        "Q2hlY2tpbmdPZmZsaW5lT25seU5vdFNpZ25lZEJ5S2V5YXVkaXQ"
    )
}

/// Scans `input` from stdin and returns the one key found.
fn only_key(input: &str) -> Value {
    let output = keyaudit()
        .args(["scan", "--no-manifest", "-", "--format", "json"])
        .write_stdin(input)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let keys = report["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{report}");
    keys[0].clone()
}

#[test]
fn supabase_roles_set_the_tier() {
    let service = only_key(&format!(
        "SUPABASE_SERVICE_ROLE_KEY={}\n",
        jwt(
            r#"{"iss":"supabase","ref":"qwrtzpsdfgh","role":"service_role","iat":1763856000,"exp":2079432000}"#
        )
    ));
    assert_eq!(service["privilege"], "admin");
    assert_eq!(service["privilege_evidence"], "jwt claim role=service_role");
    let anon = only_key(&format!(
        "SUPABASE_ANON_KEY={}\n",
        jwt(
            r#"{"iss":"supabase","ref":"qwrtzpsdfgh","role":"anon","iat":1763856000,"exp":2079432000}"#
        )
    ));
    assert_eq!(anon["privilege"], "public");
}

#[test]
fn an_expired_jwt_reports_its_past_expiry() {
    let key = only_key(&format!(
        "TOKEN={}\n",
        jwt(r#"{"sub":"svc","iat":1700000000,"exp":1700003600}"#)
    ));
    assert_eq!(key["expires"], "2023-11-14T23:13:20Z");
    assert_eq!(key["lifetime"], "short");
}

#[test]
fn a_read_only_sas_is_tier_read_with_its_expiry() {
    let key = only_key(
        "EXPORT_URL=https://acct.blob.core.windows.net/exports?sp=rl&st=2026-03-01T09:00:00Z&se=2026-03-02T09:00:00Z&spr=https&sv=2022-11-02&sr=c&sig=Zq8rT2mW9xLp4vN7bK3sYc6dF1gH5jQ0aE2uR7tY9w%3D\n",
    );
    assert_eq!(key["rule"], "azure-sas-token");
    assert_eq!(key["privilege"], "read");
    assert_eq!(key["privilege_evidence"], "sas sp=rl sr=c");
    assert_eq!(key["expires"], "2026-03-02T09:00:00Z");
}

#[test]
fn an_akia_key_shows_its_account() {
    // Base32 of an account id written into the key id, as AWS encodes it.
    let key = only_key("AWS_ACCESS_KEY_ID=AKIAQ2ZRT4MWXLP4VN7Q\n");
    assert_eq!(key["key_id"], "AKIAQ2ZRT4MWXLP4VN7Q");
    let account = key["aws_account"].as_str().unwrap();
    assert_eq!(account.len(), 12);
    assert!(account.bytes().all(|b| b.is_ascii_digit()));
    assert!(key["environment_evidence"]
        .as_str()
        .unwrap()
        .contains(account));
}

#[test]
fn pem_keys_report_their_algorithm_and_bits() {
    use base64::engine::general_purpose::STANDARD;
    // A PKCS#1 RSAPrivateKey: SEQUENCE { version 0, a 2048-bit modulus, exponent 65537 }.
    let mut modulus = vec![0x00, 0xc7];
    modulus.extend((0..255u32).map(|i| (i * 37 + 11) as u8));
    let mut body = vec![0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01];
    body.extend(&modulus);
    body.extend([0x02, 0x03, 0x01, 0x00, 0x01]);
    let mut der = vec![0x30, 0x82];
    der.extend((body.len() as u16).to_be_bytes());
    der.extend(body);
    let encoded = STANDARD.encode(&der);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        lines.join("\n")
    );
    let key = only_key(&pem);
    assert_eq!(key["rule"], "private-key-rsa");
    assert_eq!(key["privilege_evidence"], "pem rsa 2048 bits");
}

/// The HTML and Markdown reports say which repository, branch and commit they cover, with the
/// remote's credentials removed, and when they were made.
#[test]
fn reports_name_the_repository_branch_and_commit_without_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let git = crate::common::GitRepo::init_on(dir.path().join("checkout"), "release");
    let repo = git.path();
    let password = format!(
        "pw{}",
        crate::common::random_text(crate::common::NO_VOWELS, 20)
    );
    git.run(&[
        "remote",
        "add",
        "origin",
        &format!("https://ci:{password}@git.example.invalid/acme/payments.git"),
    ]);
    git.write(
        "app.env",
        &format!("STRIPE_SECRET_KEY={}\n", crate::common::fresh_stripe_key()),
    );
    let head = git.commit_all("app");
    let render = |format: &str| {
        let output = keyaudit()
            .args(["audit", "--no-manifest", "--format", format])
            .arg(repo)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout).unwrap()
    };
    let markdown = render("markdown");
    assert!(
        markdown.starts_with("# keyaudit audit of payments\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains(&format!(
            "Repository **payments** · `https://git.example.invalid/acme/payments.git` · branch `release` · commit `{}`",
            &head[..12]
        )),
        "{markdown}"
    );
    assert!(markdown.contains("\nGenerated 20"), "{markdown}");
    let html = render("html");
    assert!(html.contains("<title>keyaudit audit of payments</title>"));
    let repository = &html[html
        .find("<dd id=\"repository\">")
        .expect("a repository line")..];
    let repository = &repository[..repository.find("</dd>").unwrap()];
    for part in [
        "<strong>payments</strong>",
        "<code>https://git.example.invalid/acme/payments.git</code>",
        "branch <code>release</code>",
        &format!("commit <code>{head}</code>"),
    ] {
        assert!(repository.contains(part), "{part} in {repository}");
    }
    let json = render("json");
    for text in [&markdown, &html, &json] {
        assert!(!text.contains(&password), "the remote's password leaked");
    }
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["scan"]["repository"]["branch"], "release");
    assert_eq!(json["scan"]["repository"]["commit"], head.as_str());
}
