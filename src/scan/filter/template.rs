//! Templates and references: a value that names where its characters come from (`${NAME}`,
//! `{{ x }}`, `%(name)s`, `<%= x %>`, `<your-key>`, `$NAME`, `%APPDATA%`) rather than
//! holding them.

use super::identifier::{common_bigram_share, is_identifier};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::filter::is_placeholder;

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
}
