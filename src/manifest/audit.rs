//! The audit: an inventory diffed against a manifest (SPEC section 6). Pure logic: given the
//! keys, the manifest, the time and usage evidence, decide for each key which manifest entry
//! it is, which classes it falls in and why, and which declared keys were found nowhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;

use super::model::{AuditClass, KeyDecl, KeyState, Manifest};
use crate::evidence::{self, Evidence, Record, Subject, Unmatched};
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
    /// What evidence says about the key, each date with the export it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Record>,
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
    /// Evidence about no declared and no found key.
    pub unmatched_evidence: Vec<Unmatched>,
}

/// The evidence subjects a found key (and its declaration) may appear under.
fn subjects_of(key: Option<&Key>, declaration: Option<&KeyDecl>) -> Vec<Subject> {
    let mut subjects = Vec::new();
    if let Some(key) = key {
        subjects.push(Subject::Fingerprint(key.fingerprint.clone()));
        subjects.extend(key.key_id.clone().map(Subject::KeyId));
    }
    if let Some(d) = declaration {
        subjects.extend(d.key_id.clone().map(Subject::KeyId));
        subjects.extend(d.store_ref.clone().map(Subject::Store));
        subjects.extend(d.fingerprint.clone().map(Subject::Fingerprint));
    }
    subjects
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
    let mut claimed: BTreeSet<Subject> = manifest
        .keys
        .iter()
        .flat_map(|d| subjects_of(None, Some(d)))
        .map(|s| evidence.resolve(&s).clone())
        .collect();
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
            let subjects = subjects_of(Some(key), declaration);
            claimed.extend(subjects.iter().map(|s| evidence.resolve(s).clone()));
            let record = evidence.about(&subjects);
            let mut verdict = Verdict::default();
            KeyCheck {
                key,
                rules,
                manifest,
                record: record.as_ref(),
                now,
                declaration,
                paths: &paths,
            }
            .run(&mut verdict, &manifest_name);
            verdict.finish(declaration.map(|d| d.id.clone()), record)
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
    AuditOutcome {
        keys,
        unused,
        unmatched_evidence: evidence::unmatched(evidence, &claimed),
    }
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

    fn finish(self, declared_as: Option<String>, evidence: Option<Record>) -> KeyAudit {
        KeyAudit {
            declared_as,
            flags: self.flags.into_iter().collect(),
            reasons: self.reasons,
            warnings: self.warnings,
            age_days: self.age_days,
            evidence,
        }
    }
}

/// Everything one key's checks look at.
struct KeyCheck<'a> {
    key: &'a Key,
    rules: &'a RuleSet,
    manifest: &'a Manifest,
    /// What evidence says about the key, merged over its subjects.
    record: Option<&'a Record>,
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
        self.store_state(verdict);
        self.rotation(verdict);
        self.usage(verdict);
        self.privilege(verdict);
        self.scopes(verdict);
        self.locations(verdict);
        self.store_locations(verdict);
        self.test_paths(verdict);
        self.rule(verdict);
        self.lifetime(verdict);
        self.required_expiry(verdict);
        self.token_policies(verdict);
        self.environment(verdict);
    }

    /// The date the key's age counts from, and what it is.
    fn age_origin(&self) -> Option<(Timestamp, String)> {
        let declared = self.declaration;
        let rotated = [
            declared
                .and_then(|d| d.rotated)
                .map(|t| (t, "rotated".to_string())),
            self.record
                .and_then(|r| r.rotated.as_ref())
                .map(|d| (d.at, format!("last rotated per {}", d.source))),
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
                self.record
                    .and_then(|r| r.created.as_ref())
                    .map(|d| (d.at, format!("created per {}", d.source)))
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
            .map(|t| (t, "expiry carried by the key".to_string()));
        let declared = declared.map(|(t, s)| (t, s.to_string()));
        let stored = self
            .record
            .and_then(|r| r.expires.as_ref())
            .map(|d| (d.at, format!("per {}", d.source)));
        for (expires, source) in [declared, decoded, stored].into_iter().flatten() {
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

    /// The store or provider says the key was deleted or disabled, yet it is still here.
    fn store_state(&self, verdict: &mut Verdict) {
        let Some(record) = self.record else {
            return;
        };
        if let Some(deleted) = &record.deleted {
            verdict.flag(
                AuditClass::Stale,
                format!(
                    "deleted on {} per {}, but still present",
                    format_date(deleted.at),
                    deleted.source
                ),
            );
        }
        if let Some(enabled) = record.enabled.as_ref().filter(|e| !e.value) {
            verdict.flag(
                AuditClass::Stale,
                format!("disabled per {}, but still present", enabled.source),
            );
        }
    }

    /// Rotation switched off where the policy requires it, or a scheduled rotation overdue.
    fn rotation(&self, verdict: &mut Verdict) {
        let Some(record) = self.record else {
            return;
        };
        if let Some(rotation) = &record.rotation_enabled {
            if !rotation.value && self.manifest.policy.require_rotation {
                verdict.flag(
                    AuditClass::Stale,
                    format!(
                        "automatic rotation is off per {}, and [policy] require_rotation is set",
                        rotation.source
                    ),
                );
            }
        }
        let rotating = record.rotation_enabled.as_ref().is_some_and(|r| r.value);
        if let Some(next) = record
            .next_rotation
            .as_ref()
            .filter(|n| rotating && n.at < self.now)
        {
            verdict.flag(
                AuditClass::Stale,
                format!(
                    "rotation overdue: next rotation was due on {} per {}",
                    format_date(next.at),
                    next.source
                ),
            );
        }
    }

    fn usage(&self, verdict: &mut Verdict) {
        let (Some(record), Some(window)) = (self.record, self.manifest.policy.unused_after) else {
            return;
        };
        match (&record.last_used, &record.created) {
            (Some(used), _) => {
                let idle = days_between(used.at, self.now);
                if idle > window {
                    verdict.flag(
                        AuditClass::Stale,
                        format!(
                            "last used {} ({idle} days ago) per {}: exceeds unused_after {window} days",
                            format_date(used.at),
                            used.source
                        ),
                    );
                }
            }
            // Only exports that record use can say "never used".
            (None, Some(created))
                if record.tracks_use && days_between(created.at, self.now) > window =>
            {
                verdict.flag(
                    AuditClass::Stale,
                    format!(
                        "never used since created {} per {}: exceeds unused_after {window} days",
                        format_date(created.at),
                        created.source
                    ),
                );
            }
            _ => {}
        }
    }

    /// A key declared to live in a central store, found in plain files or dumps outside the
    /// locations declared for it (with no `locations`, anywhere it was found).
    fn store_locations(&self, verdict: &mut Verdict) {
        let Some(declared) = self.declaration else {
            return;
        };
        let (Some(store), None) = (&declared.store, &declared.locations) else {
            return;
        };
        let places: Vec<String> = self.key.locations.iter().map(place).collect();
        if !places.is_empty() {
            verdict.flag(
                AuditClass::OverPrivileged,
                format!(
                    "declared to live in {store}, but found outside it: {}",
                    list_places(&places)
                ),
            );
        }
    }

    /// `[policy] require_expiry`: a long-lived key with no expiry declared, carried or stored.
    fn required_expiry(&self, verdict: &mut Verdict) {
        if !self.manifest.policy.require_expiry {
            return;
        }
        let has_expiry = self.declaration.and_then(|d| d.expires).is_some()
            || self.key.assessment.expires.is_some()
            || self.record.and_then(|r| r.expires.as_ref()).is_some();
        if has_expiry || self.key.assessment.lifetime != Lifetime::Long {
            return;
        }
        let rule = &self.rules.rules()[self.key.rule];
        verdict.flag(
            AuditClass::OverPrivileged,
            format!(
                "a long-lived {} {} with no expiry (declared, carried or in evidence), and [policy] require_expiry is set",
                rule.provider,
                rule.kind.as_str()
            ),
        );
    }

    /// A Vault token holding the `root` policy where the declaration allows less than admin.
    fn token_policies(&self, verdict: &mut Verdict) {
        let (Some(record), Some(max)) =
            (self.record, self.declaration.and_then(|d| d.max_privilege))
        else {
            return;
        };
        if record.policies.iter().any(|p| p == "root") && max < crate::rules::spec::Tier::Admin {
            verdict.flag(
                AuditClass::OverPrivileged,
                format!(
                    "holds Vault's root policy, beyond max_privilege {}",
                    max.as_str()
                ),
            );
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

    /// A long-lived kind of key where the manifest expects it to expire within `max_age`. An
    /// expiry already past is the `stale` check's business, not this one's.
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
        if a.lifetime != Lifetime::Long || a.expires.is_some() || expires <= self.now {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::assess;
    use crate::evidence::{Dated, Record, Stated};
    use crate::fingerprint::fingerprint;
    use crate::rules::Tier;
    use crate::secret::Secret;
    use crate::source::SourceKind;
    use crate::time::parse_date;

    const SALT: &str = "unit-test-salt";

    struct World {
        rules: RuleSet,
    }

    impl World {
        fn new() -> Self {
            Self {
                rules: RuleSet::load(true, &[]).unwrap(),
            }
        }

        /// A key found by `rule` at each of `paths` (line 1).
        fn key(&self, rule: &str, secret: &str, key_id: Option<&str>, paths: &[&str]) -> Key {
            let index = self
                .rules
                .rules()
                .iter()
                .position(|r| r.id == rule)
                .unwrap();
            Key {
                fingerprint: fingerprint(SALT.as_bytes(), secret.as_bytes()),
                secret: Secret::new(secret.as_bytes().to_vec()),
                rule: index,
                key_id: key_id.map(str::to_string),
                assessment: assess(&self.rules.rules()[index], secret.as_bytes(), key_id),
                in_current_tree: true,
                first_seen: None,
                locations: paths
                    .iter()
                    .map(|p| Location {
                        source: SourceKind::File,
                        repo: None,
                        path: p.to_string(),
                        line: 1,
                        column: 1,
                        commit: None,
                        variable: None,
                        decoded: None,
                        on_disk: None,
                    })
                    .collect(),
            }
        }

        fn run(&self, keys: Vec<Key>, manifest: &str, evidence: &Evidence) -> AuditOutcome {
            let manifest = manifest_from(manifest);
            let inventory = Inventory {
                keys,
                managed: Vec::new(),
            };
            audit(&inventory, &self.rules, &manifest, evidence, now())
        }
    }

    fn manifest_from(body: &str) -> Manifest {
        let text = format!("version = 1\nsalt = \"{SALT}\"\n{body}");
        Manifest::parse(Path::new("keyaudit.toml"), &text, &|_| None).unwrap()
    }

    fn now() -> Timestamp {
        parse_date("2026-11-23T12:00:00Z").unwrap()
    }

    fn fp(secret: &str) -> String {
        fingerprint(SALT.as_bytes(), secret.as_bytes())
    }

    const STRIPE: &str = "sk_live_Q8ZrT2mW9xLp4vN7bK3sYc6d"; // keyaudit:allow
    const GITHUB: &str = "ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7"; // keyaudit:allow
    const STRIPE_TEST: &str = "sk_test_Q8ZrT2mW9xLp4vN7bK3sYc6d"; // keyaudit:allow

    fn declared(id: &str, secret: &str, extra: &str) -> String {
        format!(
            "[[key]]\nid = \"{id}\"\nfingerprint = \"{}\"\n{extra}\n",
            fp(secret)
        )
    }

    fn only(outcome: &AuditOutcome) -> &KeyAudit {
        assert_eq!(outcome.keys.len(), 1);
        &outcome.keys[0]
    }

    #[test]
    fn a_declared_key_within_policy_has_no_flag() {
        let w = World::new();
        let manifest = format!(
            "[policy]\nmax_age = \"90d\"\n{}",
            declared(
                "billing",
                STRIPE,
                "rule = \"stripe-secret-key-live\"\nmax_privilege = \"full\"\nlocations = [\"env/**\"]\nrotated = 2026-10-01"
            )
        );
        let outcome = w.run(
            vec![w.key("stripe-secret-key-live", STRIPE, None, &["env/prod.env"])],
            &manifest,
            &Evidence::default(),
        );
        let verdict = only(&outcome);
        assert_eq!(verdict.declared_as.as_deref(), Some("billing"));
        assert!(verdict.flags.is_empty(), "{:?}", verdict.reasons);
        assert_eq!(verdict.age_days, Some(53));
        assert!(outcome.unused.is_empty());
    }

    #[test]
    fn an_undeclared_key_is_unknown() {
        let w = World::new();
        let outcome = w.run(
            vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
            "",
            &Evidence::default(),
        );
        let verdict = only(&outcome);
        assert_eq!(verdict.flags, vec![AuditClass::Unknown]);
        assert_eq!(verdict.reasons, vec!["not declared in keyaudit.toml"]);
        assert_eq!(verdict.declared_as, None);
    }

    #[test]
    fn age_past_max_age_is_stale() {
        let w = World::new();
        let manifest = declared("gh", GITHUB, "rotated = 2026-01-01\nmax_age = \"90d\"");
        let outcome = w.run(
            vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
            &manifest,
            &Evidence::default(),
        );
        let verdict = only(&outcome);
        assert_eq!(verdict.flags, vec![AuditClass::Stale]);
        assert_eq!(
            verdict.reasons,
            vec!["age 326 days since rotated 2026-01-01 exceeds max_age 90 days"]
        );
    }

    #[test]
    fn unknown_key_first_seen_long_ago_is_also_stale() {
        let w = World::new();
        let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
        key.first_seen = Some(crate::inventory::FirstSeen {
            commit: "0123456789abcdef0123".into(),
            date: parse_date("2025-01-01").unwrap(),
            author: "dev".into(),
            author_email: "dev@corp.example".into(),
        });
        let outcome = w.run(
            vec![key],
            "[policy]\nmax_age = \"1y\"",
            &Evidence::default(),
        );
        assert_eq!(
            only(&outcome).flags,
            vec![AuditClass::Unknown, AuditClass::Stale]
        );
        assert!(only(&outcome).reasons[1].contains("since first commit 0123456789ab 2025-01-01"));
    }

    #[test]
    fn expiry_declared_or_decoded_is_stale_and_near_expiry_warns() {
        let w = World::new();
        let manifest = format!(
            "[policy]\nexpiry_warning = \"14d\"\n{}{}",
            declared("gh", GITHUB, "expires = 2026-11-01"),
            declared("st", STRIPE, "expires = 2026-12-01")
        );
        let outcome = w.run(
            vec![
                w.key("github-classic-pat", GITHUB, None, &["a.env"]),
                w.key("stripe-secret-key-live", STRIPE, None, &["b.env"]),
            ],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(outcome.keys[0].flags, vec![AuditClass::Stale]);
        assert_eq!(
            outcome.keys[0].reasons,
            vec!["expired on 2026-11-01 (declared expires)"]
        );
        assert!(outcome.keys[1].flags.is_empty());
        assert_eq!(
            outcome.keys[1].warnings,
            vec!["expires on 2026-12-01 (declared expires), in 7 days: within expiry_warning 14 days"]
        );

        let token = crate::analyze::jwt::tests::token(r#"{"sub":"svc","exp":1893456000}"#);
        let expired = crate::analyze::jwt::tests::token(r#"{"sub":"svc","exp":1700000000}"#);
        let outcome = w.run(
            vec![
                w.key("jwt", &expired, None, &["c.env"]),
                w.key("jwt", &token, None, &["d.env"]),
            ],
            &format!(
                "{}{}",
                declared("old", &expired, ""),
                declared("new", &token, "")
            ),
            &Evidence::default(),
        );
        assert_eq!(
            outcome.keys[0].reasons,
            vec!["expired on 2023-11-14 (expiry carried by the key)"]
        );
        assert!(outcome.keys[1].flags.is_empty());
    }

    #[test]
    fn revoked_or_compromised_yet_present_is_stale() {
        let w = World::new();
        for state in ["revoked", "compromised"] {
            let manifest = declared("gh", GITHUB, &format!("state = \"{state}\""));
            let outcome = w.run(
                vec![w.key("github-classic-pat", GITHUB, None, &["a.env", "b.env"])],
                &manifest,
                &Evidence::default(),
            );
            assert_eq!(only(&outcome).flags, vec![AuditClass::Stale]);
            assert_eq!(
                only(&outcome).reasons,
                vec![format!("declared {state} but still present in 2 locations")]
            );
            assert!(outcome.unused.is_empty());
        }
        let manifest = declared("gh", GITHUB, "state = \"deprecated\"");
        let outcome = w.run(
            vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
            &manifest,
            &Evidence::default(),
        );
        assert!(only(&outcome).flags.is_empty());
        assert_eq!(only(&outcome).warnings.len(), 1);
    }

    #[test]
    fn an_overdue_scheduled_rotation_is_stale_and_store_links_meet_normalised() {
        let w = World::new();
        let mut evidence = Evidence::default();
        let at = |date: &str| Dated {
            at: parse_date(date).unwrap(),
            source: "list-secrets.json".into(),
        };
        evidence.add(
            Subject::Store("aws-sm:prod/stripe".into()),
            Record {
                rotated: Some(at("2026-10-01")),
                next_rotation: Some(at("2026-10-31")),
                rotation_enabled: Some(Stated {
                    value: true,
                    source: "list-secrets.json".into(),
                }),
                ..Record::default()
            },
            "list-secrets.json",
        );
        // Declared by ARN; the export names the secret: both normalise to aws-sm:prod/stripe.
        let manifest = declared(
            "stripe",
            STRIPE,
            "store = \"aws-sm:arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/stripe-Ab12Cd\"\nlocations = [\"a.env\"]",
        );
        let outcome = w.run(
            vec![w.key("stripe-secret-key-live", STRIPE, None, &["a.env"])],
            &manifest,
            &evidence,
        );
        let verdict = only(&outcome);
        assert_eq!(verdict.flags, vec![AuditClass::Stale]);
        assert_eq!(
            verdict.reasons,
            vec!["rotation overdue: next rotation was due on 2026-10-31 per list-secrets.json"]
        );
        assert!(outcome.unmatched_evidence.is_empty());
    }

    #[test]
    fn usage_evidence_makes_idle_keys_stale_and_dates_ages() {
        let w = World::new();
        let akid = "AKIAQ2ZRT4MWXLP4VN7Q"; // keyaudit:allow
        let mut evidence = Evidence::default();
        let at = |date: &str, source: &str| Dated {
            at: parse_date(date).unwrap(),
            source: source.into(),
        };
        evidence.add(
            Subject::KeyId(akid.into()),
            Record {
                user: Some("deployer".into()),
                created: Some(at("2026-03-01", "keys.json")),
                rotated: Some(at("2026-03-01", "keys.json")),
                last_used: Some(at("2026-06-01", "report.csv")),
                enabled: Some(Stated {
                    value: true,
                    source: "keys.json".into(),
                }),
                tracks_use: true,
                ..Record::default()
            },
            "report.csv + keys.json",
        );
        let manifest = format!(
            "[policy]\nunused_after = \"90d\"\nmax_age = \"180d\"\n[[key]]\nid = \"deploy\"\nkey_id = \"{akid}\"\n"
        );
        let outcome = w.run(
            vec![w.key("aws-access-key-id", akid, Some(akid), &["a.env"])],
            &manifest,
            &evidence,
        );
        let verdict = only(&outcome);
        assert_eq!(verdict.declared_as.as_deref(), Some("deploy"));
        assert_eq!(verdict.flags, vec![AuditClass::Stale]);
        assert_eq!(
            verdict.reasons,
            vec![
                "age 267 days since last rotated per keys.json 2026-03-01 exceeds max_age 180 days",
                "last used 2026-06-01 (175 days ago) per report.csv: exceeds unused_after 90 days",
            ]
        );
    }

    #[test]
    fn more_power_than_declared_is_over_privileged() {
        let w = World::new();
        let manifest = declared("gh", GITHUB, "max_privilege = \"scoped\"");
        let outcome = w.run(
            vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(only(&outcome).flags, vec![AuditClass::OverPrivileged]);
        assert_eq!(
            only(&outcome).reasons,
            vec!["privilege full (prefix ghp_; checksum does not match: random or fabricated) exceeds max_privilege scoped"]
        );
        assert!(Tier::Full > Tier::Scoped);
    }

    #[test]
    fn decoded_scopes_beyond_declared_are_over_privileged() {
        let w = World::new();
        let token = crate::analyze::jwt::tests::token(r#"{"scope":"orders:read orders:write"}"#);
        let manifest = declared("svc", &token, "scopes = [\"orders:read\"]");
        let outcome = w.run(
            vec![w.key("jwt", &token, None, &["a.env"])],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(
            only(&outcome).reasons,
            vec!["scopes orders:write beyond the declared scopes [orders:read]"]
        );
    }

    #[test]
    fn found_outside_locations_is_over_privileged() {
        let w = World::new();
        let manifest = declared("gh", GITHUB, "locations = [\"deploy/**\"]");
        let outcome = w.run(
            vec![w.key(
                "github-classic-pat",
                GITHUB,
                None,
                &["deploy/a.env", "src/x.py", "docs/y.md"],
            )],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(
            only(&outcome).reasons,
            vec!["found outside its declared locations [deploy/**]: src/x.py:1, docs/y.md:1"]
        );
    }

    #[test]
    fn live_key_under_test_paths_is_over_privileged_even_when_unknown() {
        let w = World::new();
        let manifest = "[policy]\ntest_paths = [\"tests/**\"]";
        let outcome = w.run(
            vec![
                w.key(
                    "stripe-secret-key-live",
                    STRIPE,
                    None,
                    &["tests/fixtures/a.env"],
                ),
                w.key(
                    "stripe-secret-key-test",
                    STRIPE_TEST,
                    None,
                    &["tests/b.env"],
                ),
            ],
            manifest,
            &Evidence::default(),
        );
        assert_eq!(
            outcome.keys[0].flags,
            vec![AuditClass::Unknown, AuditClass::OverPrivileged]
        );
        assert_eq!(
            outcome.keys[0].reasons[1],
            "live key under test_paths: tests/fixtures/a.env:1"
        );
        assert_eq!(
            outcome.keys[1].flags,
            vec![AuditClass::Unknown],
            "a test key in tests is fine"
        );
    }

    #[test]
    fn another_type_than_declared_is_over_privileged() {
        let w = World::new();
        let manifest = declared("gh", GITHUB, "rule = \"github-fine-grained-pat\"");
        let outcome = w.run(
            vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(
            only(&outcome).reasons,
            vec!["found by rule github-classic-pat, but declared as rule github-fine-grained-pat"]
        );
    }

    #[test]
    fn long_lived_key_declared_to_expire_within_max_age_is_over_privileged() {
        let w = World::new();
        let manifest = declared(
            "gh",
            GITHUB,
            "created = 2026-11-01\nexpires = 2027-01-01\nmax_age = \"90d\"",
        );
        let outcome = w.run(
            vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(only(&outcome).flags, vec![AuditClass::OverPrivileged]);
        assert!(only(&outcome).reasons[0].contains("but a GitHub token never expires by itself"));
        let later = declared(
            "gh",
            GITHUB,
            "created = 2026-11-01\nexpires = 2027-06-01\nmax_age = \"90d\"",
        );
        let outcome = w.run(
            vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
            &later,
            &Evidence::default(),
        );
        assert!(
            only(&outcome).flags.is_empty(),
            "expiry beyond max_age is not a promise of short life"
        );
    }

    #[test]
    fn environment_paths_and_accounts_are_checked() {
        let w = World::new();
        let environments = "[[environment]]\nname = \"prod\"\npaths = [\"deploy/prod/**\"]\naws_accounts = [\"111111111111\"]\n[[environment]]\nname = \"staging\"\npaths = [\"deploy/staging/**\"]\n";
        let manifest = format!(
            "{environments}{}",
            declared("gh", GITHUB, "environment = \"prod\"")
        );
        let outcome = w.run(
            vec![w.key(
                "github-classic-pat",
                GITHUB,
                None,
                &["deploy/prod/a.env", "deploy/staging/b.env"],
            )],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(
            only(&outcome).reasons,
            vec!["found in environment staging's paths (deploy/staging/b.env:1), but declared for prod"]
        );
        let akid = "AKIAQ2ZRT4MWXLP4VN7Q"; // keyaudit:allow
        let account = crate::analyze::aws::account_id(akid).unwrap();
        let manifest = format!(
            "{environments}[[key]]\nid = \"deploy\"\nkey_id = \"{akid}\"\nenvironment = \"prod\"\n"
        );
        let outcome = w.run(
            vec![w.key(
                "aws-access-key-id",
                akid,
                Some(akid),
                &["deploy/prod/a.env"],
            )],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(
            only(&outcome).reasons,
            vec![format!("belongs to AWS account {account}, which is not one of environment prod's accounts [111111111111]")]
        );
    }

    #[test]
    fn declared_active_keys_found_nowhere_are_unused() {
        let w = World::new();
        let manifest = format!(
            "{}{}",
            declared("gone", GITHUB, "owner = \"platform\""),
            declared("revoked", STRIPE, "state = \"revoked\"")
        );
        let outcome = w.run(vec![], &manifest, &Evidence::default());
        assert_eq!(
            outcome.unused,
            vec![UnusedKey {
                id: "gone".into(),
                rule: None,
                owner: Some("platform".into()),
                reason: "declared active but found nowhere in this run".into(),
            }]
        );
    }

    #[test]
    fn allows_remove_keys_by_fingerprint_or_path_and_rule() {
        let w = World::new();
        let manifest = manifest_from(&format!(
            "[[allow]]\nfingerprint = \"{}\"\n[[allow]]\npath = \"docs/**\"\nrule = \"stripe-secret-key-live\"\n",
            fp(GITHUB)
        ));
        let mut inventory = Inventory {
            keys: vec![
                w.key("github-classic-pat", GITHUB, None, &["src/a.env"]),
                w.key(
                    "stripe-secret-key-live",
                    STRIPE,
                    None,
                    &["docs/a.md", "src/b.env"],
                ),
                w.key("stripe-secret-key-test", STRIPE_TEST, None, &["docs/c.md"]),
            ],
            managed: Vec::new(),
        };
        assert_eq!(apply_allows(&mut inventory, &manifest, &w.rules), 1);
        assert_eq!(inventory.keys.len(), 2);
        let paths: Vec<&str> = inventory.keys[0]
            .locations
            .iter()
            .map(|l| l.path.as_str())
            .collect();
        assert_eq!(
            paths,
            vec!["src/b.env"],
            "the docs location is allowed, the src one is not"
        );
        assert_eq!(
            inventory.keys[1].locations[0].path, "docs/c.md",
            "the allow names another rule"
        );
    }
}
