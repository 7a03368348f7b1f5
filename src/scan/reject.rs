//! Why a candidate value is not a key: one reason per check that turns it down, each with a
//! short stable name for verbose output (`template`, `low-entropy`). A reason never carries
//! the value.

/// Why a candidate value (a regex match, or a value under a secret name) is not a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reject {
    /// A placeholder: a marker word (`changeme`, `your_key`, `xxxx`), a stand-in word
    /// (`password`, `tiger`), a numbered one (`password-1`), a mask or filler.
    Placeholder,
    /// A key or credential published in documentation (AWS's example keys, Azurite's).
    DocumentedExample,
    /// A template or a documentation slot (`${NAME}`, `{{ x }}`, `%(name)s`, `<your-key>`).
    Template,
    /// A reference to where the secret is (`$DB_PASSWORD`, `%DB_PASSWORD%`, `env:NAME`).
    Reference,
    /// A name that says secret, given as the value (`secured_password`, `x-amz-session-token`).
    SecretName,
    /// The name the value is assigned to, spelled again (`tls13-kdf-key-check`).
    RepeatsName,
    /// A literal of code (`nil`, `None`, `true`, `undefined`, `self`).
    CodeLiteral,
    /// A function called by its path (`Cwd::getcwd()`).
    PathCall,
    /// A generic type written out (`List[TokenRequest]`, `Promise<AccessToken>`).
    TypeExpression,
    /// A relative module path (`.models.v1_secret_key_selector`).
    ModulePath,
    /// Options set to words (`StrictHostKeyChecking=no`, `chars=ascii length=8`) or a quoted
    /// phrase of code.
    Options,
    /// Markup (`<i>admin_password</i>`).
    Markup,
    /// A format string (`token: %s`).
    FormatString,
    /// A regular expression (`[a-z0-9]{32}`).
    Regex,
    /// Statements of minified code run together (`f({a:[t]});l=`).
    MinifiedCode,
    /// Code: a call, a member chain, an operator, a predicate, an expression.
    Code,
    /// A command substituted in backticks (`` `cat key.pem` ``).
    Command,
    /// Text written as `%XX` escapes (an encoder's test vector).
    PercentEncoded,
    /// A password hash (`pbkdf2_sha256$…`, `$2b$…`), not a password.
    Hash,
    /// A JWT's shape that does not decode as one.
    BrokenJwt,
    /// A value the rule's validator turns down (a JWT, a PyPI macaroon, a Discord token).
    Invalid,
    /// A UUID where nothing names it a secret.
    Uuid,
    /// A number, a date or a version (`-1073610705i32`, `2024-01-01`, `1.2.3`).
    Number,
    /// Words and numbers joined by punctuation (`SCRAM-SHA-256`, `secret-key-base`).
    Words,
    /// An identifier made of words (`htmlChunks`, `AccessToken`, `self.config.api_key`).
    Identifier,
    /// A file path or a directory (`ssl/worker.key`, `/etc/keys/api.key`).
    Path,
    /// A URL (`https://example.org/token`).
    Url,
    /// A host name (`s3.amazonaws.com`).
    Hostname,
    /// An Amazon resource name: names a key, is not one.
    ResourceName,
    /// A URL's host reserved for documentation (`example.com`) or standing for "your host".
    DocumentationHost,
    /// A name that says its value is not a secret (`token_hash`, `api_key_path`).
    NonSecretName,
    /// A key shape that spells its provider's name (`PagerDutyService_1`).
    ProviderName,
    /// Words with spaces between: a message, a label, documentation.
    Prose,
    /// A line of a message table (`NAME:123:text`).
    MessageTable,
    /// Too short to be generated.
    TooShort,
    /// One class of characters only (`lowercaseonly`, `MY_API_TOKEN`).
    OneClass,
    /// Not UTF-8 text.
    NotText,
    /// Too uniform for its length.
    LowEntropy,
    /// Allowed by the rule's allowlist.
    Allowlisted,
}

impl Reject {
    /// The reason's short stable name (`template`, `low-entropy`), as verbose output prints it.
    pub fn name(self) -> &'static str {
        match self {
            Reject::Placeholder => "placeholder",
            Reject::DocumentedExample => "documented-example",
            Reject::Template => "template",
            Reject::Reference => "reference",
            Reject::SecretName => "secret-name",
            Reject::RepeatsName => "repeats-name",
            Reject::CodeLiteral => "code-literal",
            Reject::PathCall => "path-call",
            Reject::TypeExpression => "type-expression",
            Reject::ModulePath => "module-path",
            Reject::Options => "options",
            Reject::Markup => "markup",
            Reject::FormatString => "format-string",
            Reject::Regex => "regex",
            Reject::MinifiedCode => "minified-code",
            Reject::Code => "code",
            Reject::Command => "command",
            Reject::PercentEncoded => "percent-encoded",
            Reject::Hash => "password-hash",
            Reject::BrokenJwt => "broken-jwt",
            Reject::Invalid => "invalid",
            Reject::Uuid => "uuid",
            Reject::Number => "number",
            Reject::Words => "words",
            Reject::Identifier => "identifier",
            Reject::Path => "path",
            Reject::Url => "url",
            Reject::Hostname => "hostname",
            Reject::ResourceName => "resource-name",
            Reject::DocumentationHost => "documentation-host",
            Reject::NonSecretName => "non-secret-name",
            Reject::ProviderName => "provider-name",
            Reject::Prose => "prose",
            Reject::MessageTable => "message-table",
            Reject::TooShort => "too-short",
            Reject::OneClass => "one-class",
            Reject::NotText => "not-text",
            Reject::LowEntropy => "low-entropy",
            Reject::Allowlisted => "allowlisted",
        }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Fails with `reason` when `rejected` holds: a check of a sequence of checks (`?`).
pub(crate) fn unless(rejected: bool, reason: Reject) -> Result<(), Reject> {
    if rejected {
        Err(reason)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_lowercase_and_distinct() {
        let all = [
            Reject::Placeholder,
            Reject::DocumentedExample,
            Reject::Template,
            Reject::Reference,
            Reject::SecretName,
            Reject::RepeatsName,
            Reject::CodeLiteral,
            Reject::PathCall,
            Reject::TypeExpression,
            Reject::ModulePath,
            Reject::Options,
            Reject::Markup,
            Reject::FormatString,
            Reject::Regex,
            Reject::MinifiedCode,
            Reject::Code,
            Reject::Command,
            Reject::PercentEncoded,
            Reject::Hash,
            Reject::BrokenJwt,
            Reject::Invalid,
            Reject::Uuid,
            Reject::Number,
            Reject::Words,
            Reject::Identifier,
            Reject::Path,
            Reject::Url,
            Reject::Hostname,
            Reject::ResourceName,
            Reject::DocumentationHost,
            Reject::NonSecretName,
            Reject::ProviderName,
            Reject::Prose,
            Reject::MessageTable,
            Reject::TooShort,
            Reject::OneClass,
            Reject::NotText,
            Reject::LowEntropy,
            Reject::Allowlisted,
        ];
        let names: std::collections::BTreeSet<&str> = all.iter().map(|r| r.name()).collect();
        assert_eq!(names.len(), all.len());
        for name in names {
            assert!(
                name.len() <= 20 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{name}"
            );
        }
        assert_eq!(Reject::Template.to_string(), "template");
    }
}
