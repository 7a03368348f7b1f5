//! Base64 run decoding: runs lie inside the data, and what they hold never exceeds what the
//! budget was charged (runs that decode to binary are charged but not returned).
#![no_main]

use keyaudit::decode::base64::decode_runs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&knob, data)) = input.split_first() else {
        return;
    };
    let min_run = usize::from(knob % 64);
    let start_budget = usize::from(knob) * 16;
    let mut budget = start_budget;
    let runs = decode_runs(data, min_run, &mut budget);
    let spent: usize = runs.iter().map(|r| r.bytes.len()).sum();
    assert!(budget <= start_budget && spent <= start_budget - budget);
    for run in runs {
        assert!(run.start < run.end && run.end <= data.len());
    }
});
