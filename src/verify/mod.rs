//! Opt-in verification (`--verify`): each key found by a provider's own rule is asked of that
//! provider, at its documented API host, with one read-only call, and the answer becomes the
//! key's [`Verification`]: `live`, `dead`, `unknown` or `error`, with the non-secret identity,
//! scopes and expiry the provider reports. Nothing here runs unless the command line asks.
//!
//! [`Provider`]s build their requests and read the answers; [`http::Client`] is the only way
//! they reach the network, and it refuses any host the provider did not declare.

pub mod http;
pub mod providers;
pub mod sigv4;
pub mod xml;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::rules::{Kind, Tier};
use crate::secret::Secret;

pub use http::{Client, ConnectTo, HttpError, Method, Request, Response, Transport};

/// What the provider's answer proves about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The provider accepted the key.
    Live,
    /// The provider says the key is invalid, expired or revoked.
    Dead,
    /// No verifier for the key's rule, or the answer proves nothing either way.
    Unknown,
    /// The question could not be asked or answered: network, timeout, an unexpected answer.
    /// Never reported as dead.
    Error,
}

impl Status {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::Dead => "dead",
            Status::Unknown => "unknown",
            Status::Error => "error",
        }
    }
}

/// A key's verification as reports carry it. Holds no secret and no response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// What the answer proves.
    pub status: Status,
    /// When the provider was asked.
    pub checked_at: Timestamp,
    /// The host asked, if any.
    pub endpoint: Option<String>,
    /// The non-secret account the key belongs to: login, account id, ARN, team, email.
    pub identity: Option<String>,
    /// The permissions the provider reports.
    pub scopes: Option<Vec<String>>,
    /// The expiry the provider reports.
    pub expires: Option<String>,
    /// Why, in a short sentence: never a response body, never the key.
    pub note: Option<String>,
}

impl Verification {
    /// Whether a provider was asked (or asking failed): not a key no verifier covers, one
    /// `--verify-only` left out, or one never sent.
    pub fn was_asked(&self) -> bool {
        self.status != Status::Unknown || self.endpoint.is_some()
    }

    /// The verification in one line for people: `live per api.github.com: octocat; scopes
    /// repo, read:org; expires 2027-01-01 00:00:00 UTC`, or `unknown: no verifier for rule x`.
    pub fn summary(&self) -> String {
        let mut text = self.status.as_str().to_string();
        if let Some(endpoint) = &self.endpoint {
            let by = if self.status == Status::Error {
                "asking"
            } else {
                "per"
            };
            text.push_str(&format!(" {by} {endpoint}"));
        }
        let mut facts: Vec<String> = Vec::new();
        facts.extend(self.identity.clone());
        match self.scopes.as_deref() {
            Some([]) => facts.push("no scopes".into()),
            Some(scopes) => facts.push(format!("scopes {}", scopes.join(", "))),
            None => {}
        }
        facts.extend(self.expires.as_ref().map(|e| format!("expires {e}")));
        facts.extend(self.note.clone());
        if !facts.is_empty() {
            text.push_str(": ");
            text.push_str(&facts.join("; "));
        }
        text
    }
}

/// What a provider said, before it is dated and attached to a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What the answer proves.
    pub status: Status,
    /// The non-secret account the key belongs to.
    pub identity: Option<String>,
    /// The permissions the provider reports.
    pub scopes: Option<Vec<String>>,
    /// The tier those permissions amount to, when the provider's answer settles it.
    pub tier: Option<Tier>,
    /// The expiry the provider reports.
    pub expires: Option<String>,
    /// Why, in a short sentence.
    pub note: Option<String>,
}

impl Answer {
    fn with_status(status: Status, note: Option<String>) -> Self {
        Self {
            status,
            identity: None,
            scopes: None,
            tier: None,
            expires: None,
            note,
        }
    }

    /// The provider accepted the key.
    pub fn live() -> Self {
        Self::with_status(Status::Live, None)
    }

    /// The provider rejected the key; `why` says how (`HTTP 401`, `invalid_auth`).
    pub fn dead(why: impl Into<String>) -> Self {
        Self::with_status(Status::Dead, Some(why.into()))
    }

    /// The answer proves nothing either way.
    pub fn unknown(why: impl Into<String>) -> Self {
        Self::with_status(Status::Unknown, Some(why.into()))
    }

    /// The question could not be asked or answered.
    pub fn error(why: impl Into<String>) -> Self {
        Self::with_status(Status::Error, Some(why.into()))
    }

    /// An answer with a status code the provider does not document for this call.
    pub fn unexpected(response: &Response) -> Self {
        Self::error(format!("unexpected HTTP {}", response.status))
    }

    /// The account the key belongs to.
    pub fn identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// The permissions the provider reports.
    pub fn scopes(mut self, scopes: Vec<String>) -> Self {
        self.scopes = Some(scopes);
        self
    }

    /// The tier the permissions amount to.
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tier = Some(tier);
        self
    }

    /// The expiry the provider reports.
    pub fn expires(mut self, expires: impl Into<String>) -> Self {
        self.expires = Some(expires.into());
        self
    }

    /// A note beside the status.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

impl From<HttpError> for Answer {
    fn from(error: HttpError) -> Self {
        Answer::error(error.to_string())
    }
}

impl Client<'_> {
    /// Sends `request` and lets `read` make the answer of the response; a call that failed
    /// (refused host, transport, timeout) is an `error` answer saying why.
    pub fn ask(&self, request: &Request, read: impl FnOnce(&Response) -> Answer) -> Answer {
        match self.send(request) {
            Ok(response) => read(&response),
            Err(error) => error.into(),
        }
    }
}

/// A key found in the same file as the key being verified, nearest first: the other half of
/// a credential that needs two (an AWS secret's access key id, a Twilio auth token's account
/// SID).
#[derive(Debug, Clone, Copy)]
pub struct Companion<'a> {
    /// The rule that found it.
    pub rule: &'a str,
    /// The value.
    pub secret: &'a Secret,
}

/// One key to verify.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// The rule that found it.
    pub rule: &'a str,
    /// The key.
    pub secret: &'a Secret,
    /// The non-secret identifier the key carries, if any.
    pub key_id: Option<&'a str>,
    /// The account its text names the key's (a service-account key file's `client_email`).
    pub account: Option<&'a str>,
    /// Keys found in the same files, nearest first.
    pub companions: Vec<Companion<'a>>,
}

impl<'a> Candidate<'a> {
    /// The nearest companion found by one of `rules`.
    pub fn companion(&self, rules: &[&str]) -> Option<&'a Secret> {
        self.companions
            .iter()
            .find(|c| rules.contains(&c.rule))
            .map(|c| c.secret)
    }
}

/// A verifier: one provider's documented read-only call, and how to read its answer.
pub trait Provider: Sync {
    /// The provider's name in reports and notes: `GitHub`.
    fn name(&self) -> &'static str;

    /// The rules whose keys it verifies.
    fn rules(&self) -> &'static [&'static str];

    /// The documented API hosts it may call. `*.example.com` allows any one label before
    /// `.example.com` (an Azure storage account's own host). [`Client`] refuses any other.
    fn hosts(&self) -> &'static [&'static str];

    /// Asks the provider about `key`, through `client` only.
    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer;
}

/// The verifier for keys found by `rule`, if there is one.
pub fn provider_for(rule: &str) -> Option<&'static dyn Provider> {
    providers::ALL
        .iter()
        .copied()
        .find(|p| p.rules().contains(&rule))
}

/// The verifier called `name`, as `--verify-only` names it: any case, spaces, hyphens and
/// underscores aside (`hugging-face`, `huggingface` and `Hugging Face` are one).
pub fn provider_named(name: &str) -> Option<&'static dyn Provider> {
    let squeezed = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let wanted = squeezed(name);
    providers::ALL
        .iter()
        .copied()
        .find(|p| !wanted.is_empty() && squeezed(p.name()) == wanted)
}

/// Every verifier's name, in the order of [`providers::ALL`].
pub fn provider_names() -> Vec<&'static str> {
    providers::ALL.iter().map(|p| p.name()).collect()
}

/// The long help of `--verify-only`: the providers there are.
pub fn verify_only_help() -> String {
    format!(
        "With --verify: ask only these providers, comma-separated, any case, spaces and hyphens \
         aside (`github,slack,hugging-face`); \
         other keys are left unknown, asking nobody.\n\nProviders: {}.",
        provider_names().join(", ")
    )
}

/// Why a key found by rule `rule`, of kind `kind`, is never sent anywhere, if it is not: a
/// generic finding (a `generic-*` rule, a password, a secret known only by its context) or a
/// connection string. A verifier can neither take such a key nor be given it as a companion.
pub fn never_sent(rule: &str, kind: Kind) -> Option<&'static str> {
    if rule.starts_with("generic-") {
        Some("never sent: a generic finding")
    } else {
        match kind {
            Kind::Password => Some("never sent: a password"),
            Kind::ConnectionString => Some("never sent: a connection string"),
            Kind::Generic => Some("never sent: a generic finding"),
            _ => None,
        }
    }
}

/// The `privilege_evidence` of a key whose tier a provider's answer set: `verified per GitHub
/// (api.github.com): scopes repo, admin:org`. The audit tells a verified tier by its first
/// word.
pub fn privilege_evidence(provider: &str, verification: &Verification) -> String {
    let mut text = format!("{VERIFIED} per {provider}");
    if let Some(endpoint) = &verification.endpoint {
        text.push_str(&format!(" ({endpoint})"));
    }
    match verification.scopes.as_deref() {
        Some([]) => text.push_str(": no scopes"),
        Some(scopes) => text.push_str(&format!(": scopes {}", scopes.join(", "))),
        None => {}
    }
    text
}

/// The first word of a `privilege_evidence` a provider's answer set.
pub const VERIFIED: &str = "verified";

/// Whether `evidence` (a key's `privilege_evidence`) is a provider's answer.
pub fn is_verified_evidence(evidence: &str) -> bool {
    evidence.starts_with(&format!("{VERIFIED} per "))
}

/// A key's verification, with what the rest of the run needs of the answer besides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// What reports carry.
    pub verification: Verification,
    /// The tier the provider's answer settles, for a live key.
    pub tier: Option<Tier>,
    /// The provider asked, if one was.
    pub provider: Option<&'static str>,
}

impl Verified {
    /// A key nobody was asked about, for `why`.
    pub fn not_asked(why: impl Into<String>) -> Self {
        Self {
            verification: Verification {
                status: Status::Unknown,
                checked_at: now(),
                endpoint: None,
                identity: None,
                scopes: None,
                expires: None,
                note: Some(why.into()),
            },
            tier: None,
            provider: None,
        }
    }
}

/// Now, to the millisecond, as reports give times.
fn now() -> Timestamp {
    let now = Timestamp::now();
    now.round(jiff::Unit::Millisecond).unwrap_or(now)
}

/// Verifies one key with its provider through `transport`: `unknown`, asking nobody, when no
/// verifier covers its rule.
pub fn verify_one(key: &Candidate<'_>, transport: &Transport) -> Verified {
    let Some(provider) = provider_for(key.rule) else {
        return Verified::not_asked(format!("no verifier for rule {}", key.rule));
    };
    let checked_at = now();
    let client = transport.client(provider);
    let answer = provider.verify(key, &client);
    Verified {
        verification: Verification {
            status: answer.status,
            checked_at,
            endpoint: client.endpoint(),
            identity: answer.identity,
            scopes: answer.scopes,
            expires: answer.expires,
            note: answer.note,
        },
        tier: answer.tier.filter(|_| answer.status == Status::Live),
        provider: Some(provider.name()),
    }
}

#[cfg(test)]
#[path = "../../tests/support/mock_http.rs"]
pub(crate) mod mock_http;

/// Test support: verify one key against a mock server.
#[cfg(test)]
pub(crate) mod testing {
    use super::mock_http::MockServer;
    use super::*;

    /// The timeout tests give a call, so a "slow" provider takes a moment, not 10 s.
    pub(crate) const SHORT: std::time::Duration = std::time::Duration::from_millis(500);

    /// Verifies `secret` (found by `rule`, with `companions` as `(rule, value)` nearest
    /// first) against `server`, with a short timeout.
    pub(crate) fn verify_with(
        rule: &str,
        secret: &str,
        companions: &[(&str, &str)],
        server: &MockServer,
    ) -> Verification {
        verify_key(rule, secret, None, companions, server)
    }

    /// [`verify_with`] for a key whose text names its `account` and that has no companion.
    pub(crate) fn verify_with_account(
        rule: &str,
        secret: &str,
        account: &str,
        server: &MockServer,
    ) -> Verification {
        verify_key(rule, secret, Some(account), &[], server)
    }

    fn verify_key(
        rule: &str,
        secret: &str,
        account: Option<&str>,
        companions: &[(&str, &str)],
        server: &MockServer,
    ) -> Verification {
        let secret = Secret::new(secret.as_bytes().to_vec());
        let values: Vec<(&str, Secret)> = companions
            .iter()
            .map(|(rule, value)| (*rule, Secret::new(value.as_bytes().to_vec())))
            .collect();
        let key = Candidate {
            rule,
            secret: &secret,
            key_id: None,
            account,
            companions: values
                .iter()
                .map(|(rule, secret)| Companion { rule, secret })
                .collect(),
        };
        let connect_to = ConnectTo::parse(&server.addr()).unwrap();
        let transport = Transport::with_timeout(Some(connect_to), SHORT).unwrap();
        verify_one(&key, &transport).verification
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_a_provider_claims_exists_and_is_claimed_once() {
        let rules = crate::rules::RuleSet::load(true, &[]).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for provider in providers::ALL {
            assert!(
                !provider.hosts().is_empty(),
                "{} declares no host",
                provider.name()
            );
            for rule in provider.rules() {
                assert!(
                    rules.rules().iter().any(|r| r.id == *rule),
                    "{} claims unknown rule {rule}",
                    provider.name()
                );
                assert!(seen.insert(*rule), "rule {rule} claimed twice");
            }
        }
    }

    #[test]
    fn no_provider_claims_a_password_a_connection_string_or_a_generic_rule() {
        use crate::rules::Kind;
        let rules = crate::rules::RuleSet::load(true, &[]).unwrap();
        let mut claimed = 0;
        for provider in providers::ALL {
            for id in provider.rules() {
                let rule = rules.rules().iter().find(|r| r.id == *id).unwrap();
                assert!(
                    !id.starts_with("generic-")
                        && !matches!(
                            rule.kind,
                            Kind::Password | Kind::ConnectionString | Kind::Generic
                        ),
                    "{} claims {id} ({}): such keys are never sent anywhere",
                    provider.name(),
                    rule.kind.as_str()
                );
                claimed += 1;
            }
        }
        // The check looked at something: every verifier's rules, not an empty registry.
        assert!(
            claimed > providers::ALL.len(),
            "only {claimed} rules claimed"
        );
    }

    #[test]
    fn a_rule_without_a_verifier_is_unknown_and_asks_nobody() {
        let secret = Secret::new(b"hunter2-hunter2".to_vec());
        let key = Candidate {
            rule: "generic-password",
            secret: &secret,
            key_id: None,
            account: None,
            companions: Vec::new(),
        };
        let transport = Transport::new(None).unwrap();
        let verified = verify_one(&key, &transport);
        assert_eq!(verified.verification.status, Status::Unknown);
        assert_eq!(verified.verification.endpoint, None);
        assert_eq!(verified.provider, None);
    }

    #[test]
    fn no_provider_claims_a_rule_whose_keys_are_never_sent() {
        let rules = crate::rules::RuleSet::load(true, &[]).unwrap();
        for provider in providers::ALL {
            for id in provider.rules() {
                let rule = rules.rules().iter().find(|r| r.id == *id).unwrap();
                assert_eq!(
                    never_sent(id, rule.kind),
                    None,
                    "{} claims {id}, whose keys are never sent",
                    provider.name()
                );
            }
        }
        assert!(never_sent("generic-api-key", Kind::ApiKey).is_some());
        assert!(never_sent("postgres-url", Kind::ConnectionString).is_some());
        assert!(never_sent("mysql-password", Kind::Password).is_some());
        assert_eq!(never_sent("github-classic-pat", Kind::Token), None);
    }

    #[test]
    fn providers_are_found_by_name_in_any_case_and_names_are_unique() {
        let names: std::collections::BTreeSet<String> = providers::ALL
            .iter()
            .map(|p| p.name().to_ascii_lowercase())
            .collect();
        assert_eq!(names.len(), providers::ALL.len());
        assert_eq!(provider_named("github").map(|p| p.name()), Some("GitHub"));
        assert_eq!(provider_named(" GITHUB ").map(|p| p.name()), Some("GitHub"));
        assert!(provider_named("gitbub").is_none());
        assert_eq!(
            provider_named("hugging-face").map(|p| p.name()),
            Some("Hugging Face")
        );
        assert_eq!(
            provider_named("google_cloud").map(|p| p.name()),
            Some("Google Cloud")
        );
        assert!(provider_named("-").is_none());
    }

    #[test]
    fn verified_evidence_names_the_provider_host_and_scopes() {
        let mut verification = Verified::not_asked("x").verification;
        verification.endpoint = Some("api.github.com".into());
        verification.scopes = Some(vec!["repo".into(), "admin:org".into()]);
        let text = privilege_evidence("GitHub", &verification);
        assert_eq!(
            text,
            "verified per GitHub (api.github.com): scopes repo, admin:org"
        );
        assert!(is_verified_evidence(&text));
        assert!(!is_verified_evidence("prefix ghp_"));
        verification.scopes = Some(Vec::new());
        assert!(privilege_evidence("GitHub", &verification).ends_with(": no scopes"));
    }

    #[test]
    fn a_summary_says_status_host_and_facts_in_one_line() {
        let mut v = Verified::not_asked("no verifier for rule x").verification;
        assert_eq!(v.summary(), "unknown: no verifier for rule x");
        assert!(!v.was_asked());
        v.status = Status::Live;
        v.endpoint = Some("api.github.com".into());
        v.identity = Some("octocat".into());
        v.scopes = Some(vec!["repo".into()]);
        v.expires = Some("2027-01-01".into());
        v.note = None;
        assert_eq!(
            v.summary(),
            "live per api.github.com: octocat; scopes repo; expires 2027-01-01"
        );
        v = Verified::not_asked("x").verification;
        v.status = Status::Error;
        v.endpoint = Some("api.github.com".into());
        v.note = Some("api.github.com did not answer in time".into());
        assert_eq!(
            v.summary(),
            "error asking api.github.com: api.github.com did not answer in time"
        );
        assert!(v.was_asked());
    }

    /// The rows of the "What is sent where" table of `docs/reference/verification.md`, by the
    /// provider each names.
    fn documented_rows() -> Vec<(String, String)> {
        let page = include_str!("../../docs/reference/verification.md");
        let (_, section) = page
            .split_once("## What is sent where")
            .expect("docs/reference/verification.md has a \"What is sent where\" section");
        let section = section.split("\n## ").next().unwrap_or(section);
        section
            .lines()
            .filter(|line| line.starts_with("| ") && !line.starts_with("| provider |"))
            .map(|line| {
                let name = line
                    .split('|')
                    .nth(1)
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                (name, line.to_string())
            })
            .collect()
    }

    #[test]
    fn the_verification_page_names_every_verifier_with_its_hosts_and_rules() {
        let rows = documented_rows();
        for provider in providers::ALL {
            let name = provider.name();
            let (_, row) = rows
                .iter()
                .find(|(documented, _)| documented == name)
                .unwrap_or_else(|| {
                    panic!("docs/reference/verification.md's \"What is sent where\" has no row for {name}")
                });
            for host in provider.hosts() {
                assert!(
                    row.contains(&format!("`{host}`")),
                    "docs/reference/verification.md: {name}'s row lacks its host `{host}`"
                );
            }
            for rule in provider.rules() {
                assert!(
                    row.contains(&format!("`{rule}`")),
                    "docs/reference/verification.md: {name}'s row lacks its rule `{rule}`"
                );
            }
        }
        for (name, _) in &rows {
            assert!(
                provider_named(name).is_some_and(|p| p.name() == name),
                "docs/reference/verification.md lists {name}, which is no verifier's name"
            );
        }
    }
}
