//! Code shapes: the punctuation and the name chains of code (`getenv(`, `&key`,
//! `Token::Start`, `0..len`), regexes, and the punctuation paths do not hold.

use super::identifier::is_identifier;

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
pub(super) fn is_type_path(text: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::filter::is_plausible_secret_value;

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
}
