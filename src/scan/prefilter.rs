//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords (ASCII
//! case-insensitive) decides which rules can possibly match a blob, so only their regexes run.
//! For line-scoped rules it also records where their keywords occur, so their patterns run only
//! on those lines and no second pass over the blob is needed.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::rules::RuleSet;

/// Maps keyword occurrences in a blob to candidate rules.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each distinct keyword, the rules that list it.
    rules_by_keyword: Vec<Vec<usize>>,
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
        let automaton = (!keywords.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                // Overlapping search cannot skip ahead with a prefilter, so it walks every byte:
                // a DFA makes that walk about twice as fast as the default NFA.
                .kind(Some(AhoCorasickKind::DFA))
                .build(&keywords)
                .expect("keyword automaton within size limits")
        });
        Self {
            automaton,
            rules_by_keyword,
            always,
            positional,
            rule_count: rules.rules().len(),
        }
    }

    /// Which rules may match `data`, and where line-scoped rules' keywords are.
    pub fn candidates(&self, data: &[u8], line_scoped: &[bool]) -> Candidates {
        let mut found = Candidates {
            rules: vec![false; self.rule_count],
            positions: Vec::new(),
        };
        for &index in &self.always {
            found.rules[index] = true;
        }
        let Some(automaton) = &self.automaton else {
            return found;
        };
        let mut seen = vec![false; self.rules_by_keyword.len()];
        let mut unseen = seen.len();
        let any_positional = self.positional.iter().any(|&p| p);
        for hit in automaton.find_overlapping_iter(data) {
            let keyword = hit.pattern().as_usize();
            if self.positional[keyword] {
                for &rule in &self.rules_by_keyword[keyword] {
                    if line_scoped[rule] {
                        found.positions.push((rule, hit.start(), hit.end()));
                    }
                }
            }
            if !seen[keyword] {
                seen[keyword] = true;
                for &rule in &self.rules_by_keyword[keyword] {
                    found.rules[rule] = true;
                }
                unseen -= 1;
                if unseen == 0 && !any_positional {
                    break;
                }
            }
        }
        found
    }
}
