//! JSON Web Tokens: any bytes decode to facts or to nothing, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = keyaudit::analyze::jwt::decode(data);
});
