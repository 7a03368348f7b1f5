//! `over-privileged`: more power, scope, reach or life than the manifest allows (with
//! `--verify`, as the key's provider reports it too).

use super::{answered_by, list_places, place, KeyCheck, ReasonCode, Verdict};
use crate::rules::{Environment, Lifetime};
use crate::time::{add_days, format_date};
use crate::verify::{self, Status};

impl KeyCheck<'_> {
    /// A key declared to live in a central store, found in plain files or dumps outside the
    /// locations declared for it (with no `locations`, anywhere it was found).
    pub(super) fn store_locations(&self, verdict: &mut Verdict) {
        let Some(declared) = self.declaration else {
            return;
        };
        let (Some(store), None) = (&declared.store, &declared.locations) else {
            return;
        };
        // An Entra store names the credential in the identity provider, not a place its value
        // is kept: the secret has to live somewhere else.
        if declared
            .store_ref
            .as_deref()
            .is_some_and(|s| s.starts_with("entra:"))
        {
            return;
        }
        let places: Vec<String> = self.key.locations.iter().map(place).collect();
        if !places.is_empty() {
            verdict.flag(
                ReasonCode::OutsideStore,
                format!(
                    "declared to live in {store}, but found outside it: {}",
                    list_places(&places)
                ),
            );
        }
    }

    /// `[policy] require_expiry`: a long-lived key with no expiry declared, carried or stored.
    pub(super) fn required_expiry(&self, verdict: &mut Verdict) {
        if !self.manifest.policy.require_expiry {
            return;
        }
        let has_expiry = self.declaration.and_then(|d| d.expires).is_some()
            || self.key.assessment.expires.is_some()
            || self.record.and_then(|r| r.expires.as_ref()).is_some();
        if has_expiry {
            return;
        }
        // The provider says so outright (a Google Cloud key valid until year 9999).
        if let Some(never) = self.record.and_then(|r| r.never_expires.as_ref()) {
            verdict.flag(
                ReasonCode::NeverExpires,
                format!(
                    "never expires per {}, and [policy] require_expiry is set",
                    never.source
                ),
            );
            return;
        }
        if self.key.assessment.lifetime != Lifetime::Long {
            return;
        }
        let rule = &self.key.rule;
        verdict.flag(
            ReasonCode::NoExpiry,
            format!(
                "a long-lived {} {} with no expiry (declared, carried or in evidence), and [policy] require_expiry is set",
                rule.provider,
                rule.kind.as_str()
            ),
        );
    }

    /// A Vault token holding the `root` policy where the declaration allows less than admin.
    pub(super) fn token_policies(&self, verdict: &mut Verdict) {
        let (Some(record), Some(max)) =
            (self.record, self.declaration.and_then(|d| d.max_privilege))
        else {
            return;
        };
        if record.policies.iter().any(|p| p == "root") && max < crate::rules::spec::Tier::Admin {
            verdict.flag(
                ReasonCode::VaultRoot,
                format!(
                    "holds Vault's root policy, beyond max_privilege {}",
                    max.as_str()
                ),
            );
        }
    }

    pub(super) fn privilege(&self, verdict: &mut Verdict) {
        let Some(max) = self.declaration.and_then(|d| d.max_privilege) else {
            return;
        };
        let a = &self.key.assessment;
        // A tier a live key's provider answered is a fact, not an inference: say so.
        let verified = verify::is_verified_evidence(&a.privilege_evidence)
            && self
                .key
                .verification
                .as_ref()
                .is_some_and(|v| v.status == Status::Live);
        if a.privilege > max {
            verdict.flag(
                if verified {
                    ReasonCode::VerifiedTier
                } else {
                    ReasonCode::Tier
                },
                format!(
                    "privilege {} ({}) exceeds max_privilege {}",
                    a.privilege.as_str(),
                    a.privilege_evidence,
                    max.as_str()
                ),
            );
        }
    }

    pub(super) fn scopes(&self, verdict: &mut Verdict) {
        let (Some(allowed), Some(carried)) = (
            self.declaration.and_then(|d| d.scopes.as_ref()),
            self.key.assessment.scopes.as_ref(),
        ) else {
            return;
        };
        let extra = beyond(carried, allowed);
        if !extra.is_empty() {
            verdict.flag(
                ReasonCode::Scopes,
                format!(
                    "scopes {} beyond the declared scopes [{}]",
                    extra.join(", "),
                    allowed.join(", ")
                ),
            );
        }
    }

    /// Scopes a live key's provider reports (`--verify`) beyond the declared `scopes`.
    pub(super) fn verified_scopes(&self, verdict: &mut Verdict) {
        let Some(allowed) = self.declaration.and_then(|d| d.scopes.as_ref()) else {
            return;
        };
        let Some(verification) = self
            .key
            .verification
            .as_ref()
            .filter(|v| v.status == Status::Live)
        else {
            return;
        };
        let Some(reported) = &verification.scopes else {
            return;
        };
        let extra = beyond(reported, allowed);
        if !extra.is_empty() {
            verdict.flag(
                ReasonCode::VerifiedScopes,
                format!(
                    "verified scopes {} per {} beyond the declared scopes [{}]",
                    extra.join(", "),
                    answered_by(self.key),
                    allowed.join(", ")
                ),
            );
        }
    }

    pub(super) fn locations(&self, verdict: &mut Verdict) {
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
                ReasonCode::Location,
                format!(
                    "found outside its declared locations [{}]: {}",
                    globs.patterns.join(", "),
                    list_places(&outside)
                ),
            );
        }
    }

    pub(super) fn test_paths(&self, verdict: &mut Verdict) {
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
                ReasonCode::TestPaths,
                format!("{what} key under test_paths: {}", list_places(&inside)),
            );
        }
    }

    pub(super) fn rule(&self, verdict: &mut Verdict) {
        let Some(expected) = self.declaration.and_then(|d| d.rule.as_deref()) else {
            return;
        };
        let found = &self.key.rule.id;
        if found != expected {
            verdict.flag(
                ReasonCode::Rule,
                format!("found by rule {found}, but declared as rule {expected}"),
            );
        }
    }

    /// A long-lived kind of key where the manifest expects it to expire within `max_age`. An
    /// expiry already past is the `stale` check's business, not this one's.
    pub(super) fn lifetime(&self, verdict: &mut Verdict) {
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
        // An expiry the provider enforces (in evidence) is a real end of life.
        let enforced = self.record.is_some_and(|r| r.expires.is_some());
        if a.lifetime != Lifetime::Long || a.expires.is_some() || enforced || expires <= self.now {
            return;
        }
        let start = declared.rotated.or(declared.created).unwrap_or(self.now);
        if expires <= add_days(start, max_age) {
            let rule = &self.key.rule;
            verdict.flag(
                ReasonCode::Lifetime,
                format!(
                    "declared to expire on {} (within max_age {max_age} days), but a {} {} never expires by itself",
                    format_date(expires),
                    rule.provider,
                    rule.kind.as_str()
                ),
            );
        }
    }

    pub(super) fn environment(&self, verdict: &mut Verdict) {
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
                    ReasonCode::Environment,
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
                    ReasonCode::AwsAccount,
                    format!(
                        "belongs to AWS account {account}, which is not one of environment {declared}'s accounts [{}]",
                        env.aws_accounts.join(", ")
                    ),
                );
            }
        }
    }
}

/// Names that mean production for `[[key]] environment`.
fn is_production_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "prod" | "production" | "live" | "prd"
    )
}

/// The scopes of `scopes` that `allowed` does not list, in order.
fn beyond<'s>(scopes: &'s [String], allowed: &[String]) -> Vec<&'s str> {
    scopes
        .iter()
        .filter(|s| !allowed.contains(s))
        .map(String::as_str)
        .collect()
}
