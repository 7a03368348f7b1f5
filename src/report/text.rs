//! Plain-text helpers every view shares (the tables, the Markdown, the HTML pages and their
//! charts, `db report`): counted nouns, cut labels, missing numbers and dates.

/// `s` unless `n` is one: `format!("{n} key{}", plural(n))`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `n` and `word`, plural unless `n` is one: `3 keys`, `1 run`.
pub fn counted(n: usize, word: &str) -> String {
    format!("{n} {word}{}", plural(n))
}

/// A number, or `-` when there is none (a count a scan does not make).
pub fn or_dash(value: Option<u64>) -> String {
    value.map_or_else(|| "-".to_string(), |n| n.to_string())
}

/// The date part of an RFC 3339 time.
pub fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

/// At most `max` characters, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_dates_and_cuts() {
        assert_eq!(counted(1, "key"), "1 key");
        assert_eq!(counted(0, "new key"), "0 new keys");
        assert_eq!(or_dash(None), "-");
        assert_eq!(or_dash(Some(7)), "7");
        assert_eq!(day("2026-11-23T10:00:00Z"), "2026-11-23");
        assert_eq!(day("soon"), "soon");
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("ééééééé", 3).chars().count(), 3);
    }
}
