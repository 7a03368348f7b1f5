//! Values made the way their makers make them: framework generators (Django, WordPress,
//! Rails, Laravel, Symfony), Python's `secrets`, `openssl rand`, `uuidgen`, password managers
//! over the full printable set, people choosing passwords, and short ones.

use crate::common::{random_bytes, random_text, ALPHANUMERIC};

pub(super) const HEX: &[u8] = b"0123456789abcdef";
pub(super) const BASE64URL: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Django's `get_random_secret_key()` alphabet.
const DJANGO: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)";
/// WordPress's salt generator (`wp_generate_password(64, true, true)`): letters, digits, the
/// special and the extra special characters, space included.
const WORDPRESS: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_ []{}<>~`+=,.;:/?|";
/// A password manager's full printable set (every ASCII character from `!` to `~`).
fn printable() -> Vec<u8> {
    (b'!'..=b'~').collect()
}

/// Words people build passwords on.
const HUMAN_WORDS: &[&str] = &[
    "summer",
    "winter",
    "spring",
    "autumn",
    "dragon",
    "monkey",
    "qwerty",
    "admin",
    "welcome",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "charlie",
    "shadow",
    "master",
    "michael",
    "jessica",
    "pepper",
    "ginger",
    "soccer",
    "hockey",
    "buster",
    "maggie",
    "coffee",
    "rocket",
    "london",
    "berlin",
    "chelsea",
    "liverpool",
    "starwars",
    "batman",
    "orange",
    "purple",
];

/// The shapes of credential planted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// Letters and digits, 20 to 64.
    Alphanumeric,
    /// `secrets.token_hex(16)`, Symfony's `APP_SECRET`.
    Hex32,
    /// A 40-hex token.
    Hex40,
    /// `secrets.token_hex(32)`.
    Hex64,
    /// `openssl rand -base64 32`.
    Base64Short,
    /// `openssl rand -base64 64` on one line.
    Base64Long,
    /// `secrets.token_urlsafe(32)`: may start with `-` or `_`.
    TokenUrlsafe,
    /// `uuidgen`.
    Uuid,
    /// Django's `get_random_secret_key()`.
    Django,
    /// A WordPress salt.
    WordPress,
    /// Rails `secret_key_base` (`SecureRandom.hex(64)`).
    RailsSecretKeyBase,
    /// Laravel `APP_KEY` (`base64:` and 32 random bytes).
    Laravel,
    /// A password manager's: the full printable set, 12 to 32.
    Manager,
    /// A short one: 8 to 12 of the full printable set.
    Short,
    /// A person's: a word, a year or digits, maybe a symbol (`Summer2024`, `admin123`).
    Human,
    /// A license key of five kebab groups (`4n39b-4ezc3-openq-pmqil`).
    LicenseKey,
}

pub(super) const SHAPES: &[Shape] = &[
    Shape::Alphanumeric,
    Shape::Hex32,
    Shape::Hex40,
    Shape::Hex64,
    Shape::Base64Short,
    Shape::Base64Long,
    Shape::TokenUrlsafe,
    Shape::Uuid,
    Shape::Django,
    Shape::WordPress,
    Shape::RailsSecretKeyBase,
    Shape::Laravel,
    Shape::Manager,
    Shape::Short,
    Shape::Human,
    Shape::LicenseKey,
];

impl Shape {
    /// Whether a person would put this under a password name rather than a token name.
    pub(super) fn is_password(self) -> bool {
        matches!(self, Shape::Manager | Shape::Short | Shape::Human)
    }

    /// Whether a token slot (a bearer header, a query token, `_authToken=`) holds it: what
    /// services issue, not what frameworks or people make.
    pub(super) fn is_token(self) -> bool {
        matches!(
            self,
            Shape::Alphanumeric
                | Shape::Hex32
                | Shape::Hex40
                | Shape::Hex64
                | Shape::Base64Short
                | Shape::Base64Long
                | Shape::TokenUrlsafe
                | Shape::Uuid
        )
    }
}

/// A random number below `n`.
pub(super) fn below(n: usize) -> usize {
    let digits = random_text(b"0123456789", 6);
    digits.parse::<usize>().unwrap() % n
}

/// `len` characters of `alphabet` without the bytes `excluded`.
fn from_alphabet(alphabet: &[u8], excluded: &[u8], len: usize) -> String {
    let kept: Vec<u8> = alphabet
        .iter()
        .copied()
        .filter(|b| !excluded.contains(b))
        .collect();
    random_text(&kept, len)
}

/// The base64 encoding of `n` fresh random bytes, padded, as `openssl rand -base64` prints.
pub(super) fn base64_of_bytes(n: usize) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(random_bytes(n))
}

/// A fresh value of `shape` that holds none of the bytes in `excluded` (what the syntax
/// cannot carry), or `None` when the shape's format needs one of them.
pub(super) fn fresh(shape: Shape, excluded: &[u8]) -> Option<String> {
    let value = match shape {
        Shape::Alphanumeric => {
            let len = 20 + below(45);
            loop {
                let v = random_text(ALPHANUMERIC, len);
                if v.bytes().any(|b| b.is_ascii_digit())
                    && v.bytes().any(|b| b.is_ascii_alphabetic())
                {
                    break v;
                }
            }
        }
        Shape::Hex32 => random_text(HEX, 32),
        Shape::Hex40 => random_text(HEX, 40),
        Shape::Hex64 => random_text(HEX, 64),
        Shape::Base64Short => base64_of_bytes(32),
        Shape::Base64Long => base64_of_bytes(64),
        Shape::TokenUrlsafe => random_text(BASE64URL, 43),
        Shape::Uuid => {
            let h = random_text(HEX, 32);
            let variant = ["8", "9", "a", "b"][below(4)];
            format!(
                "{}-{}-4{}-{variant}{}-{}",
                &h[..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..]
            )
        }
        Shape::Django => return Some(from_alphabet(DJANGO, excluded, 50)),
        Shape::WordPress => {
            // Spaces inside, never at an end (a syntax trims them).
            let mut v = from_alphabet(WORDPRESS, excluded, 64);
            while v.starts_with(' ') || v.ends_with(' ') {
                v = from_alphabet(WORDPRESS, excluded, 64);
            }
            return Some(v);
        }
        Shape::RailsSecretKeyBase => random_text(HEX, 128),
        Shape::Laravel => format!("base64:{}", base64_of_bytes(32)),
        Shape::Manager => {
            let len = 12 + below(21);
            return Some(from_alphabet(&printable(), excluded, len));
        }
        Shape::Short => {
            let len = 8 + below(5);
            // A generator's short password still mixes classes.
            loop {
                let v = from_alphabet(&printable(), excluded, len);
                let classes = [
                    v.bytes().any(|b| b.is_ascii_lowercase()),
                    v.bytes().any(|b| b.is_ascii_uppercase()),
                    v.bytes().any(|b| b.is_ascii_digit()),
                    v.bytes().any(|b| b.is_ascii_punctuation()),
                ];
                if classes.iter().filter(|c| **c).count() >= 3 {
                    return Some(v);
                }
            }
        }
        Shape::Human => return Some(human(excluded)),
        Shape::LicenseKey => {
            let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
            (0..5)
                .map(|_| random_text(alphabet, 5))
                .collect::<Vec<_>>()
                .join("-")
        }
    };
    // Base64 padding ends a token68 value (an Authorization header's) even where `=` cannot
    // stand inside one.
    let body = value.trim_end_matches('=');
    (!body.bytes().any(|b| excluded.contains(&b))).then_some(value)
}

/// A password as people choose them.
fn human(excluded: &[u8]) -> String {
    let word = HUMAN_WORDS[below(HUMAN_WORDS.len())];
    let cap = word[..1].to_ascii_uppercase() + &word[1..];
    let year = 1970 + below(57);
    let symbol = ["!", "@", "#", "$", "*", "."][below(6)];
    let candidates = [
        format!("{cap}{year}"),
        format!("{word}123"),
        format!("{cap}{}{symbol}", 10 + below(90)),
        format!("{word}{symbol}{}", 1000 + below(9000)),
        format!(
            "{cap}{}{}",
            HUMAN_WORDS[below(HUMAN_WORDS.len())],
            below(100)
        ),
        format!("{cap}{year}{symbol}"),
    ];
    loop {
        let pick = &candidates[below(candidates.len())];
        if !pick.bytes().any(|b| excluded.contains(&b)) {
            return pick.clone();
        }
    }
}
