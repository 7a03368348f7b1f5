//! Names that say their value is not a secret (`token_hash`, `api_key_path`, `page_token`).

/// Words in a variable name that mean its value is a digest or identifier, not a secret.
const NOT_SECRET_NAMES: &[&str] = &[
    // Per-request and paging values named token: not credentials.
    "pagetoken",
    "page_token",
    "nexttoken",
    "next_token",
    // A paginator's description names the fields that carry paging (`"output_token":
    // "Jobs[-1].JobId"`), not a token.
    "inputtoken",
    "input_token",
    "outputtoken",
    "output_token",
    "result_key",
    "resultkey",
    "limit_key",
    "continuation",
    "cursor",
    "csrf",
    "xsrf",
    "authenticity_token",
    "verificationtoken",
    "changetoken",
    "change_token",
    "requesttoken",
    "request_token",
    "versiontoken",
    "version_token",
    "idempotency",
    "actiontoken",
    "hash",
    "sha",
    "digest",
    "checksum",
    "integrity",
    "fingerprint",
    "nonce",
    "id_token_hint",
    "public",
    "pubkey",
    "_url",
    "_uri",
    "_path",
    "_file",
    "_dir",
    "_name",
    "_type",
    "_id",
    "_header",
    "_length",
    "_len",
    "_size",
    "_count",
    "_format",
    "_version",
    "_prefix",
];

/// Whether a variable name says its value is not a secret (`token_hash`, `api_key_path`).
pub fn is_non_secret_name(name: &[u8]) -> bool {
    // This runs for every name the engine meets: the name is folded once (case, `-` as `_`)
    // and searched for every listed word in one pass.
    static WORDS: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(NOT_SECRET_NAMES.iter().filter(|w| !w.starts_with('_')))
            .expect("fixed word list")
    });
    let mut buffer = [0u8; 128];
    let folded_vec;
    let folded: &[u8] = if name.len() <= buffer.len() {
        for (out, &b) in buffer.iter_mut().zip(name) {
            *out = fold_name_byte(b);
        }
        &buffer[..name.len()]
    } else {
        folded_vec = name.iter().map(|&b| fold_name_byte(b)).collect::<Vec<u8>>();
        &folded_vec
    };
    if WORDS.is_match(folded) {
        return true;
    }
    NOT_SECRET_NAMES
        .iter()
        .filter_map(|w| w.strip_prefix('_'))
        .any(|suffix| {
            folded.ends_with(suffix.as_bytes())
                && matches!(
                    folded
                        .len()
                        .checked_sub(suffix.len() + 1)
                        .map(|i| folded[i]),
                    Some(b'_' | b'.')
                )
        })
}

/// A name's byte as [`is_non_secret_name`] compares it: lower case, `-` as `_`.
fn fold_name_byte(b: u8) -> u8 {
    if b == b'-' {
        b'_'
    } else {
        b.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_say_not_secret() {
        for name in [
            "token_hash",
            "password_sha256",
            "api_key_path",
            "SECRET_NAME",
            "secret.id",
            "public_key",
        ] {
            assert!(is_non_secret_name(name.as_bytes()), "{name}");
        }
        for name in [
            "api_key",
            "DB_PASSWORD",
            "client_secret",
            "auth_token",
            "secret",
        ] {
            assert!(!is_non_secret_name(name.as_bytes()), "{name}");
        }
    }
}
