//! The repository list of `--repos` and its shards.
//!
//! One repository per line: a local path (working tree or bare) or a clone URL, optionally
//! followed by whitespace and a name; `#` at the start of a line or after whitespace starts a
//! comment. A repository's name is the name column, else the line as written; its shard is
//! FNV-1a 64 of the name's UTF-8 bytes modulo N, so any tool can reproduce the split.

use std::collections::HashMap;
use std::fmt;

use crate::error::{Error, Result};

/// FNV-1a 64 offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64 prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// Shard `index` of `count` (0 <= index < count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// Parses `I/N`; `4/4`, `x/3` and `1/0` are refused with a message saying why.
    pub fn parse(text: &str) -> Result<Self> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| Error::Value(format!("`{text}`: expected I/N, such as 0/4")))?;
        let number = |s: &str| {
            s.trim().parse::<u64>().map_err(|_| {
                Error::Value(format!(
                    "`{text}`: expected I/N with whole numbers, such as 0/4"
                ))
            })
        };
        let (index, count) = (number(i)?, number(n)?);
        if count == 0 {
            return Err(Error::Value(format!("`{text}`: N must be at least 1")));
        }
        if index >= count {
            return Err(Error::Value(format!(
                "`{text}`: I must be below N (shards are numbered 0 to {})",
                count - 1
            )));
        }
        Ok(Self { index, count })
    }

    /// Whether the repository named `name` belongs to this shard.
    pub fn holds(&self, name: &str) -> bool {
        fnv1a64(name.as_bytes()) % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Where a repository is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A local working tree or bare repository.
    Local(std::path::PathBuf),
    /// A clone URL (`https://`, `ssh://`, `git@host:path`, `file://`, ...).
    Url(String),
}

/// One listed repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoEntry {
    /// Where it is, as written.
    pub place: Place,
    /// The location as written, any password in a URL redacted: safe to report.
    pub shown: String,
    /// The name column, else the line as written (hashed for the shard).
    pub name: String,
    /// The name as reported in `repo`: any password redacted.
    pub display_name: String,
    /// 1-based line in the list.
    pub line: usize,
}

/// Whether `text` is a clone URL rather than a local path: a scheme (`https://`), or git's
/// scp-like syntax (`git@host:path`: a colon before any slash, and more than a drive letter).
pub fn is_url(text: &str) -> bool {
    if text.contains("://") {
        return true;
    }
    match (text.find(':'), text.find('/')) {
        (Some(colon), slash) => colon > 1 && slash.is_none_or(|s| colon < s),
        (None, _) => false,
    }
}

/// `text` with the password of every `scheme://user:password@host` in it replaced by `***`;
/// a URL's password never reaches a report, an error or a log.
pub fn redact_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme) = rest.find("://") {
        let authority_start = scheme + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let end = after
            .find(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Parses a repository list. `source` names it in errors (`repos.txt:3: ...`). Names must be
/// unique: they tell locations of different repositories apart.
pub fn parse_list(source: &str, text: &str) -> Result<Vec<RepoEntry>> {
    let mut entries = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = strip_comment(raw).trim();
        if content.is_empty() {
            continue;
        }
        let (location, name) = match content.split_once(char::is_whitespace) {
            Some((location, name)) => (location, name.trim()),
            None => (content, ""),
        };
        let name = if name.is_empty() { content } else { name };
        let place = if is_url(location) {
            Place::Url(location.to_string())
        } else {
            Place::Local(location.into())
        };
        let display_name = redact_url_passwords(name);
        if let Some(first) = seen.insert(name.to_string(), line) {
            return Err(Error::Org(format!(
                "{source}:{line}: repository name `{display_name}` is already used on line {first}: give one of them another name"
            )));
        }
        entries.push(RepoEntry {
            place,
            shown: redact_url_passwords(location),
            name: name.to_string(),
            display_name,
            line,
        });
    }
    Ok(entries)
}

/// The line without its comment: `#` at its start or after whitespace.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    (0..bytes.len())
        .find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))
        .map_or(line, |i| &line[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_vectors() {
        // From the FNV reference test suite (draft-eastlake-fnv): "", "a", "foobar".
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn shards_parse_and_refuse() {
        assert_eq!(Shard::parse("0/4").unwrap(), Shard { index: 0, count: 4 });
        assert_eq!(Shard::parse("3/4").unwrap().to_string(), "3/4");
        for bad in ["4/4", "x/3", "1/0", "1", "-1/3", "1/3/4", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_name_falls_in_exactly_one_shard() {
        for name in ["alpha", "git@host:org/beta.git", "https://h/x.git", "ü"] {
            let holding = (0..5)
                .filter(|&index| Shard { index, count: 5 }.holds(name))
                .count();
            assert_eq!(holding, 1, "{name}");
            assert!(Shard { index: 0, count: 1 }.holds(name));
        }
        let a = fnv1a64(b"a");
        assert!(Shard {
            index: a % 7,
            count: 7
        }
        .holds("a"));
    }

    #[test]
    fn lists_have_names_comments_and_urls() {
        let text = "# the org\n\n/srv/repos/a   alpha  # first\n\
                    https://user:hunter2@git.example/org/b.git\n\
                    git@github.com:org/c.git gamma\n  ./local#1  \n";
        let entries = parse_list("repos.txt", text).unwrap();
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].name, "alpha");
        assert_eq!(entries[0].place, Place::Local("/srv/repos/a".into()));
        assert_eq!(
            entries[1].name,
            "https://user:hunter2@git.example/org/b.git"
        );
        assert_eq!(
            entries[1].display_name,
            "https://user:***@git.example/org/b.git"
        );
        assert!(matches!(entries[1].place, Place::Url(_)));
        assert_eq!(entries[2].name, "gamma");
        assert!(matches!(entries[2].place, Place::Url(_)));
        // `#` inside a word is not a comment.
        assert_eq!(entries[3].name, "./local#1");
        assert_eq!(entries[3].line, 6);
    }

    #[test]
    fn duplicate_names_are_refused_with_their_lines() {
        let err = parse_list("l", "a one\nb one\n").unwrap_err().to_string();
        assert!(err.starts_with("l:2:") && err.contains("line 1"), "{err}");
    }

    #[test]
    fn urls_and_paths_are_told_apart() {
        for url in [
            "https://h/x",
            "ssh://git@h/x",
            "file:///srv/x.git",
            "git@h:org/x.git",
            "host:x",
        ] {
            assert!(is_url(url), "{url}");
        }
        for path in ["/srv/x", "./x", "x", "C:\\x", "dir/a:b"] {
            assert!(!is_url(path), "{path}");
        }
    }

    #[test]
    fn passwords_are_redacted_wherever_urls_appear() {
        assert_eq!(
            redact_url_passwords("fatal: 'https://u:p4ss@h/x' and ssh://git@h/y https://h/z"),
            "fatal: 'https://u:***@h/x' and ssh://git@h/y https://h/z"
        );
        assert_eq!(redact_url_passwords("no url"), "no url");
    }
}
