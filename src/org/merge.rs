//! Many reports folded into one inventory (`docs/reference/many-repositories.md`): keys united by fingerprint,
//! locations united and sorted, `first_seen` the oldest, `in_current_tree` if any, the latest
//! verification (`--verify`), counts summed, skipped and errors concatenated (sorted), complete
//! only if every input is.
//!
//! Every rule here is associative and commutative (unions, sums, minima and maxima under total
//! orders), so shards merge to the same inventory in any grouping and order. Shard bookkeeping
//! rides along in `scan.shards`: the same shard twice is refused, and a gap among the shards
//! of one N is an error entry naming it, recomputed at each merge so it disappears once the
//! missing shard is merged in.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Error, Result};
use crate::inventory::{FirstSeen, Location};
use crate::report::{KeyEntry, RepoSummary, Report, ScanSummary, Summary, Tool};
use crate::source::ReadError;
use crate::verify::Verification;

use super::repos::Shard;

/// The message of the error entry naming a missing shard (its path is `shard I/N`).
pub const MISSING_SHARD: &str = "missing: no report of this shard was merged";

/// One report to merge, with the name its file goes by in errors.
pub struct Input {
    /// The file, as given.
    pub name: String,
    /// Its content, in scan's schema.
    pub report: Report,
}

/// Merges `inputs` (at least one). `rule_name` names a rule id for reports that do not carry
/// names (JSON reports read back). Refuses different salt ids and the same shard twice.
pub fn merge(inputs: Vec<Input>, rule_name: &dyn Fn(&str) -> Option<String>) -> Result<Report> {
    let first = inputs
        .first()
        .ok_or_else(|| Error::Org("nothing to merge".into()))?;
    let salt_id = first.report.scan.salt_id.clone();
    let first_name = first.name.clone();
    for input in &inputs {
        if input.report.scan.salt_id != salt_id {
            return Err(Error::Org(format!(
                "{}: salt_id {} differs from {} of {first_name}: fingerprints made with different salts cannot be compared",
                input.name, input.report.scan.salt_id, salt_id
            )));
        }
    }
    let shards = shard_bookkeeping(&inputs)?;
    let mut keys: BTreeMap<String, KeyEntry> = BTreeMap::new();
    let mut scan = ScanSummary {
        roots: Vec::new(),
        scopes: Vec::new(),
        repository: None,
        files: 0,
        bytes: 0,
        blobs: 0,
        commits: 0,
        skipped: Vec::new(),
        errors: Vec::new(),
        duration_ms: 0,
        salt_id,
        shard: None,
        shards: shards.iter().map(Shard::to_string).collect(),
        repos: None,
        incremental: None,
    };
    let mut repos: Option<BTreeMap<String, RepoSummary>> = None;
    let mut managed = Vec::new();
    let mut complete = true;
    let mut allowed = 0;
    for input in inputs {
        let report = input.report;
        let s = report.scan;
        scan.roots.extend(s.roots);
        scan.scopes.extend(s.scopes);
        scan.files += s.files;
        scan.bytes += s.bytes;
        scan.blobs += s.blobs;
        scan.commits += s.commits;
        scan.duration_ms += s.duration_ms;
        scan.skipped.extend(s.skipped);
        let (gaps, errors): (Vec<ReadError>, Vec<ReadError>) =
            s.errors.into_iter().partition(is_missing_shard);
        // An input incomplete only for want of a shard may be completed by this merge.
        complete &= report.summary.complete || (errors.is_empty() && !gaps.is_empty());
        scan.errors.extend(errors);
        if let Some(list) = s.repos {
            let united = repos.get_or_insert_with(BTreeMap::new);
            for repo in list {
                match united.get_mut(&repo.name) {
                    Some(r) => add_repo(r, &repo),
                    None => {
                        united.insert(repo.name.clone(), repo);
                    }
                }
            }
        }
        if let Some(read) = s.incremental {
            scan.incremental
                .get_or_insert_with(BTreeMap::new)
                .extend(read);
        }
        managed.extend(report.managed);
        allowed += report.summary.allowed;
        for key in report.keys {
            match keys.remove(&key.fingerprint) {
                Some(held) => {
                    let merged = merge_keys(held, key);
                    keys.insert(merged.fingerprint.clone(), merged);
                }
                None => {
                    keys.insert(key.fingerprint.clone(), key);
                }
            }
        }
    }
    for gap in missing_shards(&shards) {
        scan.errors.push(ReadError {
            path: format!("shard {gap}"),
            message: MISSING_SHARD.into(),
        });
    }
    scan.roots.sort();
    scan.roots.dedup();
    scan.scopes.sort();
    scan.scopes.dedup();
    scan.skipped.sort();
    scan.errors.sort();
    managed.sort_by(|a, b| {
        (&a.path, a.line, &a.name, &a.namespace).cmp(&(&b.path, b.line, &b.name, &b.namespace))
    });
    let mut keys: Vec<KeyEntry> = keys.into_values().collect();
    for key in &mut keys {
        if key.rule_name == key.rule {
            if let Some(name) = rule_name(&key.rule) {
                key.rule_name = name;
            }
        }
    }
    keys.sort_by(|a, b| {
        a.locations
            .first()
            .cmp(&b.locations.first())
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    scan.repos = repos.map(|united| {
        let mut list: Vec<RepoSummary> = united.into_values().collect();
        count_per_repo(&mut list, &keys);
        list
    });
    let complete = complete && scan.errors.is_empty();
    Ok(assemble(scan, keys, managed, allowed, complete))
}

/// A report in scan's schema from its parts: totals computed from the keys.
pub fn assemble(
    scan: ScanSummary,
    keys: Vec<KeyEntry>,
    managed: Vec<crate::managed::ManagedSecret>,
    allowed: usize,
    complete: bool,
) -> Report {
    let summary = Summary::of_keys(
        &keys,
        scan.skipped.len(),
        scan.errors.len(),
        complete,
        allowed,
    );
    Report {
        version: 1,
        tool: Tool::KEYAUDIT,
        scan,
        keys,
        unused: Vec::new(),
        unmatched_evidence: Vec::new(),
        managed,
        summary,
        generated_at: crate::report::now_to_the_millisecond(),
        as_of: None,
    }
}

/// Whether `error` is the entry of a missing shard (recomputed at every merge).
fn is_missing_shard(error: &ReadError) -> bool {
    error.message == MISSING_SHARD && error.path.starts_with("shard ")
}

/// Every shard the inputs hold, refusing one held twice.
fn shard_bookkeeping(inputs: &[Input]) -> Result<BTreeSet<Shard>> {
    let mut held: BTreeMap<Shard, &str> = BTreeMap::new();
    for input in inputs {
        let scan = &input.report.scan;
        for text in scan.shard.iter().chain(&scan.shards) {
            let shard = Shard::parse(text)
                .map_err(|e| Error::Org(format!("{}: scan.shard {e}", input.name)))?;
            if let Some(other) = held.insert(shard, &input.name) {
                return Err(Error::Org(format!(
                    "{}: shard {shard} is also in {other}: the same shard cannot be merged twice",
                    input.name
                )));
            }
        }
    }
    Ok(held.into_keys().collect())
}

/// The shards absent among those of each N present.
fn missing_shards(shards: &BTreeSet<Shard>) -> Vec<Shard> {
    let counts: BTreeSet<u64> = shards.iter().map(|s| s.count).collect();
    counts
        .into_iter()
        .flat_map(|count| (0..count).map(move |index| Shard { index, count }))
        .filter(|s| !shards.contains(s))
        .collect()
}

fn add_repo(into: &mut RepoSummary, other: &RepoSummary) {
    into.files += other.files;
    into.bytes += other.bytes;
    into.blobs += other.blobs;
    into.commits += other.commits;
    into.skipped += other.skipped;
    into.errors += other.errors;
    if other.source < into.source {
        into.source = other.source.clone();
    }
}

/// Keys and locations per repository, from the merged keys.
fn count_per_repo(repos: &mut [RepoSummary], keys: &[KeyEntry]) {
    for repo in repos.iter_mut() {
        repo.keys = 0;
        repo.locations = 0;
    }
    let index: BTreeMap<String, usize> = repos
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.clone(), i))
        .collect();
    for key in keys {
        let mut seen = BTreeSet::new();
        for location in &key.locations {
            if let Some(&i) = location.repo.as_ref().and_then(|r| index.get(r)) {
                repos[i].locations += 1;
                if seen.insert(i) {
                    repos[i].keys += 1;
                }
            }
        }
    }
}

/// Two entries of one fingerprint as one. The description (rule, provider, tiers...) is the
/// one with the highest privilege, ties broken by the whole description (names compared as
/// text, as they always were), so the choice does not depend on order.
fn merge_keys(a: KeyEntry, b: KeyEntry) -> KeyEntry {
    let describe = |k: &KeyEntry| {
        (
            k.privilege,
            k.rule.clone(),
            k.provider.clone(),
            k.kind.as_str(),
            k.privilege_evidence.clone(),
            (
                k.environment.as_str(),
                k.environment_evidence.clone(),
                k.lifetime.as_str(),
                k.expires.clone(),
                k.scopes.clone(),
                k.aws_account.clone(),
                k.rotate.clone(),
                k.redacted.clone(),
            ),
        )
    };
    let (mut winner, other) = if describe(&b) > describe(&a) {
        (b, a)
    } else {
        (a, b)
    };
    winner.key_id = match (winner.key_id.take(), other.key_id) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    winner.secret = match (winner.secret.take(), other.secret) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    winner.in_current_tree |= other.in_current_tree;
    winner.verification = latest(winner.verification.take(), other.verification);
    winner.first_seen = oldest(winner.first_seen.take(), other.first_seen);
    let mut locations: Vec<Location> = winner.locations;
    locations.extend(other.locations);
    locations.sort();
    locations.dedup();
    winner.locations = locations;
    winner.audit = None;
    winner
}

/// The later of two verifications of one key (ties broken by the whole answer, so the choice
/// does not depend on order).
fn latest(a: Option<Verification>, b: Option<Verification>) -> Option<Verification> {
    let order = |v: &Verification| {
        (
            v.checked_at,
            v.status,
            v.endpoint.clone(),
            v.identity.clone(),
            v.scopes.clone(),
            v.expires.clone(),
            v.note.clone(),
        )
    };
    match (a, b) {
        (Some(x), Some(y)) => Some(if order(&y) > order(&x) { y } else { x }),
        (x, y) => x.or(y),
    }
}

fn oldest(a: Option<FirstSeen>, b: Option<FirstSeen>) -> Option<FirstSeen> {
    let order = |f: &FirstSeen| {
        (
            f.date,
            f.commit.clone(),
            f.author.clone(),
            f.author_email.clone(),
        )
    };
    match (a, b) {
        (Some(x), Some(y)) => Some(if order(&y) < order(&x) { y } else { x }),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Environment, Kind, Lifetime, Tier};
    use crate::source::SourceKind;

    fn key(fp: &str, path: &str, privilege: Tier, seen: Option<i64>) -> KeyEntry {
        KeyEntry {
            fingerprint: format!("hmac-sha256:{fp:0>32}"),
            key_id: None,
            rule: "r".into(),
            rule_name: "r".into(),
            provider: "P".into(),
            kind: Kind::Token,
            redacted: "ab…".into(),
            secret: None,
            privilege,
            privilege_evidence: String::new(),
            environment: Environment::Live,
            environment_evidence: String::new(),
            lifetime: Lifetime::Long,
            expires: None,
            scopes: None,
            aws_account: None,
            first_seen: seen.map(|s| FirstSeen {
                commit: format!("c{s}"),
                date: jiff::Timestamp::from_second(s).unwrap(),
                author: "a".into(),
                author_email: "a@x".into(),
            }),
            in_current_tree: seen.is_none(),
            rotate: None,
            locations: vec![Location {
                source: if seen.is_some() {
                    SourceKind::Git
                } else {
                    SourceKind::File
                },
                repo: Some(path.split('/').next().unwrap().into()),
                path: path.into(),
                line: 1,
                column: 1,
                commit: seen.map(|s| format!("c{s}")),
                variable: None,
                decoded: None,
                on_disk: None,
                inside: Default::default(),
            }],
            verification: None,
            audit: None,
        }
    }

    fn report(shard: Option<&str>, keys: Vec<KeyEntry>, errors: Vec<ReadError>) -> Report {
        let scan = ScanSummary {
            roots: vec!["x".into()],
            scopes: vec![format!("path:/{}", shard.unwrap_or("x"))],
            repository: None,
            files: 1,
            bytes: 10,
            blobs: 2,
            commits: 3,
            skipped: Vec::new(),
            errors: errors.clone(),
            duration_ms: 5,
            salt_id: "s".into(),
            shard: shard.map(str::to_string),
            shards: Vec::new(),
            repos: None,
            incremental: None,
        };
        assemble(scan, keys, Vec::new(), 0, errors.is_empty())
    }

    fn input(name: &str, report: Report) -> Input {
        Input {
            name: name.into(),
            report,
        }
    }

    fn json(report: &Report) -> serde_json::Value {
        let mut value = serde_json::to_value(report).unwrap();
        value["generated_at"] = serde_json::Value::Null;
        value
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    fn shards() -> Vec<Report> {
        vec![
            report(
                Some("0/3"),
                vec![
                    key("1", "a/x", Tier::Read, Some(50)),
                    key("2", "a/y", Tier::Full, None),
                ],
                vec![],
            ),
            report(
                Some("1/3"),
                vec![
                    key("1", "b/x", Tier::Admin, Some(20)),
                    key("3", "b/z", Tier::Read, None),
                ],
                vec![],
            ),
            report(
                Some("2/3"),
                vec![key("2", "c/y", Tier::Read, Some(70))],
                vec![ReadError {
                    path: "c/q".into(),
                    message: "unreadable".into(),
                }],
            ),
        ]
    }

    #[test]
    fn merging_is_associative_and_order_free() {
        let [a, b, c]: [Report; 3] = shards().try_into().unwrap();
        let flat = merge(
            vec![
                input("a", a.clone()),
                input("b", b.clone()),
                input("c", c.clone()),
            ],
            &none,
        )
        .unwrap();
        let ab = merge(vec![input("a", a.clone()), input("b", b.clone())], &none).unwrap();
        let left = merge(vec![input("ab", ab), input("c", c.clone())], &none).unwrap();
        let cb = merge(vec![input("c", c.clone()), input("b", b.clone())], &none).unwrap();
        let right = merge(vec![input("cb", cb), input("a", a.clone())], &none).unwrap();
        assert_eq!(json(&flat), json(&left));
        assert_eq!(json(&flat), json(&right));
        let shared = flat
            .keys
            .iter()
            .find(|k| k.fingerprint.ends_with("01"))
            .unwrap();
        assert_eq!(shared.privilege, Tier::Admin);
        assert_eq!(shared.first_seen.as_ref().unwrap().commit, "c20");
        assert_eq!(shared.locations.len(), 2);
        let two = flat
            .keys
            .iter()
            .find(|k| k.fingerprint.ends_with("02"))
            .unwrap();
        assert!(two.in_current_tree);
        assert_eq!(flat.scan.files, 3);
        assert_eq!(flat.scan.commits, 9);
        assert_eq!(flat.scan.shards, ["0/3", "1/3", "2/3"]);
        assert_eq!(flat.scan.scopes, ["path:/0/3", "path:/1/3", "path:/2/3"]);
        assert!(!flat.summary.complete, "an input was incomplete");
    }

    #[test]
    fn a_missing_shard_is_an_error_until_merged_in() {
        let [a, b, c]: [Report; 3] = shards().try_into().unwrap();
        let ab = merge(vec![input("a", a), input("b", b)], &none).unwrap();
        assert!(!ab.summary.complete);
        assert_eq!(ab.scan.errors.len(), 1);
        assert_eq!(ab.scan.errors[0].path, "shard 2/3");
        let mut c = c;
        c.scan.errors.clear();
        c.summary.complete = true;
        let abc = merge(vec![input("ab", ab), input("c", c)], &none).unwrap();
        assert!(abc.summary.complete, "{:?}", abc.scan.errors);
        assert!(abc.scan.errors.is_empty());
    }

    #[test]
    fn refuses_the_same_shard_twice_and_foreign_salts() {
        let [a, b, _]: [Report; 3] = shards().try_into().unwrap();
        let err = merge(vec![input("a1", a.clone()), input("a2", a.clone())], &none)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a2: shard 0/3 is also in a1"), "{err}");
        let mut foreign = b;
        foreign.scan.salt_id = "other".into();
        let err = merge(vec![input("a", a), input("f", foreign)], &none)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("f: salt_id other differs"), "{err}");
    }
}
