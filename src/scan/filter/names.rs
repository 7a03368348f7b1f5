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
    // Compared in place, case and `-`/`_` folded: this runs for every name the engine meets.
    let fold = |b: u8| {
        if b == b'-' {
            b'_'
        } else {
            b.to_ascii_lowercase()
        }
    };
    let ends_with = |suffix: &[u8]| {
        name.len() >= suffix.len()
            && name[name.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(&b, &s)| fold(b) == s)
    };
    let contains = |word: &[u8]| {
        name.windows(word.len())
            .any(|window| window.iter().zip(word).all(|(&b, &w)| fold(b) == w))
    };
    NOT_SECRET_NAMES.iter().any(|w| match w.strip_prefix('_') {
        Some(suffix) => {
            ends_with(suffix.as_bytes())
                && matches!(
                    name.len()
                        .checked_sub(suffix.len() + 1)
                        .map(|i| fold(name[i])),
                    Some(b'_' | b'.')
                )
        }
        None => contains(w.as_bytes()),
    })
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
