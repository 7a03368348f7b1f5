//! Evidence exports and Kubernetes ExternalSecret manifests: any text is evidence, a one-line
//! error naming the file, or (for manifests) no reference; never a panic. Exports are told
//! apart by content, so one entry point reaches every reader: AWS, Vault, Google Cloud (secrets,
//! service-account keys, key activity, audit logs) and Azure (Key Vault, Entra credentials and
//! sign-ins, Log Analytics rows); `run-all.sh` seeds it with every fixture export.
#![no_main]

use std::path::PathBuf;

use keyaudit::evidence::{Evidence, EvidenceArg, LoadContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    if selector % 4 == 0 {
        let _ = keyaudit::managed::parse("fuzz.yaml", data);
        return;
    }
    let text = String::from_utf8_lossy(data).into_owned();
    let arg = EvidenceArg {
        store: (selector % 4 == 1).then(|| "vault:secret/app".to_string()),
        path: PathBuf::from("export.json"),
    };
    let context = LoadContext {
        salt: b"fuzz",
        vault_stores: vec!["vault:secret/app".into()],
    };
    if let Err(err) = Evidence::from_texts(&[(arg, text)], &context) {
        let message = err.to_string();
        assert!(message.starts_with("export.json:"), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }
});
