//! PyPI macaroons: any bytes decode to facts or to nothing, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = keyaudit::analyze::pypi::analyze(data);
});
