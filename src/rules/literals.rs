//! What a pattern's syntax says about every match it can make: the literals each match starts
//! with, and how long a match can be. The scanner uses them to run a rule's regex only where
//! one of its keywords occurs, in a window no longer than a match, when that costs less than
//! the regex engine's own search of the whole blob.

use regex::bytes::{Captures, Regex};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::Hir;

/// More first literals than this are no better than most bytes.
const MOST_LITERALS: usize = 16;

/// The longest match a rule may have to run in windows: windows as long as the blob they
/// search would cost more than one search of it.
const LONGEST_WINDOW: usize = 4096;

/// The pattern's syntax tree, as the regex crate reads it (bytes, no Unicode classes).
fn parse(pattern: &str) -> Option<Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()
}

/// The few literals one of which every match of `hir` starts with, case as written; `None`
/// when a match may start with more than a few strings.
fn first_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let literals = prefixes.literals()?;
    let few = !literals.is_empty()
        && literals.len() <= MOST_LITERALS
        && literals.iter().all(|literal| !literal.is_empty());
    few.then(|| literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// The few literals one of which every match of `pattern` starts with (`EAA`, `AKIA|ABIA`,
/// `[MNO]`), which the regex engine searches for before it runs its automaton; `None` when a
/// match may start with more than a few strings.
pub fn first_literals_of(pattern: &str) -> Option<Vec<Vec<u8>>> {
    first_literals(&parse(pattern)?)
}

/// Where a rule's matches can start and how far they reach, for a rule whose every match starts
/// with one of its keywords.
#[derive(Debug, Clone)]
pub struct Anchors {
    /// The literals one of which every match starts with, case as written.
    pub first: Vec<Vec<u8>>,
    /// The longest match, in bytes.
    pub longest: usize,
}

impl Anchors {
    /// The anchors of `pattern` when each of its first literals starts with one of `keywords`
    /// (lowercase, matched in either case) and its matches have a longest length: then a
    /// match starts only where a keyword occurs. `None` otherwise.
    pub fn of(pattern: &str, keywords: &[String]) -> Option<Self> {
        let hir = parse(pattern)?;
        let longest = hir.properties().maximum_len()?;
        if longest > LONGEST_WINDOW {
            return None;
        }
        let first = first_literals(&hir)?;
        let keyed = first.iter().all(|literal| {
            keywords.iter().any(|keyword| {
                literal.len() >= keyword.len()
                    && literal[..keyword.len()].eq_ignore_ascii_case(keyword.as_bytes())
            })
        });
        keyed.then_some(Self { first, longest })
    }

    /// Whether a match may start at `start` in `data`: one of the first literals is there.
    pub fn may_start(&self, data: &[u8], start: usize) -> bool {
        let rest = &data[start..];
        self.first.iter().any(|literal| rest.starts_with(literal))
    }

    /// The match of `regex` that starts at `start` in `data`, if any: the regex runs over a
    /// window one byte longer than its longest match, so that what follows a match (`\b`, `$`)
    /// reads as in the whole blob, and what precedes it is the blob's.
    pub fn match_at<'h>(
        &self,
        regex: &Regex,
        data: &'h [u8],
        start: usize,
    ) -> Option<Captures<'h>> {
        let end = start
            .saturating_add(self.longest)
            .saturating_add(1)
            .min(data.len());
        // Most starts match nothing: a search that only says whether one does costs a fraction
        // of one that allocates and fills the groups.
        if !regex.is_match_at(&data[..end], start) {
            return None;
        }
        let caps = regex.captures_at(&data[..end], start)?;
        let whole = caps.get(0).expect("group 0 always exists");
        (whole.start() == start).then_some(caps)
    }
}

#[cfg(test)]
mod tests {
    use regex::bytes::RegexBuilder;

    use super::*;

    fn keywords(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn a_pattern_is_anchored_when_its_first_literals_start_with_its_keywords() {
        let aws = r"\b((?:AKIA|ABIA|ACCA)[A-Z0-9]{16})\b";
        let anchors = Anchors::of(aws, &keywords(&["akia", "abia", "acca"])).unwrap();
        assert_eq!(anchors.first.len(), 3);
        assert_eq!(anchors.longest, 20);
        // A keyword that is context, not part of the key, anchors nothing.
        assert!(Anchors::of(r"([MNO][a-z]{20})", &keywords(&["discord"])).is_none());
        // Nor does a match of no longest length, or one that may start anywhere.
        assert!(Anchors::of(r"(ghp_[a-z]{20,})", &keywords(&["ghp_"])).is_none());
        assert!(Anchors::of(r"(ghp_[a-z]{20,5000})", &keywords(&["ghp_"])).is_none());
        assert!(Anchors::of(r"[a-z]+_(x)", &keywords(&["_"])).is_none());
        // A case-insensitive pattern's literals are spelled every way, each a keyword's.
        let either = Anchors::of(r"(?i)(tok_[0-9]{4})", &keywords(&["tok_"])).unwrap();
        assert_eq!(either.first.len(), 8);
    }

    #[test]
    fn a_match_at_a_start_reads_as_in_the_whole_blob() {
        let pattern = r"\b(AC[0-9a-f]{4})\b";
        let regex = RegexBuilder::new(pattern).unicode(false).build().unwrap();
        let anchors = Anchors::of(pattern, &keywords(&["ac"])).unwrap();
        let data = b"x AC12ab AC12abc xAC1234 AC99ff";
        let found: Vec<usize> = (0..data.len())
            .filter(|&at| anchors.may_start(data, at))
            .filter_map(|at| anchors.match_at(&regex, data, at))
            .map(|caps| caps.get(0).unwrap().start())
            .collect();
        let whole: Vec<usize> = regex.find_iter(data).map(|m| m.start()).collect();
        assert_eq!(found, whole);
        assert_eq!(found, [2, 25]);
        // Lower case is no start for an upper-case literal.
        assert!(!anchors.may_start(b"ac1234", 0));
    }
}
