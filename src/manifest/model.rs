//! The manifest, `keyaudit.toml` (`docs/reference/manifest.md`): the raw serde form with source spans, and
//! the validated [`Manifest`] it becomes. Every error names the file, line and column, and no
//! error ever quotes a secret (the manifest holds none: only fingerprints).

use std::path::{Path, PathBuf};

use globset::GlobSet;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{line_column, Error, Result};
use crate::fingerprint::{self, DEFAULT_SALT};
use crate::globs;
use crate::rules::Tier;
use crate::time::{parse_date, parse_days};

/// The audit classes of `docs/reference/audit.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditClass {
    /// Found, not declared.
    Unknown,
    /// Past rotation, expired, revoked yet present, or unused too long.
    Stale,
    /// More power than declared, or found where it must not be.
    OverPrivileged,
    /// Declared, found nowhere.
    Unused,
}

impl AuditClass {
    /// Every class, in report order.
    pub const ALL: [AuditClass; 4] = [
        AuditClass::Unknown,
        AuditClass::Stale,
        AuditClass::OverPrivileged,
        AuditClass::Unused,
    ];

    /// The name used in reports and `--fail-on`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditClass::Unknown => "unknown",
            AuditClass::Stale => "stale",
            AuditClass::OverPrivileged => "over-privileged",
            AuditClass::Unused => "unused",
        }
    }

    /// Parses a class name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name.trim())
    }

    /// The classes a run fails on when neither `--fail-on` nor `[policy] fail_on` says.
    pub const DEFAULT_FAIL_ON: [AuditClass; 3] = [
        AuditClass::Unknown,
        AuditClass::Stale,
        AuditClass::OverPrivileged,
    ];
}

/// The lifecycle state of a declared key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// In use.
    #[default]
    Active,
    /// Being phased out.
    Deprecated,
    /// Revoked: must be gone.
    Revoked,
    /// Known leaked: must be gone.
    Compromised,
}

impl KeyState {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Active => "active",
            KeyState::Deprecated => "deprecated",
            KeyState::Revoked => "revoked",
            KeyState::Compromised => "compromised",
        }
    }
}

impl std::fmt::Display for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestSpec {
    version: Spanned<i64>,
    salt: Option<Spanned<toml::Value>>,
    #[serde(default)]
    policy: PolicySpec,
    #[serde(default)]
    scan: ScanSpec,
    #[serde(default, rename = "environment")]
    environments: Vec<EnvironmentSpec>,
    #[serde(default, rename = "key")]
    keys: Vec<KeySpec>,
    #[serde(default, rename = "allow")]
    allows: Vec<AllowSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySpec {
    max_age: Option<Spanned<String>>,
    unused_after: Option<Spanned<String>>,
    expiry_warning: Option<Spanned<String>>,
    fail_on: Option<Vec<AuditClass>>,
    test_paths: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    require_rotation: bool,
    #[serde(default)]
    require_expiry: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanSpec {
    exclude: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    rules: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvironmentSpec {
    name: Spanned<String>,
    #[serde(default)]
    aws_accounts: Vec<Spanned<String>>,
    paths: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeySpec {
    id: Spanned<String>,
    fingerprint: Option<Spanned<String>>,
    key_id: Option<String>,
    rule: Option<String>,
    owner: Option<String>,
    purpose: Option<String>,
    environment: Option<Spanned<String>>,
    max_privilege: Option<Tier>,
    scopes: Option<Vec<String>>,
    locations: Option<Spanned<Vec<String>>>,
    created: Option<Spanned<toml::Value>>,
    rotated: Option<Spanned<toml::Value>>,
    expires: Option<Spanned<toml::Value>>,
    max_age: Option<Spanned<String>>,
    #[serde(default)]
    state: KeyState,
    store: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowSpec {
    fingerprint: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    rule: Option<String>,
    reason: Option<String>,
}

/// A set of globs with the patterns they came from.
#[derive(Debug, Clone)]
pub struct Globs {
    /// The patterns as written.
    pub patterns: Vec<String>,
    /// The compiled set.
    pub set: GlobSet,
}

impl Globs {
    /// Whether `path` (relative to the manifest's directory) matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.set.is_match(path)
    }
}

/// `[policy]`.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Rotate at least this often (days).
    pub max_age: Option<i64>,
    /// With usage data: unused this long is stale (days).
    pub unused_after: Option<i64>,
    /// Expiring within this is reported, not failed (days).
    pub expiry_warning: Option<i64>,
    /// Classes that make `audit` exit 1.
    pub fail_on: Option<Vec<AuditClass>>,
    /// Where live keys must not be.
    pub test_paths: Option<Globs>,
    /// With store evidence: a secret whose store does not rotate it is stale.
    pub require_rotation: bool,
    /// A long-lived key with no expiry anywhere (declared, carried, or in evidence) is
    /// over-privileged.
    pub require_expiry: bool,
}

/// `[[environment]]`.
#[derive(Debug, Clone)]
pub struct EnvironmentDecl {
    /// Its name, referred to by `[[key]] environment`.
    pub name: String,
    /// AWS accounts that belong to it.
    pub aws_accounts: Vec<String>,
    /// Paths that belong to it.
    pub paths: Option<Globs>,
}

/// `[[key]]`: a declared key.
#[derive(Debug, Clone)]
pub struct KeyDecl {
    /// Stable unique id.
    pub id: String,
    /// `hmac-sha256:…` under the manifest's salt.
    pub fingerprint: Option<String>,
    /// A non-secret key id (an AWS access key id).
    pub key_id: Option<String>,
    /// The expected rule.
    pub rule: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// What it is for.
    pub purpose: Option<String>,
    /// The environment it belongs to.
    pub environment: Option<String>,
    /// The most it may grant.
    pub max_privilege: Option<Tier>,
    /// The scopes it may carry.
    pub scopes: Option<Vec<String>>,
    /// Where it may appear (none: anywhere).
    pub locations: Option<Globs>,
    /// When it was created.
    pub created: Option<Timestamp>,
    /// When it was last rotated.
    pub rotated: Option<Timestamp>,
    /// When it expires.
    pub expires: Option<Timestamp>,
    /// Per-key rotation period (days).
    pub max_age: Option<i64>,
    /// Lifecycle state.
    pub state: KeyState,
    /// Where it is meant to live, as written.
    pub store: Option<String>,
    /// `store` normalised (see [`crate::evidence::normalize_store`]), to meet evidence.
    pub store_ref: Option<String>,
}

/// `[[allow]]`: values that are not keys.
#[derive(Debug, Clone)]
pub struct AllowDecl {
    /// Allow this exact key.
    pub fingerprint: Option<String>,
    /// Allow keys at these paths.
    pub path: Option<Globs>,
    /// Only for this rule.
    pub rule: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// A validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The file.
    pub path: PathBuf,
    /// The salt keying fingerprints.
    pub salt: Vec<u8>,
    /// `[policy]`.
    pub policy: Policy,
    /// `[scan] exclude`.
    pub exclude: Vec<String>,
    /// `[scan] rules`, resolved against the manifest's directory.
    pub rules: Vec<PathBuf>,
    /// `[[environment]]`.
    pub environments: Vec<EnvironmentDecl>,
    /// `[[key]]`.
    pub keys: Vec<KeyDecl>,
    /// `[[allow]]`.
    pub allows: Vec<AllowDecl>,
}

/// The shortest salt `manifest check` accepts without a warning: 32 hex digits, 128 bits.
pub const MIN_SALT_LEN: usize = 32;

impl Manifest {
    /// What is wrong with the salt, if anything: none (fingerprints are then keyed by the public
    /// default, so anyone holding the manifest can test a guessed key against them), or one
    /// shorter than [`MIN_SALT_LEN`] characters.
    pub fn salt_problem(&self) -> Option<String> {
        if self.salt == DEFAULT_SALT {
            Some("no salt: fingerprints are keyed by keyaudit's public default, so anyone with this file can test a guessed key against them".into())
        } else if self.salt.len() < MIN_SALT_LEN {
            Some(format!(
                "the salt is {} characters; use at least {MIN_SALT_LEN} hex digits",
                self.salt.len()
            ))
        } else {
            None
        }
    }

    /// The directory manifest paths are relative to.
    pub fn dir(&self) -> &Path {
        super::parent_dir(&self.path)
    }

    /// Reads and validates a manifest file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|cause| Error::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        Self::parse(path, &text, &|name| std::env::var(name).ok())
    }

    /// Parses and validates manifest `text`; `env` looks up `salt = { env = … }`.
    pub fn parse(path: &Path, text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        let at = |offset: usize, message: String| {
            let (line, column) = line_column(text, offset);
            Error::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let spec: ManifestSpec =
            toml::from_str(text).map_err(|err| crate::error::toml_error(path, text, &err))?;
        if *spec.version.get_ref() != 1 {
            return Err(at(
                spec.version.span().start,
                format!(
                    "unsupported manifest version {}; expected 1",
                    spec.version.get_ref()
                ),
            ));
        }
        let salt = match &spec.salt {
            None => DEFAULT_SALT.to_vec(),
            Some(salt) => resolve_salt(salt.get_ref(), env)
                .map_err(|e| at(salt.span().start, e.to_string()))?,
        };
        let spanned_days = |value: &Option<Spanned<String>>| -> Result<Option<i64>> {
            value
                .as_ref()
                .map(|v| parse_days(v.get_ref()).map_err(|m| at(v.span().start, m.to_string())))
                .transpose()
        };
        let spanned_globs = |value: &Option<Spanned<Vec<String>>>| -> Result<Option<Globs>> {
            value
                .as_ref()
                .map(|v| {
                    globs::compile(v.get_ref())
                        .map(|set| Globs {
                            patterns: v.get_ref().clone(),
                            set,
                        })
                        .map_err(|m| at(v.span().start, m.to_string()))
                })
                .transpose()
        };
        let spanned_date = |value: &Option<Spanned<toml::Value>>| -> Result<Option<Timestamp>> {
            value
                .as_ref()
                .map(|v| {
                    let text = match v.get_ref() {
                        toml::Value::String(s) => s.clone(),
                        toml::Value::Datetime(d) => d.to_string(),
                        other => {
                            return Err(at(
                                v.span().start,
                                format!("expected a date, found {}", other.type_str()),
                            ))
                        }
                    };
                    parse_date(&text).map_err(|m| at(v.span().start, m.to_string()))
                })
                .transpose()
        };

        let policy = Policy {
            max_age: spanned_days(&spec.policy.max_age)?,
            unused_after: spanned_days(&spec.policy.unused_after)?,
            expiry_warning: spanned_days(&spec.policy.expiry_warning)?,
            fail_on: spec.policy.fail_on.clone(),
            test_paths: spanned_globs(&spec.policy.test_paths)?,
            require_rotation: spec.policy.require_rotation,
            require_expiry: spec.policy.require_expiry,
        };
        let exclude = spec
            .scan
            .exclude
            .as_ref()
            .map(|e| {
                globs::compile(e.get_ref()).map_err(|m| at(e.span().start, m.to_string()))?;
                Ok::<_, Error>(e.get_ref().clone())
            })
            .transpose()?
            .unwrap_or_default();
        let dir = super::parent_dir(path);
        let rules = spec.scan.rules.iter().map(|r| dir.join(r)).collect();

        let mut environments = Vec::new();
        for env_spec in &spec.environments {
            if environments
                .iter()
                .any(|e: &EnvironmentDecl| &e.name == env_spec.name.get_ref())
            {
                return Err(at(
                    env_spec.name.span().start,
                    format!("duplicate environment `{}`", env_spec.name.get_ref()),
                ));
            }
            for account in &env_spec.aws_accounts {
                let a = account.get_ref();
                if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(at(
                        account.span().start,
                        format!(
                            "invalid AWS account id {}: expected 12 digits",
                            crate::error::shown(a)
                        ),
                    ));
                }
            }
            environments.push(EnvironmentDecl {
                name: env_spec.name.get_ref().clone(),
                aws_accounts: env_spec
                    .aws_accounts
                    .iter()
                    .map(|a| a.get_ref().clone())
                    .collect(),
                paths: spanned_globs(&env_spec.paths)?,
            });
        }

        let mut keys: Vec<KeyDecl> = Vec::new();
        for key in &spec.keys {
            let id = key.id.get_ref();
            if id.trim().is_empty() {
                return Err(at(key.id.span().start, "key id must not be empty".into()));
            }
            if let Some(first) = spec.keys.iter().find(|k| k.id.get_ref() == id) {
                if first.id.span() != key.id.span() {
                    let (line, _) = line_column(text, first.id.span().start);
                    return Err(at(
                        key.id.span().start,
                        format!(
                            "duplicate key id {} (first declared on line {line})",
                            crate::error::shown(id)
                        ),
                    ));
                }
            }
            if let Some(fp) = &key.fingerprint {
                if !fingerprint::is_well_formed(fp.get_ref()) {
                    return Err(at(
                        fp.span().start,
                        format!(
                            "malformed fingerprint for key {}: expected `hmac-sha256:` and 32 lowercase hex digits (see `keyaudit fingerprint`)",
                            crate::error::shown(id)
                        ),
                    ));
                }
            }
            if key.fingerprint.is_none() && key.key_id.is_none() {
                return Err(at(
                    key.id.span().start,
                    format!(
                        "key {} needs a fingerprint or a key_id",
                        crate::error::shown(id)
                    ),
                ));
            }
            keys.push(KeyDecl {
                id: id.clone(),
                fingerprint: key.fingerprint.as_ref().map(|f| f.get_ref().clone()),
                key_id: key.key_id.clone(),
                rule: key.rule.clone(),
                owner: key.owner.clone(),
                purpose: key.purpose.clone(),
                environment: key.environment.as_ref().map(|e| e.get_ref().clone()),
                max_privilege: key.max_privilege,
                scopes: key.scopes.clone(),
                locations: spanned_globs(&key.locations)?,
                created: spanned_date(&key.created)?,
                rotated: spanned_date(&key.rotated)?,
                expires: spanned_date(&key.expires)?,
                max_age: spanned_days(&key.max_age)?,
                state: key.state,
                store: key.store.as_ref().map(|s| s.get_ref().clone()),
                store_ref: key
                    .store
                    .as_ref()
                    .map(|s| {
                        crate::evidence::normalize_store(s.get_ref())
                            .map_err(|m| at(s.span().start, m.to_string()))
                    })
                    .transpose()?,
            });
        }

        let mut allows = Vec::new();
        for allow in &spec.allows {
            if let Some(fp) = &allow.fingerprint {
                if !fingerprint::is_well_formed(fp.get_ref()) {
                    return Err(at(
                        fp.span().start,
                        "malformed fingerprint in [[allow]]: expected `hmac-sha256:` and 32 lowercase hex digits".into(),
                    ));
                }
            }
            let path = allow
                .path
                .as_ref()
                .map(|p| {
                    globs::compile(std::slice::from_ref(p.get_ref()))
                        .map(|set| Globs {
                            patterns: vec![p.get_ref().clone()],
                            set,
                        })
                        .map_err(|m| at(p.span().start, m.to_string()))
                })
                .transpose()?;
            if allow.fingerprint.is_none() && path.is_none() {
                let offset = text
                    .match_indices("[[allow]]")
                    .nth(allows.len())
                    .map_or(0, |(i, _)| i);
                return Err(at(offset, "[[allow]] needs a fingerprint or a path".into()));
            }
            allows.push(AllowDecl {
                fingerprint: allow.fingerprint.as_ref().map(|f| f.get_ref().clone()),
                path,
                rule: allow.rule.clone(),
                reason: allow.reason.clone(),
            });
        }

        Ok(Self {
            path: path.to_path_buf(),
            salt,
            policy,
            exclude,
            rules,
            environments,
            keys,
            allows,
        })
    }
}

/// The salt from `salt = "…"` or `salt = { env = "NAME" }`.
fn resolve_salt(value: &toml::Value, env: &dyn Fn(&str) -> Option<String>) -> Result<Vec<u8>> {
    match value {
        toml::Value::String(s) if !s.is_empty() => Ok(s.as_bytes().to_vec()),
        toml::Value::String(_) => Err(Error::Value("salt must not be empty".into())),
        toml::Value::Table(table) => {
            if let Some(extra) = table.keys().find(|k| *k != "env") {
                return Err(Error::Value(format!(
                    "unknown field `{extra}` in salt: expected `env`"
                )));
            }
            let name = table
                .get("env")
                .and_then(|v| v.as_str())
                .ok_or_else(|| Error::Value("salt table needs `env = \"NAME\"`".into()))?;
            match env(name) {
                Some(value) if !value.is_empty() => Ok(value.into_bytes()),
                _ => Err(Error::Value(format!(
                    "salt comes from environment variable {name}, which is not set"
                ))),
            }
        }
        other => Err(Error::Value(format!(
            "salt must be a string or {{ env = \"NAME\" }}, found {}",
            other.type_str()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"version = 1
salt = "5f0c9a"

[policy]
max_age = "90d"
fail_on = ["unknown", "stale"]
test_paths = ["tests/**"]

[[environment]]
name = "prod"
aws_accounts = ["123456789012"]
paths = ["deploy/prod/**"]

[[key]]
id = "billing-stripe"
fingerprint = "hmac-sha256:9f2c0000000000000000000000000000"
rule = "stripe-secret-key-live"
max_privilege = "scoped"
created = 2026-02-01
rotated = "2026-09-01T10:00:00Z"
max_age = "12w"
state = "revoked"

[[allow]]
path = "docs/**"
reason = "documentation"
"#;

    fn parse(text: &str) -> Result<Manifest> {
        Manifest::parse(Path::new("keyaudit.toml"), text, &|name| {
            (name == "KA_SALT").then(|| "from-env".to_string())
        })
    }

    fn error_of(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn parses_a_full_manifest() {
        let m = parse(GOOD).unwrap();
        assert_eq!(m.salt, b"5f0c9a");
        assert_eq!(m.policy.max_age, Some(90));
        assert_eq!(
            m.policy.fail_on,
            Some(vec![AuditClass::Unknown, AuditClass::Stale])
        );
        let key = &m.keys[0];
        assert_eq!(key.max_age, Some(84));
        assert_eq!(key.state, KeyState::Revoked);
        assert_eq!(key.max_privilege, Some(Tier::Scoped));
        assert_eq!(crate::time::format_date(key.created.unwrap()), "2026-02-01");
        assert!(m.allows[0].path.as_ref().unwrap().is_match("docs/a/b.md"));
        assert!(m.environments[0]
            .paths
            .as_ref()
            .unwrap()
            .is_match("deploy/prod/x.env"));
    }

    #[test]
    fn salt_from_the_environment() {
        let m = parse(&GOOD.replace("salt = \"5f0c9a\"", "salt = { env = \"KA_SALT\" }")).unwrap();
        assert_eq!(m.salt, b"from-env");
        let err = error_of(&GOOD.replace("salt = \"5f0c9a\"", "salt = { env = \"NOPE\" }"));
        assert_eq!(
            err,
            "keyaudit.toml:2:8: salt comes from environment variable NOPE, which is not set"
        );
    }

    #[test]
    fn unknown_field_has_line_and_column() {
        let err = error_of(&GOOD.replace(
            "state = \"revoked\"",
            "state = \"revoked\"\ncolour = \"red\"",
        ));
        assert!(
            err.starts_with("keyaudit.toml:23:1: unknown field `colour`"),
            "{err}"
        );
    }

    #[test]
    fn bad_date_has_line_and_column() {
        let err = error_of(&GOOD.replace("\"2026-09-01T10:00:00Z\"", "\"2026-13-01\""));
        assert!(
            err.starts_with("keyaudit.toml:20:11: invalid date `2026-13-01`"),
            "{err}"
        );
    }

    #[test]
    fn bad_duration_has_line_and_column() {
        let err = error_of(&GOOD.replace("\"12w\"", "\"3 months\""));
        assert!(
            err.starts_with("keyaudit.toml:21:11: invalid duration"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_id_points_at_the_second() {
        let text = format!(
            "{GOOD}\n[[key]]\nid = \"billing-stripe\"\nkey_id = \"AKIA0000000000000000\"\n"
        );
        let err = error_of(&text);
        assert!(
            err.starts_with(
                "keyaudit.toml:29:6: duplicate key id `billing-stripe` (first declared on line 15)"
            ),
            "{err}"
        );
    }

    #[test]
    fn malformed_fingerprint_has_line_and_column() {
        let err = error_of(&GOOD.replace("9f2c0000000000000000000000000000", "9F2C"));
        assert!(
            err.starts_with("keyaudit.toml:16:15: malformed fingerprint"),
            "{err}"
        );
    }

    #[test]
    fn bad_enum_values_are_errors() {
        assert!(error_of(&GOOD.replace("\"scoped\"", "\"godlike\""))
            .starts_with("keyaudit.toml:18:17:"));
        assert!(error_of(&GOOD.replace("\"stale\"]", "\"sad\"]")).starts_with("keyaudit.toml:6:"));
        assert!(error_of(&GOOD.replace("version = 1", "version = 2"))
            .starts_with("keyaudit.toml:1:11: unsupported"));
    }

    #[test]
    fn key_needs_an_identity_and_allow_needs_a_target() {
        let err = error_of(&GOOD.replace(
            "fingerprint = \"hmac-sha256:9f2c0000000000000000000000000000\"\n",
            "",
        ));
        assert!(err.contains("needs a fingerprint or a key_id"), "{err}");
        let err = error_of(&GOOD.replace("path = \"docs/**\"\n", ""));
        assert!(
            err.starts_with("keyaudit.toml:24:1: [[allow]] needs a fingerprint or a path"),
            "{err}"
        );
    }
}
