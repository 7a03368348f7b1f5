//! Reads the database back: runs in time order with their scope and counts, and per key its
//! status, worked out from where and when it was seen.
//!
//! Status, per key and per scope it was seen in (a repository's or root's identity, as
//! `docs/reference/db.md` says: two checkouts of one repository are one scope, two unrelated
//! directories both
//! scanned as `.` are two; older reports' literal roots): the scope is open
//! from a run that saw the key there until a later *complete* run covering that scope does not
//! see it there. Incomplete runs open scopes but close none, and no run closes a scope it did
//! not cover. The key is `open` while any of its scopes is; it is `resolved` at the run that
//! closed the last one. A key seen again after that is open again (`reopened` counts how often):
//! `opened_at` and `days_open` then describe the current (latest) open period, while
//! `first_seen` stays the first sighting ever. A run over several roots does not say which root
//! a location is under, so such a sighting opens every root of that run.
//!
//! Verification (`--verify`), per key: the latest answer that proved something (`live` or
//! `dead`) and since when the key has answered so, the first check of that unbroken streak; an
//! `unknown` or `error` in between breaks nothing, since it proves nothing.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::Connection;
use serde::Serialize;

use crate::time::{days_between, format_rfc3339};

/// Counts of one run: keys and locations, and per audit class for audit reports (else null).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Distinct keys.
    pub keys: u64,
    /// Locations over all keys.
    pub locations: u64,
    /// Keys no manifest entry declares.
    pub unknown: Option<u64>,
    /// Keys past rotation or expiry.
    pub stale: Option<u64>,
    /// Keys with more power than declared.
    #[serde(rename = "over-privileged")]
    pub over_privileged: Option<u64>,
    /// Declared keys found nowhere.
    pub unused: Option<u64>,
}

/// One recorded run.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    /// The report's digest.
    pub id: String,
    /// When the report was made.
    pub generated_at: String,
    /// Whether every input was read.
    pub complete: bool,
    /// The identities of what it covered (`scan.scopes`; older reports' repositories or roots).
    pub scope: Vec<String>,
    /// Its counts.
    pub counts: Counts,
    /// Keys open after this run, worked out from the whole history (a trend of what is left).
    pub open: u64,
    /// `scan` or `audit`.
    pub kind: String,
    /// The keyaudit version that made the report.
    pub tool_version: String,
    /// `I/N` for a shard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Database row id.
    #[serde(skip)]
    pub row: i64,
    /// `generated_at` parsed.
    #[serde(skip)]
    pub time: Timestamp,
    /// Scope ids.
    #[serde(skip)]
    scope_ids: Vec<i64>,
}

/// Whether a key is still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Its latest covering run saw it.
    Open,
    /// A later complete run covering every scope it was seen in no longer sees it.
    Resolved,
}

impl Status {
    /// `open` or `resolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
        }
    }
}

/// One place a key was seen by the latest run that saw it.
#[derive(Debug, Clone, Serialize)]
pub struct LocationView {
    /// `file`, `git`, `staged` or `stdin`.
    pub source: String,
    /// The repository, in many-repository runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Path.
    pub path: String,
    /// Line.
    pub line: u64,
    /// Commit, for history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// One key over time.
#[derive(Debug, Clone, Serialize)]
pub struct KeyView {
    /// `hmac-sha256:…`.
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// Provider.
    pub provider: String,
    /// Kind of secret.
    pub kind: String,
    /// Privilege tier.
    pub privilege: String,
    /// A hint safe to print.
    pub redacted: String,
    /// The manifest id, from the latest audit report that saw it.
    pub declared_as: Option<String>,
    /// Open or resolved.
    pub status: Status,
    /// Time of the first run that saw it.
    pub first_seen: String,
    /// Time of the latest run that saw it.
    pub last_seen: String,
    /// Start of the current (or last) open period.
    pub opened_at: String,
    /// Time of the run that resolved it, when resolved.
    pub resolved_at: Option<String>,
    /// Whole days from `opened_at` to `resolved_at`, or to the latest run while open.
    pub days_open: i64,
    /// How many times it came back after being resolved.
    pub reopened: u32,
    /// Where the latest run that saw it found it.
    pub locations: Vec<LocationView>,
    /// With runs made with `--verify`: what its provider said, and since when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationView>,
    /// Index (in time order) of the first run that saw it.
    #[serde(skip)]
    pub first_index: usize,
    /// Timestamps for filtering.
    #[serde(skip)]
    pub last_time: Timestamp,
    /// When it was resolved.
    #[serde(skip)]
    pub resolved_time: Option<Timestamp>,
}

/// A key's verification over the runs (`--verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationView {
    /// `live` or `dead`: the latest answer that proved something; `unknown` or `error` when no
    /// answer ever did.
    pub status: String,
    /// Since when it has answered `status`: the first check of the latest unbroken streak of
    /// that answer.
    pub since: String,
    /// The latest check, whatever it answered.
    pub last_checked: String,
    /// What the latest check answered (an `error` after `live` leaves `status` live).
    pub last_status: String,
    /// The host asked last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The account the provider last named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

/// One verification of a key, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Check {
    status: String,
    checked_at: String,
    endpoint: Option<String>,
    identity: Option<String>,
}

/// A key's verification from its checks in time order (at least one).
fn standing(checks: &[Check]) -> VerificationView {
    let last = checks.last().expect("at least one check");
    let proves = |c: &&Check| matches!(c.status.as_str(), "live" | "dead");
    let (status, since) = match checks.iter().rev().find(proves) {
        Some(latest) => {
            let since = checks
                .iter()
                .rev()
                .filter(proves)
                .take_while(|c| c.status == latest.status)
                .last()
                .map_or(&latest.checked_at, |c| &c.checked_at);
            (latest.status.clone(), since.clone())
        }
        None => {
            let since = checks
                .iter()
                .rev()
                .take_while(|c| c.status == last.status)
                .last()
                .map_or(&last.checked_at, |c| &c.checked_at);
            (last.status.clone(), since.clone())
        }
    };
    VerificationView {
        status,
        since,
        last_checked: last.checked_at.clone(),
        last_status: last.status.clone(),
        endpoint: last.endpoint.clone(),
        identity: checks.iter().rev().find_map(|c| c.identity.clone()),
    }
}

/// Every key's checks, in time order.
fn load_checks(conn: &Connection) -> rusqlite::Result<HashMap<i64, Vec<Check>>> {
    let mut checks: HashMap<i64, Vec<Check>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT v.key, v.status, v.checked_at, v.endpoint, v.identity FROM verifications v
           JOIN runs r ON r.id = v.run
         ORDER BY v.key, v.checked_ms, r.time_ms, r.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        checks.entry(row.get(0)?).or_default().push(Check {
            status: row.get(1)?,
            checked_at: row.get(2)?,
            endpoint: row.get(3)?,
            identity: row.get(4)?,
        });
    }
    Ok(checks)
}

/// Everything the renderers show.
#[derive(Debug, Clone)]
pub struct History {
    /// The fingerprint key's id (none before the first ingest).
    pub salt_id: Option<String>,
    /// Runs, oldest first.
    pub runs: Vec<RunView>,
    /// Keys, by provider, rule and fingerprint.
    pub keys: Vec<KeyView>,
}

/// Reads the whole history and works out every key's status.
pub fn load(conn: &Connection) -> rusqlite::Result<History> {
    let salt_id = conn
        .query_row("SELECT value FROM meta WHERE name = 'salt_id'", [], |r| {
            r.get(0)
        })
        .ok();
    let runs = load_runs(conn)?;
    // Run row ids are small and dense: a vector maps them to positions in time order.
    let max_row = runs.iter().map(|r| r.row).max().unwrap_or(0).max(0) as usize;
    let mut position = vec![usize::MAX; max_row + 1];
    for (i, run) in runs.iter().enumerate() {
        position[run.row as usize] = i;
    }
    let latest = runs.last().map(|r| r.time);

    // Presence rows come in key order (the table's primary key): each key's sightings are
    // gathered and replayed as soon as the next key starts.
    let mut timelines: HashMap<i64, Timeline> = HashMap::new();
    {
        let mut stmt =
            conn.prepare("SELECT key, run, scope FROM presence ORDER BY key, run, scope")?;
        let mut rows = stmt.query([])?;
        let mut current: Option<i64> = None;
        let mut sightings: Vec<(usize, i64)> = Vec::new();
        let mut finish = |key: Option<i64>, sightings: &mut Vec<(usize, i64)>| {
            if let Some(key) = key {
                if !sightings.is_empty() {
                    sightings.sort_unstable();
                    timelines.insert(key, timeline(&runs, sightings));
                }
            }
            sightings.clear();
        };
        while let Some(row) = rows.next()? {
            let (key, run, scope): (i64, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            if current != Some(key) {
                finish(current, &mut sightings);
                current = Some(key);
            }
            let pos = usize::try_from(run)
                .ok()
                .and_then(|r| position.get(r).copied())
                .unwrap_or(usize::MAX);
            if pos != usize::MAX {
                sightings.push((pos, scope));
            }
        }
        finish(current, &mut sightings);
    }
    let mut runs = runs;
    let mut diff = vec![0i64; runs.len() + 1];
    for t in timelines.values() {
        for &(start, end) in &t.periods {
            diff[start] += 1;
            diff[end] -= 1;
        }
    }
    let mut open = 0i64;
    for (run, change) in runs.iter_mut().zip(&diff) {
        open += change;
        run.open = open.max(0) as u64;
    }
    let mut locations: HashMap<i64, Vec<LocationView>> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT s.key, s.source, s.repo, s.path, s.line, s.\"commit\" FROM keys k
               JOIN sightings s ON s.key = k.id AND s.run = k.last_run
             ORDER BY s.key, s.repo, s.path, s.line, s.\"commit\"",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            locations
                .entry(row.get(0)?)
                .or_default()
                .push(LocationView {
                    source: row.get(1)?,
                    repo: row.get(2)?,
                    path: row.get(3)?,
                    line: row.get::<_, i64>(4)?.max(0) as u64,
                    commit: row.get(5)?,
                });
        }
    }
    let mut checks = load_checks(conn)?;
    let mut keys = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT id, fingerprint, rule, provider, kind, privilege, redacted, declared_as
         FROM keys ORDER BY provider, rule, fingerprint",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let Some(timeline) = timelines.remove(&id) else {
            continue;
        };
        let opened = runs[timeline.opened].time;
        let resolved_time = timeline.resolved.map(|i| runs[i].time);
        let end = resolved_time.or(latest).unwrap_or(opened);
        keys.push(KeyView {
            fingerprint: row.get(1)?,
            rule: row.get(2)?,
            provider: row.get(3)?,
            kind: row.get(4)?,
            privilege: row.get(5)?,
            redacted: row.get(6)?,
            declared_as: row.get(7)?,
            status: if timeline.resolved.is_some() {
                Status::Resolved
            } else {
                Status::Open
            },
            first_seen: runs[timeline.first].generated_at.clone(),
            last_seen: runs[timeline.last].generated_at.clone(),
            opened_at: format_rfc3339(opened),
            resolved_at: resolved_time.map(format_rfc3339),
            days_open: days_between(opened, end).max(0),
            reopened: timeline.reopened,
            locations: locations.remove(&id).unwrap_or_default(),
            verification: checks.remove(&id).map(|c| standing(&c)),
            first_index: timeline.first,
            last_time: runs[timeline.last].time,
            resolved_time,
        });
    }
    Ok(History {
        salt_id,
        runs,
        keys,
    })
}

fn load_runs(conn: &Connection) -> rusqlite::Result<Vec<RunView>> {
    let mut scopes: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT rs.run, s.name, s.id FROM run_scopes rs JOIN scopes s ON s.id = rs.scope
         ORDER BY rs.run, s.name",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        scopes
            .entry(row.get(0)?)
            .or_default()
            .push((row.get(1)?, row.get(2)?));
    }
    let mut stmt = conn.prepare(
        "SELECT id, digest, generated_at, time_ms, complete, keys, locations, unknown, stale,
           over_privileged, unused, kind, tool_version, shard
         FROM runs ORDER BY time_ms, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut runs = Vec::new();
    while let Some(row) = rows.next()? {
        let row_id: i64 = row.get(0)?;
        let scope = scopes.remove(&row_id).unwrap_or_default();
        let count = |i: usize| -> rusqlite::Result<Option<u64>> {
            Ok(row.get::<_, Option<i64>>(i)?.map(|n| n.max(0) as u64))
        };
        runs.push(RunView {
            id: row.get(1)?,
            generated_at: row.get(2)?,
            time: Timestamp::from_millisecond(row.get(3)?).unwrap_or(Timestamp::UNIX_EPOCH),
            complete: row.get(4)?,
            counts: Counts {
                keys: count(5)?.unwrap_or(0),
                locations: count(6)?.unwrap_or(0),
                unknown: count(7)?,
                stale: count(8)?,
                over_privileged: count(9)?,
                unused: count(10)?,
            },
            kind: row.get(11)?,
            tool_version: row.get(12)?,
            shard: row.get(13)?,
            open: 0,
            row: row_id,
            scope: scope.iter().map(|(n, _)| n.clone()).collect(),
            scope_ids: scope.iter().map(|(_, id)| *id).collect(),
        });
    }
    Ok(runs)
}

/// A key's life, as indexes into the runs in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Timeline {
    first: usize,
    last: usize,
    opened: usize,
    resolved: Option<usize>,
    reopened: u32,
    /// Open periods: runs `start..end` (the run that resolved it excluded).
    periods: Vec<(usize, usize)>,
}

/// Replays the runs from the key's first sighting. `sightings` is sorted: (run index, scope id,
/// 0 for the whole of that run's scope).
fn timeline(runs: &[RunView], sightings: &[(usize, i64)]) -> Timeline {
    let first = sightings[0].0;
    let mut result = Timeline {
        first,
        last: first,
        opened: first,
        resolved: None,
        reopened: 0,
        periods: Vec::new(),
    };
    let mut open: Vec<i64> = Vec::new();
    let mut next = 0;
    let mut here: Vec<i64> = Vec::new();
    for (index, run) in runs.iter().enumerate().skip(first) {
        here.clear();
        while next < sightings.len() && sightings[next].0 == index {
            match sightings[next].1 {
                // A run without any scope still opens something: a scope no run closes.
                0 if run.scope_ids.is_empty() => here.push(-1),
                0 => here.extend_from_slice(&run.scope_ids),
                scope => here.push(scope),
            }
            next += 1;
        }
        let was_open = !open.is_empty();
        if run.complete {
            open.retain(|s| !run.scope_ids.contains(s) || here.contains(s));
        }
        for scope in &here {
            if !open.contains(scope) {
                open.push(*scope);
            }
        }
        if !here.is_empty() {
            result.last = index;
        }
        match (was_open, open.is_empty()) {
            (false, false) if index != first => {
                result.reopened += 1;
                result.resolved = None;
                result.opened = index;
            }
            (true, true) => {
                result.resolved = Some(index);
                result.periods.push((result.opened, index));
            }
            _ => {}
        }
        if next == sightings.len() && open.is_empty() {
            break;
        }
    }
    if result.resolved.is_none() {
        result.periods.push((result.opened, runs.len()));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(complete: bool, scope: &[i64]) -> RunView {
        RunView {
            id: String::new(),
            generated_at: String::new(),
            complete,
            scope: Vec::new(),
            counts: Counts {
                keys: 0,
                locations: 0,
                unknown: None,
                stale: None,
                over_privileged: None,
                unused: None,
            },
            kind: "scan".into(),
            tool_version: String::new(),
            shard: None,
            open: 0,
            row: 0,
            time: Timestamp::UNIX_EPOCH,
            scope_ids: scope.to_vec(),
        }
    }

    #[test]
    fn a_complete_run_without_the_key_resolves_it() {
        let runs = [run(true, &[1]), run(true, &[1]), run(true, &[1])];
        let t = timeline(&runs, &[(0, 0), (1, 0)]);
        assert_eq!((t.first, t.last, t.resolved), (0, 1, Some(2)));
    }

    #[test]
    fn incomplete_runs_and_runs_elsewhere_resolve_nothing() {
        let runs = [run(true, &[1, 2]), run(false, &[1, 2]), run(true, &[2])];
        // Seen in repository 1 only; run 1 is incomplete, run 2 covers repository 2 only.
        let t = timeline(&runs, &[(0, 1)]);
        assert_eq!(t.resolved, None);
        // Seen somewhere under roots 1 and 2: run 2 clears root 2, root 1 stays open.
        let t = timeline(&runs, &[(0, 0)]);
        assert_eq!(t.resolved, None);
        let runs = [run(true, &[1, 2]), run(true, &[2]), run(true, &[1])];
        let t = timeline(&runs, &[(0, 0)]);
        assert_eq!(t.resolved, Some(2));
    }

    #[test]
    fn a_key_moving_between_repositories_stays_open_until_gone_from_both() {
        let runs = [run(true, &[1, 2]), run(true, &[1, 2]), run(true, &[1, 2])];
        let t = timeline(&runs, &[(0, 1), (1, 2)]);
        assert_eq!((t.last, t.resolved), (1, Some(2)));
    }

    #[test]
    fn a_re_added_key_opens_again() {
        let runs = [
            run(true, &[1]),
            run(true, &[1]),
            run(true, &[1]),
            run(true, &[1]),
        ];
        let t = timeline(&runs[..3], &[(0, 0), (2, 0)]);
        assert_eq!(t.resolved, None);
        assert_eq!((t.first, t.opened, t.last, t.reopened), (0, 2, 2, 1));
        let t = timeline(&runs, &[(0, 0), (2, 0)]);
        assert_eq!((t.opened, t.resolved, t.reopened), (2, Some(3), 1));
        assert_eq!(t.periods, vec![(0, 1), (2, 3)]);
    }

    fn check(status: &str, day: u32) -> Check {
        Check {
            status: status.into(),
            checked_at: format!("2026-01-{day:02}T00:00:00Z"),
            endpoint: Some("api.github.com".into()),
            identity: (status == "live").then(|| "octocat".into()),
        }
    }

    #[test]
    fn a_key_is_live_or_dead_since_the_start_of_its_latest_streak() {
        let v = standing(&[check("live", 1), check("live", 2), check("live", 3)]);
        assert_eq!(
            (v.status.as_str(), v.since.as_str()),
            ("live", "2026-01-01T00:00:00Z")
        );
        let v = standing(&[check("live", 1), check("dead", 2), check("dead", 3)]);
        assert_eq!(
            (v.status.as_str(), v.since.as_str()),
            ("dead", "2026-01-02T00:00:00Z")
        );
        assert_eq!(v.identity.as_deref(), Some("octocat"));
        // An error proves nothing: it neither ends nor starts a streak.
        let v = standing(&[
            check("dead", 1),
            check("live", 2),
            check("error", 3),
            check("live", 4),
            check("error", 5),
        ]);
        assert_eq!(
            (v.status.as_str(), v.since.as_str()),
            ("live", "2026-01-02T00:00:00Z")
        );
        assert_eq!(v.last_status, "error");
        assert_eq!(v.last_checked, "2026-01-05T00:00:00Z");
        // Nothing proven yet: the latest answer, since it started.
        let v = standing(&[check("error", 1), check("unknown", 2), check("unknown", 3)]);
        assert_eq!(
            (v.status.as_str(), v.since.as_str()),
            ("unknown", "2026-01-02T00:00:00Z")
        );
    }
}
