//! The rule self-test behind `keyaudit rules check` and the unit test over the built-in rules:
//! every example must yield a key from its rule and every negative example nothing.

use crate::error::Error;
use crate::rules::RuleSet;
use crate::scan::Scanner;

/// Compiles every rule's pattern (built-in rules are otherwise compiled on first use) and
/// runs its examples; returns one error per pattern that does not compile and per failing
/// example.
pub fn check_examples(rules: &RuleSet) -> Vec<Error> {
    let mut failures: Vec<Error> = rules
        .rules()
        .iter()
        .filter_map(|rule| rule.compile_now().err())
        .collect();
    if !failures.is_empty() {
        return failures;
    }
    let scanner = Scanner::new(rules);
    for (index, rule) in rules.rules().iter().enumerate() {
        let fail = |message: String| Error::Rule {
            path: rule.origin.path.clone(),
            line: rule.origin.line,
            rule: rule.id.clone(),
            message,
        };
        for (n, example) in rule.examples.iter().enumerate() {
            if scanner.scan_with_rule(index, example.as_bytes()).is_empty() {
                failures.push(fail(format!("example {} yields no key", n + 1)));
            }
        }
        for (n, example) in rule.negative_examples.iter().enumerate() {
            if !scanner.scan_with_rule(index, example.as_bytes()).is_empty() {
                failures.push(fail(format!("negative example {} yields a key", n + 1)));
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{parse_rule_file, Compile};
    use std::path::Path;

    #[test]
    fn builtin_rules_pass_their_own_examples() {
        let rules = RuleSet::load(true, &[]).expect("built-in rules compile");
        let failures: Vec<String> = check_examples(&rules)
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // The catalog shipped 355 rules when this floor was set; it may grow, never shrink.
        assert!(
            rules.rules().len() >= 355,
            "only {} rules",
            rules.rules().len()
        );
        // The README promises two examples and a negative example per built-in rule (user rule
        // files need one of each).
        let thin: Vec<&str> = rules
            .rules()
            .iter()
            .filter(|r| r.examples.len() < 2 || r.negative_examples.is_empty())
            .map(|r| r.id.as_str())
            .collect();
        assert!(
            thin.is_empty(),
            "built-in rules with fewer than two examples or no negative example: {thin:?}"
        );
        assert!(
            rules.warnings().is_empty(),
            "built-in rules without keywords"
        );
    }

    #[test]
    fn failing_examples_are_reported_by_rule() {
        let text = r#"
[[rule]]
id = "demo"
name = "Demo"
provider = "Demo"
kind = "token"
pattern = '\b(dmo_[a-z0-9]{12})\b'
keywords = ["dmo_"]
privilege = "scoped"
environment = "live"
lifetime = "long"
examples = ["dmo_tooshort"]
negative_examples = ["dmo_q7w2e9r4t1y6"]
"#;
        let rules =
            RuleSet::from_rules(parse_rule_file(Path::new("d.toml"), text, Compile::Now).unwrap())
                .unwrap();
        let failures: Vec<String> = check_examples(&rules)
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            failures,
            vec![
                "d.toml:3: rule `demo`: example 1 yields no key",
                "d.toml:3: rule `demo`: negative example 1 yields a key"
            ]
        );
    }
}
