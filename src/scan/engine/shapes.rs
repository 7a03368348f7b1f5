//! Shape predicates of values under secret names: code (calls, literals, operators, markup,
//! format strings, minified statements), identifiers (camelCase, PascalCase, names given as
//! values), paths, numbers, UUIDs, password hashes, prose and message tables.

use crate::scan::filter;

/// Whether `value` holds whitespace: passwords and keys in code and config do not, messages
/// and labels (`"SSH password: "`, `"CA private key"`) do.
pub fn is_prose(value: &[u8]) -> bool {
    value.iter().any(u8::is_ascii_whitespace)
}

/// Whether `value` is a format string (`token: %s`, `interpreter_%d`); `random_printable` is
/// [`super::is_random_printable`] of it.
pub fn is_format_string(value: &[u8], random_printable: bool) -> bool {
    // A generated value holds `%s` by chance (Django's alphabet has `%` and letters).
    let random = (value.len() >= 16 && filter::shannon_entropy(value) >= 4.0) || random_printable;
    !random
        && value.windows(2).any(|w| {
            w[0] == b'%' && matches!(w[1], b's' | b'd' | b'r' | b'v' | b'i' | b'x' | b'f' | b'q')
        })
}

/// Whether `value` is a word every tutorial uses, numbered (`password-1`, `secret2`, `test123`).
pub fn is_numbered_word(value: &[u8]) -> bool {
    // Not lower-cased here: a placeholder marker counts only in one case (`fake`, `FAKE`).
    let kept = value
        .iter()
        .rposition(|&b| !(b.is_ascii_digit() || b == b'-' || b == b'_'))
        .map_or(0, |last| last + 1);
    let word = &value[..kept];
    // What people build passwords on (`admin123`, `qwerty1`, `admin@8207`) is a weak
    // password, numbered.
    let base = word
        .iter()
        .rposition(u8::is_ascii_alphanumeric)
        .map_or(&word[..0], |last| &word[..=last]);
    let chosen_base = [
        "admin", "root", "qwerty", "letmein", "guest", "tiger", "hunter",
    ]
    .iter()
    .any(|w| w.as_bytes().eq_ignore_ascii_case(base));
    word.len() < value.len() && !chosen_base && filter::is_placeholder(word)
}

/// Whether `value` is a password hash in a well-known storage format.
pub fn is_password_hash(value: &[u8]) -> bool {
    const SCHEMES: &[&[u8]] = &[
        b"pbkdf2_",
        b"pbkdf2:",
        b"$2a$",
        b"$2b$",
        b"$2y$",
        b"$argon2",
        b"$scrypt$",
        b"$1$",
        b"$5$",
        b"$6$",
        b"$apr1$",
        b"$y$",
        b"$gy$",
        b"$7$",
        b"$sha1$",
        b"$md5",
        b"{SSHA}",
        b"{SHA}",
        b"{SSHA512}",
        b"sha1$",
        b"md5$",
        b"bcrypt$",
        b"scrypt:",
        b"argon2$",
    ];
    SCHEMES.iter().any(|s| value.starts_with(s))
}

/// Whether `value` spells the name it is assigned to, or part of it (`"tls13-kdf-key-check"`
/// under `PARAM_TLS13_KDF_KEY_CHECK`, `auth-gost01` under `AuthGOST01`).
pub fn repeats_name(words: &[String], value: &[u8]) -> bool {
    let name: String = words.concat();
    let flat: String = String::from_utf8_lossy(value)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    flat.len() >= 6 && name.contains(&flat)
}

/// Whether `value` is a number literal, with a sign or a type suffix (`-1073610705i32`,
/// `67108864u32`, `0L`).
pub fn is_number_literal(value: &[u8]) -> bool {
    let text = String::from_utf8_lossy(value);
    let text = text.trim_start_matches(['-', '+']);
    // `0xC029201F_u32`: hex digits after `0x`, then an optional `_` before the suffix.
    let (text, hex) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let body_end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || (hex && c.is_ascii_hexdigit())))
        .map_or(text.len(), |(i, _)| i);
    let text = if text[body_end..].starts_with('_') {
        format!("{}{}", &text[..body_end], &text[body_end + 1..])
    } else {
        text.to_string()
    };
    body_end > 0
        && matches!(
            &text[body_end..],
            "" | "i8"
                | "i16"
                | "i32"
                | "i64"
                | "i128"
                | "isize"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "u128"
                | "usize"
                | "L"
                | "UL"
                | "LL"
                | "ULL"
                | "u"
                | "U"
                | "f32"
                | "f64"
        )
}

/// Whether `value` is words and numbers joined by punctuation (`value#fragment`,
/// `apples/oranges`, `SCRAM-SHA-256`, `esnext.typed-array.at`, `Orange-2`).
pub fn is_words(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let parts: Vec<&str> = text
        .split(['#', '/', '.', '_', ':', '-', '@', '*', '+', '&'])
        .filter(|p| !p.is_empty())
        .collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            p.bytes().all(|b| b.is_ascii_digit())
                || (p.bytes().all(|b| b.is_ascii_alphabetic())
                    && (p.bytes().all(|b| b.is_ascii_lowercase())
                        || p.bytes().all(|b| b.is_ascii_uppercase())
                        || filter::is_word_identifier(p.as_bytes())))
        })
}

/// Whether `value` is a camelCase identifier (`htmlChunks`, `isHmrRefresh`, `djb2Hash`):
/// lower-case start, each capital opening a word, few capitals and digits. Random keys have
/// capitals anywhere, often in pairs.
pub fn is_camel_identifier(value: &[u8]) -> bool {
    if !value.first().is_some_and(u8::is_ascii_lowercase)
        || !value.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let uppers = value.iter().filter(|b| b.is_ascii_uppercase()).count();
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    let words_open = value
        .windows(2)
        .all(|w| !w[0].is_ascii_uppercase() || w[1].is_ascii_lowercase());
    (1..=3).contains(&uppers) && digits <= 2 && words_open && value.len() < 24
}

/// Whether `value` calls a function by its path (`Cwd::getcwd();`, `Foo::bar()`): names of
/// three letters or more joined by `::`, then `()`. Random characters do not line up so.
pub fn is_path_call(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let text = text.strip_suffix(';').unwrap_or(text);
    let Some(path) = text.strip_suffix("()") else {
        return false;
    };
    let parts: Vec<&str> = path.split("::").collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            p.len() >= 3
                && p.starts_with(|c: char| c.is_ascii_alphabetic())
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// Whether `value` is a PascalCase type name (`JWTObject`, `AccessToken`, `HTTPClient`): up
/// to four words, each an acronym of two to five capitals or a capitalised word that reads as
/// one.
pub fn is_pascal_identifier(value: &[u8]) -> bool {
    if !value.first().is_some_and(u8::is_ascii_uppercase)
        || !value.iter().all(u8::is_ascii_alphabetic)
        || value.len() > 30
    {
        return false;
    }
    // Split before each capital that opens a lower-case run (`JWTObject` → `JWT`, `Object`).
    let mut words = Vec::new();
    let mut start = 0;
    for i in 1..value.len() {
        let opens = value[i].is_ascii_uppercase()
            && (value[i - 1].is_ascii_lowercase()
                || value.get(i + 1).is_some_and(u8::is_ascii_lowercase));
        if opens {
            words.push(&value[start..i]);
            start = i;
        }
    }
    words.push(&value[start..]);
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            let acronym = (2..=5).contains(&w.len()) && w.iter().all(u8::is_ascii_uppercase);
            let word = w.len() >= 3
                && w[1..].iter().all(u8::is_ascii_lowercase)
                && filter::common_bigram_share(&String::from_utf8_lossy(w).to_ascii_lowercase())
                    >= 0.5;
            acronym || word
        })
        && words
            .iter()
            .any(|w| w.len() >= 3 && w[1..].iter().all(u8::is_ascii_lowercase))
}

/// Whether `value` is a relative file path or a directory (`ssl/worker.key`,
/// `testdata/rsa2048key.pkcs8.der`, `credentials/`).
pub fn is_file_path(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    if !text.contains('/') || filter::holds_non_path_punctuation(value) {
        return false;
    }
    if text.ends_with('/') {
        return true;
    }
    let last = text.rsplit('/').next().unwrap_or("");
    last.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (1..=5).contains(&ext.len())
            && ext
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && ext.bytes().any(|b| b.is_ascii_lowercase())
    })
}

/// Whether a delimited value is prose: words with spaces between (`"SSH password: "`, `"CA
/// private key"`). A generated value may hold a space among random characters (a WordPress
/// salt); its space-separated parts are not words.
pub fn is_prose_words(value: &[u8]) -> bool {
    if !is_prose(value) {
        return false;
    }
    let parts: Vec<&[u8]> = value
        .split(u8::is_ascii_whitespace)
        .filter(|p| !p.is_empty())
        .collect();
    let wordy = |p: &&[u8]| {
        let p = p
            .strip_suffix(b":")
            .or_else(|| p.strip_suffix(b","))
            .or_else(|| p.strip_suffix(b"."))
            .unwrap_or(p);
        p.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'\'' | b'_'))
    };
    parts.len() <= 1 || parts.iter().filter(|p| wordy(p)).count() * 2 >= parts.len()
}

/// Whether `value` is a literal of code: `nil`, `None`, `true`, `undefined`, `this`, `self`.
pub fn is_code_literal(value: &[u8]) -> bool {
    const LITERALS: &[&[u8]] = &[
        b"nil",
        b"null",
        b"none",
        b"true",
        b"false",
        b"undefined",
        b"this",
        b"self",
        b"nan",
        b"void",
    ];
    LITERALS.iter().any(|l| l.eq_ignore_ascii_case(value))
}

/// Whether `value` is a generic type written out (`List[StorageV1TokenRequest]`,
/// `Optional[Dict[str, str]]`, `Promise<AccessToken>`): the type strings of generated
/// clients' models.
pub fn is_type_expression(value: &[u8]) -> bool {
    const GENERICS: &[&[u8]] = &[
        b"List",
        b"Dict",
        b"Optional",
        b"Union",
        b"Set",
        b"Tuple",
        b"Sequence",
        b"Iterable",
        b"Mapping",
        b"Type",
        b"Callable",
        b"list",
        b"dict",
        b"set",
        b"tuple",
        b"Array",
        b"Map",
        b"Vec",
        b"Option",
        b"Promise",
        b"Record",
        b"Partial",
    ];
    let Some(open) = value.iter().position(|b| matches!(b, b'[' | b'<')) else {
        return false;
    };
    let close = if value[open] == b'[' { b']' } else { b'>' };
    GENERICS.contains(&&value[..open])
        && value.last() == Some(&close)
        && value[open..].iter().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'.' | b',' | b' ' | b'[' | b']' | b'<' | b'>')
        })
}

/// Whether `value` is a relative module path (`.models.v1_secret_key_selector`), as a
/// package's lazy-import table names its modules.
pub(super) fn is_module_path(value: &[u8]) -> bool {
    value.len() > 1
        && value[0] == b'.'
        && value[1..].split(|b| *b == b'.').all(|part| {
            part.first()
                .is_some_and(|b| b.is_ascii_lowercase() || *b == b'_')
                && part
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
        })
}

/// Whether `value` sets an option to a word (`StrictHostKeyChecking=no`, `verify=false`).
pub(super) fn is_option_assignment(value: &[u8]) -> bool {
    let Some(eq) = value.iter().position(|b| *b == b'=') else {
        return false;
    };
    let (name, setting) = (&value[..eq], &value[eq + 1..]);
    name.len() >= 4
        && name.iter().all(u8::is_ascii_alphabetic)
        && (1..=8).contains(&setting.len())
        && setting.iter().all(u8::is_ascii_alphabetic)
}

/// Whether `value` is markup (`<i>internal-disk-admin_password</i>`): documentation's
/// placeholder set in italics, not a value.
pub(super) fn is_markup(value: &[u8]) -> bool {
    const TAGS: &[&[u8]] = &[
        b"i", b"b", b"p", b"a", b"em", b"code", b"strong", b"span", b"br", b"li", b"tt", b"pre",
    ];
    let opens_with_tag = value.first() == Some(&b'<')
        && TAGS.iter().any(|tag| {
            value[1..].starts_with(tag) && matches!(value.get(1 + tag.len()), Some(b'>' | b' '))
        });
    opens_with_tag
        || (value.first() == Some(&b'<')
            && value.last() == Some(&b'>')
            && value.windows(2).any(|w| w == b"</"))
}

/// Whether a literal holds options or a phrase of code rather than one value: two `name=v`
/// words or more (`/dev/null chars=ascii_letters,digits length=8`), or a quoted phrase
/// (`variable|default:"Default value"`). Generated values hold no blanks in such places.
pub fn is_options_or_quoted_phrase(value: &[u8]) -> bool {
    let options = value
        .split(|b| *b == b' ')
        .filter(|word| {
            word.iter().position(|b| *b == b'=').is_some_and(|eq| {
                eq >= 2
                    && eq + 1 < word.len()
                    && word[..eq]
                        .iter()
                        .all(|b| b.is_ascii_lowercase() || *b == b'_')
            })
        })
        .count();
    let quoted_phrase = [b'"', b'\''].iter().any(|&q| {
        let mut parts = value.split(|b| *b == q);
        parts.next();
        // The insides of quote pairs: parts 1, 3, 5…
        parts.step_by(2).any(|inside| {
            inside.contains(&b' ') && inside.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 4
        }) && value.iter().filter(|&&b| b == q).count() >= 2
    });
    options >= 2 || quoted_phrase
}

/// Whether `value` runs statements together (`Pr};if(!Qn)throw`, `f({a:[t]});l=`): the
/// punctuation between statements of minified code.
pub fn holds_statement_punctuation(value: &[u8]) -> bool {
    value
        .windows(2)
        .any(|w| matches!(w, b"};" | b");" | b"){" | b"}("))
}

/// Whether `value` is text mostly written as `%XX` escapes (`%F0%9F%92%A9`, an encoder's test
/// vector `%20!%22$%&'()*+,-.%3A%3B`): three escapes or more making up half of it.
pub fn is_percent_encoded_text(value: &[u8]) -> bool {
    let escapes = value
        .windows(3)
        .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
        .count();
    escapes >= 3 && escapes * 3 * 2 >= value.len()
}

/// Whether `value` is itself a name: words joined by `_`, `-` or `.`, one of them a secret
/// word (`x-amz-s3session-token`, `access_token_123`): a header or variable name given as the
/// value, not a key. A key with such a word holds a random part no word reads as
/// (`key-3ax6xnjp29jd6fds4gc373sgvjxteol0`).
pub fn names_itself(value: &[u8]) -> bool {
    if !value
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return false;
    }
    let parts: Vec<&[u8]> = value
        .split(|b| matches!(b, b'_' | b'-' | b'.'))
        .filter(|p| !p.is_empty())
        .collect();
    let secret_word = |p: &[u8]| {
        let lower = p.to_ascii_lowercase();
        [
            &b"token"[..],
            b"key",
            b"secret",
            b"password",
            b"passwd",
            b"apikey",
            b"auth",
        ]
        .contains(&lower.as_slice())
    };
    let word_like = |p: &[u8]| {
        p.iter().all(u8::is_ascii_digit)
            || (p.len() <= 12
                && p.iter().all(u8::is_ascii_alphanumeric)
                && p.iter().filter(|b| b.is_ascii_digit()).count() <= 2
                && p.iter().any(u8::is_ascii_alphabetic)
                && filter::common_bigram_share(&String::from_utf8_lossy(p).to_ascii_lowercase())
                    >= 0.5)
    };
    parts.len() >= 2 && parts.iter().any(|p| secret_word(p)) && parts.iter().all(|p| word_like(p))
}

/// Whether `value` is a UUID.
pub fn is_uuid(value: &[u8]) -> bool {
    value.len() == 36
        && value.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Whether `value` is code rather than a literal: `15.minutes`, `ready?`, `a && b`, `#{x}`,
/// `nil`, `None`, `true`, `undefined`, `this`, `self`.
pub fn is_code(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    const LITERALS: &[&str] = &[
        "nil",
        "null",
        "none",
        "true",
        "false",
        "undefined",
        "this",
        "self",
        "nan",
        "void",
    ];
    if LITERALS.contains(&text.to_ascii_lowercase().as_str()) {
        return true;
    }
    if text.contains("#{") || text.contains("${") || text.contains("{{") || text.contains("%(") {
        return true;
    }
    // A predicate or a bang method: an identifier then `?` or `!`.
    if let Some(head) = text.strip_suffix(['?', '!']) {
        if !head.is_empty() && head.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return true;
        }
    }
    // A number with a method (`15.minutes`, `3.days.ago`).
    let mut parts = text.split('.');
    if parts
        .next()
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && parts.clone().count() >= 1
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    {
        return true;
    }
    // A member chain with a TypeScript non-null assertion or an optional access
    // (`process.env.TOKEN!`, `t.withCredentials?`).
    if let Some(head) = text.strip_suffix(['!', '?']) {
        if head.contains('.')
            && head
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            return true;
        }
    }
    // Unary operators and pipes (`~mask`, `+count`, `|arg|`), quotes inside a value, escaped
    // markup, ternaries and nullish coalescing, lists (`a,b,c`).
    // Base64 has `+` anywhere, doubled too; code does not look like base64.
    let base64_like = value.len() >= 20
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && value.iter().any(u8::is_ascii_digit)
        && value.iter().any(u8::is_ascii_uppercase)
        && value.iter().any(u8::is_ascii_lowercase);
    if holds_statement_punctuation(value) {
        return true;
    }
    // A member chain with non-null assertions inside (`this.meta.data!.question!.key`).
    if text.contains("!.")
        && text.split('.').count() >= 3
        && text.split('.').all(|p| {
            let p = p.trim_end_matches(['!', '?']);
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    {
        return true;
    }
    if (!base64_like && (text.starts_with('+') || text.contains("++")))
        || text.starts_with(['~', '|', ',', ';'])
        || text.ends_with(':')
        || text.contains('|')
        || text.ends_with(":*")
        || text.ends_with("/*")
        || text.ends_with(".*")
        || text.ends_with('|')
        || text.contains(['"', '\'', '`'])
        || text.contains("&lt;")
        || text.contains("&gt;")
        || text.contains("??")
        || text.contains("?.")
        || (!base64_like && (text.ends_with('+') || text.contains("+=")))
        || (text.contains('?') && text.contains(':'))
        || text.matches(',').count() >= 2
    {
        return true;
    }
    // Operators; base64 padding (`…==`) is not one. An assignment inside a value is code
    // (`t.sig=sig`, `StrictHostKeyChecking=no`): what stands before its `=` is a name.
    let body = text.trim_end_matches('=');
    let assignment = body.split_once('=').is_some_and(|(left, right)| {
        let name = |t: &str| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'))
        };
        // Minified code assigns a member to a one-letter name (`t=o.PasswordRecoveryFlow`).
        let member = right.contains('.')
            && right.split('.').all(|p| {
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
        name(left)
            && ((left.len() >= 3
                && (left.contains('.') || filter::is_word_identifier(left.as_bytes())))
                || (left.len() <= 2 && member))
    });
    assignment
        || body.contains("&&")
        || body.contains("||")
        || body.contains("==")
        || body.contains("->")
}

/// Whether `line` is an entry of a message table: `NAME:123:text` (openssl's error tables).
pub fn is_message_table(line: &[u8]) -> bool {
    let line = line.trim_ascii();
    let mut parts = line.splitn(3, |b| *b == b':');
    let (Some(name), Some(number), Some(_text)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
        && !number.is_empty()
        && number.iter().all(u8::is_ascii_digit)
}

/// Where a value stands: inside a literal (its delimiter ends it, punctuation is part of it),
/// or bare, where code can stand; and whether the file is code, where a bare word may be a
/// variable's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The value is delimited (quoted, XML text, a block scalar).
    pub delimited: bool,
    /// The file is source code, not config.
    pub code_file: bool,
}

impl Slot {
    /// A bare value in source code, where a word may be a variable's name.
    pub const CODE: Slot = Slot {
        delimited: false,
        code_file: true,
    };

    /// A bare value in a config file or an environment dump.
    pub const CONFIG: Slot = Slot {
        delimited: false,
        code_file: false,
    };
}

/// The entropy a value of `len` characters needs: random strings of 8 characters reach about
/// 2.8 bits, of 16 about 3.5, of 32 and more (hex included) about 3.6.
pub(super) fn min_entropy_for(len: usize) -> f64 {
    match len {
        0..=11 => 2.5,
        12..=19 => 2.8,
        _ => 3.0,
    }
}
