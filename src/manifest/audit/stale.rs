//! `stale`: too old, expired, revoked yet present, disabled or deleted in its store, rotation
//! off or overdue, or unused past `unused_after`; with `--verify`, revoked or compromised yet
//! live, or declared active yet dead, per its provider.

use jiff::Timestamp;

use super::{answered_by, KeyCheck, ReasonCode, Verdict};
use crate::manifest::model::KeyState;
use crate::time::{days_between, format_date};
use crate::verify::Status;

impl KeyCheck<'_> {
    /// The date the key's age counts from, and what it is.
    pub(super) fn age_origin(&self) -> Option<(Timestamp, String)> {
        let declared = self.declaration;
        let rotated = [
            declared
                .and_then(|d| d.rotated)
                .map(|t| (t, "rotated".to_string())),
            // Keys whose value never changes (access keys, service-account keys, Entra
            // secrets) are "rotated" when created: say so.
            self.record.and_then(|r| {
                let rotated = r.rotated.as_ref()?;
                let what = match &r.created {
                    Some(c) if c.at == rotated.at => "created",
                    _ => "last rotated",
                };
                Some((rotated.at, format!("{what} per {}", rotated.source)))
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

    pub(super) fn age(&self, verdict: &mut Verdict) {
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
                    ReasonCode::MaxAge,
                    format!(
                        "age {age} days since {label} {} exceeds max_age {max_age} days",
                        format_date(since)
                    ),
                );
            }
        }
    }

    pub(super) fn expiry(&self, verdict: &mut Verdict) {
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
        // A declared expiry copied from the export (`manifest init --evidence`) is said once,
        // naming the export.
        let declared = declared.filter(|(t, _)| {
            stored
                .as_ref()
                .is_none_or(|(s, _)| format_date(*s) != format_date(*t))
        });
        for (expires, source) in [declared, decoded, stored].into_iter().flatten() {
            if expires <= self.now {
                verdict.flag(
                    ReasonCode::Expired,
                    format!("expired on {} ({source})", format_date(expires)),
                );
            } else if let Some(window) = self.manifest.policy.expiry_warning {
                let left = days_between(self.now, expires);
                if left <= window {
                    verdict.warn(
                        ReasonCode::ExpiringSoon,
                        format!(
                            "expires on {} ({source}), in {left} days: within expiry_warning {window} days",
                            format_date(expires)
                        ),
                    );
                }
            }
        }
    }

    pub(super) fn state(&self, verdict: &mut Verdict) {
        let Some(declared) = self.declaration else {
            return;
        };
        match declared.state {
            // Rotated and revoked: the old commits that still hold it are a record, not a
            // live key, until someone rewrites that history.
            KeyState::Revoked if !self.key.in_current_tree => verdict.warn(
                ReasonCode::RevokedInHistory,
                "declared revoked; found only in history, no longer in the tree: for information",
            ),
            KeyState::Revoked | KeyState::Compromised => {
                let count = self.key.locations.len();
                let code = if declared.state == KeyState::Revoked {
                    ReasonCode::RevokedPresent
                } else {
                    ReasonCode::CompromisedPresent
                };
                verdict.flag(
                    code,
                    format!(
                        "declared {} but still present in {count} location{}",
                        declared.state.as_str(),
                        if count == 1 { "" } else { "s" }
                    ),
                );
            }
            KeyState::Deprecated => verdict.warn(
                ReasonCode::DeprecatedPresent,
                "declared deprecated but still present",
            ),
            KeyState::Active => {}
        }
    }

    /// What the key's provider answered (`--verify`) against what the manifest declares: a key
    /// declared revoked or compromised that is live (the worst finding, said first), a key
    /// declared active that is dead. `unknown` and `error` answers prove nothing.
    pub(super) fn verified_state(&self, verdict: &mut Verdict) {
        let (Some(declared), Some(verification)) = (self.declaration, &self.key.verification)
        else {
            return;
        };
        let by = answered_by(self.key);
        match (declared.state, verification.status) {
            (KeyState::Revoked | KeyState::Compromised, Status::Live) => {
                let code = if declared.state == KeyState::Revoked {
                    ReasonCode::RevokedLive
                } else {
                    ReasonCode::CompromisedLive
                };
                let account = verification
                    .identity
                    .as_ref()
                    .map(|id| format!(", account {id}"))
                    .unwrap_or_default();
                verdict.flag_first(
                    code,
                    format!(
                        "declared {} yet still live per {by}{account}: revoke it at the provider now",
                        declared.state.as_str()
                    ),
                );
            }
            (KeyState::Active, Status::Dead) => {
                // Notes start with the provider's name, which `by` already gives.
                let provider = crate::verify::provider_for(&self.key.rule.id)
                    .map_or(String::new(), |p| format!("{}: ", p.name()));
                let why = verification
                    .note
                    .as_ref()
                    .map(|n| format!(": {}", n.strip_prefix(provider.as_str()).unwrap_or(n)))
                    .unwrap_or_default();
                verdict.flag(
                    ReasonCode::Dead,
                    format!("declared active but dead per {by}{why}"),
                );
            }
            _ => {}
        }
    }

    /// The store or provider says the key was deleted or disabled, yet it is still here.
    pub(super) fn store_state(&self, verdict: &mut Verdict) {
        let Some(record) = self.record else {
            return;
        };
        if let Some(deleted) = &record.deleted {
            verdict.flag(
                ReasonCode::DeletedInStore,
                format!(
                    "deleted on {} per {}, but still present",
                    format_date(deleted.at),
                    deleted.source
                ),
            );
        }
        if let Some(enabled) = record.enabled.as_ref().filter(|e| !e.value) {
            verdict.flag(
                ReasonCode::DisabledInStore,
                format!("disabled per {}, but still present", enabled.source),
            );
        }
    }

    /// Rotation switched off where the policy requires it, or a scheduled rotation overdue.
    pub(super) fn rotation(&self, verdict: &mut Verdict) {
        let Some(record) = self.record else {
            return;
        };
        if let Some(rotation) = &record.rotation_enabled {
            if !rotation.value && self.manifest.policy.require_rotation {
                verdict.flag(
                    ReasonCode::RotationOff,
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
                ReasonCode::RotationOverdue,
                format!(
                    "rotation overdue: next rotation was due on {} per {}",
                    format_date(next.at),
                    next.source
                ),
            );
        }
    }

    pub(super) fn usage(&self, verdict: &mut Verdict) {
        let (Some(record), Some(window)) = (self.record, self.manifest.policy.unused_after) else {
            return;
        };
        match (&record.last_used, &record.created) {
            (Some(used), _) => {
                let idle = days_between(used.at, self.now);
                if idle > window {
                    verdict.flag(
                        ReasonCode::Idle,
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
                    ReasonCode::NeverUsed,
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
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
