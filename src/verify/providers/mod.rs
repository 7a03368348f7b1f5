//! The verifiers, one module a provider, each written from the provider's API documentation:
//! the read-only call, what proves the key live or dead, and where the answer names the
//! account, the scopes and the expiry.

pub mod aws;
pub mod azure;
pub mod datadog;
pub mod github;
pub mod google;
pub mod heroku;
pub mod mailgun;
pub mod twilio;

use super::Provider;

/// Every verifier.
pub static ALL: &[&dyn Provider] = &[
    &github::GitHub,
    &aws::Aws,
    &google::Google,
    &azure::AzureStorage,
    &twilio::Twilio,
    &mailgun::Mailgun,
    &datadog::Datadog,
    &heroku::Heroku,
];
