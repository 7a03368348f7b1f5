//! Pure tests that reject matches which are not real keys: placeholders, templating and
//! low-entropy strings. Each is cheap and runs only on regex matches, never on whole files.

use crate::decode;

/// The entropy floor `min` for `value`, lowered for hex of 32 digits or more, whose 16 letters
/// cap it at 4 bits: one random 32-digit hex value in 8,000 falls under 3.0 bits (measured over
/// 100,000), none under 2.7, while repeated patterns (`3a3a…5c5c…`, 2.0 bits) stay under it.
pub fn entropy_floor(min: f64, value: &[u8]) -> f64 {
    if value.len() >= 32 && value.iter().all(u8::is_ascii_hexdigit) {
        min.min(2.7)
    } else {
        min
    }
}

/// Shannon entropy of `data` in bits per byte.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &byte in data {
        counts[byte as usize] += 1;
    }
    let len = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

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

/// Host names reserved for documentation (RFC 2606, RFC 6761): a credential in a URL to one
/// of these is an example, not a key.
const DOCUMENTATION_DOMAINS: &[&str] = &[
    "example.com",
    "example.net",
    "example.org",
    "example",
    "test",
    "invalid",
    // Not a real top-level domain: tests' stand-in for one (`evil.tld`).
    "tld",
];

/// Host names that stand for "your host" in documentation (`dbtype://user:pw@hostspec/db`).
const PLACEHOLDER_HOSTS: &[&str] = &[
    "host",
    "hostname",
    "hostspec",
    "yourhost",
    "your-host",
    "your_host",
    "myhost",
    "my-host",
];

/// Whether `host` is, or is under, a domain reserved for documentation, or a placeholder name.
pub fn is_documentation_host(host: &[u8]) -> bool {
    let host = String::from_utf8_lossy(host).to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    PLACEHOLDER_HOSTS.contains(&host)
        || DOCUMENTATION_DOMAINS.iter().any(|domain| {
            host == *domain
                || host
                    .strip_suffix(domain)
                    .is_some_and(|rest| rest.ends_with('.'))
        })
}

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
    PLACEHOLDER_MARKERS.iter().any(|marker| {
        let marker = marker.as_bytes();
        if marker.len() > SHORT_MARKER || !marker.iter().any(u8::is_ascii_alphabetic) {
            return memchr::memmem::find(lower, marker).is_some();
        }
        memchr::memmem::find_iter(lower, marker).any(|at| {
            let found = &secret[at..at + marker.len()];
            in_one_case(found)
                && (secret.len() <= LONG_SECRET || stands_alone(secret, at, marker.len()))
        })
    })
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

/// Whether `value` holds a template or a documentation slot rather than characters of its
/// own: `${NAME}`, `{{ x }}`, `#{x}`, `%(name)s`, `$(cmd)`, `<%= x %>`, `<your-key>`. Judged
/// by structure, so a generated value holding `<`, `$` or `{` by chance is not one.
pub fn holds_template(value: &[u8]) -> bool {
    // `shortest` names are what a random value does not hold by chance: a shell's `$(id)`
    // is rare, Django's alphabet gives `$(gw)` often.
    let closes_after = |open: &[u8], close: u8, shortest: usize| {
        memchr::memmem::find_iter(value, open).any(|at| {
            let rest = &value[at + open.len()..];
            rest.iter().position(|&b| b == close).is_some_and(|end| {
                end >= shortest && rest[..end].iter().all(|b| is_template_name_byte(*b))
            })
        })
    };
    let erb = memchr::memmem::find(value, b"<%")
        .is_some_and(|at| memchr::memmem::find(&value[at + 2..], b"%>").is_some());
    if closes_after(b"${", b'}', 1)
        || closes_after(b"#{", b'}', 1)
        || closes_after(b"%(", b')', 3)
        || closes_after(b"$(", b')', 3)
        || erb
        || interpolates_expression(value)
        || holds_environment_reference(value)
    {
        return true;
    }
    if let (Some(open), Some(close)) = (
        memchr::memmem::find(value, b"{{"),
        memchr::memmem::rfind(value, b"}}"),
    ) {
        if close > open {
            return true;
        }
    }
    // `<name>`, `<your-client-secret>`, `<smtp password>`: a slot named in words.
    value.iter().enumerate().any(|(at, &b)| {
        if b != b'<' {
            return false;
        }
        let rest = &value[at + 1..];
        let Some(end) = rest.iter().position(|&b| b == b'>') else {
            return false;
        };
        let inner = &rest[..end];
        inner.len() >= 2
            && inner
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-' | b'.'))
            && {
                let text = String::from_utf8_lossy(inner).replace([' ', '-', '.'], "_");
                text.bytes()
                    .all(|b| !b.is_ascii_uppercase() || !b.is_ascii_lowercase())
                    && (text.bytes().all(|b| !b.is_ascii_lowercase())
                        || text.bytes().all(|b| !b.is_ascii_uppercase()))
                    || is_identifier(&text)
            }
    })
}

/// Whether `value` interpolates an expression: `${` or `$(` opening a name of three letters
/// or more (`${baseUrl.hostname.split(".")[0]}`, PowerShell's
/// `$([System.IO.Path]::GetRandomFileName())`) that closes later. A random value seldom holds
/// `${` then a run of letters then `}`.
fn interpolates_expression(value: &[u8]) -> bool {
    let opens_name = |rest: &[u8], close: u8| {
        let name = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        name >= 3 && rest[0].is_ascii_alphabetic() && rest[name..].contains(&close)
    };
    // Django's alphabet gives `$(d9gpo&u$7p6x0-!)`: a `$(` substitution must hold a command
    // and its argument (a blank) or open with a type (`$([Type]::Call())`).
    memchr::memmem::find_iter(value, b"${").any(|at| opens_name(&value[at + 2..], b'}'))
        || memchr::memmem::find_iter(value, b"$(").any(|at| {
            let rest = &value[at + 2..];
            match rest.strip_prefix(b"[") {
                Some(typed) => opens_name(typed, b')'),
                None => {
                    opens_name(rest, b')')
                        && rest.iter().take_while(|b| **b != b')').any(|b| *b == b' ')
                }
            }
        })
}

/// Whether `value` holds a Windows environment variable (`%HOMEPATH%\`, `%APPDATA%`): `%`, a
/// capitalised name of four letters or more that reads as words, `%`.
fn holds_environment_reference(value: &[u8]) -> bool {
    memchr::memchr_iter(b'%', value).any(|at| {
        let rest = &value[at + 1..];
        let name = rest
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || **b == b'_')
            .count();
        // A name that reads as words (`HOMEPATH`, `JAVA_HOME`), not random capitals.
        let words = String::from_utf8_lossy(&rest[..name]).to_ascii_lowercase();
        name >= 4
            && rest[0].is_ascii_uppercase()
            && rest.get(name) == Some(&b'%')
            && words
                .split('_')
                .all(|w| w.is_empty() || common_bigram_share(w) >= 0.5)
    })
}

/// Bytes of a template's variable or expression (`${db.password}`, `%(password)s`).
fn is_template_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'.' | b'-' | b':' | b' ' | b'|' | b'[' | b']' | b'\'' | b'"'
        )
}

/// Whether `value` holds the punctuation of code: brackets, an escape, a leading sigil, a
/// path separator (`::`). Where code can stand, such a value is an expression.
pub fn has_code_punctuation(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    text.contains(['(', ')', '[', ']', '{', '}', '<', '>', '\\'])
        || text.starts_with(['&', '*', '=', '!', '|', ':', '@', '#', '^', '%', '.'])
        || text.contains("::")
}

/// Whether `value` holds punctuation that file paths and URLs do not: quotes, `<>|` (not
/// allowed in Windows names), `^!,;$` and the backtick. A value with `/` holding one is a
/// password with a slash among its symbols (`N,L2T?k3<`, `/K,cO4YC>y^`), not a path. Brackets
/// and `*` are a path's (`/v1/{mount}/config`, `app/(auth)/[id].js`, `certs/*.pem`).
pub fn holds_non_path_punctuation(value: &[u8]) -> bool {
    value.iter().any(|b| b"<>|\"^!,;$'`".contains(b))
}

/// Whether `value` refers to a variable (`$NAME`, `${name}`, `$(cmd)`, `$HOME/x`,
/// `$ANSIBLE_VAULT;1.1;AES256`) rather than being a value that starts with `$` (a generated
/// password's first symbol: `$8d+ad0…`, `$e;6RAj…`).
pub fn is_variable_reference(value: &[u8]) -> bool {
    let Some(rest) = value.strip_prefix(b"$") else {
        return false;
    };
    if rest.starts_with(b"{") || rest.starts_with(b"(") {
        return true;
    }
    let name_len = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    let starts_name = name
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
    let constant = name.len() >= 3
        && name
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    // `$serde_json::private::Number`: a name made of words, then more.
    let first_word: String = name
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .map(|&b| char::from(b))
        .collect();
    let wordy = first_word.len() >= 3 && common_bigram_share(&first_word) >= 0.5;
    starts_name && (name_len == rest.len() || constant || wordy)
}

/// Whether `value` is a regular expression (`[a-z0-9]{80}`, `\d{4}`, `[^"]+`): a character
/// class or an escape class with a quantifier.
pub fn is_regex_shape(value: &[u8]) -> bool {
    let class = [
        &b"[a-z"[..],
        b"[A-Z",
        b"[0-9",
        b"[^",
        b"\\d",
        b"\\w",
        b"\\s",
        b"\\b",
    ]
    .iter()
    .any(|c| memchr::memmem::find(value, c).is_some());
    let quantifier = value
        .windows(2)
        .any(|w| matches!(w[0], b']' | b')') && matches!(w[1], b'{' | b'+' | b'*' | b'?'));
    class && quantifier
}

/// Whether `text` is a qualified name or type path (`Stripe_.V2.Core.AccountToken`,
/// `Resources.Keys.SecretKey`): three parts or more, names all, most of them words.
fn is_type_path(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        && parts
            .iter()
            .filter(|p| is_identifier(p.trim_end_matches('_')))
            .count()
            * 2
            >= parts.len()
}

/// A part of code that reads as a name: words (`password`, `getSecret`), a short lower-case
/// name (`cfg`, `ptr`), a constant (`API_KEY`), or a number.
fn is_code_name(part: &str) -> bool {
    !part.is_empty()
        && (is_identifier(part)
            || (part.len() <= 8 && part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            || (part.bytes().any(|b| b.is_ascii_uppercase())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
            || part.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `text` is names joined as code joins them: `a.b.c`, `Token::Start`, `self->key`.
fn is_name_chain(text: &str) -> bool {
    text.split(['.', ':'])
        .flat_map(|p| p.split("->"))
        .filter(|p| !p.is_empty())
        .all(is_code_name)
        && text.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Whether a bare value (where code can stand) is an expression of code rather than a literal:
/// a sigil before a name (`&key`, `*ptr`, `!ok`, `@attr`, `:symbol`, `*yaml_alias`), a call or
/// an index on a name (`getenv(`, `os.environ[`, `fetch()`), a path (`Token::Start`), a
/// generic type (`List<String>`), a range or relative path, an escape. Random values hold the
/// same punctuation around fragments that are no names.
pub fn is_code_shaped(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    if text.contains('\\') || is_range_or_relative_path(text) {
        return true;
    }
    let rest = text.trim_start_matches([
        '&', '*', '!', '@', ':', '.', '^', '%', '~', '+', '|', ';', '#', '=',
    ]);
    if rest.len() < text.len() {
        let rest = rest.trim_end_matches(['?', '!', ';', ',']);
        let rest = rest.strip_suffix("()").unwrap_or(rest);
        if rest.is_empty() || is_name_chain(rest) {
            return true;
        }
    }
    for open in ['(', '[', '<', '{'] {
        if let Some(at) = text.find(open) {
            let callee = text[..at]
                .trim_start_matches(['&', '*', '!', '@', '$'])
                .trim_end_matches('!');
            if is_name_chain(callee) {
                return true;
            }
        }
    }
    if text.contains("::") {
        // A path, or a call on one (`Cwd::getcwd();`).
        let path = text.trim_end_matches(['?', '!', ';', ',']);
        if is_name_chain(path.strip_suffix("()").unwrap_or(path)) {
            return true;
        }
    }
    text.ends_with('!') && is_identifier(&text[..text.len() - 1])
}

/// Whether `secret` is a placeholder, a template reference or otherwise obviously not a key.
pub fn is_placeholder(secret: &[u8]) -> bool {
    if DOCUMENTED_EXAMPLE_KEYS.contains(&secret) {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    if holds_marker(secret, &lower)
        || DOCUMENTED_EXAMPLE_FRAGMENTS
            .iter()
            .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
    {
        return true;
    }
    // A word dressed in punctuation or escapes (`[password]`, `pass%5B`) is still the word.
    let word: String = String::from_utf8_lossy(&decode::percent_decode(&lower))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if PLACEHOLDER_WORDS.contains(&word.as_str())
        || names_a_secret(&lower)
        || holds_template(secret)
    {
        return true;
    }
    // `{name}`, `[name]`, `(name)`: template or documentation syntax around a name.
    let wrapped = matches!(
        (secret.first(), secret.last()),
        (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']')) | (Some(b'('), Some(b')'))
    );
    if wrapped {
        return true;
    }
    // `$NAME`, `%NAME%`: a reference to a variable, not a value.
    let windows_variable = secret.len() > 2
        && secret.first() == Some(&b'%')
        && secret.last() == Some(&b'%')
        && secret[1..secret.len() - 1]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'(' | b')'));
    if is_variable_reference(secret) || windows_variable {
        return true;
    }
    // A mask (`***`, `xxx`).
    if !secret.is_empty()
        && secret
            .iter()
            .all(|b| matches!(b, b'*' | b'x' | b'X' | b'#'))
    {
        return true;
    }
    // A long value made of three or fewer distinct characters is filler (`0000…`, `abab…`).
    if secret.len() >= 8 {
        let mut distinct = [false; 256];
        let mut count = 0;
        for &byte in secret {
            if !distinct[byte as usize] {
                distinct[byte as usize] = true;
                count += 1;
            }
        }
        if count <= 3 {
            return true;
        }
    }
    false
}

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

/// Splits a run of letters (or letters and digits) into camelCase words, keeping acronyms
/// together: `CFStringRef` → `CF`, `String`, `Ref`.
pub(crate) fn camel_words(letters: &str) -> Vec<&str> {
    let bytes = letters.as_bytes();
    let mut words = Vec::new();
    let mut start = 0;
    for i in 1..bytes.len() {
        let lower_to_upper = bytes[i - 1].is_ascii_lowercase() && bytes[i].is_ascii_uppercase();
        let acronym_end = bytes[i - 1].is_ascii_uppercase()
            && bytes[i].is_ascii_uppercase()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        if lower_to_upper || acronym_end {
            words.push(&letters[start..i]);
            start = i;
        }
    }
    words.push(&letters[start..]);
    words
}

/// Whether `word` reads as a word: a short acronym (`CF`, `HTTP`) or two or more letters with
/// a vowel (`Token`, `ty`). Random strings break into vowel-less fragments (`Wm`, `jd`, `k`).
fn is_wordy(word: &str) -> bool {
    let upper = word.bytes().all(|b| b.is_ascii_uppercase());
    if upper && word.len() <= 6 {
        return true;
    }
    word.len() >= 2 && word.bytes().any(|b| b"aeiouyAEIOUY".contains(&b))
}

/// Letter pairs common in English words, and so in identifiers made of them. Random letters
/// hit about a third of them (240 of 676 pairs); words hit most.
const COMMON_BIGRAMS: &str = concat!(
    "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou ",
    "io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di ",
    "fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ",
    "ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig ",
    "tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do ",
    "uc bu ei ov by rm ep tt oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va ",
    "um pp ua up lu go ht ru ug ds lt pi rc rr eg au ck ew mu br bi pt ak pu ui rg ib tl ",
    "ny ki rk ys ob mm fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu af hu nn ",
    "eo vo rv nf xp gn sm fl iz ok nl my gl aw sy oa ",
);

/// The share of adjacent letter pairs in `text` (case folded, within runs of letters) that are
/// common in English; 1.0 when there is no pair.
pub fn common_bigram_share(text: &str) -> f64 {
    static TABLE: std::sync::LazyLock<[bool; 676]> = std::sync::LazyLock::new(|| {
        let mut table = [false; 676];
        for pair in COMMON_BIGRAMS.split_whitespace() {
            let b = pair.as_bytes();
            table[usize::from(b[0] - b'a') * 26 + usize::from(b[1] - b'a')] = true;
        }
        table
    });
    let (mut pairs, mut common) = (0usize, 0usize);
    for pair in text.as_bytes().windows(2) {
        if pair[0].is_ascii_alphabetic() && pair[1].is_ascii_alphabetic() {
            pairs += 1;
            let (a, b) = (pair[0].to_ascii_lowercase(), pair[1].to_ascii_lowercase());
            common += usize::from(TABLE[usize::from(a - b'a') * 26 + usize::from(b - b'a')]);
        }
    }
    if pairs == 0 {
        1.0
    } else {
        common as f64 / pairs as f64
    }
}

/// Whether `text` is an identifier made of words, with or without digits and underscores:
/// `TokenStream2`, `Curve25519SeedBin`, `CFStringRef`, `pTokenizer`, `IKEEXT_CREDENTIAL0`.
/// Most of its letters (60%) sit in real words of three letters or more, and its digits form
/// at most two groups; random strings break into short vowel-less fragments and scattered
/// digits instead.
fn is_identifier(text: &str) -> bool {
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
    {
        return false;
    }
    // CONSTANT_CASE and snake_case with an underscore are names, not secrets.
    let has_underscore = text.contains('_');
    if has_underscore
        && (text.bytes().all(|b| !b.is_ascii_lowercase())
            || text.bytes().all(|b| !b.is_ascii_uppercase()))
    {
        return true;
    }
    let digit_groups = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|group| !group.is_empty())
        .count();
    if digit_groups > 2 {
        return false;
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|run| !run.is_empty())
        .flat_map(camel_words)
        .collect();
    let letters: usize = words.iter().map(|w| w.len()).sum();
    let in_words: usize = words
        .iter()
        .filter(|w| w.len() >= 3 && is_wordy(w))
        .map(|w| w.len())
        .sum();
    // Words are made of common letter pairs; random letters are not (measured on 60,000
    // mixed-case identifiers from crate sources and 20,000 random strings: 98% of identifiers
    // keep at least 55% common pairs; random strings misread as identifiers fall from 5% to 1%).
    letters > 0 && in_words * 10 >= letters * 6 && common_bigram_share(text) >= 0.55
}

/// A short lower-case name part with digits, as in member access and host names (`v3`, `s3`,
/// `ec2`, `ipv6`): too short to carry a secret's randomness.
fn is_short_name(part: &str) -> bool {
    (1..=4).contains(&part.len())
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// An Amazon resource name (`arn:aws:kms:us-east-1:123456789012:alias/aws/s3`): names a key,
/// is not one.
fn is_resource_name(text: &str) -> bool {
    text.starts_with("arn:aws")
}

/// A host name (`s3.amazonaws.com`, `db-1.internal.example`): lower-case labels of letters,
/// digits and `-`, the last one letters only.
fn is_hostname(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let tld_ok =
        |tld: &&str| (2..=12).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_lowercase());
    labels.len() >= 2 && labels.iter().all(label_ok) && labels.last().is_some_and(tld_ok)
}

/// The start of a query string built in code (`'access_token=' + token`): a name and `=`.
fn is_query_prefix(text: &str) -> bool {
    text.strip_suffix('=')
        .is_some_and(|name| !name.ends_with('=') && is_identifier(name))
}

/// Lower-case kebab-case made of words and short parts with digits (`ipv6-crypt`,
/// `dot1x-mab`): option values, not secrets. One part at least must be a word of letters, so
/// random lower-case runs joined by `-` are kept.
fn is_kebab_words(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let word = |part: &&str| {
        part.len() >= 3 && part.bytes().all(|b| b.is_ascii_lowercase()) && is_identifier(part)
    };
    parts.len() >= 2
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && parts
            .iter()
            .all(|part| is_short_name(part) || word(part) || is_short_word_with_digit(part))
        && parts.iter().any(word)
}

/// A five-character option part such as `dot1x`: a letter first and one digit at most. A
/// license key's random groups (`4n39b-4ezc3`) break this soon.
fn is_short_word_with_digit(part: &str) -> bool {
    part.len() == 5
        && part.as_bytes()[0].is_ascii_alphabetic()
        && part.bytes().filter(u8::is_ascii_digit).count() <= 1
        && part.bytes().any(|b| b"aeiou".contains(&b))
}

/// Whether `text` is an identifier made of words (`bound_health_check_url`, `SecretKeyBase`):
/// what a key-shaped regex may match in code without any key there.
pub fn is_word_identifier(text: &[u8]) -> bool {
    // Only letters between the separators: `live_<64 hex>` is a key with a word in front.
    let letters = text
        .split(|b| *b == b'_')
        .all(|part| !part.is_empty() && part.iter().all(u8::is_ascii_alphabetic));
    letters && std::str::from_utf8(text).is_ok_and(is_identifier)
}

/// Whether `text` holds `..` as code or a path does: a relative path (`../x`, `a/../b`), a
/// spread or inclusive range (`...args`, `0..=n`), or a range between two names or numbers
/// (`0..len`, `start..end`, `1..10`). Random passwords may hold `..` between random runs.
pub fn is_range_or_relative_path(text: &str) -> bool {
    if !text.contains("..") {
        return false;
    }
    if text.contains("../")
        || text.contains("/..")
        || text.contains("..\\")
        || text.contains("...")
        || text.contains("..=")
    {
        return true;
    }
    let sides: Vec<&str> = text.split("..").collect();
    let plain = |side: &str| {
        side.is_empty()
            || side.bytes().all(|b| b.is_ascii_digit())
            || side
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
            || side
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
            || is_identifier(side)
    };
    sides.iter().all(|side| plain(side))
}

/// Whether a value found only by its name could be a secret: not code, not a path, not an
/// identifier, not a UUID, and varied enough (at least two character classes, or long).
pub fn is_plausible_secret_value(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let lower = text.chars().any(|c| c.is_ascii_lowercase());
    let upper = text.chars().any(|c| c.is_ascii_uppercase());
    let digit = text.chars().any(|c| c.is_ascii_digit());
    let symbol = text.chars().any(|c| c.is_ascii_punctuation());
    let classes = [lower, upper, digit, symbol].iter().filter(|&&c| c).count();
    classes >= 2 && !is_code_shaped(value) && is_plausible_secret_shape(value)
}

/// [`is_plausible_secret_value`] for a value whose delimiters are known (a quoted literal):
/// its punctuation is its own, so only its shape counts: not an identifier, a path, a URL, a
/// host, a number, a UUID, and at least two character classes.
pub fn is_plausible_secret_shape(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let lower = text.chars().any(|c| c.is_ascii_lowercase());
    let upper = text.chars().any(|c| c.is_ascii_uppercase());
    let digit = text.chars().any(|c| c.is_ascii_digit());
    let symbol = text.chars().any(|c| c.is_ascii_punctuation());
    let classes = [lower, upper, digit, symbol].iter().filter(|&&c| c).count();
    if classes < 2 {
        return false;
    }
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
    if identifier_chain
        || word_chain
        || is_type_path(text)
        || is_identifier(text)
        || is_resource_name(text)
        || is_hostname(text)
        || is_query_prefix(text)
        || is_kebab_words(text)
    {
        return false;
    }
    // Paths and URLs (URLs with credentials have their own rules); a scope such as
    // `AKID/20240101/us-east-1/s3/aws4_request` is a path too.
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
    if rooted_path || text.starts_with("./") || text.starts_with("~/") || text.contains("://") {
        return false;
    }
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
    if segments.len() >= 3
        && may_be_path
        && segments
            .iter()
            .all(|s| s.len() < 24 || is_identifier(&s.replace('-', "_")))
        && segments.iter().filter(readable).count() * 2 >= segments.len()
    {
        return false;
    }
    // kebab-case words without digits (`secret-key-base`, `bert-base-uncased`).
    if !digit && is_identifier(&text.replace('-', "_")) {
        return false;
    }
    // A UUID is an identifier.
    let uuid_shape = text.len() == 36
        && text.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if uuid_shape {
        return false;
    }
    // A word ending a sentence (`password hasher.` in prose).
    if text.len() > 1
        && text.ends_with(['.', ',', ';', ':', '!', '?'])
        && text[..text.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_lowercase())
    {
        return false;
    }
    // Numbers, dates and versions.
    if text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ':' | '_' | '+' | 'T' | 'Z'))
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_references_and_values_that_start_with_a_dollar() {
        for v in [
            "$NAME",
            "$db_pass",
            "${x}",
            "$(cat key)",
            "$HOME/x",
            "$ANSIBLE_VAULT;1.1",
        ] {
            assert!(is_variable_reference(v.as_bytes()), "{v}");
            assert!(is_placeholder(v.as_bytes()), "{v}");
        }
        assert!(is_variable_reference(b"$serde_json::private::Number"));
        for v in [
            "$8d+ad0gijaefyahud",
            "$e;6RAjeq.({L[1x7",
            "$\"l1<Ik(O<F@",
            "$hprz#5fa0r!o-",
        ] {
            assert!(!is_variable_reference(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn ranges_and_relative_paths_but_not_passwords_with_two_dots() {
        for code in [
            "../keys/api.key",
            "a/../b",
            "...args",
            "0..=n",
            "0..len",
            "start..end",
            "1..10",
            "self.a..self.b",
        ] {
            assert!(is_range_or_relative_path(code), "{code}");
        }
        for password in [
            "RHFp6PuVrnlJE3GZVgy..1",
            "dqixl7fT7rS3iCOQ..5",
            "Xk..9qLm2Tz7",
        ] {
            assert!(!is_range_or_relative_path(password), "{password}");
            assert!(is_plausible_secret_value(password.as_bytes()), "{password}");
        }
    }

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
    fn entropy_of_known_strings() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"Zq8rT2mW9xLp4vN7bK3s") > 4.0);
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

    #[test]
    fn documentation_hosts_are_recognised() {
        for host in [
            "example.com",
            "db.example.org",
            "api.EXAMPLE.net.",
            "svc.test",
            "x.example",
            "hostspec",
            "HOSTNAME",
        ] {
            assert!(is_documentation_host(host.as_bytes()), "{host}");
        }
        for host in [
            "db.internal",
            "example.com.evil.io",
            "myexample.com",
            "localhost",
            "10.0.0.1",
            "host.corp.internal",
            "db-host",
        ] {
            assert!(!is_documentation_host(host.as_bytes()), "{host}");
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
}
