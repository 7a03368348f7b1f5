//! Plausibility: whether a value found only by its name could be a secret, not code, a
//! path, a URL, a host, an identifier, a number or a UUID.

use super::hosts::is_hostname;
use super::identifier::{is_identifier, is_kebab_words, is_short_name};
use super::shape::{holds_non_path_punctuation, is_code_shaped, is_type_path};
use crate::decode;
use crate::scan::reject::{unless, Reject};

/// An Amazon resource name (`arn:aws:kms:us-east-1:123456789012:alias/aws/s3`): names a key,
/// is not one.
fn is_resource_name(text: &str) -> bool {
    text.starts_with("arn:aws")
}

/// The start of a query string built in code (`'access_token=' + token`): a name and `=`.
fn is_query_prefix(text: &str) -> bool {
    text.strip_suffix('=')
        .is_some_and(|name| !name.ends_with('=') && is_identifier(name))
}

/// Whether a value found only by its name could be a secret: not code, not a path, not an
/// identifier, not a UUID, and varied enough (at least two character classes, or long).
pub fn is_plausible_secret_value(value: &[u8]) -> bool {
    check_secret_value(value).is_ok()
}

/// [`is_plausible_secret_value`], saying why not: not text, one class of characters, code
/// ([`is_code_shaped`]), or a shape [`check_secret_shape`] turns down.
pub fn check_secret_value(value: &[u8]) -> Result<(), Reject> {
    let text = as_text(value)?;
    unless(Classes::of(text).count() < 2, Reject::OneClass)?;
    unless(is_code_shaped(value), Reject::Code)?;
    check_secret_shape(value)
}

/// [`is_plausible_secret_value`] for a value whose delimiters are known (a quoted literal):
/// its punctuation is its own, so only its shape counts: not an identifier, a path, a URL, a
/// host, a number, a UUID, and at least two character classes.
pub fn is_plausible_secret_shape(value: &[u8]) -> bool {
    check_secret_shape(value).is_ok()
}

/// [`is_plausible_secret_shape`], saying why not.
pub fn check_secret_shape(value: &[u8]) -> Result<(), Reject> {
    let text = as_text(value)?;
    let classes = Classes::of(text);
    unless(classes.count() < 2, Reject::OneClass)?;
    not_a_name(text)?;
    not_a_path_or_url(text, value)?;
    // kebab-case words without digits (`secret-key-base`, `bert-base-uncased`).
    unless(
        !classes.digit && is_identifier(&text.replace('-', "_")),
        Reject::Words,
    )?;
    unless(is_uuid_shaped(text), Reject::Uuid)?;
    unless(ends_a_sentence(text), Reject::Prose)?;
    unless(is_number_date_or_version(text), Reject::Number)
}

/// `value` as text; a value that is not UTF-8 is no secret found by its name.
fn as_text(value: &[u8]) -> Result<&str, Reject> {
    std::str::from_utf8(value).map_err(|_| Reject::NotText)
}

/// The classes of characters a text holds: lower case, upper case, digits, punctuation.
struct Classes {
    lower: bool,
    upper: bool,
    digit: bool,
    symbol: bool,
}

impl Classes {
    fn of(text: &str) -> Self {
        Classes {
            lower: text.chars().any(|c| c.is_ascii_lowercase()),
            upper: text.chars().any(|c| c.is_ascii_uppercase()),
            digit: text.chars().any(|c| c.is_ascii_digit()),
            symbol: text.chars().any(|c| c.is_ascii_punctuation()),
        }
    }

    /// How many of the four classes the text holds.
    fn count(&self) -> usize {
        [self.lower, self.upper, self.digit, self.symbol]
            .iter()
            .filter(|&&c| c)
            .count()
    }
}

/// Turns down a name: an identifier or a chain of them, a type path, a resource name, a host
/// name, the start of a query string, kebab-case words.
fn not_a_name(text: &str) -> Result<(), Reject> {
    // Each part reads as a name: made of words, or of one case (`os.environ`, `self.token`);
    // random passwords with a dot (`Xk3j9.Lm2p`) mix cases and digits.
    let namey = |part: &str| {
        is_identifier(part)
            || is_short_name(part)
            || part.bytes().all(|b| b.is_ascii_alphabetic())
            || part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            || part.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    };
    let identifier_chain = text.split(['.', ':']).count() > 1
        && text.split(['.', ':']).all(|part| {
            !part.is_empty()
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && part
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && namey(part)
        });
    // `gcp-sm:NAME`, `app.config-key`: every part a word or name, kebab-case included.
    let word_chain = text.split(['.', ':']).count() > 1
        && text.split(['.', ':']).all(|part| {
            let part = part.trim_start_matches(['#', '$', '@']);
            !part.is_empty() && is_identifier(&part.replace('-', "_"))
        });
    unless(
        identifier_chain || word_chain || is_type_path(text) || is_identifier(text),
        Reject::Identifier,
    )?;
    unless(is_resource_name(text), Reject::ResourceName)?;
    unless(is_hostname(text), Reject::Hostname)?;
    unless(is_query_prefix(text), Reject::Code)?;
    unless(is_kebab_words(text), Reject::Words)
}

/// Turns down paths and URLs (URLs with credentials have their own rules); a scope such as
/// `AKID/20240101/us-east-1/s3/aws4_request` is a path too.
fn not_a_path_or_url(text: &str, value: &[u8]) -> Result<(), Reject> {
    // A rooted path's segments read as names (`/etc/keys/api.key`, `/Users/Shared`); base64
    // that happens to start with `/` has random mixed-case runs between its slashes.
    let readable_segment = |segment: &str| {
        !segment.contains(['+', '='])
            && (!segment.chars().any(|c| c.is_ascii_uppercase())
                || !segment.chars().any(|c| c.is_ascii_lowercase())
                || is_identifier(segment))
    };
    // A slash among a password's symbols (`N,L2T?k3<`) makes no path.
    let may_be_path = !holds_non_path_punctuation(value);
    let rooted_path = text.starts_with('/') && may_be_path && {
        let segments: Vec<&str> = text.split('/').filter(|s| !s.is_empty()).collect();
        text.len() < 24
            || segments.iter().filter(|s| readable_segment(s)).count() * 3 >= segments.len() * 2
    };
    unless(
        rooted_path || text.starts_with("./") || text.starts_with("~/"),
        Reject::Path,
    )?;
    unless(text.contains("://"), Reject::Url)?;
    let decoded = String::from_utf8_lossy(&decode::percent_decode(value)).into_owned();
    let segments: Vec<&str> = decoded.split(['/', '\\']).collect();
    // Path and scope segments are single-case (`us-east-1`, `aws4_request`, `ANOTREAL`);
    // random base64 mixes cases in almost every segment, and its `+`, `=` padding and empty
    // runs (`//`) read as nothing.
    let readable = |segment: &&&str| {
        segment.chars().any(|c| c.is_ascii_alphabetic())
            && !segment.contains(['+', '='])
            && (!segment.chars().any(|c| c.is_ascii_uppercase())
                || !segment.chars().any(|c| c.is_ascii_lowercase()))
    };
    unless(
        segments.len() >= 3
            && may_be_path
            && segments
                .iter()
                .all(|s| s.len() < 24 || is_identifier(&s.replace('-', "_")))
            && segments.iter().filter(readable).count() * 2 >= segments.len(),
        Reject::Path,
    )
}

/// A UUID is an identifier.
fn is_uuid_shaped(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// A word ending a sentence (`password hasher.` in prose).
fn ends_a_sentence(text: &str) -> bool {
    text.len() > 1
        && text.ends_with(['.', ',', ';', ':', '!', '?'])
        && text[..text.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_lowercase())
}

/// Numbers, dates and versions.
fn is_number_date_or_version(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ':' | '_' | '+' | 'T' | 'Z'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::filter::identifier::{common_bigram_share, is_identifier, is_word_identifier};

    #[test]
    fn base64_with_slashes_is_not_a_path() {
        for b64 in [
            "K9Z/GVdasVuNHDSqmTv8iSqaI2/ntB+LvVbxJEtLQE/=",
            "d5EJB7U49eEN9i4coWwYy//ymMeCUNkrLqsVZ+mP/e5=",
        ] {
            assert!(is_plausible_secret_value(b64.as_bytes()), "{b64}");
        }
        for path in [
            "AKID/20240101/us-east-1/s3/aws4_request",
            "config/prod/app.yaml",
        ] {
            assert!(!is_plausible_secret_value(path.as_bytes()), "{path}");
        }
    }

    #[test]
    fn code_and_data_are_not_plausible_secrets() {
        for value in [
            "user.password",
            "os.environ[\"TOKEN\"]",
            "getenv(KEY)",
            "self.config.api_key",
            "/etc/secrets/token",
            "/Users/Shared/Keys/deploy.pem",
            "/var/run/secrets/kubernetes.io/serviceaccount/token",
            "https://example.org/token",
            "secret-key-base",
            "SecretAccessKey",
            "550e8400-e29b-41d4-a716-446655440000",
            "2024-01-01T00:00:00",
            "1.2.3",
            "lowercaseonly",
            "secretKeyBase",
            "MY_API_TOKEN",
            ":StructEnd",
            "&PrivateKey",
            "=TK_VARIABLE",
            "TokenStream2",
            "Curve25519SeedBin",
            "CFStringRef",
            "IKEEXT_CREDENTIAL0",
            "P256_PRIVATE_KEY_SIZE",
            "_bindgen_ty_3",
            "syn::token::Brace",
            "ANOTREAL/20090213/us-east-1/s3/aws4_request",
            "crate::__u32",
            "pTokenizer",
            "kSecAccessControlPrivateKeyUsage",
            "tkEXPLAIN",
            "iEnd-iStart",
            "SpAcceptCredentialsFn",
            "XXH3_kSecret",
            "quote_spanned!",
            "token_start..token_start",
            "ANOTREAL%2F20090213%2Fus-east-1%2Fs3%2Faws4_request",
            "KspGetTokenFn",
            "sleep-then-re-acquire",
            "agent.v3.auth_passphrase",
            "arn:aws:kms:us-east-1:123123:alias/aws/s3",
            "s3.amazonaws.com",
            "db-1.internal.example",
            "access_token=",
            "ipv6-crypt",
            "dot1x-mab",
            "v1/objects/external-auth-server-setting",
            "hasher.",
        ] {
            assert!(!is_plausible_secret_value(value.as_bytes()), "{value}");
        }
        for value in [
            "Zq8rT2mW9xLp",
            "hunter2!x",
            "s3cr3t-value-42",
            "AbCdEf123456",
            "AhXWmR-zqlZfJuh",
            "k3jd9sl2mq7x",
            "a8f3k2p9x7m1q4w6",
            "6e86291e8372ff2a2260956d9b8aae1d763fbf31",
            "wJ7rXUtnFEMI/K7MDENG/bPxRfiCY",
            "Xk3j9.Lm2p_qT7",
            "/k3Jd9sLq2Mx7wZ4vB8nR1tY5uP0aE6c=",
            "/x45PP/jIFbbuV+bXxKpFgUbvmf3wR4QaP2M5pHnFfwJpFAfPRr9nLYg2FTDtJ5i3OCQvXDHTi7lJ5OOT==",
        ] {
            assert!(is_plausible_secret_value(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn random_mixed_case_passwords_are_not_identifiers() {
        // Random passwords the word test alone misread as identifiers (fresh canaries in
        // tests/cli/secrecy.rs missed about one run in twenty; none in 300 runs since).
        for random in [
            "PwMktkqacIVJ11j0ohEIYkuj",
            "PwZTLROtWXmYdbYU6cnexFTK",
            "PwzeTykw233FciTbC6RxgEJM",
            "PwtjijVBC1pslPPnuSVDOi0s",
        ] {
            assert!(is_plausible_secret_value(random.as_bytes()), "{random}"); // keyaudit:allow
        }
        assert!(!is_plausible_secret_value(b"gcp-sm:NAME"));
        assert!(is_plausible_secret_value(b"admin:S3cr3t-Pa55")); // keyaudit:allow
        for identifier in ["TokenStream2", "CFStringRef", "HttpRequestHandlerFactory"] {
            assert!(is_identifier(identifier), "{identifier}");
        }
        assert!(common_bigram_share("HttpRequest") > 0.55);
        assert!(is_word_identifier(b"bound_health_check_url"));
        assert!(!is_word_identifier(b"qRrepnaSOdm_K2jqTn5sH6")); // keyaudit:allow
        assert!(!is_word_identifier(
            b"live_a8c909a557f6368bc6e0ec2986e7d36c"
        )); // keyaudit:allow
        assert!(common_bigram_share("ZTLRqXwv") < 0.55);
    }

    #[test]
    fn each_reason_a_value_is_not_plausible() {
        for (value, reason) in [
            (&b"lowercaseonly"[..], Reject::OneClass),
            (b"getenv(KEY)", Reject::Code),
            (b"self.config.api_key", Reject::Identifier),
            (b"SecretAccessKey", Reject::Identifier),
            (
                b"arn:aws:kms:us-east-1:123123:alias/aws/s3",
                Reject::ResourceName,
            ),
            (b"k8s9x2.com", Reject::Hostname),
            (b"access_token=", Reject::Code),
            (b"ipv6-crypt", Reject::Words),
            (b"/etc/secrets/token", Reject::Path),
            (b"https://example.org/token", Reject::Url),
            (b"config/prod/app.yaml", Reject::Path),
            (b"550e8400-e29b-41d4-a716-446655440000", Reject::Uuid),
            (b"hasher.", Reject::Prose),
            (b"2024-01-01T00:00:00", Reject::Number),
            (b"\xff\xfe", Reject::NotText),
        ] {
            assert_eq!(
                check_secret_value(value),
                Err(reason),
                "{}",
                String::from_utf8_lossy(value)
            );
        }
        assert_eq!(check_secret_value(b"Zq8rT2mW9xLp"), Ok(()));
    }
}
