//! The verifiers, one module a provider, each written from the provider's API documentation:
//! the read-only call, what proves the key live or dead, and where the answer names the account,
//! the scopes and the expiry.

pub mod anthropic;
pub mod cloudflare;
pub mod digitalocean;
pub mod discord;
pub mod github;
pub mod gitlab;
pub mod huggingface;
pub mod npm;
pub mod openai;
pub mod sendgrid;
pub mod slack;
pub mod stripe;
pub mod telegram;

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
];
