//! Finding and decoding base64 runs. A run qualifies when it is at least `min_run` characters
//! of the standard alphabet ([`MIN_RUN`] in general text, [`MIN_RUN_IN_SECRET`] in a Kubernetes
//! Secret, whose values are all base64), properly padded (its length a multiple of 4), and
//! decodes to text-like bytes: what random binary or identifiers decode to is dropped. Work is
//! bounded by a budget of decoded bytes per blob.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Shortest run tried in general text: 32 characters decode to 24 bytes, as short as API
/// keys get. Shorter runs are mostly identifiers, and skipping them keeps the pass cheap.
pub const MIN_RUN: usize = 32;
/// Shortest run tried where every value is base64 (a Kubernetes Secret's `data`): 8 characters
/// decode to a 6-byte password.
pub const MIN_RUN_IN_SECRET: usize = 8;
/// Longest run tried: larger runs are data, not credentials (16 MiB encoded).
pub const MAX_RUN: usize = 16 << 20;

/// A decoded run: its span in the encoded data and the decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedRun {
    /// Start of the run in the encoded data.
    pub start: usize,
    /// End of the run.
    pub end: usize,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// Byte classes: 1 for the base64 alphabet, 2 for padding.
const fn class_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'+' || c == b'/' {
            table[b] = 1;
        } else if c == b'=' {
            table[b] = 2;
        }
        b += 1;
    }
    table
}

static CLASS: [u8; 256] = class_table();

/// Whether decoded bytes look like text: UTF-8 with at most a sliver of control characters.
fn is_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    control * 50 <= text.len()
}

/// Whether `data` is made only of base64 characters (alphabet and padding).
pub fn is_alphabet(data: &[u8]) -> bool {
    !data.is_empty() && data.iter().all(|&b| CLASS[b as usize] != 0)
}

/// The shortest run worth decoding in `data`: shorter inside a Kubernetes Secret (`kind:
/// Secret` in YAML or JSON, in any document of the file).
pub fn min_run_for(data: &[u8]) -> usize {
    let is_secret = memchr::memmem::find_iter(data, b"Secret").any(|at| {
        let before = &data[at.saturating_sub(12)..at];
        memchr::memmem::find(before, b"kind").is_some()
    });
    if is_secret {
        MIN_RUN_IN_SECRET
    } else {
        MIN_RUN
    }
}

/// Bytes the fast path of [`first_run`] judges at once: a run at least twice as long covers one
/// of any row of such groups whole.
const GROUP: usize = 16;

/// Whether `b` is in the alphabet (not padding), by comparisons rather than [`CLASS`], so that
/// a group of bytes is judged with vector instructions.
fn in_alphabet(b: u8) -> bool {
    (b.wrapping_sub(b'0') < 10) | ((b | 0x20).wrapping_sub(b'a') < 26) | (b == b'+') | (b == b'/')
}

/// Whether every byte of `group` is in the alphabet. Counting rather than stopping at the first
/// miss keeps the loop free of branches, so it compiles to a handful of vector instructions.
fn group_in_alphabet(group: &[u8; GROUP]) -> bool {
    group.iter().fold(0u8, |n, &b| n + u8::from(in_alphabet(b))) == GROUP as u8
}

/// The first offset at or after `from` where `min_run` bytes of the alphabet follow: the start
/// of the first long-enough run (or `from`, inside one).
///
/// Most text has a separator every few bytes, so runs of 32 are rare. Such a run covers one of
/// the [`GROUP`]s laid end to end from `from` whole, and only a group wholly of the alphabet is
/// looked at byte by byte. Short minimums (a Kubernetes Secret's) probe one byte `min_run - 1`
/// ahead instead: if it is outside the alphabet, no run starts before it.
fn first_run(data: &[u8], from: usize, min_run: usize) -> Option<usize> {
    let len = data.len();
    let alphabet = |at: usize| CLASS[data[at] as usize] == 1;
    let mut i = from;
    if min_run >= 2 * GROUP - 1 {
        while let Some(group) = data.get(i..i + GROUP) {
            if !group_in_alphabet(group.try_into().expect("a group's length")) {
                i += GROUP;
                continue;
            }
            let mut start = i;
            while start > from && alphabet(start - 1) {
                start -= 1;
            }
            let mut stop = i + GROUP;
            while stop < len && alphabet(stop) {
                stop += 1;
            }
            if stop - start >= min_run {
                return Some(start);
            }
            // `data[stop]` is outside the alphabet: the next run starts after it.
            i = stop + 1;
        }
        return None;
    }
    // Invariant: `i` is `from` or just past a byte outside the alphabet.
    while i + min_run <= len {
        let probe = i + min_run - 1;
        if !alphabet(probe) {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && alphabet(start - 1) {
            start -= 1;
        }
        if start == i {
            return Some(start);
        }
        i = start;
    }
    None
}

/// Decodes every qualifying run of at least `min_run` characters in `data`, spending at most
/// `budget` decoded bytes (reduced by what is spent).
pub fn decode_runs(data: &[u8], min_run: usize, budget: &mut usize) -> Vec<DecodedRun> {
    let min_run = min_run.max(4);
    let mut runs = Vec::new();
    let len = data.len();
    // Where the next run may start: past the last one and the byte after it.
    let mut i = 0;
    while *budget > 0 {
        let Some(start) = first_run(data, i, min_run) else {
            break;
        };
        let mut stop = start + min_run;
        while stop < len && CLASS[data[stop] as usize] == 1 {
            stop += 1;
        }
        let mut end = stop;
        while end < len && end - stop < 2 && data[end] == b'=' {
            end += 1;
        }
        i = end + 1;
        let run = &data[start..end];
        if run.len() > MAX_RUN || !run.len().is_multiple_of(4) {
            continue;
        }
        // Identifiers and words are alphabet runs too; real base64 of text mixes cases and
        // digits. Require a digit or `+`/`/`/`=` and both cases before decoding.
        let has_upper = run.iter().any(u8::is_ascii_uppercase);
        let has_lower = run.iter().any(u8::is_ascii_lowercase);
        let has_other = run
            .iter()
            .any(|b| b.is_ascii_digit() || matches!(b, b'+' | b'/' | b'='));
        if !(has_upper && has_lower && has_other) {
            continue;
        }
        let Ok(bytes) = STANDARD.decode(run) else {
            continue;
        };
        if bytes.len() > *budget {
            *budget = 0;
            break;
        }
        *budget -= bytes.len();
        if is_text(&bytes) {
            runs.push(DecodedRun { start, end, bytes });
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str) -> String {
        STANDARD.encode(text.as_bytes())
    }

    #[test]
    fn finds_and_decodes_text_runs() {
        let value = encode("sk_live_Q8ZrT2mW9xLp4vN7bK3sYc6d"); // keyaudit:allow
        let yaml = format!("data:\n  STRIPE_KEY: {value}\n  other: plain\n");
        let mut budget = 1 << 20;
        let runs = decode_runs(yaml.as_bytes(), MIN_RUN, &mut budget);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].bytes, b"sk_live_Q8ZrT2mW9xLp4vN7bK3sYc6d"); // keyaudit:allow
        assert_eq!(&yaml[runs[0].start..runs[0].end], value);
    }

    #[test]
    fn skips_identifiers_binary_and_truncated_runs() {
        let mut budget = 1 << 20;
        let binary = STANDARD.encode([
            0u8, 159, 146, 150, 1, 2, 3, 200, 201, 202, 203, 204, 7, 8, 9, 10,
        ]);
        let truncated = &encode("password=Zq8rT2mW9xLp4vN7")[..30]; // keyaudit:allow
        for text in [
            "ThisIsAnIdentifierWithoutDigits",
            "this_is_snake_case_identifier_name",
            binary.as_str(),
            truncated,
            "c2hvcnQ=",
        ] {
            assert!(
                decode_runs(text.as_bytes(), MIN_RUN_IN_SECRET, &mut budget).is_empty(),
                "{text}"
            );
        }
    }

    #[test]
    fn short_runs_only_inside_kubernetes_secrets() {
        let short = encode("hunter2-Xy9");
        let secret = format!("kind: Secret\ndata:\n  password: {short}\n");
        assert_eq!(min_run_for(secret.as_bytes()), MIN_RUN_IN_SECRET);
        let mut budget = 1 << 20;
        let runs = decode_runs(
            secret.as_bytes(),
            min_run_for(secret.as_bytes()),
            &mut budget,
        );
        assert_eq!(runs[0].bytes, b"hunter2-Xy9");
        let plain = format!("password: {short}\n");
        assert_eq!(min_run_for(plain.as_bytes()), MIN_RUN);
        assert_eq!(
            min_run_for(br#"{"kind": "Secret", "data": {}}"#),
            MIN_RUN_IN_SECRET
        );
        assert_eq!(
            min_run_for(b"---\nkind: ConfigMap\n---\nkind: Secret\n"),
            MIN_RUN_IN_SECRET
        );
        assert_eq!(min_run_for(b"// a Secret kind of thing"), MIN_RUN);
        assert!(decode_runs(plain.as_bytes(), MIN_RUN, &mut budget).is_empty());
    }

    #[test]
    fn runs_are_found_at_every_offset() {
        let value = encode("token=Zq8rT2mW9xLp4vN7bK3sYc6d"); // keyaudit:allow
        for prefix in 0..40 {
            let text = format!("{}:{value};", "x".repeat(prefix));
            let mut budget = 1 << 20;
            let runs = decode_runs(text.as_bytes(), MIN_RUN, &mut budget);
            assert_eq!(runs.len(), 1, "prefix {prefix}");
            assert_eq!(&text[runs[0].start..runs[0].end], value, "prefix {prefix}");
        }
        let at_end = format!("k={value}");
        let mut budget = 1 << 20;
        assert_eq!(
            decode_runs(at_end.as_bytes(), MIN_RUN, &mut budget).len(),
            1
        );
    }

    /// The first run at or after `from` at least `min_run` long, byte by byte.
    fn first_run_by_bytes(data: &[u8], from: usize, min_run: usize) -> Option<usize> {
        (from..data.len()).find(|&at| {
            data.len() - at >= min_run
                && data[at..at + min_run]
                    .iter()
                    .all(|&b| CLASS[b as usize] == 1)
        })
    }

    #[test]
    fn the_grouped_search_finds_what_a_byte_by_byte_search_finds() {
        assert!((0..=255u8).all(|b| in_alphabet(b) == (CLASS[b as usize] == 1)));
        // Text drawn mostly from the alphabet, with separators and padding at random spacings,
        // so runs of every length around the minimums occur at every alignment.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..3000 {
            let spacing = 2 + next() % 80;
            let len = (next() % 400) as usize;
            let data: Vec<u8> = (0..len)
                .map(|_| match next() % spacing {
                    0 => b" \n=,:\"\xff"[(next() % 7) as usize],
                    _ => b"Ab9+/zQ"[(next() % 7) as usize],
                })
                .collect();
            for min_run in [MIN_RUN_IN_SECRET, 31, MIN_RUN, 47] {
                let from = (next() % 40) as usize;
                assert_eq!(
                    first_run(&data, from, min_run),
                    first_run_by_bytes(&data, from, min_run),
                    "case {case}, minimum {min_run}, from {from}"
                );
            }
        }
    }

    #[test]
    fn the_budget_bounds_work() {
        let value = encode(&"Zq8rT2mW9xLp4vN7 ".repeat(100));
        let text = format!("{value}\n{value}\n");
        let mut budget = 2000;
        let runs = decode_runs(text.as_bytes(), MIN_RUN, &mut budget);
        assert_eq!(runs.len(), 1, "the second run is over budget");
        assert_eq!(budget, 0, "an exhausted budget stops all further decoding");
    }
}
