//! The keyword automaton: an Aho-Corasick DFA over every rule keyword, ASCII case-insensitive,
//! that reports every occurrence, overlapping ones included.
//!
//! Walking it is the largest cost of a scan, and each step needs the state the last one reached,
//! so a walk is bound by the latency of its table loads, not by the number of instructions. Two
//! things keep that latency low:
//!
//! - the table is laid out class by class (`next = table[class_offset[byte] + state]`), with the
//!   states numbered breadth first: the states near the root, where a walk over ordinary text
//!   spends nearly all its time, are the first few hundred entries of each class's row, a few
//!   tens of kilobytes that stay in the L1 cache; a state with occurrences to report has its
//!   top bit set, so the walk tests for them without a second table;
//! - a blob is cut into [`STREAMS`] parts walked in one loop, so that as many independent loads
//!   are in flight at once, in a function of its own that keeps the states in registers (the
//!   `aho-corasick` crate's DFA, walked in two streams, took 1.2 ns a byte over registry code;
//!   this takes 0.6 ns).

/// Parts of a blob walked side by side (six measured best on x86-64; four and eight are about
/// 10% slower).
const STREAMS: usize = 6;

/// A state's bit saying it ends at least one keyword.
const REPORTS: u32 = 1 << 31;

/// An ASCII case-insensitive Aho-Corasick DFA over a set of keywords.
#[derive(Debug)]
pub(super) struct KeywordDfa {
    /// Each byte's class, times the number of states: the start of its row in `table`.
    row: [u32; 256],
    /// `table[row[byte] + state]`: the next state, with [`REPORTS`] set when it ends a keyword.
    table: Vec<u32>,
    /// The keywords each state ends: `ends[ends_at[state]..ends_at[state + 1]]`.
    ends_at: Vec<u32>,
    ends: Vec<u32>,
    /// Each keyword's length.
    keyword_len: Vec<usize>,
    /// The longest keyword's length.
    reach: usize,
}

impl KeywordDfa {
    /// Builds the automaton; keyword `i` is reported as `i`. Empty keywords are never reported
    /// (rules refuse them).
    pub(super) fn new(keywords: &[impl AsRef<[u8]>]) -> Self {
        let keywords: Vec<&[u8]> = keywords.iter().map(AsRef::as_ref).collect();
        // Bytes that occur in no keyword share class 0; a letter's two cases share one class.
        let mut class = [0u32; 256];
        let mut classes = 1;
        for &byte in keywords.iter().flat_map(|k| k.iter()) {
            let folded = byte.to_ascii_lowercase();
            if class[folded as usize] == 0 {
                class[folded as usize] = classes;
                classes += 1;
            }
        }
        for byte in 0..=255u8 {
            class[byte as usize] = class[byte.to_ascii_lowercase() as usize];
        }
        let classes = classes as usize;

        // The trie, densely: `child[state * classes + class]`, 0 for none (the root is no
        // one's child).
        let mut child: Vec<u32> = vec![0; classes];
        let mut ends: Vec<Vec<u32>> = vec![Vec::new()];
        for (index, keyword) in keywords.iter().enumerate() {
            if keyword.is_empty() {
                continue;
            }
            let mut state = 0usize;
            for &byte in keyword.iter() {
                let slot = state * classes + class[byte as usize] as usize;
                if child[slot] == 0 {
                    child[slot] = ends.len() as u32;
                    ends.push(Vec::new());
                    child.resize(ends.len() * classes, 0);
                }
                state = child[slot] as usize;
            }
            ends[state].push(index as u32);
        }
        let states = ends.len();

        // Breadth first: failure links, the full transition function over the trie's
        // numbering, and each state's keywords with those of its failure state.
        let mut next: Vec<u32> = vec![0; states * classes];
        let mut fail = vec![0usize; states];
        let mut order = Vec::with_capacity(states);
        order.push(0);
        for c in 0..classes {
            let to = child[c];
            next[c] = to;
            if to != 0 {
                order.push(to as usize);
            }
        }
        let mut at = 1;
        while at < order.len() {
            let state = order[at];
            at += 1;
            let inherited = ends[fail[state]].clone();
            ends[state].extend(inherited);
            for c in 0..classes {
                let to = child[state * classes + c];
                let via_fail = next[fail[state] * classes + c];
                if to == 0 {
                    next[state * classes + c] = via_fail;
                } else {
                    fail[to as usize] = via_fail as usize;
                    next[state * classes + c] = to;
                    order.push(to as usize);
                }
            }
        }

        // Renumbered breadth first, laid out class by class.
        let mut renumbered = vec![0u32; states];
        for (new, &old) in order.iter().enumerate() {
            renumbered[old] = new as u32;
        }
        let mut table = vec![0u32; states * classes];
        let mut ends_at = Vec::with_capacity(states + 1);
        let mut flat_ends = Vec::new();
        for &old in &order {
            ends_at.push(flat_ends.len() as u32);
            flat_ends.extend_from_slice(&ends[old]);
        }
        ends_at.push(flat_ends.len() as u32);
        for (old, row) in next.chunks_exact(classes).enumerate() {
            for (c, &to) in row.iter().enumerate() {
                let reports = if ends[to as usize].is_empty() {
                    0
                } else {
                    REPORTS
                };
                table[c * states + renumbered[old] as usize] = renumbered[to as usize] | reports;
            }
        }
        let mut row = [0u32; 256];
        for (byte, row) in row.iter_mut().enumerate() {
            *row = class[byte] * states as u32;
        }
        let keyword_len: Vec<usize> = keywords.iter().map(|k| k.len()).collect();
        Self {
            row,
            table,
            ends_at,
            ends: flat_ends,
            reach: keyword_len.iter().copied().max().unwrap_or(1).max(1),
            keyword_len,
        }
    }

    /// The state after `state` reads `byte`.
    #[inline(always)]
    fn step(&self, state: u32, byte: u8) -> u32 {
        self.table[self.row[byte as usize] as usize + (state & !REPORTS) as usize]
    }

    /// Calls `found(start, keyword)` for every occurrence in `state` (which ends at `end`,
    /// exclusive) that starts in `from..to`.
    #[inline]
    fn report(
        &self,
        state: u32,
        end: usize,
        (from, to): (usize, usize),
        found: &mut impl FnMut(usize, usize),
    ) {
        let state = (state & !REPORTS) as usize;
        let (first, last) = (
            self.ends_at[state] as usize,
            self.ends_at[state + 1] as usize,
        );
        for &keyword in &self.ends[first..last] {
            let start = end - self.keyword_len[keyword as usize];
            if (from..to).contains(&start) {
                found(start, keyword as usize);
            }
        }
    }

    /// Calls `found(start, keyword)` for every keyword occurrence in `data`: part by part (by
    /// where they start), and within a part in order of their end (those ending at the same
    /// byte in no particular order). Each stream starts at the root at its part's first byte,
    /// so it sees exactly the occurrences that start in its part or later; it goes on into the
    /// next part for those that start in its own and end past it. The streams after the first
    /// hold what they find until the ones before them are done.
    pub(super) fn find(&self, data: &[u8], mut found: impl FnMut(usize, usize)) {
        let part = data.len() / STREAMS;
        if part < 4 * self.reach {
            self.walk_on(0, data, 0, data.len(), (0, data.len()), &mut found);
            return;
        }
        let mut held: [Vec<(usize, usize)>; STREAMS] = Default::default();
        let mut states = [0u32; STREAMS];
        let mut at = 0;
        while let Some(reached) = self.walk_parts(data, part, at, &mut states) {
            for (k, &state) in states.iter().enumerate() {
                if state & REPORTS != 0 {
                    let bounds = (k * part, (k + 1) * part);
                    let end = k * part + reached + 1;
                    if k == 0 {
                        self.report(state, end, bounds, &mut found);
                    } else {
                        let held = &mut held[k];
                        self.report(state, end, bounds, &mut |start, keyword| {
                            held.push((start, keyword));
                        });
                    }
                }
            }
            at = reached + 1;
        }
        for (k, &state) in states.iter().enumerate() {
            for &(start, keyword) in &held[k] {
                found(start, keyword);
            }
            let (from, to) = (k * part, (k + 1) * part);
            if k + 1 == STREAMS {
                // The last stream reads the remainder of the blob.
                self.walk_on(state, data, to, data.len(), (from, data.len()), &mut found);
            } else {
                let until = (to + self.reach - 1).min(data.len());
                self.walk_on(state, data, to, until, (from, to), &mut found);
            }
        }
    }

    /// Walks the streams from byte `at` of each part (of `part` bytes) until a state reports:
    /// returns that byte, or `None` at the parts' end. Apart from the search's other work, so
    /// that the states stay in registers.
    #[inline(never)]
    fn walk_parts(
        &self,
        data: &[u8],
        part: usize,
        at: usize,
        states: &mut [u32; STREAMS],
    ) -> Option<usize> {
        // A state that reported was handled before this call; cleared of its flag here, no
        // state in the loop carries one (the walk returns as soon as any does), so the steps
        // need not mask it: one instruction fewer for every byte.
        // Held as `usize`, so that no step spends an instruction widening one to index.
        let mut current = states.map(|state| (state & !REPORTS) as usize);
        let data = &data[..STREAMS * part];
        let mut reached = None;
        for at in at..part {
            for (k, state) in current.iter_mut().enumerate() {
                let byte = data[k * part + at];
                *state = self.table[self.row[byte as usize] as usize + *state] as usize;
            }
            if current.iter().fold(0, |any, state| any | state) & REPORTS as usize != 0 {
                reached = Some(at);
                break;
            }
        }
        *states = current.map(|state| state as u32);
        reached
    }

    /// Walks `data[from..until]` on from `state`, reporting occurrences that start in `bounds`.
    fn walk_on(
        &self,
        mut state: u32,
        data: &[u8],
        from: usize,
        until: usize,
        bounds: (usize, usize),
        found: &mut impl FnMut(usize, usize),
    ) {
        for (at, &byte) in data[from..until].iter().enumerate() {
            state = self.step(state, byte);
            if state & REPORTS != 0 {
                self.report(state, from + at + 1, bounds, found);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    use super::*;

    /// Every occurrence, sorted, as the `aho-corasick` crate's overlapping search finds them.
    fn reference(keywords: &[&str], data: &[u8]) -> Vec<(usize, usize)> {
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(keywords)
            .unwrap();
        let mut all: Vec<(usize, usize)> = automaton
            .find_overlapping_iter(data)
            .map(|hit| (hit.start(), hit.pattern().as_usize()))
            .collect();
        all.sort_unstable();
        all
    }

    fn found(dfa: &KeywordDfa, data: &[u8]) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        dfa.find(data, |start, keyword| all.push((start, keyword)));
        all.sort_unstable();
        all
    }

    #[test]
    fn finds_overlapping_occurrences_in_either_case() {
        let keywords = ["key", "api_key", "KEY_", "y_i", "sk-", "-"];
        let dfa = KeywordDfa::new(&keywords);
        let data = b"API_KEY_ID=sk-x; Key";
        assert_eq!(found(&dfa, data), reference(&keywords, data));
        assert_eq!(found(&dfa, data).len(), 7);
    }

    #[test]
    fn every_stream_seam_and_length_agrees_with_the_reference() {
        let keywords = [
            "password",
            "pass",
            "word",
            "ac",
            "a",
            "xoxb-",
            "-----begin ",
            "\n",
        ];
        let dfa = KeywordDfa::new(&keywords);
        let pieces: [&[u8]; 9] = [
            b"pass",
            b"word",
            b"PASSWORD",
            b"ac",
            b"xoxb-",
            b"-----BEGIN ",
            b"\n",
            b"zz",
            b"\xff",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in (0..400).chain([1_000, 4_097, 20_011]) {
            let mut data = Vec::new();
            while data.len() < len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                data.extend_from_slice(pieces[(seed % pieces.len() as u64) as usize]);
            }
            data.truncate(len);
            assert_eq!(
                found(&dfa, &data),
                reference(&keywords, &data),
                "length {len}"
            );
        }
    }

    #[test]
    fn no_keywords_find_nothing() {
        let dfa = KeywordDfa::new(&[] as &[&str]);
        assert!(found(&dfa, b"anything at all").is_empty());
        let dfa = KeywordDfa::new(&["", "x"]);
        assert_eq!(found(&dfa, b"axb"), [(1, 1)]);
    }
}
