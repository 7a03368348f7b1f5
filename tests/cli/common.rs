//! Helpers shared by the integration tests.

use assert_cmd::Command;
use serde_json::Value;

/// The binary, run from the repository root.
pub(crate) fn keyaudit() -> Command {
    let mut cmd = Command::cargo_bin("keyaudit").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Asserts that a run exited with `code`, showing its stderr when it did not.
pub(crate) fn assert_exit(output: &std::process::Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs keyaudit with `args`, expects exit code `code`, and parses stdout as JSON.
pub(crate) fn json_report(args: &[&str], code: i32) -> Value {
    let output = keyaudit().args(args).output().expect("runs");
    assert_exit(&output, code);
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// Lets the test write a file git made read-only (a pack it is about to damage).
pub(crate) fn make_writable(path: &std::path::Path) {
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions).unwrap();
}

/// `(rule, path, line)` of every location of every key.
pub(crate) fn placements(report: &Value) -> Vec<(String, String, u64)> {
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
pub(crate) fn key_by_rule<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["rule"] == rule)
        .unwrap_or_else(|| panic!("no key from rule {rule}"))
}

/// The JSON report of `scan --no-manifest fixtures/basic` plus `extra`, which finds keys.
pub(crate) fn basic_report(extra: &[&str]) -> Value {
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

/// A git repository driven through the git CLI in one fixed environment: identity `ci
/// <ci@example.org>`, `main` as the first branch, no user or system configuration, no automatic
/// gc or maintenance, and none of the `GIT_DIR`-style or identity variables of the process
/// running the tests (a hook, say). Every call but [`GitRepo::output`] and
/// [`GitRepo::command`] fails the test when git does. Options for the tests that need them:
/// fixed author and committer dates ([`GitRepo::dated`]) and extra environment
/// ([`GitRepo::env`], e.g. the `PATH` a hook finds keyaudit on).
pub(crate) struct GitRepo {
    /// The temporary directory holding the repository, when [`GitRepo::new`] made one.
    _dir: Option<tempfile::TempDir>,
    path: std::path::PathBuf,
    /// `GIT_AUTHOR_DATE` and `GIT_COMMITTER_DATE` of every command.
    date: Option<String>,
    /// Extra environment of every command, set last.
    env: Vec<(String, String)>,
}

/// Variables git reads that the environment of the tests must not pass on to it.
const GIT_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
];

impl GitRepo {
    /// A new repository at `repo` in a fresh temporary directory, whose other entries are free
    /// for clones and worktrees; removed when dropped.
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut repo = Self::init(dir.path().join("repo"));
        repo._dir = Some(dir);
        repo
    }

    /// `git init` at `path` (created if missing), with `main` as the first branch.
    pub(crate) fn init(path: impl Into<std::path::PathBuf>) -> Self {
        Self::init_on(path, "main")
    }

    /// `git init` at `path` (created if missing), with `branch` as the first branch.
    pub(crate) fn init_on(path: impl Into<std::path::PathBuf>, branch: &str) -> Self {
        let repo = Self::at(path);
        std::fs::create_dir_all(&repo.path).unwrap();
        repo.run(&["init", "-q", "-b", branch]);
        repo
    }

    /// Git run in `path`, which need not be a repository: a directory to clone into, or a clone
    /// or worktree made by another command.
    pub(crate) fn at(path: impl Into<std::path::PathBuf>) -> Self {
        Self {
            _dir: None,
            path: path.into(),
            date: None,
            env: Vec::new(),
        }
    }

    /// Every command from now on runs with author and committer date `date`, so the same
    /// content gives the same commits.
    pub(crate) fn dated(mut self, date: &str) -> Self {
        self.date = Some(date.to_string());
        self
    }

    /// Every command from now on runs with `key` set to `value`.
    pub(crate) fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_string(), value.into()));
        self
    }

    /// The repository's working tree (where git runs).
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Writes `text` to `file` in the working tree, creating its directories.
    pub(crate) fn write(&self, file: &str, text: &str) {
        let path = self.path.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `git ARGS` in this environment, not yet run: for a test that adds to it.
    pub(crate) fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new("git");
        command
            .current_dir(&self.path)
            .args(["-c", "user.name=ci", "-c", "user.email=ci@example.org"])
            .args(["-c", "init.defaultBranch=main"])
            .args(["-c", "gc.auto=0", "-c", "maintenance.auto=false"])
            .args(args);
        for variable in GIT_VARIABLES {
            command.env_remove(variable);
        }
        command
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        if let Some(date) = &self.date {
            command
                .env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    /// Runs `git ARGS` and returns its output, whether it succeeded or not.
    pub(crate) fn output(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().expect("git runs")
    }

    /// Runs `git ARGS`; fails the test when git does; returns stdout.
    pub(crate) fn run(&self, args: &[&str]) -> String {
        succeeded(args, self.output(args))
    }

    /// The commit id of `HEAD`.
    pub(crate) fn head(&self) -> String {
        self.run(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Stages everything and commits it as `message`; returns the commit id.
    pub(crate) fn commit_all(&self, message: &str) -> String {
        self.run(&["add", "-A"]);
        self.run(&["commit", "-q", "-m", message]);
        self.head()
    }

    /// Stages everything and commits it (even nothing) as `message`, authored by `author`
    /// (`author@corp.example`, lower case) at `date`, which is also the commit date; returns
    /// the commit id.
    pub(crate) fn commit_as(&self, author: &str, date: &str, message: &str) -> String {
        self.run(&["add", "-A"]);
        let args = ["commit", "-q", "--allow-empty", "-m", message];
        let output = self
            .command(&args)
            .env("GIT_AUTHOR_NAME", author)
            .env(
                "GIT_AUTHOR_EMAIL",
                format!("{}@corp.example", author.to_lowercase()),
            )
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git runs");
        succeeded(&args, output);
        self.head()
    }
}

/// Stdout of the git command `args` that gave `output`; fails the test, with git's stderr,
/// unless it succeeded.
fn succeeded(args: &[&str], output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("git prints UTF-8")
}

/// `len` fresh random characters from `alphabet`, so no fixture can stand in for a planted key.
pub(crate) fn random_text(alphabet: &[u8], len: usize) -> String {
    random_bytes(len)
        .iter()
        .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
        .collect()
}

std::thread_local! {
    /// The state of this thread's seeded generator, when [`seed_random`] set one.
    static SEEDED: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// Makes this thread's random values a pure function of `seed` (SplitMix64), so a test that
/// holds a threshold over random draws gives the same verdict on every run of the same seed.
pub(crate) fn seed_random(seed: u64) {
    SEEDED.with(|state| state.set(Some(seed)));
}

/// `n` random bytes: from this thread's seeded generator when one is set, else /dev/urandom.
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    if let Some(mut state) = SEEDED.with(|state| state.get()) {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
        }
        out.truncate(n);
        SEEDED.with(|cell| cell.set(Some(state)));
        return out;
    }
    let mut random = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut random))
        .expect("random bytes");
    random
}

/// Letters and digits.
pub(crate) const ALPHANUMERIC: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fake Stripe live key of fresh random characters.
pub(crate) fn fresh_stripe_key() -> String {
    format!("sk_live_{}", random_text(ALPHANUMERIC, 32))
}

/// Letters without vowels, and digits: random text from them never spells a placeholder word
/// (`test`, `example`, `fake`) that keyaudit's filters rightly skip.
pub(crate) const NO_VOWELS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz0123456789";

/// A tree of freshly random keys and a manifest declaring some of them, for the report
/// formats' tests (HTML, CycloneDX).
pub(crate) struct Planted {
    /// The tree, with `keyaudit.toml` at its root.
    pub dir: tempfile::TempDir,
    /// Every raw secret planted: none may appear in a report.
    pub secrets: Vec<String>,
    /// Declared `active`, with created/rotated/expires and a store; found in two files.
    pub active: String,
    /// Declared `revoked`.
    pub revoked: String,
    /// Declared `compromised`.
    pub compromised: String,
    /// An undeclared RSA private key (PEM).
    pub private_key: String,
}

/// The fingerprint of `secret` under the manifest at `manifest`.
pub(crate) fn fingerprint_under(manifest: &std::path::Path, secret: &str) -> String {
    let output = keyaudit()
        .args(["fingerprint", "--manifest"])
        .arg(manifest)
        .write_stdin(secret.to_string())
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// Builds a [`Planted`] tree; one file's path holds `</script>` to test escaping, a binary
/// file is skipped, and the manifest declares a key found nowhere (`retired-twilio`).
pub(crate) fn planted_tree() -> Planted {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let active = format!("sk_live_{}", random_text(NO_VOWELS, 32));
    let revoked = format!("ghp_{}", random_text(NO_VOWELS, 36));
    let compromised = format!("npm_{}", random_text(NO_VOWELS, 36));
    let base64 = b"BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz0123456789+/";
    let body: Vec<String> = (0..12).map(|_| random_text(base64, 64)).collect();
    let private_key = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
        body.join("\n")
    );
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("keys")).unwrap();
    std::fs::create_dir_all(root.join("odd<")).unwrap();
    std::fs::write(
        root.join("app.env"),
        format!("STRIPE_SECRET_KEY={active}\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("src/settings.py"),
        format!("# billing\nSTRIPE = \"{active}\"\n"),
    )
    .unwrap();
    std::fs::write(root.join("old.env"), format!("GITHUB_TOKEN={revoked}\n")).unwrap();
    std::fs::write(
        root.join("odd</script>.env"),
        format!("NPM_TOKEN={compromised}\n"),
    )
    .unwrap();
    std::fs::write(root.join("keys/id_rsa"), format!("{private_key}\n")).unwrap();
    std::fs::write(root.join("logo.bin"), b"\x89PNG\0\0binary").unwrap();
    let manifest = root.join("keyaudit.toml");
    std::fs::write(&manifest, "version = 1\nsalt = \"planted-salt\"\n").unwrap();
    let fp = |s: &str| fingerprint_under(&manifest, s);
    let text = format!(
        r#"version = 1
salt = "planted-salt"

[[key]]
id = "billing"
fingerprint = "{}"
owner = "billing-team"
rule = "stripe-secret-key-live"
created = 2026-01-05
rotated = 2026-06-01
expires = 2029-01-01
store = "aws-sm:billing/stripe"

[[key]]
id = "old-ci-token"
fingerprint = "{}"
state = "revoked"

[[key]]
id = "leaked-npm"
fingerprint = "{}"
state = "compromised"

[[key]]
id = "retired-twilio"
fingerprint = "hmac-sha256:00000000000000000000000000000000"
owner = "payments"
"#,
        fp(&active),
        fp(&revoked),
        fp(&compromised)
    );
    std::fs::write(&manifest, text).unwrap();
    Planted {
        dir,
        secrets: vec![
            active.clone(),
            revoked.clone(),
            compromised.clone(),
            private_key.clone(),
        ]
        .into_iter()
        .chain(body)
        .collect(),
        active,
        revoked,
        compromised,
        private_key,
    }
}

/// Notes on stderr, past the test harness's capture, that a test skipped for want of an
/// external tool, so a skip is never silent; a failure instead when `require` is set in the
/// environment (CI sets it where it installed the tool).
pub(crate) fn skip_for_want_of(require: &str, what: &str) {
    assert!(
        std::env::var_os(require).is_none(),
        "{require} is set, but {what}"
    );
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("note: test skipped: {what}\n").as_bytes(),
    );
}

/// (path, reason) of every skipped entry of a JSON report, sorted.
pub(crate) fn skipped(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["scan"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}
