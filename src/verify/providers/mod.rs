//! The verifiers, one module a provider, each written from the provider's API documentation:
//! the read-only call, what proves the key live or dead, and where the answer names the account,
//! the scopes and the expiry.

pub mod anthropic;
pub mod aws;
pub mod azure;
pub mod cloudflare;
pub mod datadog;
pub mod digitalocean;
pub mod discord;
pub mod github;
pub mod gitlab;
pub mod google;
pub mod heroku;
pub mod huggingface;
pub mod mailgun;
pub mod npm;
pub mod openai;
pub mod sendgrid;
pub mod slack;
pub mod stripe;
pub mod telegram;
pub mod twilio;

use super::Provider;

/// Every verifier.
pub static ALL: &[&dyn Provider] = &[
    &github::GitHub,
    &gitlab::GitLab,
    &slack::Slack,
    &stripe::Stripe,
    &openai::OpenAi,
    &anthropic::Anthropic,
    &sendgrid::SendGrid,
    &npm::Npm,
    &huggingface::HuggingFace,
    &cloudflare::Cloudflare,
    &digitalocean::DigitalOcean,
    &discord::Discord,
    &telegram::Telegram,
    &aws::Aws,
    &google::Google,
    &azure::AzureStorage,
    &twilio::Twilio,
    &mailgun::Mailgun,
    &datadog::Datadog,
    &heroku::Heroku,
];
