//! Placeholders and documented examples: marker words (`changeme`, `your_key`, `xxxx`),
//! whole-word stand-ins (`password`, `tiger`), vendors' published example keys, names of
//! secrets given as values, masks and filler.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::template::{holds_template, is_variable_reference};
use crate::decode;
use crate::scan::reject::{unless, Reject};

/// Substrings (lowercase) that mark a value as a placeholder or a template, not a key.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourpassword",
    "redacted",
    "dummy",
    "fake",
    "mypassword",
    "mysecret",
    "****",
    "....",
    "…",
    "...",
    "0123456789",
    "bcdefghij",
    "123456789",
    "abcdefghij",
];

/// Whole values (lowercase) that are words, not secrets.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "changeit",
    "admin",
    "root",
    "test",
    "none",
    "null",
    "nil",
    "todo",
    "tbd",
    "foo",
    "bar",
    "foobar",
    "token",
    "apikey",
    "api_key",
    "user",
    "username",
    "guest",
    "default",
    "empty",
    "undefined",
    "hunter2",
    "letmein",
    "qwerty",
    // Oracle's `scott/tiger` demo account, in countless connection-string examples.
    "tiger",
];

/// Keys published in vendor documentation for local development, identical on every machine.
const DOCUMENTED_EXAMPLE_KEYS: &[&[u8]] = &[
    // The Azurite / Azure Storage Emulator account key for `devstoreaccount1`.
    b"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
];

/// Fragments (lowercase) of well-known documentation credentials and their near copies:
/// AWS's example access key and secret, RFC 7617's `Aladdin:open sesame`, and xkcd 936.
const DOCUMENTED_EXAMPLE_FRAGMENTS: &[&str] = &[
    "iosfodnn7",
    "wjalrxutnfemi",
    "bpxrficy",
    "opensesame",
    "open sesame",
    "open%20sesame",
    "correcthorse",
    "correct horse",
    "correct%20horse",
    // RFC 7617's `Aladdin:open sesame` as a Basic authorization header carries it.
    "qwxhzgrpbjpvcgvuihnlc2ftzq",
];

/// Whether `lower` (lower-cased) is a name that says "secret" rather than a value:
/// `secured_password`, `aws_secret_access_key`, `db-pass`: letters joined by `_` or `-` only,
/// one of them a secret word. Such text in a password slot is documentation.
fn names_a_secret(lower: &[u8]) -> bool {
    const SECRET_WORDS: &[&str] = &["password", "passwd", "pass", "secret", "key", "token"];
    lower
        .iter()
        .all(|b| b.is_ascii_lowercase() || matches!(b, b'_' | b'-'))
        && lower
            .split(|b| matches!(b, b'_' | b'-'))
            .filter(|part| !part.is_empty())
            .any(|part| {
                // The word alone or after a word that qualifies it (`mypassword`, `apikey`,
                // `dbpass`); `monkey` and `compass` only end in one.
                const QUALIFIERS: &[&str] = &[
                    "", "my", "your", "the", "api", "db", "app", "admin", "user", "root", "secure",
                    "secured", "secret", "test", "dummy", "default", "some", "new", "old",
                    "private", "access", "auth", "master", "service", "client", "pass", "super",
                    "sample", "demo",
                ];
                part.len() <= 16
                    && SECRET_WORDS.iter().any(|w| {
                        part.strip_suffix(w.as_bytes())
                            .is_some_and(|head| QUALIFIERS.iter().any(|q| q.as_bytes() == head))
                    })
            })
}

/// Markers of this many letters or fewer (`fake`, `xxxx`, `dummy`) turn up by chance in random
/// text: in some mix of cases, one freshly made 2048-bit RSA key in two hundred holds one.
const SHORT_MARKER: usize = 5;

/// Secrets longer than this are PEM blocks and other long blobs, hundreds of random characters.
const LONG_SECRET: usize = 200;

/// Whether `secret` (and `lower`, its lower-cased copy) holds a [`PLACEHOLDER_MARKERS`] entry.
/// A short marker made of letters counts only when written in one case (`fake`, `FAKE`,
/// `Fake`), and in a long secret only as a word of its own (`YOUR_KEY_HERE`, a line of
/// `XXXX`), so that chance no longer drops a real key.
fn holds_marker(secret: &[u8], lower: &[u8]) -> bool {
    // One automaton over all the markers: a value is searched once, not once per marker.
    static MARKERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(PLACEHOLDER_MARKERS)
            .expect("the markers build an automaton")
    });
    // Each marker's occurrences as a search for that marker alone meets them: left to right,
    // each resuming after the last.
    let mut resume = [0usize; PLACEHOLDER_MARKERS.len()];
    MARKERS.find_overlapping_iter(lower).any(|hit| {
        let (index, at) = (hit.pattern().as_usize(), hit.start());
        if at < resume[index] {
            return false;
        }
        resume[index] = hit.end();
        let marker = PLACEHOLDER_MARKERS[index].as_bytes();
        if marker.len() > SHORT_MARKER || !marker.iter().any(u8::is_ascii_alphabetic) {
            return true;
        }
        in_one_case(&secret[at..hit.end()])
            && (secret.len() <= LONG_SECRET || stands_alone(secret, at, marker.len()))
    })
}

/// Whether `lower`, a lower-cased value, holds a [`DOCUMENTED_EXAMPLE_FRAGMENTS`] entry.
fn holds_documented_fragment(lower: &[u8]) -> bool {
    static FRAGMENTS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::new(DOCUMENTED_EXAMPLE_FRAGMENTS).expect("the fragments build an automaton")
    });
    FRAGMENTS.is_match(lower)
}

/// Whether the letters of `text` are all lower case, all upper case, or capitalised.
fn in_one_case(text: &[u8]) -> bool {
    let letters = || text.iter().filter(|b| b.is_ascii_alphabetic());
    let first_upper = letters().next().is_some_and(u8::is_ascii_uppercase);
    letters().skip(1).all(u8::is_ascii_lowercase)
        || (first_upper && letters().all(u8::is_ascii_uppercase))
}

/// Whether the marker at `secret[at..at + len]` is no part of a longer run of letters: what
/// comes before and after it is not a letter, or the marker ends in a non-letter itself
/// (`your_`). A mask's run (`XXXXXXXX`) is taken whole.
fn stands_alone(secret: &[u8], at: usize, len: usize) -> bool {
    let found = &secret[at..at + len];
    let (mut start, mut end) = (at, at + len);
    if found.iter().all(|b| b.eq_ignore_ascii_case(&found[0])) {
        while start > 0 && secret[start - 1].eq_ignore_ascii_case(&found[0]) {
            start -= 1;
        }
        while end < secret.len() && secret[end].eq_ignore_ascii_case(&found[0]) {
            end += 1;
        }
    }
    let open_before =
        !found[0].is_ascii_alphabetic() || start == 0 || !secret[start - 1].is_ascii_alphabetic();
    let open_after = !found[len - 1].is_ascii_alphabetic()
        || end == secret.len()
        || !secret[end].is_ascii_alphabetic();
    open_before && open_after
}

/// Whether `secret` is a placeholder, a template reference or otherwise obviously not a key.
pub fn is_placeholder(secret: &[u8]) -> bool {
    check_placeholder(secret).is_err()
}

/// [`is_placeholder`], saying why: a documented example, a marker or stand-in word, a name
/// that says secret, a template, a reference, a mask or filler.
pub fn check_placeholder(secret: &[u8]) -> Result<(), Reject> {
    unless(
        DOCUMENTED_EXAMPLE_KEYS.contains(&secret),
        Reject::DocumentedExample,
    )?;
    let lower = secret.to_ascii_lowercase();
    unless(holds_marker(secret, &lower), Reject::Placeholder)?;
    unless(holds_documented_fragment(&lower), Reject::DocumentedExample)?;
    // A word dressed in punctuation or escapes (`[password]`, `pass%5B`) is still the word.
    let word: String = String::from_utf8_lossy(&decode::percent_decode(&lower))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    unless(
        PLACEHOLDER_WORDS.contains(&word.as_str()),
        Reject::Placeholder,
    )?;
    unless(names_a_secret(&lower), Reject::SecretName)?;
    unless(holds_template(secret), Reject::Template)?;
    // `{name}`, `[name]`, `(name)`: template or documentation syntax around a name.
    let wrapped = matches!(
        (secret.first(), secret.last()),
        (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']')) | (Some(b'('), Some(b')'))
    );
    unless(wrapped, Reject::Template)?;
    // `$NAME`, `%NAME%`: a reference to a variable, not a value.
    let windows_variable = secret.len() > 2
        && secret.first() == Some(&b'%')
        && secret.last() == Some(&b'%')
        && secret[1..secret.len() - 1]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'(' | b')'));
    unless(
        is_variable_reference(secret) || windows_variable,
        Reject::Reference,
    )?;
    // A mask (`***`, `xxx`).
    unless(
        !secret.is_empty()
            && secret
                .iter()
                .all(|b| matches!(b, b'*' | b'x' | b'X' | b'#')),
        Reject::Placeholder,
    )?;
    unless(is_filler(secret), Reject::Placeholder)
}

/// A long value made of three or fewer distinct characters is filler (`0000…`, `abab…`).
fn is_filler(secret: &[u8]) -> bool {
    if secret.len() < 8 {
        return false;
    }
    let mut distinct = [false; 256];
    let mut count = 0;
    for &byte in secret {
        if !distinct[byte as usize] {
            distinct[byte as usize] = true;
            count += 1;
        }
    }
    count <= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`holds_marker`] as a search for each marker alone decides it.
    fn holds_marker_one_by_one(secret: &[u8], lower: &[u8]) -> bool {
        PLACEHOLDER_MARKERS.iter().any(|marker| {
            let marker = marker.as_bytes();
            if marker.len() > SHORT_MARKER || !marker.iter().any(u8::is_ascii_alphabetic) {
                return memchr::memmem::find(lower, marker).is_some();
            }
            memchr::memmem::find_iter(lower, marker).any(|at| {
                in_one_case(&secret[at..at + marker.len()])
                    && (secret.len() <= LONG_SECRET || stands_alone(secret, at, marker.len()))
            })
        })
    }

    #[test]
    fn one_automaton_decides_markers_as_one_search_per_marker_does() {
        // Pieces that make markers, overlapping runs of them (`xXXXXx`, where only a search
        // resuming after each occurrence sees the mixed-case one first) and letters around.
        let pieces: [&[u8]; 12] = [
            b"x",
            b"X",
            b"fake",
            b"FaKe",
            b"your_",
            b"...",
            b"*",
            b"a",
            b"Q7",
            b"example",
            b"-",
            "\u{2026}".as_bytes(),
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut differ_from_overlapping = 0;
        for round in 0..20_000 {
            let mut secret = Vec::new();
            let target = if round % 10 == 0 { 260 } else { 1 + round % 24 };
            while secret.len() < target {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Every other value from `x`, `X`, `a` and `-` alone, so that runs occur.
                let choices = if round % 2 == 0 { 4 } else { pieces.len() };
                secret.extend_from_slice(pieces[(seed % choices as u64) as usize]);
            }
            let lower = secret.to_ascii_lowercase();
            let expected = holds_marker_one_by_one(&secret, &lower);
            assert_eq!(
                holds_marker(&secret, &lower),
                expected,
                "{}",
                String::from_utf8_lossy(&secret)
            );
            differ_from_overlapping += usize::from(
                !expected && {
                    let found = |at: usize| &secret[at..at + 4];
                    (0..lower.len().saturating_sub(3))
                        .any(|at| &lower[at..at + 4] == b"xxxx" && in_one_case(found(at)))
                },
            );
        }
        // The inputs reach the case that tells the two ways of searching apart.
        assert!(differ_from_overlapping > 0);
    }

    #[test]
    fn placeholders_are_rejected() {
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "<your-api-key>",
            "${STRIPE_KEY}",
            "{{ secrets.token }}",
            "%(password)s",
            "changeme",
            "password",
            "$DB_PASSWORD",
            "%DB_PASSWORD%",
            "00000000000000000000",
            "sk_live_1234567890abcdef",
            "REDACTED",
            "AKIAIOSFODNN7EXAMPLF",
            "[password]",
            "password]",
            "{encoded_password}",
            "***",
            "pass%5B%7F",
            "opensesame",
            "correct%20horse%20battery%20staple",
            "secured_password",
            "aws_secret_access_key",
            "fake_pass",
            "tiger",
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        ] {
            assert!(is_placeholder(value.as_bytes()), "{value}");
        }
    }

    /// A PEM block of `body`, in lines of 64.
    fn pem(body: &str) -> String {
        let lines: Vec<&str> = (0..body.len())
            .step_by(64)
            .map(|at| &body[at..body.len().min(at + 64)])
            .collect();
        format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            lines.join("\n")
        )
    }

    /// 1,600 base64 characters from a seeded xorshift, with `word` at `at` between letters.
    fn random_body(seed: u64, at: usize, word: &str) -> String {
        const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut state = seed;
        let mut body: Vec<u8> = (0..1600)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                BASE64[(state % 64) as usize]
            })
            .collect();
        body[at - 1] = b'Q';
        body[at..at + word.len()].copy_from_slice(word.as_bytes());
        body[at + word.len()] = b'q';
        String::from_utf8(body).unwrap()
    }

    #[test]
    fn markers_that_random_text_spells_by_chance_keep_the_key() {
        // A 2048-bit RSA key holds `fake` or `xxxx` in some mix of cases about once in 200.
        for (seed, word) in [
            (1, "fakE"),
            (2, "xXXx"),
            (3, "fake"),
            (4, "FAKE"),
            (5, "Xxxx"),
            (6, "dummy"),
            (7, "your_"),
        ] {
            let block = pem(&random_body(seed, 700, word));
            assert!(!is_placeholder(block.as_bytes()), "{word} in a PEM block");
        }
        // In a short token, a marker in mixed case is chance too.
        for value in [
            "ghp_Zq8rT2mfAkELp4vN7bK3sYc6dF1gH5jQ0aE2u", // keyaudit:allow
            "sk_live_51Hq8ZrxXXxLp4vN7bK3sYc6d",         // keyaudit:allow
        ] {
            assert!(!is_placeholder(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn markers_that_stand_as_words_still_mark_placeholders() {
        let mask = "X".repeat(64);
        let body = random_body(8, 640, "Q");
        for block in [
            pem(&format!("{}{mask}{}", &body[..640], &body[704..])),
            pem(&format!(
                "{}YOUR_PRIVATE_KEY_HERE{}",
                &body[..64],
                &body[85..]
            )),
            pem(&format!("{}+FAKE/{}", &body[..100], &body[106..])),
            pem(&format!("{}...{}", &body[..100], &body[103..])),
        ] {
            assert!(is_placeholder(block.as_bytes()), "{block}");
        }
        for value in [
            "FakeKey12345678",
            "my-fake-token",
            "DUMMY_TOKEN_1234",
            "sk_test_FAKEa8Kd92jf8s7dKJ3hd8sj",
            "xxxx-xxxx-xxxx",
        ] {
            assert!(is_placeholder(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn random_keys_are_not_placeholders() {
        for value in [
            "ghp_Zq8rT2mW9xLp4vN7bK3sYc6dF1gH5jQ0aE2u", // keyaudit:allow
            "sk_live_51Hq8ZrT2mW9xLp4vN7bK3sYc6d",      // keyaudit:allow
            "Tr0ub4dor&3-horse",
            // Letters alone, but long and random: not a name.
            "qhwtzkplmrvxbncjdfgsyweukey",
            "Passw0rd-for-prod-7Xq",
        ] {
            assert!(!is_placeholder(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn each_reason_a_value_is_a_placeholder() {
        for (value, reason) in [
            ("AKIAIOSFODNN7EXAMPLE", Reject::Placeholder),
            (
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz",
                Reject::DocumentedExample,
            ),
            ("correct horse battery staple", Reject::DocumentedExample),
            ("changeme", Reject::Placeholder),
            ("password", Reject::Placeholder),
            ("secured_password", Reject::SecretName),
            ("${STRIPE_KEY}", Reject::Template),
            ("{encoded_password}", Reject::Template),
            ("$DB_PASSWORD", Reject::Reference),
            ("%Zq8rT2mW%", Reject::Reference),
            ("***", Reject::Placeholder),
            ("00000000000000000000", Reject::Placeholder),
        ] {
            assert_eq!(check_placeholder(value.as_bytes()), Err(reason), "{value}");
        }
        assert_eq!(check_placeholder(b"Zq8rT2mW9xLp4vN7bK3s"), Ok(()));
    }
}
