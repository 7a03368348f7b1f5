//! The raw, unvalidated rule-file format of `docs/reference/rules.md`, exactly as serde reads it.
//! Unknown fields are errors so a typo never silently disables part of a rule.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One rule file: a list of `[[rule]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFileSpec {
    /// The rules, in file order.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
}

/// One `[[rule]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable unique id, lowercase letters, digits and dashes.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The provider whose key this is.
    pub provider: String,
    /// What sort of secret it is.
    pub kind: Kind,
    /// The regex; the group named `secret`, else group 1, else the whole match is the key. A
    /// group named `key_id` is a non-secret identifier of the key. Either this, or `context`
    /// with `secret`.
    pub pattern: Option<String>,
    /// The compact form: words naming the provider (`["abuseipdb"]`), one of which must stand
    /// before the key, joined to it by a name and a separator (`ABUSEIPDB_API_KEY = "…"`).
    pub context: Option<Vec<String>>,
    /// The compact form: the shape of the key itself, as a regex (`[a-z0-9]{80}`).
    pub secret: Option<String>,
    /// Literals (ASCII case-insensitive) of which one must occur for the rule to run.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// File names (the last path component, exactly) in which the rule runs whatever the
    /// keywords: credential files whose lines hold no fixed literal (`.pgpass`).
    #[serde(default)]
    pub file_names: Vec<String>,
    /// Every match lies on one line holding one of the keywords: the pattern then runs only
    /// on those lines (near the keyword on a generated line of megabytes), not on the whole
    /// file. For rules whose keyword is common and whose pattern has no literal to search for.
    #[serde(default)]
    pub line_scoped: bool,
    /// Minimum Shannon entropy, in bits per character, of the key.
    pub min_entropy: Option<f64>,
    /// Default privilege tier.
    pub privilege: Tier,
    /// Default environment.
    pub environment: Environment,
    /// Default lifetime.
    pub lifetime: Lifetime,
    /// Where to revoke or rotate the key.
    pub rotate: Option<String>,
    /// A structural check every match must pass: `jwt` (header and payload decode as JSON
    /// objects), `pypi-macaroon` (a well-formed macaroon) or `discord-bot-token` (the first
    /// part decodes to a user id).
    pub validate: Option<Validator>,
    /// When two rules match the same text the higher priority wins (default 0, and -10 for
    /// `kind = "generic"`); catch-all rules set a negative priority.
    pub priority: Option<i32>,
    /// Inputs the rule must find a key in.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Inputs the rule must find nothing in.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// Structural checks a rule can require of its matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// A JSON Web Token whose header and payload decode.
    Jwt,
    /// A PyPI macaroon that parses.
    PypiMacaroon,
    /// A Discord bot token whose first part decodes to a user id.
    DiscordBotToken,
}

/// What sort of secret a rule finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An API key.
    ApiKey,
    /// A bearer or access token.
    Token,
    /// A private key.
    PrivateKey,
    /// A password.
    Password,
    /// A connection string or URL with credentials.
    ConnectionString,
    /// A certificate or similar.
    Certificate,
    /// A secret recognised only by its context.
    Generic,
}

impl Kind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ApiKey => "api-key",
            Kind::Token => "token",
            Kind::PrivateKey => "private-key",
            Kind::Password => "password",
            Kind::ConnectionString => "connection-string",
            Kind::Certificate => "certificate",
            Kind::Generic => "generic",
        }
    }
}

/// Privilege tiers, ordered from least to most powerful (`docs/reference/manifest.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Meant to be public.
    Public,
    /// Read-only.
    Read,
    /// Limited write.
    Scoped,
    /// The whole account.
    Full,
    /// Administers other keys or the organisation.
    Admin,
}

impl Tier {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::Read => "read",
            Tier::Scoped => "scoped",
            Tier::Full => "full",
            Tier::Admin => "admin",
        }
    }
}

/// Which environment a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Production or otherwise real.
    Live,
    /// A test or sandbox key.
    Test,
    /// Not decidable from the key.
    Unknown,
}

impl Environment {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Live => "live",
            Environment::Test => "test",
            Environment::Unknown => "unknown",
        }
    }
}

/// How long a key lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifetime {
    /// Minutes to days.
    Short,
    /// Until revoked.
    Long,
}

impl Lifetime {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifetime::Short => "short",
            Lifetime::Long => "long",
        }
    }
}

/// Reports and views print these by their report names.
macro_rules! display_as_str {
    ($($name:ty),*) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

display_as_str!(Kind, Tier, Environment, Lifetime);
