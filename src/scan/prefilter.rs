//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords (ASCII
//! case-insensitive) decides which rules can possibly match a blob, so only their regexes run.

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
    rule_count: usize,
}

impl Prefilter {
    /// Builds the automaton for a rule set.
    pub fn new(rules: &RuleSet) -> Self {
        let mut keywords: Vec<String> = Vec::new();
        let mut rules_by_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (index, rule) in rules.rules().iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(index);
            }
            for keyword in &rule.keywords {
                match keywords.iter().position(|k| k == keyword) {
                    Some(at) => rules_by_keyword[at].push(index),
                    None => {
                        keywords.push(keyword.clone());
                        rules_by_keyword.push(vec![index]);
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
            rule_count: rules.rules().len(),
        }
    }

    /// Marks in the returned vector every rule that may match `data`.
    pub fn candidates(&self, data: &[u8]) -> Vec<bool> {
        let mut candidate = vec![false; self.rule_count];
        for &index in &self.always {
            candidate[index] = true;
        }
        let Some(automaton) = &self.automaton else {
            return candidate;
        };
        let mut seen = vec![false; self.rules_by_keyword.len()];
        let mut unseen = seen.len();
        for found in automaton.find_overlapping_iter(data) {
            let keyword = found.pattern().as_usize();
            if !seen[keyword] {
                seen[keyword] = true;
                for &rule in &self.rules_by_keyword[keyword] {
                    candidate[rule] = true;
                }
                unseen -= 1;
                if unseen == 0 {
                    break;
                }
            }
        }
        candidate
    }
}
