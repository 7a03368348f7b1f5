//! Reading in overlapping windows: the owned stretches tile the input exactly, and each window's
//! line and column offsets agree with counting from the start.
#![no_main]

use keyaudit::source::window::read_windows;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let [size, overlap, data @ ..] = input else {
        return;
    };
    let size = usize::from(*size % 32) + 1;
    let overlap = usize::from(*overlap % 8) + 1;
    let mut tiled = Vec::new();
    let mut consumed = 0usize;
    read_windows(&mut &data[..], size, overlap, &mut |bytes, window| {
        let owned = &bytes[window.owned.0..window.owned.1];
        // The window's first byte sits `owned.0` before the owned stretch.
        let first = consumed - window.owned.0;
        let before = &data[..first];
        let lines = before.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(window.lines_before, lines);
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let columns = before[line_start..]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        assert_eq!(window.columns_before, columns);
        tiled.extend_from_slice(owned);
        consumed += owned.len();
        true
    })
    .expect("reading a slice cannot fail");
    assert_eq!(tiled, data);
});
