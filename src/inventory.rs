//! The inventory: findings folded into one entry per distinct secret (by fingerprint), each
//! with every location it was found at. Sorting makes the result independent of thread count.

use std::collections::HashMap;
use std::path::PathBuf;

use jiff::Timestamp;

use serde::Serialize;

use crate::analyze::{assess, Assessment};
use crate::fingerprint::fingerprint;
use crate::rules::{Kind, Rule, RuleSet};
use crate::scan::Hit;
use crate::secret::Secret;
use crate::source::git::CommitIndex;
use crate::source::{Origin, SourceKind};

/// One place a key was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Which kind of source.
    pub source: SourceKind,
    /// The repository's name, in runs over many repositories (`--repos`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Path relative to the scanned root.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The commit, for history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The variable the key is assigned to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// The decoding step that revealed the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoded: Option<String>,
    /// The file on disk, for matching manifest globs; never reported.
    #[serde(skip)]
    pub on_disk: Option<PathBuf>,
    /// The archives (and image) the key is inside: `archive`, `image`, `layer` and
    /// `deleted_in_layer`, each absent when empty.
    #[serde(flatten)]
    pub inside: crate::source::archive::Inside,
}

/// The commit that introduced a key (with `--history`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstSeen {
    /// Commit id.
    pub commit: String,
    /// Commit date.
    pub date: Timestamp,
    /// Author name.
    pub author: String,
    /// Author email.
    pub author_email: String,
}

/// The rule that names a key: what reports and the audit say of it. A key carries it, so a
/// key read back from a report is audited like a key just found, with no rule-set at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    /// Rule id.
    pub id: String,
    /// The rule's human-readable name.
    pub name: String,
    /// The rule's provider (a key's own provider, when it names one, is in its assessment).
    pub provider: String,
    /// Kind of secret.
    pub kind: Kind,
    /// Where to revoke or rotate the key.
    pub rotate: Option<String>,
}

impl RuleRef {
    /// What `rule` says of the keys it finds.
    pub fn of(rule: &Rule) -> Self {
        Self {
            id: rule.id.clone(),
            name: rule.name.clone(),
            provider: rule.provider.clone(),
            kind: rule.kind,
            rotate: rule.rotate.clone(),
        }
    }
}

/// One distinct key.
#[derive(Debug, Clone)]
pub struct Key {
    /// `hmac-sha256:…`.
    pub fingerprint: String,
    /// The secret itself.
    pub secret: Secret,
    /// The rule that names it.
    pub rule: RuleRef,
    /// A non-secret identifier carried by the key.
    pub key_id: Option<String>,
    /// The account its text names the key's, for verification (not reported).
    pub account: Option<String>,
    /// Privilege, environment and lifetime.
    pub assessment: Assessment,
    /// Whether the key is in a scanned working tree (not only in history).
    pub in_current_tree: bool,
    /// With history: the oldest commit that introduced it.
    pub first_seen: Option<FirstSeen>,
    /// Every place it was found, sorted.
    pub locations: Vec<Location>,
    /// With `--verify`: what its provider said of it.
    pub verification: Option<crate::verify::Verification>,
}

/// All keys of one run.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Keys sorted by first location, then fingerprint.
    pub keys: Vec<Key>,
    /// Secrets fetched from a central store by Kubernetes ExternalSecrets, by path and line.
    pub managed: Vec<crate::managed::ManagedSecret>,
}

impl Inventory {
    /// Folds per-blob hits into keys. `salt` keys the fingerprints; `commits` describes the
    /// commits of history locations, for `first_seen`.
    pub fn build(
        rules: &RuleSet,
        salt: &[u8],
        findings: Vec<(Origin, Vec<Hit>)>,
        commits: &CommitIndex,
    ) -> Self {
        let all = rules.rules();
        // Each key with the index of its rule, while hits may still name it by a rule that
        // takes precedence.
        let mut by_fingerprint: HashMap<String, (usize, Key)> = HashMap::new();
        for (origin, hits) in findings {
            for hit in hits {
                let fp = fingerprint(salt, hit.secret.expose());
                let location = Location {
                    source: origin.source,
                    repo: None,
                    path: origin.path.clone(),
                    line: hit.line,
                    column: hit.column,
                    commit: origin.commit.clone(),
                    variable: hit.variable,
                    decoded: hit.decoded.map(str::to_string),
                    on_disk: origin.on_disk.clone(),
                    inside: origin.inside.clone(),
                };
                let current = origin.source != SourceKind::Git || origin.in_head;
                match by_fingerprint.get_mut(&fp) {
                    Some((rule, key)) => {
                        key.locations.push(location);
                        key.in_current_tree |= current;
                        if all[hit.rule].precedence(hit.rule) < all[*rule].precedence(*rule) {
                            *rule = hit.rule;
                            key.rule = RuleRef::of(&all[hit.rule]);
                            key.assessment = assess(
                                &all[hit.rule],
                                hit.secret.expose(),
                                key.key_id.as_deref().or(hit.key_id.as_deref()),
                            );
                        }
                        if *rule == hit.rule && key.assessment.provider.is_none() {
                            key.assessment.provider = hit.provider.map(str::to_string);
                        }
                        if key.account.is_none() {
                            key.account = hit.account;
                        }
                        if key.key_id.is_none() {
                            key.key_id = hit.key_id.or_else(|| key.assessment.key_id.clone());
                        }
                    }
                    None => {
                        let mut assessment =
                            assess(&all[hit.rule], hit.secret.expose(), hit.key_id.as_deref());
                        assessment.provider = hit.provider.map(str::to_string);
                        let key = Key {
                            fingerprint: fp.clone(),
                            secret: hit.secret,
                            rule: RuleRef::of(&all[hit.rule]),
                            key_id: hit.key_id.or_else(|| assessment.key_id.clone()),
                            account: hit.account,
                            assessment,
                            in_current_tree: current,
                            first_seen: None,
                            locations: vec![location],
                            verification: None,
                        };
                        by_fingerprint.insert(fp, (hit.rule, key));
                    }
                }
            }
        }
        let mut keys: Vec<Key> = by_fingerprint.into_values().map(|(_, key)| key).collect();
        for key in &mut keys {
            key.locations.sort();
            key.locations.dedup();
            key.first_seen = first_seen(&key.locations, commits);
        }
        keys.sort_by(|a, b| {
            a.locations[0]
                .cmp(&b.locations[0])
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        Self {
            keys,
            managed: Vec::new(),
        }
    }
}

/// The oldest commit among `locations` that is described in `commits`.
fn first_seen(locations: &[Location], commits: &CommitIndex) -> Option<FirstSeen> {
    locations
        .iter()
        .filter_map(|l| l.commit.as_ref())
        .filter_map(|c| commits.get(c).map(|meta| (c, meta)))
        .min_by_key(|(_, meta)| meta.order)
        .map(|(commit, meta)| FirstSeen {
            commit: commit.clone(),
            date: meta.date,
            author: meta.author.clone(),
            author_email: meta.email.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Scanner;

    fn origin(path: &str) -> Origin {
        Origin {
            source: SourceKind::File,
            path: path.into(),
            commit: None,
            on_disk: None,
            in_head: false,
            inside: Default::default(),
        }
    }

    #[test]
    fn one_entry_per_secret_with_every_location_in_order() {
        let rules = RuleSet::load(true, &[]).unwrap();
        let scanner = Scanner::new(&rules);
        let key = "ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7"; // keyaudit:allow
        let a = format!("token={key}\nother={key}\n");
        let b = format!("x: {key}\n");
        // Feed in an order different from the sorted one.
        let findings = vec![
            (origin("b.yml"), scanner.scan(b.as_bytes())),
            (origin("a.env"), scanner.scan(a.as_bytes())),
        ];
        let inventory = Inventory::build(&rules, b"salt", findings, &CommitIndex::new());
        assert_eq!(inventory.keys.len(), 1);
        let entry = &inventory.keys[0];
        let places: Vec<(String, usize)> = entry
            .locations
            .iter()
            .map(|l| (l.path.clone(), l.line))
            .collect();
        assert_eq!(
            places,
            vec![
                ("a.env".into(), 1),
                ("a.env".into(), 2),
                ("b.yml".into(), 1)
            ]
        );
        assert_eq!(entry.fingerprint, fingerprint(b"salt", key.as_bytes()));
        assert!(entry.in_current_tree);
    }
}
