//! A pattern's leading separator, `(?:^|[^A-Za-z0-9_-])KEY…`, read as a check of the byte
//! before the match instead of as part of the regex.
//!
//! Written in the regex, the separator comes first, and a regex that can start with almost any
//! byte has no literal to search for: the regex engine then runs its automaton over every byte
//! of the file. Without it, the regex starts at the key's own prefix (`EAA`, `sq0atp-`), which
//! the engine finds with a vectorised substring search, and the check of the byte before costs
//! nothing. It also finds two keys that one separator parts (`KEY1,KEY2`), which the written
//! regex misses: the first match consumes the separator the second needs.

use regex::bytes::{Captures, Regex, RegexBuilder};

use super::literals;
use regex_syntax::ast::{self, Ast};

/// The bytes that may come before a match (the start of the text always may).
#[derive(Debug, Clone)]
pub struct Before([bool; 256]);

impl Before {
    /// Whether a match may start at `start` in `data`.
    pub fn allows(&self, data: &[u8], start: usize) -> bool {
        start == 0 || self.0[data[start - 1] as usize]
    }
}

/// Splits `pattern` into the check of the byte before a match and the rest of the pattern, when
/// it starts with `(?:^|CLASS)` for one class (`[^…]`, `[…]`, `\s`) and every match of the rest
/// starts with one of a few literals; `None` for any other shape. The rest starts with `\b`
/// when the class is a word boundary's.
pub fn split(pattern: &str) -> Option<(Before, String)> {
    let parsed = ast::parse::Parser::new().parse(pattern).ok()?;
    let Ast::Concat(concat) = &parsed else {
        return None;
    };
    let Some(Ast::Group(group)) = concat.asts.first() else {
        return None;
    };
    if !matches!(group.kind, ast::GroupKind::NonCapturing(ref flags) if flags.items.is_empty()) {
        return None;
    }
    let Ast::Alternation(alternation) = group.ast.as_ref() else {
        return None;
    };
    let [Ast::Assertion(start), class] = alternation.asts.as_slice() else {
        return None;
    };
    // `^` is the start of the text: the group comes first, so no `(?m)` precedes it.
    let starts = [ast::AssertionKind::StartLine, ast::AssertionKind::StartText];
    if !starts.contains(&start.kind) || !matches!(class, Ast::ClassBracketed(_) | Ast::ClassPerl(_))
    {
        return None;
    }
    let class = &pattern[class.span().start.offset..class.span().end.offset];
    let class = RegexBuilder::new(&format!("^{class}$"))
        .unicode(false)
        .build()
        .ok()?;
    let mut allowed = [false; 256];
    for (byte, allowed) in allowed.iter_mut().enumerate() {
        *allowed = class.is_match(&[byte as u8]);
    }
    let rest = &pattern[group.span.end.offset..];
    let first = literals::first_literals_of(rest)?;
    // A separator that is never a word byte, before a key that starts with one, is a word
    // boundary as well. Written out, `\b` keeps the regex engine from starting a match at every
    // first literal inside a run of word bytes: with a counted repetition after it
    // (`[MNO][A-Za-z0-9_-]{22,26}`), each such start is tracked at once, and the automaton's
    // states outgrow its cache.
    let word = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let separator_is_boundary = (0..=255u8).all(|byte| !allowed[byte as usize] || !word(byte))
        && first.iter().all(|literal| word(literal[0]));
    let rest = if separator_is_boundary {
        format!(r"\b{rest}")
    } else {
        rest.to_string()
    };
    Some((Before(allowed), rest))
}

/// Every match of `regex` in `data`, left to right without overlaps, whose byte before `before`
/// allows: what the written pattern finds, and the keys it misses for want of a separator.
pub fn captures_iter<'a>(
    regex: &'a Regex,
    before: &'a Before,
    data: &'a [u8],
) -> impl Iterator<Item = Captures<'a>> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at <= data.len() {
            let caps = regex.captures_at(data, at)?;
            let whole = caps.get(0).expect("group 0 always exists");
            if !before.allows(data, whole.start()) {
                at = whole.start() + 1;
                continue;
            }
            at = whole.end().max(whole.start() + 1);
            return Some(caps);
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex(pattern: &str) -> Regex {
        RegexBuilder::new(pattern).unicode(false).build().unwrap()
    }

    fn found(pattern: &str, text: &str) -> Vec<String> {
        let (before, rest) = split(pattern).expect("a leading separator");
        let rest = regex(&rest);
        captures_iter(&rest, &before, text.as_bytes())
            .map(|caps| String::from_utf8(caps[1].to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn only_a_leading_start_or_class_group_is_split() {
        let (_, rest) = split(r"(?:^|[^A-Za-z0-9_-])(EAA[a-z]{3})(?:[^a-z]|$)").unwrap();
        assert_eq!(rest, r"\b(EAA[a-z]{3})(?:[^a-z]|$)");
        let (_, rest) = split(r"(?:^|\s)-p(x)").unwrap();
        assert_eq!(rest, "-p(x)", "no word byte to start the key");
        let (_, rest) = split(r"(?:^|[^A-Za-z0-9_.-])([MNO][A-Za-z0-9_-]{22})").unwrap();
        assert_eq!(rest, r"\b([MNO][A-Za-z0-9_-]{22})");
        let (_, rest) = split(r"(?:^|[^A-Za-z0-9.-])(EAA[a-z]{3})").unwrap();
        assert_eq!(
            rest, "(EAA[a-z]{3})",
            "`_` may come before: no word boundary"
        );
        for other in [
            r"(EAA[a-z]{3})",
            r"(?:^|[^a-z]|/bot)([0-9]{8})",
            r"(?i:^|[^a-z])(x)",
            r"(?:[^a-z]|^)(x)",
            r"((?:^|[^a-z])x)",
            r"(?:^|[^a-z])",
            r"(?m)(?:^|[^a-z])(x)",
            // No literal to start from: the separator stays in the regex.
            r#"(?:^|[\s"'=])(?P<user>[A-Za-z_][a-z]{0,9}):(x)"#,
        ] {
            let split = split(other).map(|(_, rest)| rest);
            assert!(split.is_none(), "{other} split as {split:?}");
        }
    }

    #[test]
    fn the_byte_before_is_checked_as_the_separator_would_have_been() {
        let pattern = r"(?:^|[^A-Za-z0-9_-])(EAA[a-z]{3})(?:[^a-z]|$)";
        assert_eq!(found(pattern, "EAAabc"), ["EAAabc"]);
        assert_eq!(found(pattern, "x=EAAabc;"), ["EAAabc"]);
        assert_eq!(found(pattern, "xEAAabc EAAdef"), ["EAAdef"]);
        assert_eq!(found(pattern, "_EAAabc -EAAabc"), Vec::<String>::new());
        // A rejected start does not hide a later match that overlaps it.
        assert_eq!(found(pattern, "xEAAEAAabc"), Vec::<String>::new());
        assert_eq!(found(pattern, "x.EAAabc"), ["EAAabc"]);
        // One separator between two keys: the written pattern finds only the first.
        assert_eq!(found(pattern, "EAAabc,EAAdef"), ["EAAabc", "EAAdef"]);
        let written = regex(pattern);
        assert_eq!(written.captures_iter(b"EAAabc,EAAdef").count(), 1);
    }

    #[test]
    fn the_check_agrees_with_the_written_pattern_on_separated_keys() {
        let pattern = r"(?:^|[^A-Za-z0-9_+/-])(EAA[A-Za-z0-9]{4,6})(?:[^A-Za-z0-9_+/=\\-]|$)";
        let written = regex(pattern);
        let texts = [
            "token=EAAabcdef\n",
            "a EAA12345 b",
            "/EAAabcdef ",
            "EAAabcdefghijk",
            "\"EAAabcd\" 'EAAabce'",
            "xEAAabcd EAAabcz\\",
            "é EAAabcd",
        ];
        for text in texts {
            let expected: Vec<String> = written
                .captures_iter(text.as_bytes())
                .map(|caps| String::from_utf8(caps[1].to_vec()).unwrap())
                .collect();
            assert_eq!(found(pattern, text), expected, "{text:?}");
        }
    }
}
