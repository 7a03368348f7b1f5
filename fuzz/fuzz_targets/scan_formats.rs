//! The scanner on any bytes under any of the file names whose formats it reads specially (env
//! dumps, Kubernetes manifests, docker and npm configs, netrc, systemd units, ...), with the
//! built-in rules: no panic, and every hit lies inside the data.
#![no_main]

use std::sync::LazyLock;

use keyaudit::rules::RuleSet;
use keyaudit::scan::Scanner;
use libfuzzer_sys::fuzz_target;

static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::load(true, &[]).expect("built-in rules load"));
static SCANNER: LazyLock<Scanner<'static>> = LazyLock::new(|| Scanner::new(&RULES));

const NAMES: &[&str] = &[
    "-",
    ".env",
    "secret.yaml",
    "config.json",
    ".npmrc",
    ".netrc",
    "app.service",
    "settings.ini",
    "terraform.tfvars",
    "main.py",
    "docker/config.json",
    ".pypirc",
];

fuzz_target!(|input: &[u8]| {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    for hit in SCANNER.scan_file(Some(name), data) {
        assert!(hit.span.0 <= hit.span.1 && hit.span.1 <= data.len());
        assert!(hit.line >= 1 && hit.column >= 1);
    }
});
