//! Passwords: random characters over the printable set (a password manager's), passwords
//! people choose (`Summer2024`), and names that say password.

use super::shapes::{min_entropy_for, Slot};
use crate::scan::filter;

/// Whether `value` reads as random characters over the printable set, as password managers
/// and salt generators make them (`oFy|*)jW`, `m[^X7WANjm-uj:TKPWgE`): 8 characters or more,
/// three classes of letters, digits and symbols, several distinct symbols, and few words. Code
/// uses few kinds of punctuation and many words (`env(DB_SECRET)`, `Api::Key`).
pub fn is_random_printable(value: &[u8]) -> bool {
    let graphic = value.iter().filter(|b| b.is_ascii_graphic()).count();
    if graphic < 8 || value.len() > 256 || !value.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
    {
        return false;
    }
    let lower = value.iter().any(u8::is_ascii_lowercase);
    let upper = value.iter().any(u8::is_ascii_uppercase);
    let digit = value.iter().any(u8::is_ascii_digit);
    let mut symbols = [false; 128];
    for b in value.iter().filter(|b| b.is_ascii_punctuation()) {
        symbols[*b as usize] = true;
    }
    let distinct_symbols = symbols.iter().filter(|s| **s).count();
    let classes = [lower, upper, digit, distinct_symbols > 0]
        .iter()
        .filter(|c| **c)
        .count();
    let enough_symbols = distinct_symbols >= 3 || (distinct_symbols >= 2 && classes == 4);
    // Letters in words three long or longer that read as words (`Getenv`, `KEY`, `void`):
    // the words of code. Random runs (`snivgwqh`) are made of letter pairs words seldom have.
    let mut in_words = 0;
    let mut longest_word = 0;
    let mut start = 0;
    for i in 1..=value.len() {
        let b = value.get(i).copied().unwrap_or(b' ');
        let previous = value[i - 1];
        let run = i - start;
        // A word goes on in one case, or from one capital into lower case (`Getenv`).
        let continues = b.is_ascii_alphabetic()
            && previous.is_ascii_alphabetic()
            && (b.is_ascii_uppercase() == previous.is_ascii_uppercase()
                || (run == 1 && previous.is_ascii_uppercase() && b.is_ascii_lowercase()));
        if !continues {
            let word = std::str::from_utf8(&value[start..i]).unwrap_or("");
            if run >= 3
                && word.bytes().all(|b| b.is_ascii_alphabetic())
                && filter::common_bigram_share(word) >= 0.5
            {
                in_words += run;
                longest_word = longest_word.max(run);
            }
            start = i;
        }
    }
    classes >= 3
        && enough_symbols
        && in_words * 4 <= graphic
        && longest_word <= 7
        && filter::shannon_entropy(value) >= min_entropy_for(value.len())
}

/// Whether a name says password (`DB_PASSWORD`, `smtp_passwd`, `adminPwd`, `passphrase`).
pub fn names_password(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "pwd" | "pass" | "pw" | "passphrase" | "credential" | "credentials"
        ) || w.ends_with("password")
            || w.ends_with("passwd")
            // `requirepass`, `masterpass`; not `bypass` or `compass`.
            || (w.ends_with("pass") && !matches!(w.as_str(), "bypass" | "compass" | "surpass"))
    })
}

/// Whether `value` reads as a password a person chose: 6 to 40 characters, letters with
/// digits or symbols (`Summer2024`, `admin123`, `Fluffy12!`), not a date, version, path or
/// URL. In source code a bare one must hold a symbol no name can (`admin123` there is a
/// variable).
pub fn is_chosen_password(value: &[u8], slot: Slot) -> bool {
    let letters = value.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    let symbols = value.iter().filter(|b| b.is_ascii_punctuation()).count();
    let name_like = value
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'$'));
    (6..=40).contains(&value.len())
        && value.iter().all(u8::is_ascii_graphic)
        && letters >= 3
        && digits + symbols >= 1
        && !value.contains(&b'/')
        && !is_words_and_separators(value)
        && !(slot.code_file && !slot.delimited && name_like)
}

/// `snake_case`, `kebab-case` and dotted names without digits (`db_pass`, `app.secret`): a
/// name, not a password.
fn is_words_and_separators(value: &[u8]) -> bool {
    !value.iter().any(u8::is_ascii_digit)
        && value
            .iter()
            .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-'))
}
