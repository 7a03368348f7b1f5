//! Value judgement: whether a value found under a secret name is a secret, or code, a
//! placeholder, an identifier, a hash, prose; each rejection says why. The shape predicates it
//! applies are in [`super::shapes`], what people choose as passwords in [`super::passwords`].

use super::names::SECRET_WORDS;
use super::passwords::{is_chosen_password, is_random_printable, names_password};
use super::shapes::*;
use crate::scan::filter;
use crate::scan::reject::unless;

pub use crate::scan::Reject;

/// How strong a credential a value under a secret name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// Random enough to be generated.
    Generated,
    /// A password a person chose (`Summer2024`, `admin123`): a credential, and a weak one.
    Weak,
}

/// Judges `value` found under the name made of `words`, on `line`, standing in `slot`: a
/// sequence of checks, each turning the value down with its reason, then its strength.
pub fn judge(words: &[String], value: &[u8], line: &[u8], slot: Slot) -> Result<Strength, Reject> {
    unless(is_message_table(line), Reject::MessageTable)?;
    not_prose(value, slot)?;
    // Random characters over the printable set (a password manager's, a salt) read as code
    // to the shape checks below; where no code stands, they are taken for what they are.
    let random = is_random_printable(value);
    not_a_form_of_code(value, random)?;
    not_bare_code(value, slot, random)?;
    not_code_in_a_literal(value, slot, random)?;
    unless(is_percent_encoded_text(value), Reject::PercentEncoded)?;
    filter::check_placeholder(value)?;
    unless(is_numbered_word(value), Reject::Placeholder)?;
    unless(names_itself(value), Reject::SecretName)?;
    unless(is_password_hash(value), Reject::Hash)?;
    unless(repeats_name(words, value), Reject::RepeatsName)?;
    // A value shaped like a JWT must be one (a lone header is not a token).
    unless(
        value.starts_with(b"eyJ") && crate::analyze::jwt::decode(value).is_none(),
        Reject::BrokenJwt,
    )?;
    if is_uuid(value) {
        return uuid_strength(words);
    }
    match generated_shape(value, random) {
        Ok(()) => Ok(Strength::Generated),
        Err(_) if names_password(words) && is_chosen_password(value, slot) => Ok(Strength::Weak),
        Err(reason) => Err(reason),
    }
}

/// Turns down prose: words with spaces between (in a literal, mostly words).
fn not_prose(value: &[u8], slot: Slot) -> Result<(), Reject> {
    let prose = if slot.delimited {
        is_prose_words(value)
    } else {
        is_prose(value)
    };
    unless(prose, Reject::Prose)
}

/// Turns down what is code wherever it stands: literals of code, path calls, types, module
/// paths, options, markup, templates, format strings. `random` is [`is_random_printable`] of
/// `value`.
fn not_a_form_of_code(value: &[u8], random: bool) -> Result<(), Reject> {
    unless(is_code_literal(value), Reject::CodeLiteral)?;
    unless(is_path_call(value), Reject::PathCall)?;
    unless(is_type_expression(value), Reject::TypeExpression)?;
    unless(is_module_path(value), Reject::ModulePath)?;
    unless(is_option_assignment(value), Reject::Options)?;
    unless(is_markup(value), Reject::Markup)?;
    unless(filter::holds_template(value), Reject::Template)?;
    unless(is_format_string(value, random), Reject::FormatString)
}

/// Turns down a bare value (no delimiter bounds it) that is an expression: code, a list or a
/// map, code's punctuation in source code.
fn not_bare_code(value: &[u8], slot: Slot, random: bool) -> Result<(), Reject> {
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
    unless(
        !slot.delimited
            && (!random || code_can_stand)
            && (is_code(judged_as_code) || filter::is_code_shaped(judged_as_code)),
        Reject::Code,
    )?;
    // A bare value that opens a bracket is a list, a map or an expression
    // (`[table.c.uid, table.c.bar]`, `{user: bob}`), unless its characters are random.
    unless(
        !slot.delimited && !random && matches!(value.first(), Some(b'[' | b'{' | b'(')),
        Reject::Code,
    )?;
    // In source code a bare value with brackets or a leading sigil is an expression
    // (`3})).unwrap_err(`, `vec![group]`, `&key`); config files hold such passwords.
    unless(
        !slot.delimited && slot.code_file && filter::has_code_punctuation(value),
        Reject::Code,
    )
}

/// Turns down code written in a value, delimited or not: a regex, quoted code, options or a
/// quoted phrase, minified statements.
fn not_code_in_a_literal(value: &[u8], slot: Slot, random: bool) -> Result<(), Reject> {
    // A regex (`[a-z0-9]{80}`), anywhere; a literal that quotes code (`` `setPassword("v")` ``
    // in a comment).
    unless(filter::is_regex_shape(value), Reject::Regex)?;
    unless(
        slot.delimited
            && !random
            && value.iter().any(|b| matches!(b, b'"' | b'\'' | b'`'))
            && filter::is_code_shaped(value),
        Reject::Code,
    )?;
    unless(
        slot.delimited && !random && is_options_or_quoted_phrase(value),
        Reject::Options,
    )?;
    // Minified code quoted in a string (`'…+e)}i=makeRequest({urlList:[t]});l=…'`).
    unless(
        !random && holds_statement_punctuation(value),
        Reject::MinifiedCode,
    )
}

/// A UUID's strength: an identifier unless the name says token, key, secret or password.
fn uuid_strength(words: &[String]) -> Result<Strength, Reject> {
    let last = words.last().map_or("", String::as_str);
    let secret_last = SECRET_WORDS.contains(&last)
        || last == "sig"
        || ["key", "token", "secret", "password"]
            .iter()
            .any(|w| last.ends_with(w));
    if secret_last {
        Ok(Strength::Generated)
    } else {
        Err(Reject::Uuid)
    }
}

/// Whether `value` has the shape of a generated secret: not a number, words, an identifier,
/// a path, and random enough for its length; `random_printable` is [`is_random_printable`]
/// of it.
fn generated_shape(value: &[u8], random_printable: bool) -> Result<(), Reject> {
    // Random characters over the printable set are not a path or a name, whatever slashes
    // and dots they hold (`/0ep.U7B8XU`); a URL is still a URL.
    let url = memchr::memmem::find(value, b"://").is_some();
    let random = random_printable && !url;
    // Each check turns the value down, so their order decides only the reason given: URLs
    // and paths before the words they are made of.
    unless(is_number_literal(value), Reject::Number)?;
    unless(url, Reject::Url)?;
    unless(!random && is_file_path(value), Reject::Path)?;
    if is_words(value) {
        let letters = value.iter().any(u8::is_ascii_alphabetic);
        return Err(if letters {
            Reject::Words
        } else {
            Reject::Number
        });
    }
    unless(
        is_camel_identifier(value) || is_pascal_identifier(value),
        Reject::Identifier,
    )?;
    unless(value.len() < 8, Reject::TooShort)?;
    if !random {
        filter::check_secret_shape(value)?;
    }
    unless(
        filter::shannon_entropy(value) < min_entropy_for_value(value),
        Reject::LowEntropy,
    )
}

/// The entropy `value` needs: [`min_entropy_for`] its length, less for long hex
/// ([`filter::entropy_floor`]).
fn min_entropy_for_value(value: &[u8]) -> f64 {
    filter::entropy_floor(min_entropy_for(value.len()), value)
}
