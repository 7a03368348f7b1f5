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

use crate::rules::Tier;
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

/// Verifies one key with its provider through `transport`: `unknown` when no verifier
/// covers its rule.
pub fn verify_one(key: &Candidate<'_>, transport: &Transport) -> Verification {
    let checked_at = Timestamp::now();
    let Some(provider) = provider_for(key.rule) else {
        return Verification {
            status: Status::Unknown,
            checked_at,
            endpoint: None,
            identity: None,
            scopes: None,
            expires: None,
            note: Some(format!("no verifier for rule {}", key.rule)),
        };
    };
    let client = transport.client(provider);
    let answer = provider.verify(key, &client);
    Verification {
        status: answer.status,
        checked_at,
        endpoint: client.endpoint(),
        identity: answer.identity,
        scopes: answer.scopes,
        expires: answer.expires,
        note: answer.note,
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
        let secret = Secret::new(secret.as_bytes().to_vec());
        let values: Vec<(&str, Secret)> = companions
            .iter()
            .map(|(rule, value)| (*rule, Secret::new(value.as_bytes().to_vec())))
            .collect();
        let key = Candidate {
            rule,
            secret: &secret,
            key_id: None,
            companions: values
                .iter()
                .map(|(rule, secret)| Companion { rule, secret })
                .collect(),
        };
        let connect_to = ConnectTo::parse(&server.addr()).unwrap();
        let transport = Transport::with_timeout(Some(connect_to), SHORT).unwrap();
        verify_one(&key, &transport)
    }

    /// [`verify_with`] for a key that carries a non-secret `key_id` and has no companion.
    pub(crate) fn verify_with_key_id(
        rule: &str,
        secret: &str,
        key_id: &str,
        server: &MockServer,
    ) -> Verification {
        let secret = Secret::new(secret.as_bytes().to_vec());
        let key = Candidate {
            rule,
            secret: &secret,
            key_id: Some(key_id),
            companions: Vec::new(),
        };
        let connect_to = ConnectTo::parse(&server.addr()).unwrap();
        let transport = Transport::with_timeout(Some(connect_to), SHORT).unwrap();
        verify_one(&key, &transport)
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
    fn a_rule_without_a_verifier_is_unknown_and_asks_nobody() {
        let secret = Secret::new(b"hunter2-hunter2".to_vec());
        let key = Candidate {
            rule: "generic-password",
            secret: &secret,
            key_id: None,
            companions: Vec::new(),
        };
        let transport = Transport::new(None).unwrap();
        let verification = verify_one(&key, &transport);
        assert_eq!(verification.status, Status::Unknown);
        assert_eq!(verification.endpoint, None);
    }
}
