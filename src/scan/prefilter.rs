//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords (ASCII
//! case-insensitive, `keyword_dfa`) decides which rules can possibly match a blob, so only
//! their regexes run. It also records where each keyword occurs: line-scoped rules' patterns
//! run only on those lines, and a rule whose matches start with its keywords only there.
//!
//! Walking every byte through the automaton is the largest cost of a scan. A blob that a pack
//! stores as a delta of one already scanned is mostly copied from it: its keyword occurrences
//! are those of the base inside each copied stretch, moved, plus what the automaton finds
//! around the inserted bytes and the seams between stretches ([`Prefilter::translate`]).

use std::sync::OnceLock;

use super::keyword_dfa::KeywordDfa;
use crate::rules::RuleSet;
use crate::source::Copied;

/// Every keyword occurrence in a blob: (start, keyword), ordered by start then keyword.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KeywordHits(Vec<(usize, u32)>);

/// Maps keyword occurrences in a blob to candidate rules.
#[derive(Debug)]
pub struct Prefilter {
    /// The distinct keywords, in the order of `keyword_len` and `rules_by_keyword`.
    keywords: Vec<String>,
    /// Their automaton, built when the first blob is read: a run that reads nothing (an empty
    /// directory, a hook with nothing staged) never pays for it.
    automaton: OnceLock<KeywordDfa>,
    /// Each keyword's length in bytes.
    keyword_len: Vec<usize>,
    /// For each distinct keyword, the rules that list it.
    rules_by_keyword: Vec<Vec<usize>>,
    /// For each rule, its keywords.
    keywords_by_rule: Vec<Vec<u32>>,
    /// Rules without keywords: always candidates.
    always: Vec<usize>,
    /// Keywords of line-scoped rules, whose every occurrence is recorded.
    positional: Vec<bool>,
    rule_count: usize,
}

/// What the prefilter found in one blob.
#[derive(Debug, Default)]
pub struct Candidates {
    /// Whether each rule may match.
    pub rules: Vec<bool>,
    /// Where each keyword occurs: keyword `k`'s starts, in order, are
    /// `starts[first_start[k]..first_start[k + 1]]`.
    starts: Vec<usize>,
    first_start: Vec<u32>,
    /// For line-scoped rules: (rule, start, end) of every keyword occurrence, in order.
    pub positions: Vec<(usize, usize, usize)>,
}

impl Prefilter {
    /// Builds the automaton for a rule set.
    pub fn new(rules: &RuleSet) -> Self {
        let mut keywords: Vec<String> = Vec::new();
        let mut rules_by_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        let mut positional: Vec<bool> = Vec::new();
        for (index, rule) in rules.rules().iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(index);
            }
            for keyword in &rule.keywords {
                match keywords.iter().position(|k| k == keyword) {
                    Some(at) => {
                        rules_by_keyword[at].push(index);
                        positional[at] |= rule.is_line_scoped();
                    }
                    None => {
                        keywords.push(keyword.clone());
                        rules_by_keyword.push(vec![index]);
                        positional.push(rule.is_line_scoped());
                    }
                }
            }
        }
        let mut keywords_by_rule = vec![Vec::new(); rules.rules().len()];
        for (keyword, rules) in rules_by_keyword.iter().enumerate() {
            for &rule in rules {
                keywords_by_rule[rule].push(keyword as u32);
            }
        }
        Self {
            keywords_by_rule,
            automaton: OnceLock::new(),
            keyword_len: keywords.iter().map(String::len).collect(),
            rules_by_keyword,
            always,
            positional,
            rule_count: rules.rules().len(),
            keywords,
        }
    }

    /// The keyword automaton, built on first use; `None` without keywords.
    fn automaton(&self) -> Option<&KeywordDfa> {
        if self.keywords.is_empty() {
            return None;
        }
        Some(
            self.automaton
                .get_or_init(|| KeywordDfa::new(&self.keywords)),
        )
    }

    /// Which rules may match `data`, and where line-scoped rules' keywords are.
    pub fn candidates(&self, data: &[u8], line_scoped: &[bool]) -> Candidates {
        self.candidates_from(&self.occurrences(data), line_scoped)
    }

    /// Every keyword occurrence in `data`.
    pub fn occurrences(&self, data: &[u8]) -> KeywordHits {
        let mut hits = Vec::new();
        self.find_into(data, 0, &mut hits, |_, _| true);
        sort_by_start(&mut hits);
        KeywordHits(hits)
    }

    /// Every keyword occurrence in `data`, a blob made of the stretches `copied` from a base
    /// whose occurrences are `base` and of inserted bytes between them: exactly what
    /// [`Prefilter::occurrences`] finds in `data`, with the automaton run only near the inserted
    /// bytes and the seams. `copied` is in the blob's order and within both blobs.
    pub fn translate(&self, base: &KeywordHits, copied: &[Copied], data: &[u8]) -> KeywordHits {
        self.translate_within(base, copied, data, data.len() / 2)
            .unwrap_or_else(|| self.occurrences(data))
    }

    /// [`Prefilter::translate`], or `None` when it would search more than `most` bytes.
    fn translate_within(
        &self,
        base: &KeywordHits,
        copied: &[Copied],
        data: &[u8],
        most: usize,
    ) -> Option<KeywordHits> {
        let reach = self.keyword_len.iter().copied().max().unwrap_or(1);
        let mut hits = Vec::new();
        // Occurrences wholly inside a copied stretch were found in the base.
        for stretch in copied {
            let first = base.0.partition_point(|&(start, _)| start < stretch.from);
            for &(start, keyword) in &base.0[first..] {
                if start >= stretch.from + stretch.len {
                    break;
                }
                if start + self.keyword_len[keyword as usize] <= stretch.from + stretch.len {
                    hits.push((start - stretch.from + stretch.to, keyword));
                }
            }
        }
        // Any other occurrence touches an inserted byte or spans a seam: it lies within a
        // keyword's length of one. Search those windows for the occurrences not found above.
        let mut windows: Vec<(usize, usize)> = Vec::new();
        let mut add = |from: usize, to: usize| {
            let (from, to) = (from.saturating_sub(reach), (to + reach).min(data.len()));
            match windows.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => windows.push((from, to)),
            }
        };
        let mut at = 0;
        for stretch in copied {
            add(at, stretch.to);
            at = stretch.to + stretch.len;
        }
        add(at, data.len());
        // Deltas of many small stretches (versions far apart) leave little to reuse.
        let searched: usize = windows.iter().map(|(from, to)| to - from).sum();
        if searched > most {
            return None;
        }
        let inside_one = |start: usize, end: usize| {
            let next = copied.partition_point(|c| c.to <= start);
            next > 0 && end <= copied[next - 1].to + copied[next - 1].len
        };
        for (from, to) in windows {
            self.find_into(&data[from..to], from, &mut hits, |start, end| {
                !inside_one(start, end)
            });
        }
        hits.sort_unstable();
        Some(KeywordHits(hits))
    }

    /// Adds the occurrences in `data` (which starts at `offset` in its blob) that `keep`
    /// accepts, given their start and end in the blob.
    fn find_into(
        &self,
        data: &[u8],
        offset: usize,
        hits: &mut Vec<(usize, u32)>,
        keep: impl Fn(usize, usize) -> bool,
    ) {
        let push = |start: usize, keyword: usize, hits: &mut Vec<(usize, u32)>| {
            let (start, end) = (offset + start, offset + start + self.keyword_len[keyword]);
            if keep(start, end) {
                hits.push((start, keyword as u32));
            }
        };
        if let Some(automaton) = self.automaton() {
            automaton.find(data, |start, keyword| push(start, keyword, hits));
        }
    }

    /// Which rules may match a blob whose keyword occurrences are `hits`, and where line-scoped
    /// rules' keywords are.
    pub fn candidates_from(&self, hits: &KeywordHits, line_scoped: &[bool]) -> Candidates {
        let mut found = Candidates {
            rules: vec![false; self.rule_count],
            starts: Vec::new(),
            first_start: Vec::new(),
            positions: Vec::new(),
        };
        found.group_by_keyword(hits, self.keywords.len());
        for &index in &self.always {
            found.rules[index] = true;
        }
        let mut seen = vec![false; self.rules_by_keyword.len()];
        for &(start, keyword) in &hits.0 {
            let keyword = keyword as usize;
            if self.positional[keyword] {
                let end = start + self.keyword_len[keyword];
                for &rule in &self.rules_by_keyword[keyword] {
                    if line_scoped[rule] {
                        found.positions.push((rule, start, end));
                    }
                }
            }
            if !seen[keyword] {
                seen[keyword] = true;
                for &rule in &self.rules_by_keyword[keyword] {
                    found.rules[rule] = true;
                }
            }
        }
        found
    }
}

/// Sorts occurrences found in order of their end by start, then keyword. One is out of place
/// only behind occurrences that end less than a keyword's length after it starts, so insertion
/// moves each a few places at most: a fraction of what a general sort costs.
fn sort_by_start(hits: &mut [(usize, u32)]) {
    for sorted in 1..hits.len() {
        let mut at = sorted;
        while at > 0 && hits[at - 1] > hits[at] {
            hits.swap(at - 1, at);
            at -= 1;
        }
    }
}

impl Candidates {
    /// Groups the occurrences `hits` by keyword (a counting sort: it keeps their order).
    fn group_by_keyword(&mut self, hits: &KeywordHits, keywords: usize) {
        let mut first = vec![0u32; keywords + 1];
        for &(_, keyword) in &hits.0 {
            first[keyword as usize + 1] += 1;
        }
        for k in 0..keywords {
            first[k + 1] += first[k];
        }
        let mut next = first.clone();
        self.starts = vec![0; hits.0.len()];
        for &(start, keyword) in &hits.0 {
            let slot = &mut next[keyword as usize];
            self.starts[*slot as usize] = start;
            *slot += 1;
        }
        self.first_start = first;
    }

    /// Where `rule`'s keywords occur and `accept` takes the place, in order and each place
    /// once; `None` when that is more than `most` places.
    pub fn starts(
        &self,
        prefilter: &Prefilter,
        rule: usize,
        accept: impl Fn(usize) -> bool,
        most: usize,
    ) -> Option<Vec<usize>> {
        let mut starts: Vec<usize> = Vec::new();
        for &keyword in &prefilter.keywords_by_rule[rule] {
            let (from, to) = (
                self.first_start[keyword as usize] as usize,
                self.first_start[keyword as usize + 1] as usize,
            );
            for &start in &self.starts[from..to] {
                if accept(start) {
                    if starts.len() == most {
                        return None;
                    }
                    starts.push(start);
                }
            }
        }
        if prefilter.keywords_by_rule[rule].len() > 1 {
            starts.sort_unstable();
            starts.dedup();
        }
        Some(starts)
    }
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    use super::*;

    /// A small deterministic generator (xorshift), so a failure can be replayed.
    struct Random(u64);

    impl Random {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// Text dense in keywords of the built-in rules, split and glued at random.
    fn text(random: &mut Random, len: usize) -> Vec<u8> {
        const PIECES: &[&str] = &[
            "password",
            "PASSWORD=",
            "token",
            "api_key",
            "ghp_",
            "AKIA",
            "secret",
            "sk-",
            "key",
            "-----BEGIN ",
            "PRIVATE KEY",
            "xoxb-",
            " ",
            "\n",
            "=",
            ": ",
            "\"",
            "ac",
            "glpat-",
            "mongodb://",
            "auth",
            "Bearer ",
            "abc",
            "Zq9",
            "_",
            "-",
        ];
        let mut out = Vec::new();
        while out.len() < len {
            out.extend_from_slice(PIECES[random.below(PIECES.len())].as_bytes());
        }
        out
    }

    /// What a pack's delta does: the blob is stretches of the base, some moved, some dropped,
    /// with new text between them.
    fn edit(random: &mut Random, base: &[u8]) -> (Vec<u8>, Vec<Copied>) {
        let (mut blob, mut copied) = (Vec::new(), Vec::new());
        let mut at = 0;
        while at < base.len() {
            let len = (1 + random.below(200)).min(base.len() - at);
            match random.below(6) {
                0 => {
                    let len = random.below(40);
                    blob.extend(text(random, len));
                }
                1 => at += len,
                2 => {
                    let from = random.below(base.len());
                    let len = len.min(base.len() - from);
                    copied.push(Copied {
                        from,
                        to: blob.len(),
                        len,
                    });
                    blob.extend_from_slice(&base[from..from + len]);
                }
                _ => {
                    copied.push(Copied {
                        from: at,
                        to: blob.len(),
                        len,
                    });
                    blob.extend_from_slice(&base[at..at + len]);
                    at += len;
                }
            }
        }
        (blob, copied)
    }

    #[test]
    fn translated_occurrences_are_exactly_those_searched_whole() {
        let rules = RuleSet::load(true, &[]).unwrap();
        let prefilter = Prefilter::new(&rules);
        let mut random = Random(0x2545_f491_4f6c_dd1d);
        for round in 0..300 {
            let len = 200 + random.below(4_000);
            let base = text(&mut random, len);
            let (blob, copied) = edit(&mut random, &base);
            let base_hits = prefilter.occurrences(&base);
            let whole = prefilter.occurrences(&blob);
            let translated = prefilter.translate_within(&base_hits, &copied, &blob, usize::MAX);
            assert_eq!(translated.as_ref(), Some(&whole), "round {round}");
            assert_eq!(prefilter.translate(&base_hits, &copied, &blob), whole);
        }
    }

    #[test]
    fn the_builtin_keywords_are_found_as_an_overlapping_search_finds_them() {
        let rules = RuleSet::load(true, &[]).unwrap();
        let prefilter = Prefilter::new(&rules);
        let reference = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&prefilter.keywords)
            .unwrap();
        assert!(prefilter.automaton.get().is_none());
        let mut random = Random(0x0123_4567_89ab_cdef);
        // Short blobs take the one-stream walk, longer ones split at every kind of seam between
        // the streams.
        let long: Vec<usize> = (0..40).map(|_| 700 + random.below(20_000)).collect();
        for len in (0..700).chain(long) {
            let blob = text(&mut random, len);
            let blob = &blob[..len.min(blob.len())];
            let mut expected: Vec<(usize, u32)> = reference
                .find_overlapping_iter(blob)
                .map(|hit| (hit.start(), hit.pattern().as_u32()))
                .collect();
            expected.sort_unstable();
            assert_eq!(prefilter.occurrences(blob).0, expected, "length {len}");
        }
        assert!(prefilter.automaton.get().is_some());
    }

    #[test]
    fn a_copy_of_a_keyword_split_across_a_seam_is_found() {
        let rules = RuleSet::load(true, &[]).unwrap();
        let prefilter = Prefilter::new(&rules);
        let base = b"xxxx pass yyyy word zzzz".to_vec();
        // "pass" and "word" copied side by side make "password", in neither stretch alone.
        let blob = b"password".to_vec();
        let copied = [
            Copied {
                from: 5,
                to: 0,
                len: 4,
            },
            Copied {
                from: 15,
                to: 4,
                len: 4,
            },
        ];
        let base = prefilter.occurrences(&base);
        let translated = prefilter.translate_within(&base, &copied, &blob, usize::MAX);
        let translated = translated.unwrap();
        assert_eq!(translated, prefilter.occurrences(&blob));
        assert!(translated.0.len() > prefilter.occurrences(b"pass").0.len());
    }
}
