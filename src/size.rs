//! Parsing human sizes such as `16MiB`, `500KB` or `1048576` for `--max-file-size`.

use crate::error::{Error, Result};

/// Parses a size: a number with an optional unit `B`, `K`/`KiB`, `KB`, `M`/`MiB`, `MB`, `G`/`GiB`,
/// `GB` (case-insensitive; the bare letters are binary units).
pub fn parse_size(text: &str) -> Result<u64> {
    let quoted = crate::error::shown(text);
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let number: u64 = digits.parse().map_err(|_| {
        Error::Value(format!(
            "invalid size {quoted}: expected a number such as 16MiB"
        ))
    })?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "kb" => 1_000,
        "m" | "mib" => 1 << 20,
        "mb" => 1_000_000,
        "g" | "gib" => 1 << 30,
        "gb" => 1_000_000_000,
        other => {
            return Err(Error::Value(format!(
                "invalid size unit `{other}` in {quoted}"
            )))
        }
    };
    number
        .checked_mul(multiplier)
        .ok_or_else(|| Error::Value(format!("size {quoted} is too large")))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn parses_units() {
        assert_eq!(parse_size("16MiB").unwrap(), 16 << 20);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("500KB").unwrap(), 500_000);
        assert_eq!(parse_size("42").unwrap(), 42);
        assert_eq!(parse_size("2m").unwrap(), 2 << 20);
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_size("").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
