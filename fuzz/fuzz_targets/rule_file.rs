//! Rule files and gitleaks/betterleaks configs: any text parses to rules or a located error.
#![no_main]

use std::path::Path;

use keyaudit::rules::{gitleaks, parse_rule_file, RuleSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let path = Path::new("fuzz.toml");
    if gitleaks::is_gitleaks_config(text) {
        if let Ok((rules, _notes)) = gitleaks::parse_gitleaks(path, text) {
            let _ = RuleSet::from_rules(rules);
        }
    }
    if let Ok(rules) = parse_rule_file(path, text) {
        let _ = RuleSet::from_rules(rules);
    }
});
