//! Value judgement: whether a value found under a secret name is a secret, or code, a
//! placeholder, an identifier, a hash, prose; each rejection says why. The shape predicates it
//! applies are in [`super::shapes`], what people choose as passwords in [`super::passwords`].

use super::names::SECRET_WORDS;
use super::passwords::{is_chosen_password, is_random_printable, names_password};
use super::shapes::*;
use crate::scan::filter;

/// Why a value under a secret name is not a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// A placeholder, template or documented example.
    Placeholder,
    /// Code: a call, member access, operator, predicate or literal.
    Code,
    /// Too uniform for its length.
    LowEntropy,
    /// A word, identifier, number, date, version, path or URL.
    NotSecretShaped,
    /// A UUID under a name that does not end in a secret word.
    Identifier,
    /// A line of a message table (`NAME:123:text`).
    MessageTable,
    /// Words with spaces between: a message, a label, documentation.
    Prose,
    /// A password hash (`pbkdf2_sha256$…`, `$2b$…`), not a password.
    Hash,
}

/// How strong a credential a value under a secret name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// Random enough to be generated.
    Generated,
    /// A password a person chose (`Summer2024`, `admin123`): a credential, and a weak one.
    Weak,
}

/// Where a value stands: inside a literal (its delimiter ends it, punctuation is part of it),
/// or bare, where code can stand; and whether the file is code, where a bare word may be a
/// variable's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The value is delimited (quoted, XML text, a block scalar).
    pub delimited: bool,
    /// The file is source code, not config.
    pub code_file: bool,
}

impl Slot {
    /// A bare value in source code, where a word may be a variable's name.
    pub const CODE: Slot = Slot {
        delimited: false,
        code_file: true,
    };

    /// A bare value in a config file or an environment dump.
    pub const CONFIG: Slot = Slot {
        delimited: false,
        code_file: false,
    };
}

/// Judges `value` found under the name made of `words`, on `line`, standing in `slot`.
pub fn judge(words: &[String], value: &[u8], line: &[u8], slot: Slot) -> Result<Strength, Reject> {
    if is_message_table(line) {
        return Err(Reject::MessageTable);
    }
    if if slot.delimited {
        is_prose_words(value)
    } else {
        is_prose(value)
    } {
        return Err(Reject::Prose);
    }
    // Random characters over the printable set (a password manager's, a salt) read as code
    // to the shape checks below; where no code stands, they are taken for what they are.
    let random = is_random_printable(value);
    if is_code_literal(value)
        || is_path_call(value)
        || is_type_expression(value)
        || is_module_path(value)
        || is_option_assignment(value)
        || is_markup(value)
        || filter::holds_template(value)
        || is_format_string(value, random)
    {
        return Err(Reject::Code);
    }
    // A predicate or a bang method (`ready?`, `save!`) is code in source files only; a config
    // value may end in a symbol (`Fluffy12!`).
    let judged_as_code = if slot.code_file {
        value
    } else {
        value
            .strip_suffix(b"!")
            .filter(|head| head.iter().any(u8::is_ascii_digit))
            .unwrap_or(value)
    };
    let code_can_stand = !slot.delimited && slot.code_file;
    if !slot.delimited
        && (!random || code_can_stand)
        && (is_code(judged_as_code) || filter::is_code_shaped(judged_as_code))
    {
        return Err(Reject::Code);
    }
    // A bare value that opens a bracket is a list, a map or an expression
    // (`[table.c.uid, table.c.bar]`, `{user: bob}`), unless its characters are random.
    if !slot.delimited && !random && matches!(value.first(), Some(b'[' | b'{' | b'(')) {
        return Err(Reject::Code);
    }
    // In source code a bare value with brackets or a leading sigil is an expression
    // (`3})).unwrap_err(`, `vec![group]`, `&key`); config files hold such passwords.
    if !slot.delimited && slot.code_file && filter::has_code_punctuation(value) {
        return Err(Reject::Code);
    }
    // A regex (`[a-z0-9]{80}`), anywhere; a literal that quotes code (`` `setPassword("v")` ``
    // in a comment).
    if filter::is_regex_shape(value)
        || (slot.delimited
            && !random
            && value.iter().any(|b| matches!(b, b'"' | b'\'' | b'`'))
            && filter::is_code_shaped(value))
    {
        return Err(Reject::Code);
    }
    if slot.delimited && !random && is_options_or_quoted_phrase(value) {
        return Err(Reject::Code);
    }
    // Minified code quoted in a string (`'…+e)}i=makeRequest({urlList:[t]});l=…'`).
    if !random && holds_statement_punctuation(value) {
        return Err(Reject::Code);
    }
    if is_percent_encoded_text(value) {
        return Err(Reject::NotSecretShaped);
    }
    if filter::is_placeholder(value) || is_numbered_word(value) {
        return Err(Reject::Placeholder);
    }
    if names_itself(value) {
        return Err(Reject::Identifier);
    }
    if is_password_hash(value) {
        return Err(Reject::Hash);
    }
    if repeats_name(words, value) {
        return Err(Reject::NotSecretShaped);
    }
    // A value shaped like a JWT must be one (a lone header is not a token).
    if value.starts_with(b"eyJ") && crate::analyze::jwt::decode(value).is_none() {
        return Err(Reject::NotSecretShaped);
    }
    if is_uuid(value) {
        // A UUID is an identifier unless the name says token, key, secret or password.
        let last = words.last().map_or("", String::as_str);
        let secret_last = SECRET_WORDS.contains(&last)
            || last == "sig"
            || ["key", "token", "secret", "password"]
                .iter()
                .any(|w| last.ends_with(w));
        return if secret_last {
            Ok(Strength::Generated)
        } else {
            Err(Reject::Identifier)
        };
    }
    let shaped = generated_shape(value, random);
    match shaped {
        Ok(()) => Ok(Strength::Generated),
        Err(reason) if names_password(words) && is_chosen_password(value, slot) => {
            let _ = reason;
            Ok(Strength::Weak)
        }
        Err(reason) => Err(reason),
    }
}

/// Whether `value` has the shape of a generated secret: not a number, words, an identifier,
/// a path, and random enough for its length; `random_printable` is [`is_random_printable`]
/// of it.
fn generated_shape(value: &[u8], random_printable: bool) -> Result<(), Reject> {
    // Random characters over the printable set are not a path or a name, whatever slashes
    // and dots they hold (`/0ep.U7B8XU`); a URL is still a URL.
    let random = random_printable && memchr::memmem::find(value, b"://").is_none();
    if is_number_literal(value)
        || is_words(value)
        || is_camel_identifier(value)
        || is_pascal_identifier(value)
        || (!random && is_file_path(value))
        || value.len() < 8
        || (!random && !filter::is_plausible_secret_shape(value))
    {
        return Err(Reject::NotSecretShaped);
    }
    if filter::shannon_entropy(value) < min_entropy_for_value(value) {
        return Err(Reject::LowEntropy);
    }
    Ok(())
}

/// The entropy `value` needs: [`min_entropy_for`] its length, less for long hex
/// ([`filter::entropy_floor`]).
fn min_entropy_for_value(value: &[u8]) -> f64 {
    filter::entropy_floor(min_entropy_for(value.len()), value)
}

/// The entropy a value of `len` characters needs: random strings of 8 characters reach about
/// 2.8 bits, of 16 about 3.5, of 32 and more (hex included) about 3.6.
pub(super) fn min_entropy_for(len: usize) -> f64 {
    match len {
        0..=11 => 2.5,
        12..=19 => 2.8,
        _ => 3.0,
    }
}
