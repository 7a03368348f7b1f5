//! Where a match sits: line and column, whether its line carries an inline `keyaudit:allow`,
//! and the variable it is assigned to (`NAME=value`, `name: value`, `"name": "value"`).

use std::sync::OnceLock;

use memchr::memmem;
use regex::bytes::Regex;

/// The marker that suppresses findings on its line.
pub const ALLOW_MARKER: &[u8] = b"keyaudit:allow";

/// How far before a match to look for the variable it is assigned to.
const VARIABLE_LOOKBEHIND: usize = 256;

/// Line starts of one blob, built only when the blob has matches.
pub struct LineIndex<'a> {
    data: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
        Self { data, starts }
    }

    /// 0-based line number of the byte at `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// The bytes of the line holding `offset`, without its line end.
    fn line_bytes(&self, line: usize) -> &'a [u8] {
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.data.len(), |next| next - 1);
        let bytes = &self.data[start..end.max(start)];
        bytes.strip_suffix(b"\r").unwrap_or(bytes)
    }

    /// 1-based line and column (in characters) of `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let before = &self.data[self.starts[line]..offset];
        // Count UTF-8 lead bytes: each starts one character (invalid bytes count as one).
        let column = before.iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        (line + 1, column)
    }

    /// Whether the first or last line of `start..end` holds the inline allow marker.
    pub fn is_allowed(&self, start: usize, end: usize) -> bool {
        let first = self.line_of(start);
        let last = self.line_of(end.saturating_sub(1).max(start));
        [first, last]
            .iter()
            .any(|&line| memmem::find(self.line_bytes(line), ALLOW_MARKER).is_some())
    }

    /// The name of the variable or key whose value holds the match starting at `offset`.
    pub fn variable(&self, offset: usize) -> Option<String> {
        let line_start = self.starts[self.line_of(offset)];
        let from = offset.saturating_sub(VARIABLE_LOOKBEHIND).max(line_start);
        let before = &self.data[from..offset];
        let mut best = None;
        let mut search_from = 0;
        // Candidates may overlap (`Environment="NAME=value"`): restart after each one's start.
        while let Some(caps) = assignment_regex().captures_at(before, search_from) {
            let whole = caps.get(0).expect("group 0 always exists");
            search_from = whole.start() + 1;
            // `scheme://` is not an assignment to `scheme`.
            let separator = caps.get(2).map_or(&b""[..], |m| m.as_bytes());
            if separator == b":" && before[whole.end()..].starts_with(b"//") {
                continue;
            }
            // The value must run unbroken from the assignment to the match.
            let between = &before[whole.end()..];
            if between
                .iter()
                .all(|b| !b.is_ascii_whitespace() && *b != b',' && *b != b';')
            {
                best = caps
                    .get(1)
                    .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
            }
        }
        if best.is_none() && netrc_password_regex().is_match(before) {
            best = Some("password".into());
        }
        best
    }
}

fn assignment_regex() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| {
        Regex::new(
            r#"(?:^|[\s,{;(=:\[])(?:export\s+|declare\s+-x\s+|set\s+)?["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*(=>|:=|=|:)\s*["']?"#,
        )
        .expect("assignment regex is valid")
    })
}

/// `password VALUE` as `.netrc` writes it, right before the match.
fn netrc_password_regex() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| Regex::new(r"(?:^|\s)password\s+$").expect("netrc regex is valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variable_before(text: &str, needle: &str) -> Option<String> {
        let index = LineIndex::new(text.as_bytes());
        index.variable(text.find(needle).unwrap())
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let data = "first\nsé KEY\r\nthird".as_bytes();
        let index = LineIndex::new(data);
        let offset = data.windows(3).position(|w| w == b"KEY").unwrap();
        assert_eq!(index.position(offset), (2, 4));
        assert_eq!(index.position(0), (1, 1));
    }

    #[test]
    fn allow_marker_on_the_line_suppresses() {
        let data = b"a = 1\nkey = abc # keyaudit:allow\nb = 2";
        let index = LineIndex::new(data);
        assert!(index.is_allowed(12, 15));
        assert!(!index.is_allowed(0, 3));
    }

    #[test]
    fn finds_variables_in_common_shapes() {
        assert_eq!(
            variable_before("API_TOKEN=abc123", "abc"),
            Some("API_TOKEN".into())
        );
        assert_eq!(
            variable_before("export API_TOKEN=\"abc\"", "abc"),
            Some("API_TOKEN".into())
        );
        assert_eq!(
            variable_before("declare -x TOKEN='abc'", "abc"),
            Some("TOKEN".into())
        );
        assert_eq!(variable_before("  token: abc", "abc"), Some("token".into()));
        assert_eq!(
            variable_before(r#"{"api_key": "abc"}"#, "abc"),
            Some("api_key".into())
        );
        assert_eq!(
            variable_before("DATABASE_URL=postgres://app:s3cr3t@db/x", "s3cr3t"), // keyaudit:allow
            Some("DATABASE_URL".into())
        );
        assert_eq!(
            variable_before("Environment=\"SLACK_TOKEN=abc\"", "abc"),
            Some("SLACK_TOKEN".into())
        );
        assert_eq!(
            variable_before("//registry.npmjs.org/:_authToken=abc", "abc"),
            Some("_authToken".into())
        );
        assert_eq!(
            variable_before(r#""Env": ["PATH=/bin", "API_TOKEN=abc"]"#, "abc"),
            Some("API_TOKEN".into())
        );
        assert_eq!(
            variable_before("machine h login me password abc", "abc"),
            Some("password".into())
        );
        assert_eq!(
            variable_before("git clone https://x-access-token:abc@github.com/o/r", "abc"),
            None
        );
        assert_eq!(variable_before("call(abc)", "abc"), None);
        assert_eq!(variable_before("x = 1, abc", "abc"), None);
    }
}
