//! Stable codes for audit reasons and warnings (`docs/reference/audit.md`, "Reason codes").
//!
//! A reason's sentence may be reworded; its code never changes, so CI rules, dashboards and
//! suppressions can key on it. A code is `<class>.<cause>` for a reason that raises a class
//! (`stale.expired`), and `warning.<cause>` for a warning, which raises none.

use serde::{Serialize, Serializer};

use crate::manifest::model::AuditClass;

/// Declares [`ReasonCode`] from one list, so the variants, [`ReasonCode::ALL`] and the code
/// strings cannot drift apart.
macro_rules! reason_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $code:literal,)*) => {
        /// The stable code of one audit reason or warning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ReasonCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ReasonCode {
            /// Every code, in the order the reference lists them.
            pub const ALL: &'static [ReasonCode] = &[$(ReasonCode::$variant,)*];

            /// The code as reports print it: `stale.expired`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ReasonCode::$variant => $code,)*
                }
            }
        }
    };
}

reason_codes! {
    /// No `[[key]]` declares the key.
    Undeclared => "unknown.undeclared",
    /// Older than `max_age` since its last rotation, creation or first commit.
    MaxAge => "stale.max-age",
    /// Past a declared, carried or stored expiry.
    Expired => "stale.expired",
    /// Declared `revoked`, yet in the tree.
    RevokedPresent => "stale.revoked-present",
    /// Declared `compromised`, yet present.
    CompromisedPresent => "stale.compromised-present",
    /// Declared `revoked`, yet its provider says it is live (`--verify`): the worst finding.
    RevokedLive => "stale.revoked-live",
    /// Declared `compromised`, yet its provider says it is live (`--verify`): as bad.
    CompromisedLive => "stale.compromised-live",
    /// Declared `active`, yet its provider says it is dead (`--verify`).
    Dead => "stale.dead",
    /// Deleted in its store or provider, yet present.
    DeletedInStore => "stale.deleted-in-store",
    /// Disabled in its store or provider, yet present.
    DisabledInStore => "stale.disabled-in-store",
    /// Automatic rotation off while `[policy] require_rotation` is set.
    RotationOff => "stale.rotation-off",
    /// A scheduled rotation is past due.
    RotationOverdue => "stale.rotation-overdue",
    /// Last used longer ago than `unused_after`.
    Idle => "stale.idle",
    /// Never used since a creation longer ago than `unused_after`.
    NeverUsed => "stale.never-used",
    /// A higher privilege tier than `max_privilege`.
    Tier => "over-privileged.tier",
    /// A higher privilege tier than `max_privilege`, as its provider's answer sets it
    /// (`--verify`).
    VerifiedTier => "over-privileged.verified-tier",
    /// Scopes beyond the declared `scopes`.
    Scopes => "over-privileged.scopes",
    /// Scopes its provider reports (`--verify`) beyond the declared `scopes`.
    VerifiedScopes => "over-privileged.verified-scopes",
    /// Found outside the declared `locations`.
    Location => "over-privileged.location",
    /// Declared to live in a `store`, found in a file, dump or commit.
    OutsideStore => "over-privileged.outside-store",
    /// A live or production key under `test_paths`.
    TestPaths => "over-privileged.test-paths",
    /// Found by another rule than the declared `rule`.
    Rule => "over-privileged.rule",
    /// A long-lived kind of key declared to expire within `max_age`.
    Lifetime => "over-privileged.lifetime",
    /// Found in another `[[environment]]`'s paths.
    Environment => "over-privileged.environment",
    /// Its AWS account is not one of its environment's `aws_accounts`.
    AwsAccount => "over-privileged.aws-account",
    /// No expiry anywhere while `[policy] require_expiry` is set.
    NoExpiry => "over-privileged.no-expiry",
    /// The provider says it never expires, while `[policy] require_expiry` is set.
    NeverExpires => "over-privileged.never-expires",
    /// A Vault token holding the `root` policy beyond `max_privilege`.
    VaultRoot => "over-privileged.vault-root",
    /// A declared `active` key found nowhere in the run.
    NotFound => "unused.not-found",
    /// Expires within `[policy] expiry_warning`.
    ExpiringSoon => "warning.expiring-soon",
    /// Declared `deprecated`, yet present.
    DeprecatedPresent => "warning.deprecated-present",
    /// Declared `revoked`, found only in history.
    RevokedInHistory => "warning.revoked-in-history",
    /// An Entra credential's `hint` does not match the secret linked to it.
    HintMismatch => "warning.hint-mismatch",
}

impl ReasonCode {
    /// Whether the reason says a key declared revoked or compromised is live: the worst
    /// finding, which views put first.
    pub fn is_live_yet_withdrawn(self) -> bool {
        matches!(self, ReasonCode::RevokedLive | ReasonCode::CompromisedLive)
    }

    /// The class a reason with this code raises; `None` for a warning. Read off the code's
    /// first part, so the scheme and the class cannot disagree.
    pub fn class(self) -> Option<AuditClass> {
        AuditClass::parse(self.as_str().split_once('.')?.0)
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReasonCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One audit reason or warning: its stable code and its readable sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// What kind of cause it is.
    pub code: ReasonCode,
    /// The sentence reports print.
    pub message: String,
}

impl Reason {
    /// A reason with `code` saying `message`.
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The codes in the "Reason codes" table of the audit reference: the first cell of each row.
    fn documented() -> BTreeSet<String> {
        let doc = include_str!("../../../docs/reference/audit.md");
        let (_, section) = doc
            .split_once("## Reason codes")
            .expect("docs/reference/audit.md has a \"Reason codes\" section");
        let section = section.split("\n## ").next().unwrap_or(section);
        section
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split_once('`').map(|(code, _)| code.to_string()))
            .collect()
    }

    #[test]
    fn every_code_is_documented_and_every_documented_code_exists() {
        let ours: BTreeSet<String> = ReasonCode::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        let documented = documented();
        let undocumented: Vec<_> = ours.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&ours).collect();
        assert!(
            undocumented.is_empty(),
            "codes missing from docs/reference/audit.md: {undocumented:?}"
        );
        assert!(
            unknown.is_empty(),
            "docs/reference/audit.md lists codes keyaudit does not have: {unknown:?}"
        );
    }

    #[test]
    fn the_report_schema_lists_every_code() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../../docs/reference/report.schema.json"))
                .unwrap();
        let listed: Vec<&str> = schema["$defs"]["reason_code"]["enum"]
            .as_array()
            .expect("the schema's reason_code is an enum")
            .iter()
            .map(|code| code.as_str().unwrap())
            .collect();
        let ours: Vec<&str> = ReasonCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            listed, ours,
            "docs/reference/report.schema.json's reason_code"
        );
    }

    #[test]
    fn codes_are_unique_and_name_their_class_or_say_warning() {
        let unique: BTreeSet<&str> = ReasonCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(unique.len(), ReasonCode::ALL.len());
        for code in ReasonCode::ALL {
            let (prefix, cause) = code.as_str().split_once('.').unwrap();
            assert!(!cause.is_empty() && !cause.contains('.'), "{code}");
            assert!(
                cause
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{code}"
            );
            match code.class() {
                Some(class) => assert_eq!(class.as_str(), prefix),
                None => assert_eq!(prefix, "warning", "{code}"),
            }
        }
    }

    #[test]
    fn a_code_serialises_as_its_string() {
        assert_eq!(
            serde_json::to_string(&ReasonCode::RotationOverdue).unwrap(),
            "\"stale.rotation-overdue\""
        );
        assert_eq!(ReasonCode::Tier.class(), Some(AuditClass::OverPrivileged));
        assert_eq!(ReasonCode::ExpiringSoon.class(), None);
    }
}
