//! Manifests: any text is a manifest or an error naming a line and column inside the text.
#![no_main]

use std::path::Path;

use keyaudit::manifest::model::Manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let env = |name: &str| (name == "SALT").then(|| "fuzz-salt".to_string());
    if let Err(err) = Manifest::parse(Path::new("keyaudit.toml"), text, &env) {
        let message = err.to_string();
        assert!(message.starts_with("keyaudit.toml"), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
    }
});
