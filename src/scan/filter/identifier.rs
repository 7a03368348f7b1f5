//! Identifiers and words: whether text reads as names made of words (`TokenStream2`,
//! `CFStringRef`, `bound_health_check_url`), by camelCase words and common letter pairs.

/// Splits a run of letters (or letters and digits) into camelCase words, keeping acronyms
/// together: `CFStringRef` → `CF`, `String`, `Ref`.
pub(crate) fn camel_words(letters: &str) -> Vec<&str> {
    let bytes = letters.as_bytes();
    let mut words = Vec::new();
    let mut start = 0;
    for i in 1..bytes.len() {
        let lower_to_upper = bytes[i - 1].is_ascii_lowercase() && bytes[i].is_ascii_uppercase();
        let acronym_end = bytes[i - 1].is_ascii_uppercase()
            && bytes[i].is_ascii_uppercase()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        if lower_to_upper || acronym_end {
            words.push(&letters[start..i]);
            start = i;
        }
    }
    words.push(&letters[start..]);
    words
}

/// Whether `word` reads as a word: a short acronym (`CF`, `HTTP`) or two or more letters with
/// a vowel (`Token`, `ty`). Random strings break into vowel-less fragments (`Wm`, `jd`, `k`).
fn is_wordy(word: &str) -> bool {
    let upper = word.bytes().all(|b| b.is_ascii_uppercase());
    if upper && word.len() <= 6 {
        return true;
    }
    word.len() >= 2 && word.bytes().any(|b| b"aeiouyAEIOUY".contains(&b))
}

/// Letter pairs common in English words, and so in identifiers made of them. Random letters
/// hit about a third of them (240 of 676 pairs); words hit most.
const COMMON_BIGRAMS: &str = concat!(
    "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou ",
    "io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di ",
    "fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ",
    "ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig ",
    "tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do ",
    "uc bu ei ov by rm ep tt oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va ",
    "um pp ua up lu go ht ru ug ds lt pi rc rr eg au ck ew mu br bi pt ak pu ui rg ib tl ",
    "ny ki rk ys ob mm fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu af hu nn ",
    "eo vo rv nf xp gn sm fl iz ok nl my gl aw sy oa ",
);

/// The share of adjacent letter pairs in `text` (case folded, within runs of letters) that are
/// common in English; 1.0 when there is no pair.
pub fn common_bigram_share(text: &str) -> f64 {
    static TABLE: std::sync::LazyLock<[bool; 676]> = std::sync::LazyLock::new(|| {
        let mut table = [false; 676];
        for pair in COMMON_BIGRAMS.split_whitespace() {
            let b = pair.as_bytes();
            table[usize::from(b[0] - b'a') * 26 + usize::from(b[1] - b'a')] = true;
        }
        table
    });
    let (mut pairs, mut common) = (0usize, 0usize);
    for pair in text.as_bytes().windows(2) {
        if pair[0].is_ascii_alphabetic() && pair[1].is_ascii_alphabetic() {
            pairs += 1;
            let (a, b) = (pair[0].to_ascii_lowercase(), pair[1].to_ascii_lowercase());
            common += usize::from(TABLE[usize::from(a - b'a') * 26 + usize::from(b - b'a')]);
        }
    }
    if pairs == 0 {
        1.0
    } else {
        common as f64 / pairs as f64
    }
}

/// Whether `text` is an identifier made of words, with or without digits and underscores:
/// `TokenStream2`, `Curve25519SeedBin`, `CFStringRef`, `pTokenizer`, `IKEEXT_CREDENTIAL0`.
/// Most of its letters (60%) sit in real words of three letters or more, and its digits form
/// at most two groups; random strings break into short vowel-less fragments and scattered
/// digits instead.
pub(super) fn is_identifier(text: &str) -> bool {
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
    {
        return false;
    }
    // CONSTANT_CASE and snake_case with an underscore are names, not secrets.
    let has_underscore = text.contains('_');
    if has_underscore
        && (text.bytes().all(|b| !b.is_ascii_lowercase())
            || text.bytes().all(|b| !b.is_ascii_uppercase()))
    {
        return true;
    }
    let digit_groups = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|group| !group.is_empty())
        .count();
    if digit_groups > 2 {
        return false;
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|run| !run.is_empty())
        .flat_map(camel_words)
        .collect();
    let letters: usize = words.iter().map(|w| w.len()).sum();
    let in_words: usize = words
        .iter()
        .filter(|w| w.len() >= 3 && is_wordy(w))
        .map(|w| w.len())
        .sum();
    // Words are made of common letter pairs; random letters are not (measured on 60,000
    // mixed-case identifiers from crate sources and 20,000 random strings: 98% of identifiers
    // keep at least 55% common pairs; random strings misread as identifiers fall from 5% to 1%).
    letters > 0 && in_words * 10 >= letters * 6 && common_bigram_share(text) >= 0.55
}

/// A short lower-case name part with digits, as in member access and host names (`v3`, `s3`,
/// `ec2`, `ipv6`): too short to carry a secret's randomness.
pub(super) fn is_short_name(part: &str) -> bool {
    (1..=4).contains(&part.len())
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Lower-case kebab-case made of words and short parts with digits (`ipv6-crypt`,
/// `dot1x-mab`): option values, not secrets. One part at least must be a word of letters, so
/// random lower-case runs joined by `-` are kept.
pub(super) fn is_kebab_words(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let word = |part: &&str| {
        part.len() >= 3 && part.bytes().all(|b| b.is_ascii_lowercase()) && is_identifier(part)
    };
    parts.len() >= 2
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && parts
            .iter()
            .all(|part| is_short_name(part) || word(part) || is_short_word_with_digit(part))
        && parts.iter().any(word)
}

/// A five-character option part such as `dot1x`: a letter first and one digit at most. A
/// license key's random groups (`4n39b-4ezc3`) break this soon.
fn is_short_word_with_digit(part: &str) -> bool {
    part.len() == 5
        && part.as_bytes()[0].is_ascii_alphabetic()
        && part.bytes().filter(u8::is_ascii_digit).count() <= 1
        && part.bytes().any(|b| b"aeiou".contains(&b))
}

/// Whether `text` is an identifier made of words (`bound_health_check_url`, `SecretKeyBase`):
/// what a key-shaped regex may match in code without any key there.
pub fn is_word_identifier(text: &[u8]) -> bool {
    // Only letters between the separators: `live_<64 hex>` is a key with a word in front.
    let letters = text
        .split(|b| *b == b'_')
        .all(|part| !part.is_empty() && part.iter().all(u8::is_ascii_alphabetic));
    letters && std::str::from_utf8(text).is_ok_and(is_identifier)
}
