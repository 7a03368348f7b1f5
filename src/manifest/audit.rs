//! The audit: an inventory diffed against a manifest (SPEC section 6). Pure logic: given the
//! keys, the manifest, the time and usage evidence, decide for each key which manifest entry
//! it is, which classes it falls in and why, and which declared keys were found nowhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;

use super::model::{AuditClass, KeyDecl, KeyState, Manifest};
use crate::evidence::Evidence;
use crate::inventory::{Inventory, Key, Location};
use crate::rules::{Environment, Lifetime, RuleSet};
use crate::time::{add_days, days_between, format_date};

/// The audit verdict on one key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyAudit {
    /// The manifest entry's id, or null for an unknown key.
    pub declared_as: Option<String>,
    /// The classes the key falls in.
    pub flags: Vec<AuditClass>,
    /// One readable reason per flag cause.
    pub reasons: Vec<String>,
    /// Things worth knowing that fail nothing (an expiry within `expiry_warning`).
    pub warnings: Vec<String>,
    /// Age in whole days, when a date is known.
    pub age_days: Option<i64>,
}

/// A declared key found nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnusedKey {
    /// The manifest entry's id.
    pub id: String,
    /// The declared rule.
    pub rule: Option<String>,
    /// The declared owner.
    pub owner: Option<String>,
    /// Why it is listed.
    pub reason: String,
}

/// The audit of a whole run.
#[derive(Debug, Clone, Default)]
pub struct AuditOutcome {
    /// One verdict per inventory key, in inventory order.
    pub keys: Vec<KeyAudit>,
    /// Declared active keys found nowhere.
    pub unused: Vec<UnusedKey>,
}

/// The manifest's directory, canonical, for relating locations to manifest globs.
fn canonical_dir(manifest: &Manifest) -> PathBuf {
    std::fs::canonicalize(manifest.dir()).unwrap_or_else(|_| manifest.dir().to_path_buf())
}

/// The path of `location` relative to the manifest directory `dir` (canonicalised here).
pub fn manifest_path_for(location: &Location, dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    manifest_path(location, &dir)
}

/// The path of `location` relative to the manifest's directory: files on disk are related
/// through their real path; history and staged paths are already repository-relative.
fn manifest_path(location: &Location, manifest_dir: &Path) -> String {
    location
        .on_disk
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.strip_prefix(manifest_dir).ok().map(Path::to_path_buf))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| location.path.clone())
}

/// Removes what `[[allow]]` covers: keys allowed by fingerprint, and locations allowed by
/// path (and rule); a key left with no location is removed. Returns how many keys went.
pub fn apply_allows(inventory: &mut Inventory, manifest: &Manifest, rules: &RuleSet) -> usize {
    if manifest.allows.is_empty() {
        return 0;
    }
    let dir = canonical_dir(manifest);
    let before = inventory.keys.len();
    inventory.keys.retain_mut(|key| {
        let rule_id = &rules.rules()[key.rule].id;
        let applies =
            |allow_rule: &Option<String>| allow_rule.as_ref().is_none_or(|r| r == rule_id);
        if manifest
            .allows
            .iter()
            .any(|a| a.fingerprint.as_deref() == Some(key.fingerprint.as_str()) && applies(&a.rule))
        {
            return false;
        }
        key.locations.retain(|location| {
            let path = manifest_path(location, &dir);
            !manifest.allows.iter().any(|a| {
                a.path.as_ref().is_some_and(|globs| globs.is_match(&path)) && applies(&a.rule)
            })
        });
        !key.locations.is_empty()
    });
    before - inventory.keys.len()
}

/// Removes locations inside the manifest file at `manifest_file` that are only the manifest
/// naming a key: an identifier it declares as `key_id` (AWS access key ids are their own
/// key ids). With `declared_ids` None every location in the file goes (a manifest being
/// replaced). Keys left with no location are removed.
pub fn drop_manifest_references(
    inventory: &mut Inventory,
    manifest_file: &Path,
    declared_ids: Option<&BTreeSet<String>>,
) {
    let Ok(target) = std::fs::canonicalize(manifest_file) else {
        return;
    };
    inventory.keys.retain_mut(|key| {
        let is_reference = match declared_ids {
            None => true,
            Some(ids) => key
                .key_id
                .as_ref()
                .is_some_and(|id| ids.contains(id) && id.as_bytes() == key.secret.expose()),
        };
        if is_reference {
            key.locations.retain(|location| {
                location
                    .on_disk
                    .as_ref()
                    .and_then(|p| std::fs::canonicalize(p).ok())
                    .is_none_or(|p| p != target)
            });
        }
        !key.locations.is_empty()
    });
}

/// Where a location is, for reasons: `path:line`.
fn place(location: &Location) -> String {
    format!("{}:{}", location.path, location.line)
}

/// `a, b, c and 4 more`.
fn list_places(places: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = places
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if places.len() > SHOWN {
        text.push_str(&format!(" and {} more", places.len() - SHOWN));
    }
    text
}

/// Names that mean production for `[[key]] environment`.
fn is_production_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "prod" | "production" | "live" | "prd"
    )
}

/// Audits every key of `inventory` against `manifest` as of `now`.
pub fn audit(
    inventory: &Inventory,
    rules: &RuleSet,
    manifest: &Manifest,
    evidence: &Evidence,
    now: Timestamp,
) -> AuditOutcome {
    let dir = canonical_dir(manifest);
    let manifest_name = manifest.path.file_name().map_or_else(
        || "the manifest".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut matched: BTreeSet<&str> = BTreeSet::new();
    let keys = inventory
        .keys
        .iter()
        .map(|key| {
            let declaration = manifest.keys.iter().find(|d| declares(d, key));
            if let Some(d) = declaration {
                matched.insert(&d.id);
            }
            let paths: Vec<String> = key
                .locations
                .iter()
                .map(|l| manifest_path(l, &dir))
                .collect();
            let mut verdict = Verdict::default();
            KeyCheck {
                key,
                rules,
                manifest,
                evidence,
                now,
                declaration,
                paths: &paths,
            }
            .run(&mut verdict, &manifest_name);
            verdict.finish(declaration.map(|d| d.id.clone()))
        })
        .collect();
    let unused = manifest
        .keys
        .iter()
        .filter(|d| d.state == KeyState::Active && !matched.contains(d.id.as_str()))
        .map(|d| UnusedKey {
            id: d.id.clone(),
            rule: d.rule.clone(),
            owner: d.owner.clone(),
            reason: "declared active but found nowhere in this run".into(),
        })
        .collect();
    AuditOutcome { keys, unused }
}

/// Whether declaration `d` is the entry for `key`.
fn declares(d: &KeyDecl, key: &Key) -> bool {
    d.fingerprint.as_deref() == Some(key.fingerprint.as_str())
        || (d.key_id.is_some() && d.key_id == key.key_id)
}

#[derive(Default)]
struct Verdict {
    flags: BTreeSet<AuditClass>,
    reasons: Vec<String>,
    warnings: Vec<String>,
    age_days: Option<i64>,
}

impl Verdict {
    fn flag(&mut self, class: AuditClass, reason: String) {
        self.flags.insert(class);
        self.reasons.push(reason);
    }

    fn finish(self, declared_as: Option<String>) -> KeyAudit {
        KeyAudit {
            declared_as,
            flags: self.flags.into_iter().collect(),
            reasons: self.reasons,
            warnings: self.warnings,
            age_days: self.age_days,
        }
    }
}

/// Everything one key's checks look at.
struct KeyCheck<'a> {
    key: &'a Key,
    rules: &'a RuleSet,
    manifest: &'a Manifest,
    evidence: &'a Evidence,
    now: Timestamp,
    declaration: Option<&'a KeyDecl>,
    /// Location paths relative to the manifest, parallel to `key.locations`.
    paths: &'a [String],
}

impl KeyCheck<'_> {
    fn run(&self, verdict: &mut Verdict, manifest_name: &str) {
        if self.declaration.is_none() {
            verdict.flag(
                AuditClass::Unknown,
                format!("not declared in {manifest_name}"),
            );
        }
        self.age(verdict);
        self.expiry(verdict);
        self.state(verdict);
        self.usage(verdict);
        self.privilege(verdict);
        self.scopes(verdict);
        self.locations(verdict);
        self.test_paths(verdict);
        self.rule(verdict);
        self.lifetime(verdict);
        self.environment(verdict);
    }

    fn usage_record(&self) -> Option<&crate::evidence::KeyUsage> {
        self.key
            .key_id
            .as_deref()
            .and_then(|id| self.evidence.get(id))
    }

    /// The date the key's age counts from, and what it is.
    fn age_origin(&self) -> Option<(Timestamp, String)> {
        let declared = self.declaration;
        let rotated = [
            declared
                .and_then(|d| d.rotated)
                .map(|t| (t, "rotated".to_string())),
            self.usage_record().and_then(|u| {
                u.last_rotated
                    .map(|t| (t, format!("last rotated per {}", u.source)))
            }),
        ]
        .into_iter()
        .flatten()
        .max_by_key(|(t, _)| *t);
        rotated
            .or_else(|| {
                declared
                    .and_then(|d| d.created)
                    .map(|t| (t, "created".into()))
            })
            .or_else(|| {
                self.key
                    .first_seen
                    .as_ref()
                    .map(|f| (f.date, format!("first commit {}", short(&f.commit))))
            })
    }

    fn age(&self, verdict: &mut Verdict) {
        let Some((since, label)) = self.age_origin() else {
            return;
        };
        let age = days_between(since, self.now);
        verdict.age_days = Some(age);
        let max_age = self
            .declaration
            .and_then(|d| d.max_age)
            .or(self.manifest.policy.max_age);
        if let Some(max_age) = max_age {
            if age > max_age {
                verdict.flag(
                    AuditClass::Stale,
                    format!(
                        "age {age} days since {label} {} exceeds max_age {max_age} days",
                        format_date(since)
                    ),
                );
            }
        }
    }

    fn expiry(&self, verdict: &mut Verdict) {
        let declared = self
            .declaration
            .and_then(|d| d.expires)
            .map(|t| (t, "declared expires"));
        let decoded = self
            .key
            .assessment
            .expires
            .map(|t| (t, "expiry carried by the key"));
        for (expires, source) in [declared, decoded].into_iter().flatten() {
            if expires <= self.now {
                verdict.flag(
                    AuditClass::Stale,
                    format!("expired on {} ({source})", format_date(expires)),
                );
            } else if let Some(window) = self.manifest.policy.expiry_warning {
                let left = days_between(self.now, expires);
                if left <= window {
                    verdict.warnings.push(format!(
                        "expires on {} ({source}), in {left} days: within expiry_warning {window} days",
                        format_date(expires)
                    ));
                }
            }
        }
    }

    fn state(&self, verdict: &mut Verdict) {
        let Some(declared) = self.declaration else {
            return;
        };
        match declared.state {
            KeyState::Revoked | KeyState::Compromised => {
                let count = self.key.locations.len();
                verdict.flag(
                    AuditClass::Stale,
                    format!(
                        "declared {} but still present in {count} location{}",
                        declared.state.as_str(),
                        if count == 1 { "" } else { "s" }
                    ),
                );
            }
            KeyState::Deprecated => verdict
                .warnings
                .push("declared deprecated but still present".into()),
            KeyState::Active => {}
        }
    }

    fn usage(&self, verdict: &mut Verdict) {
        let (Some(usage), Some(window)) = (self.usage_record(), self.manifest.policy.unused_after)
        else {
            return;
        };
        match (usage.last_used, usage.created) {
            (Some(used), _) => {
                let idle = days_between(used, self.now);
                if idle > window {
                    verdict.flag(
                        AuditClass::Stale,
                        format!(
                            "last used {} ({idle} days ago) per {}: exceeds unused_after {window} days",
                            format_date(used),
                            usage.source
                        ),
                    );
                }
            }
            (None, Some(created)) if days_between(created, self.now) > window => {
                verdict.flag(
                    AuditClass::Stale,
                    format!(
                        "never used since created {} per {}: exceeds unused_after {window} days",
                        format_date(created),
                        usage.source
                    ),
                );
            }
            _ => {}
        }
    }

    fn privilege(&self, verdict: &mut Verdict) {
        let Some(max) = self.declaration.and_then(|d| d.max_privilege) else {
            return;
        };
        let a = &self.key.assessment;
        if a.privilege > max {
            verdict.flag(
                AuditClass::OverPrivileged,
                format!(
                    "privilege {} ({}) exceeds max_privilege {}",
                    a.privilege.as_str(),
                    a.privilege_evidence,
                    max.as_str()
                ),
            );
        }
    }

    fn scopes(&self, verdict: &mut Verdict) {
        let (Some(allowed), Some(carried)) = (
            self.declaration.and_then(|d| d.scopes.as_ref()),
            self.key.assessment.scopes.as_ref(),
        ) else {
            return;
        };
        let extra: Vec<&str> = carried
            .iter()
            .filter(|s| !allowed.contains(s))
            .map(String::as_str)
            .collect();
        if !extra.is_empty() {
            verdict.flag(
                AuditClass::OverPrivileged,
                format!(
                    "scopes {} beyond the declared scopes [{}]",
                    extra.join(", "),
                    allowed.join(", ")
                ),
            );
        }
    }

    fn locations(&self, verdict: &mut Verdict) {
        let Some(globs) = self.declaration.and_then(|d| d.locations.as_ref()) else {
            return;
        };
        let outside: Vec<String> = self
            .key
            .locations
            .iter()
            .zip(self.paths)
            .filter(|(_, path)| !globs.is_match(path))
            .map(|(l, _)| place(l))
            .collect();
        if !outside.is_empty() {
            verdict.flag(
                AuditClass::OverPrivileged,
                format!(
                    "found outside its declared locations [{}]: {}",
                    globs.patterns.join(", "),
                    list_places(&outside)
                ),
            );
        }
    }

    fn test_paths(&self, verdict: &mut Verdict) {
        let Some(test_paths) = self.manifest.policy.test_paths.as_ref() else {
            return;
        };
        let declared_prod = self
            .declaration
            .and_then(|d| d.environment.as_deref())
            .is_some_and(is_production_name);
        let live = self.key.assessment.environment == Environment::Live;
        if !(live || declared_prod) {
            return;
        }
        let inside: Vec<String> = self
            .key
            .locations
            .iter()
            .zip(self.paths)
            .filter(|(_, path)| test_paths.is_match(path))
            .map(|(l, _)| place(l))
            .collect();
        if !inside.is_empty() {
            let what = if declared_prod { "production" } else { "live" };
            verdict.flag(
                AuditClass::OverPrivileged,
                format!("{what} key under test_paths: {}", list_places(&inside)),
            );
        }
    }

    fn rule(&self, verdict: &mut Verdict) {
        let Some(expected) = self.declaration.and_then(|d| d.rule.as_deref()) else {
            return;
        };
        let found = &self.rules.rules()[self.key.rule].id;
        if found != expected {
            verdict.flag(
                AuditClass::OverPrivileged,
                format!("found by rule {found}, but declared as rule {expected}"),
            );
        }
    }

    /// A long-lived kind of key where the manifest expects it to expire within `max_age`.
    fn lifetime(&self, verdict: &mut Verdict) {
        let Some(declared) = self.declaration else {
            return;
        };
        let (Some(expires), Some(max_age)) = (
            declared.expires,
            declared.max_age.or(self.manifest.policy.max_age),
        ) else {
            return;
        };
        let a = &self.key.assessment;
        if a.lifetime != Lifetime::Long || a.expires.is_some() {
            return;
        }
        let start = declared.rotated.or(declared.created).unwrap_or(self.now);
        if expires <= add_days(start, max_age) {
            let rule = &self.rules.rules()[self.key.rule];
            verdict.flag(
                AuditClass::OverPrivileged,
                format!(
                    "declared to expire on {} (within max_age {max_age} days), but a {} {} never expires by itself",
                    format_date(expires),
                    rule.provider,
                    rule.kind.as_str()
                ),
            );
        }
    }

    fn environment(&self, verdict: &mut Verdict) {
        let Some(declared) = self.declaration.and_then(|d| d.environment.as_deref()) else {
            return;
        };
        let environments = &self.manifest.environments;
        let own = environments.iter().find(|e| e.name == declared);
        for (location, path) in self.key.locations.iter().zip(self.paths) {
            let inside_own = own
                .and_then(|e| e.paths.as_ref())
                .is_some_and(|p| p.is_match(path));
            if inside_own {
                continue;
            }
            if let Some(other) = environments
                .iter()
                .find(|e| e.name != declared && e.paths.as_ref().is_some_and(|p| p.is_match(path)))
            {
                verdict.flag(
                    AuditClass::OverPrivileged,
                    format!(
                        "found in environment {}'s paths ({}), but declared for {declared}",
                        other.name,
                        place(location)
                    ),
                );
            }
        }
        if let (Some(account), Some(env)) = (self.key.assessment.aws_account.as_deref(), own) {
            if !env.aws_accounts.is_empty() && !env.aws_accounts.iter().any(|a| a == account) {
                verdict.flag(
                    AuditClass::OverPrivileged,
                    format!(
                        "belongs to AWS account {account}, which is not one of environment {declared}'s accounts [{}]",
                        env.aws_accounts.join(", ")
                    ),
                );
            }
        }
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
