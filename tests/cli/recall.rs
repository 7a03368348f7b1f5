//! The recall harness: fresh random credentials of several shapes planted in the syntaxes real
//! code and config use to hold them, plus look-alikes that are not keys. Prints recall per
//! syntax and every false positive; fails under 97% recall or on any look-alike reported.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common::{json_report, keyaudit, random_text, ALPHANUMERIC};

const HEX: &[u8] = b"0123456789abcdef";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// Symbols a password may hold that survive every syntax below unescaped (URL userinfo,
/// shell words, `.pgpass` fields, XML).
const SYMBOLS: &[u8] = b"!*-_.~^";

/// The shapes of credential planted.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Alphanumeric,
    Hex32,
    Hex40,
    Hex64,
    Base64Short,
    Base64Long,
    Password,
    Uuid,
}

const SHAPES: [Shape; 8] = [
    Shape::Alphanumeric,
    Shape::Hex32,
    Shape::Hex40,
    Shape::Hex64,
    Shape::Base64Short,
    Shape::Base64Long,
    Shape::Password,
    Shape::Uuid,
];

/// A random number below `n`.
fn below(n: usize) -> usize {
    let digits = random_text(b"0123456789", 6);
    digits.parse::<usize>().unwrap() % n
}

/// A fresh value of `shape`.
fn fresh(shape: Shape) -> String {
    match shape {
        Shape::Alphanumeric => {
            // Letters and digits both, as generated keys have.
            let len = 20 + below(45);
            loop {
                let v = random_text(ALPHANUMERIC, len);
                if v.bytes().any(|b| b.is_ascii_digit())
                    && v.bytes().any(|b| b.is_ascii_alphabetic())
                {
                    return v;
                }
            }
        }
        Shape::Hex32 => random_text(HEX, 32),
        Shape::Hex40 => random_text(HEX, 40),
        Shape::Hex64 => random_text(HEX, 64),
        Shape::Base64Short => format!("{}=", random_text(BASE64, 43)),
        Shape::Base64Long => format!("{}==", random_text(BASE64, 86)),
        Shape::Password => {
            let len = 12 + below(13);
            let mut v = random_text(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 1);
            v.push_str(&random_text(ALPHANUMERIC, len - 3));
            v.push_str(&random_text(SYMBOLS, 1));
            v.push_str(&random_text(b"0123456789", 1));
            // Scatter one more symbol inside.
            let at = 1 + below(v.len() - 1);
            v.insert_str(at, &random_text(SYMBOLS, 1));
            v
        }
        Shape::Uuid => {
            let h = random_text(HEX, 32);
            format!(
                "{}-{}-4{}-a{}-{}",
                &h[..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..]
            )
        }
    }
}

/// Names that say secret, in words: rendered as `{N}` SNAKE_UPPER, `{n}` snake_lower,
/// `{c}` camelCase, `{P}` PascalCase, `{k}` kebab-case.
const NAMES: &[&[&str]] = &[
    &["api", "key"],
    &["db", "password"],
    &["service", "token"],
    &["client", "secret"],
    &["geocodio", "key"],
    &["license", "key"],
    &["access", "token"],
    &["storage", "account", "key"],
    &["smtp", "passwd"],
    &["signing", "secret"],
    &["mailgun", "api", "key"],
    &["webhook", "secret"],
    &["auth", "token"],
    &["private", "key"],
    &["chartmogul", "key"],
    &["admin", "pwd"],
];

fn render(template: &str, words: &[&str], value: &str) -> String {
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    let upper = words.join("_").to_ascii_uppercase();
    let lower = words.join("_");
    let camel = words[0].to_string() + &words[1..].iter().map(|w| cap(w)).collect::<String>();
    let pascal: String = words.iter().map(|w| cap(w)).collect();
    let kebab = words.join("-");
    template
        .replace("{N}", &upper)
        .replace("{n}", &lower)
        .replace("{c}", &camel)
        .replace("{P}", &pascal)
        .replace("{k}", &kebab)
        .replace("{V}", value)
}

/// Values a syntax cannot hold unescaped: `URL` no base64 (`/`, `+`), `TOKEN68` no password
/// symbols (an Authorization header's token alphabet).
const URL: u8 = 1;
const TOKEN68: u8 = 2;

/// A syntax: its name, the values it cannot hold (`URL`, `TOKEN68`), and its template.
/// Templates with no name placeholder carry the secret by their structure alone.
const SYNTAXES: &[(&str, u8, &str)] = &[
    ("dotenv", 0, "{N}={V}\n"),
    ("shell export", 0, "export {N}=\"{V}\"\n"),
    ("yaml", 0, "service:\n  {n}: {V}\n"),
    ("yaml quoted", 0, "{c}: '{V}'\n"),
    (
        "json",
        0,
        "{\n  \"name\": \"app\",\n  \"{c}\": \"{V}\"\n}\n",
    ),
    ("toml", 0, "[service]\n{n} = \"{V}\"\n"),
    ("ini", 0, "[main]\n{n} = {V}\n"),
    ("properties", 0, "app.{c}={V}\n"),
    ("php variable", 0, "<?php\n${N} = \"{V}\";\n"),
    ("php define", 0, "<?php\ndefine('{N}', '{V}');\n"),
    ("php array", 0, "return [\n    '{n}' => '{V}',\n];\n"),
    ("perl scalar", 0, "my ${n} = '{V}';\n"),
    ("perl hash", 0, "my %conf = ( {n} => \"{V}\" );\n"),
    ("ruby symbol hash", 0, "CONFIG = { {n}: \"{V}\" }\n"),
    ("ruby rocket hash", 0, "opts = { \"{n}\" => \"{V}\" }\n"),
    ("ruby ivar", 0, "@{n} = '{V}'\n"),
    ("ruby call keyword", 0, "Api.configure({n}: '{V}')\n"),
    ("ruby config member", 0, "config.{n} = \"{V}\"\n"),
    (
        "python kwarg",
        0,
        "client = Client({n}=\"{V}\", timeout=5)\n",
    ),
    ("python dict", 0, "SETTINGS = {\"{n}\": \"{V}\"}\n"),
    ("python constant", 0, "{N} = '{V}'\n"),
    ("python setter", 0, "conn.set_{n}(\"{V}\")\n"),
    ("go short var", 0, "\t{c} := \"{V}\"\n"),
    ("go setenv", 0, "\tos.Setenv(\"{N}\", \"{V}\")\n"),
    ("go struct", 0, "cfg := Config{\n\t{P}: \"{V}\",\n}\n"),
    ("java setter", 0, "ds.set{P}(\"{V}\");\n"),
    (
        "java constant",
        0,
        "private static final String {N} = \"{V}\";\n",
    ),
    ("java put", 0, "props.put(\"{c}\", \"{V}\");\n"),
    (
        "csharp dictionary",
        0,
        "var cfg = new Dictionary<string, string> {\n    { \"{P}\", \"{V}\" },\n};\n",
    ),
    (
        "csharp property",
        0,
        "public string {P} { get; set; } = \"{V}\";\n",
    ),
    (
        "cpp brace init",
        0,
        "static const std::string {P}{\"{V}\"};\n",
    ),
    ("c define", 0, "#define {N} \"{V}\"\n"),
    ("kotlin", 0, "val {c} = \"{V}\"\n"),
    ("swift", 0, "let {c}: String = \"{V}\"\n"),
    ("js object", 0, "const config = { {c}: '{V}' };\n"),
    ("js env", 0, "process.env.{N} = `{V}`;\n"),
    ("r arrow", 0, "{n} <- \"{V}\"\n"),
    ("scala arrow", 0, "Map(\"{n}\" -> \"{V}\")\n"),
    ("elixir keyword", 0, "config :app, {n}: \"{V}\"\n"),
    ("lua local", 0, "local {n} = \"{V}\"\n"),
    ("powershell env", 0, "$env:{N} = \"{V}\"\n"),
    ("batch set", 0, "set {N}={V}\n"),
    ("makefile", 0, "{N} ?= {V}\n"),
    ("dockerfile env", 0, "ENV {N}={V}\n"),
    ("systemd", 0, "Environment=\"{N}={V}\"\n"),
    ("terraform", 0, "  {n} = \"{V}\"\n"),
    (
        "xml appsettings",
        0,
        "<appSettings>\n  <add key=\"{P}\" value=\"{V}\" />\n</appSettings>\n",
    ),
    ("xml element", 0, "<config>\n  <{c}>{V}</{c}>\n</config>\n"),
    (
        "xml attribute",
        0,
        "<datasource host=\"db\" {c}=\"{V}\" />\n",
    ),
    ("cli long flag", 0, "deploy-tool --{k} {V} --verbose\n"),
    ("cli long flag equals", 0, "./run.sh --{k}={V}\n"),
    (
        "withCredentials",
        0,
        "client.withCredentials(\"deploy\", \"{V}\");\n",
    ),
    (
        "curl user",
        URL,
        "curl -sS -u deploy:{V} https://api.corp.internal/v1/items\n",
    ),
    (
        "curl bearer",
        TOKEN68,
        "curl -H \"Authorization: Bearer {V}\" https://api.corp.internal/v1\n",
    ),
    (
        "curl basic header",
        TOKEN68,
        "curl -H 'Authorization: Basic {V}' https://api.corp.internal/v1\n",
    ),
    (
        "wget bearer header",
        TOKEN68,
        "wget --header=\"Authorization: Bearer {V}\" https://api.corp.internal/export\n",
    ),
    (
        "mysqldump -p quoted",
        0,
        "mysqldump -u root -p'{V}' appdb > dump.sql\n",
    ),
    (
        "mysql -p joined",
        URL,
        "mysql -h db.corp.internal -uapp -p{V} appdb\n",
    ),
    (
        "docker login",
        0,
        "docker login -u ci -p {V} registry.corp.internal\n",
    ),
    (
        "cli --password",
        0,
        "psql-wrapper --user app --password {V} --db app\n",
    ),
    ("cli --token", 0, "vault-cli login --token {V}\n"),
    (
        "cli -p quoted, any tool",
        0,
        "db-backup -u admin -p'{V}' --all-databases\n",
    ),
    ("mariadb -p joined", URL, "mariadb -uapp -p{V} appdb\n"),
    (
        "mysqldump continued lines",
        URL,
        "mysqldump \\\n  --host db.corp.internal \\\n  -u backup \\\n  -p{V} \\\n  appdb > dump.sql\n",
    ),
    (
        "sshpass -p",
        0,
        "sshpass -p '{V}' ssh deploy@host.corp.internal\n",
    ),
    (
        "redis-cli -a",
        0,
        "redis-cli -h cache.corp.internal -a {V} ping\n",
    ),
    (
        "kubernetes env list",
        0,
        "env:\n  - name: LOG_LEVEL\n    value: debug\n  - name: {N}\n    value: \"{V}\"\n",
    ),
    (
        "json name/value pairs",
        0,
        "[\n  {\n    \"name\": \"{N}\",\n    \"value\": \"{V}\"\n  }\n]\n",
    ),
    ("pgpass", URL, "db.corp.internal:5432:appdb:app:{V}\n"),
    (
        "netrc",
        0,
        "machine api.corp.internal\n  login deploy\n  password {V}\n",
    ),
    ("npmrc", 0, "//npm.corp.internal/:_authToken={V}\n"),
    (
        "git-credentials",
        URL,
        "https://deploy:{V}@git.corp.internal\n",
    ),
    (
        "pip.conf",
        URL,
        "[global]\nindex-url = https://build:{V}@pypi.corp.internal/simple\n",
    ),
    (
        "url userinfo amqp",
        URL,
        "broker = amqp://worker:{V}@mq.corp.internal:5672/\n",
    ),
    (
        "url userinfo redis",
        URL,
        "cache: redis://:{V}@cache.corp.internal:6379/0\n",
    ),
    (
        "url query token",
        URL,
        "fetch(\"https://api.corp.internal/v2/report?format=csv&token={V}\")\n",
    ),
    (
        "url query key",
        URL,
        "GET https://maps.corp.internal/geocode?q=Paris&key={V}\n",
    ),
    (
        "url query sig",
        URL,
        "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&sig={V}\n",
    ),
    (
        "jdbc query",
        URL,
        "url=jdbc:postgresql://db.corp.internal/app?user=app&password={V}\n",
    ),
    (
        "jdbc semicolon",
        URL,
        "jdbc:sqlserver://db.corp.internal:1433;databaseName=app;user=sa;password={V};\n",
    ),
    (
        "ado connection string",
        URL,
        "Server=db.corp.internal;Database=app;User Id=sa;Password={V};\n",
    ),
];

/// Things that look like secrets but are not: each must yield nothing. `{H40}`, `{H64}` and
/// `{UUID}` are fresh random values; the rest is literal.
const LOOK_ALIKES: &[(&str, &str)] = &[
    ("ruby duration", "DEFAULT_RESET_TOKEN_EXPIRES_IN = 15.minutes\n"),
    ("ruby member", "secret_key_base = Rails.application.secret_key_base\n"),
    ("ruby predicate", "skip_secret_key_base = environment_specified?\n"),
    ("ruby interpolation", "url = \"postgres://#{db_user}:#{encoded_password}@#{host}/app\"\n"),
    ("identifier in provider context", "mandrill_settings.bound_health_check_url = nil\n"),
    ("message table", "BN_R_PRIVATE_KEY_TOO_LARGE:117:private key too large\nEVP_R_INVALID_SECRET_LENGTH:223:invalid secret length\nPROV_R_MISSING_PASSWORD:142:missing password\n"),
    ("python None", "password = None\napi_key = None\n"),
    ("null and nil", "token: null\nsecret = nil\nAPI_KEY = undefined\nuse_password: true\n"),
    ("jinja", "password: \"{{ vault_db_password }}\"\n"),
    ("printf template", "dsn = \"host=db password=%(password)s\"\n"),
    ("shell reference", "API_TOKEN=${API_TOKEN}\ncurl -u $CI_USER:$CI_PASSWORD https://x.corp.internal\n"),
    ("angle placeholder", "client_secret: <your-client-secret>\n"),
    ("call", "password = get_password(user)\ntoken = request.headers.get(\"X-Token\")\n"),
    ("env lookup", "secret = os.getenv(\"APP_SECRET\")\napiKey := os.Getenv(\"API_KEY\")\n"),
    ("path", "api_key_path = \"/etc/keys/api.key\"\nprivate_key_file: ./certs/server.key\n"),
    ("url without credentials", "token_url = \"https://auth.corp.internal/oauth/token\"\n"),
    ("numbers dates versions", "password_min_length = 12\ntoken_expiry = 2024-01-01\napi_key_version = 2.3.1\n"),
    ("member access", "passwordField = passwordInput.value\nself.password = form.password\n"),
    ("identifier value", "tokenizer = BertTokenizerFast\nsecret_manager = SecretManagerClient\n"),
    ("hash under hash name", "token_sha256 = \"{H64}\"\npassword_hash: {H64}\n"),
    ("checksum", "checksum: {H40}\nintegrity_digest = \"{H64}\"\n"),
    ("uuid under id name", "client_id = \"{UUID}\"\ntoken_id: {UUID}\n"),
    ("git commit", "commit: {H40}\nrevision = \"{H40}\"\n"),
    ("cli variable reference", "mysql -u root -p\"$DB_PASS\" app\ndocker login -u ci -p \"$CI_TOKEN\" reg.corp.internal\n"),
    ("setter with variable", "ds.setPassword(password);\nos.Setenv(\"TOKEN\", token)\n"),
    ("xml property reference", "<password>${db.password}</password>\n<add key=\"ApiSecret\" value=\"%API_SECRET%\" />\n"),
    ("url query placeholder", "https://api.corp.internal/v1?token=YOUR_TOKEN_HERE\n"),
    ("keyword words", "The password must be changed after first login.\nPass the token to the client.\n"),
    ("comparison", "if password == confirm_password:\n    pass\n"),
    ("kubernetes valueFrom and template", "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n  - name: API_TOKEN\n    value: ${API_TOKEN}\n  - name: SMTP_PASSWORD\n    value: \"{{ .Values.smtp.password }}\"\n"),
    ("-p as a port or a flag", "docker run -p 8080:80 app\nssh -p 2222 deploy@host.corp.internal\nmkdir -p 'build/output'\nmysql -u root -p appdb\n"),
];

struct Case {
    syntax: &'static str,
    shape: Shape,
    value: String,
    name: String,
}

/// Keys reported in files of `report`, by file name: each key's secret.
fn secrets_by_file(report: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for key in report["keys"].as_array().expect("keys") {
        let secret = key["secret"].as_str().unwrap_or_default().to_string();
        for location in key["locations"].as_array().expect("locations") {
            let path = location["path"].as_str().unwrap().to_string();
            let file = Path::new(&path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.entry(file).or_default().push(secret.clone());
        }
    }
    out
}

#[test]
// The harness's report (recall per syntax, every false positive) is its purpose.
#[allow(clippy::print_stdout)]
fn recall_over_syntaxes_and_no_look_alikes() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (s, &(syntax, cannot, template)) in SYNTAXES.iter().enumerate() {
        for (h, &shape) in SHAPES.iter().enumerate() {
            if (cannot & URL != 0 && matches!(shape, Shape::Base64Short | Shape::Base64Long))
                || (cannot & TOKEN68 != 0 && shape == Shape::Password)
            {
                continue;
            }
            let value = fresh(shape);
            let words = NAMES[(s * 3 + h) % NAMES.len()];
            let text = render(template, words, &value);
            std::fs::write(dir.path().join(format!("case-{}", cases.len())), text).unwrap();
            cases.push(Case {
                syntax,
                shape,
                value,
                name: words.join("_"),
            });
        }
    }
    for (n, (_, template)) in LOOK_ALIKES.iter().enumerate() {
        let text = template
            .replace("{H40}", &random_text(HEX, 40))
            .replace("{H64}", &random_text(HEX, 64))
            .replace("{UUID}", &fresh(Shape::Uuid));
        std::fs::write(dir.path().join(format!("neg-{n}")), text).unwrap();
    }

    let output = keyaudit()
        .args([
            "scan",
            "--no-manifest",
            "--show-secrets",
            "--format",
            "json",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = secrets_by_file(&report);

    let mut per_syntax: BTreeMap<&str, (usize, usize, Vec<String>)> = BTreeMap::new();
    let mut hits = 0;
    for (n, case) in cases.iter().enumerate() {
        let reported = found
            .get(&format!("case-{n}"))
            .is_some_and(|secrets| secrets.iter().any(|s| s.contains(&case.value)));
        let entry = per_syntax.entry(case.syntax).or_default();
        entry.1 += 1;
        if reported {
            entry.0 += 1;
            hits += 1;
        } else {
            entry.2.push(format!("{:?} ({})", case.shape, case.name));
        }
    }
    for (syntax, (got, total, missed)) in &per_syntax {
        let note = if missed.is_empty() {
            String::new()
        } else {
            format!("  missed: {}", missed.join(", "))
        };
        println!("recall {syntax:<24} {got:>2}/{total:<2}{note}");
    }
    let mut false_positives = Vec::new();
    for (n, (name, _)) in LOOK_ALIKES.iter().enumerate() {
        if let Some(secrets) = found.get(&format!("neg-{n}")) {
            // A look-alike's text is not secret: show what was taken for a key.
            false_positives.push(format!("{name}: {secrets:?}"));
        }
    }
    for fp in &false_positives {
        println!("false positive: {fp}");
    }
    let recall = hits as f64 / cases.len() as f64;
    println!(
        "recall {hits}/{} = {:.3}; {} false positives in {} look-alikes",
        cases.len(),
        recall,
        false_positives.len(),
        LOOK_ALIKES.len()
    );
    assert!(recall >= 0.97, "recall {recall:.3} is under 0.97");
    assert!(
        false_positives.is_empty(),
        "look-alikes reported: {false_positives:?}"
    );
}

/// The JSON report of a scan of one file `name` holding `text`, which must hold a key.
fn scan_one_file(name: &str, text: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let path = dir.path().display().to_string();
    json_report(&["scan", "--no-manifest", "--format", "json", &path], 1)
}

#[test]
fn the_provider_named_in_context_is_the_finding_s_provider() {
    for (name, provider) in [
        ("CHARTMOGUL_KEY", "Chartmogul"),
        ("GEOCODIO_KEY", "Geocodio"),
    ] {
        let value = random_text(ALPHANUMERIC, 32);
        let report = scan_one_file("settings.py", &format!("{name} = \"{value}\"\n"));
        let key = &report["keys"][0];
        assert_eq!(key["rule"], "generic-secret-assignment");
        assert_eq!(key["provider"], provider);
        assert_eq!(key["locations"][0]["variable"], name);
    }
}

#[test]
fn a_kubernetes_env_item_reports_its_name_as_the_variable() {
    let value = random_text(ALPHANUMERIC, 32);
    let report = scan_one_file(
        "deploy.yaml",
        &format!("env:\n  - name: STRIPE_SECRET\n    value: \"{value}\"\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n"),
    );
    let keys = report["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0]["locations"][0]["line"], 3);
    assert_eq!(keys[0]["locations"][0]["variable"], "STRIPE_SECRET");
}
