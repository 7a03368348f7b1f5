//! Pure tests that reject matches which are not real keys, by concern: `entropy`,
//! placeholders and documented examples (`placeholder`), templates and references
//! (`template`), documentation hosts (`hosts`), code shapes (`shape`), identifiers made of
//! words (`identifier`), names that say not secret (`names`) and the plausibility of a value
//! found only by its name (`plausible`). Each is cheap and runs only on regex matches, never
//! on whole files.

mod entropy;
mod hosts;
mod identifier;
mod names;
mod placeholder;
mod plausible;
mod shape;
mod template;

pub use entropy::{entropy_floor, shannon_entropy};
pub use hosts::is_documentation_host;
pub(crate) use identifier::camel_words;
pub use identifier::{common_bigram_share, is_word_identifier};
pub use names::is_non_secret_name;
pub use placeholder::{check_placeholder, is_placeholder};
pub use plausible::{
    check_secret_shape, check_secret_value, is_plausible_secret_shape, is_plausible_secret_value,
};
pub use shape::{
    has_code_punctuation, holds_non_path_punctuation, is_code_shaped, is_range_or_relative_path,
    is_regex_shape,
};
pub use template::{holds_template, is_variable_reference};
