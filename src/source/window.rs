//! Large inputs are read in overlapping windows, so memory stays bounded whatever the size of a
//! file. Each window owns a stretch of the input and carries [`OVERLAP`] bytes of its
//! neighbours on both sides: a key (with the context before it that a rule needs) shorter than
//! the overlap is seen whole by the window owning its first byte, and only that window reports
//! it.

use std::io::{self, Read};

/// Bytes each window owns. Inputs up to this size are read whole, as one window.
pub const WINDOW_SIZE: usize = 2 << 20;

/// Bytes of each neighbour a window also sees: more than the longest key any rule matches (a
/// 4096-bit RSA private key in PEM is about 3.3 KiB) plus the context a rule reads before it.
pub const OVERLAP: usize = 64 << 10;

/// Where one window's bytes sit in their input. A whole blob is [`Window::whole`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Byte range of the window's data that it owns: keys starting there are its own.
    pub owned: (usize, usize),
    /// Newlines in the input before the window's first byte.
    pub lines_before: usize,
    /// Characters between the last newline before the window and its first byte.
    pub columns_before: usize,
    /// Whether this is the whole input.
    pub is_whole: bool,
}

impl Window {
    /// The window of a blob read whole.
    pub fn whole(len: usize) -> Self {
        Self {
            owned: (0, len),
            lines_before: 0,
            columns_before: 0,
            is_whole: true,
        }
    }

    /// Whether a key starting at `offset` (in this window's data) is this window's to report.
    pub fn owns(&self, offset: usize) -> bool {
        self.is_whole || (self.owned.0..self.owned.1).contains(&offset)
    }

    /// Turns a 1-based line and column within the window into ones within the input.
    pub fn position(&self, line: usize, column: usize) -> (usize, usize) {
        let column = if line == 1 {
            column + self.columns_before
        } else {
            column
        };
        (line + self.lines_before, column)
    }
}

/// Reads `reader` to its end in windows of `size` owned bytes overlapping by `overlap`, handing
/// each to `visit` (the first window's data starts at the input's first byte). `visit` returns
/// false to stop early. Returns the number of bytes read. Memory: `size + 2 * overlap` bytes.
pub fn read_windows(
    reader: &mut dyn Read,
    size: usize,
    overlap: usize,
    visit: &mut dyn FnMut(&[u8], Window) -> bool,
) -> io::Result<u64> {
    assert!(
        size > 0 && overlap > 0,
        "window size and overlap are positive"
    );
    let mut buf: Vec<u8> = Vec::with_capacity(size + 2 * overlap);
    // Absolute offsets of buf[0] and of the next window's owned start.
    let mut buf_offset = 0usize;
    let mut owned_start = 0usize;
    let mut lines_before = 0usize;
    let mut columns_before = 0usize;
    let mut total = 0u64;
    loop {
        let want = owned_start + size + overlap - buf_offset;
        let need = want.saturating_sub(buf.len());
        let got = reader.take(need as u64).read_to_end(&mut buf)?;
        total += got as u64;
        let at_end = got < need;
        let buf_end = buf_offset + buf.len();
        let owned_end = if at_end { buf_end } else { owned_start + size };
        let window = Window {
            owned: (owned_start - buf_offset, owned_end - buf_offset),
            lines_before,
            columns_before,
            is_whole: false,
        };
        if !visit(&buf, window) || at_end {
            return Ok(total);
        }
        // Keep the overlap before the next owned stretch, and everything after it.
        let keep_from = owned_end.saturating_sub(overlap).max(buf_offset) - buf_offset;
        let dropped = &buf[..keep_from];
        match memchr::memrchr(b'\n', dropped) {
            Some(last) => {
                lines_before += memchr::memchr_iter(b'\n', dropped).count();
                columns_before = characters(&dropped[last + 1..]);
            }
            None => columns_before += characters(dropped),
        }
        buf.drain(..keep_from);
        buf_offset += keep_from;
        owned_start = owned_end;
    }
}

/// Characters in `bytes`, counted as the scanner counts columns: UTF-8 lead bytes.
fn characters(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every window of `input`, as (data, window).
    fn windows(input: &[u8], size: usize, overlap: usize) -> Vec<(Vec<u8>, Window)> {
        let mut out = Vec::new();
        let read = read_windows(&mut &input[..], size, overlap, &mut |data, window| {
            out.push((data.to_vec(), window));
            true
        })
        .unwrap();
        assert_eq!(read, input.len() as u64);
        out
    }

    #[test]
    fn owned_stretches_tile_the_input_exactly_once() {
        let input: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        // (3, 5): found by the windows fuzz target, an overlap wider than the window underflowed.
        for (size, overlap) in [(100, 10), (7, 3), (1000, 5), (999, 1), (64, 64), (3, 5)] {
            let mut covered = Vec::new();
            for (data, window) in windows(&input, size, overlap) {
                covered.extend_from_slice(&data[window.owned.0..window.owned.1]);
            }
            assert_eq!(covered, input, "size {size} overlap {overlap}");
        }
    }

    #[test]
    fn windows_see_the_overlap_on_both_sides() {
        let input = vec![b'x'; 50];
        let all = windows(&input, 20, 5);
        assert_eq!(all.len(), 3);
        assert_eq!((all[0].0.len(), all[0].1.owned), (25, (0, 20)));
        assert_eq!((all[1].0.len(), all[1].1.owned), (30, (5, 25)));
        assert_eq!((all[2].0.len(), all[2].1.owned), (15, (5, 15)));
    }

    #[test]
    fn positions_continue_across_windows() {
        // Line 3 starts at byte 8 and runs past the first window's end.
        let input = "ab\ncd\né\nxyzxyzxyzxyzKEY\n".as_bytes();
        for size in 1..input.len() {
            for (data, window) in windows(input, size, 3) {
                let Some(at) = data.windows(3).position(|w| w == b"KEY") else {
                    continue;
                };
                let line_start = data[..at].iter().rposition(|&b| b == b'\n');
                let line = data[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                let column = characters(&data[line_start.map_or(0, |i| i + 1)..at]) + 1;
                assert_eq!(window.position(line, column), (4, 13), "size {size}");
            }
        }
    }

    #[test]
    fn empty_input_is_one_empty_window() {
        let all = windows(b"", 10, 2);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1.owned, (0, 0));
    }
}
