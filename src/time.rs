//! Dates and durations as the manifest and `--now` write them: RFC 3339 dates
//! (`2026-02-01`, midnight UTC) or datetimes (`2026-02-01T10:00:00Z`), and durations in whole
//! days (`90d`, `12w`, `1y` = 365 days). Ages are whole days.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::error::{Error, Result};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Parses an RFC 3339 date or datetime. A datetime without an offset is taken as UTC.
pub fn parse_date(text: &str) -> Result<Timestamp> {
    let quoted = crate::error::shown(text);
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(date) = text.parse::<Date>() {
        if text.len() == 10 {
            return date
                .to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|e| Error::Value(format!("invalid date {quoted}: {e}")));
        }
    }
    if let Ok(civil) = text.parse::<jiff::civil::DateTime>() {
        return civil
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| Error::Value(format!("invalid datetime {quoted}: {e}")));
    }
    Err(Error::Value(format!(
        "invalid date {quoted}: expected RFC 3339, such as 2026-02-01 or 2026-02-01T10:00:00Z"
    )))
}

/// Parses a duration such as `90d`, `12w` or `1y` into whole days.
pub fn parse_days(text: &str) -> Result<i64> {
    let quoted = crate::error::shown(text);
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let number: i64 = digits.parse().map_err(|_| {
        Error::Value(format!(
            "invalid duration {quoted}: expected a number and d, w or y, such as 90d"
        ))
    })?;
    let per_unit = match unit {
        "d" => 1,
        "w" => 7,
        "y" => 365,
        _ => {
            return Err(Error::Value(format!(
                "invalid duration {quoted}: the unit must be d (days), w (weeks) or y (years)"
            )))
        }
    };
    number
        .checked_mul(per_unit)
        .ok_or_else(|| Error::Value(format!("duration {quoted} is too large")))
}

/// Whole days from `earlier` to `later` (negative when `later` is before `earlier`).
pub fn days_between(earlier: Timestamp, later: Timestamp) -> i64 {
    (later.as_second() - earlier.as_second()).div_euclid(DAY)
}

/// `ts` plus `days` days.
pub fn add_days(ts: Timestamp, days: i64) -> Timestamp {
    Timestamp::from_second(ts.as_second().saturating_add(days.saturating_mul(DAY)))
        .unwrap_or(Timestamp::MAX)
}

/// RFC 3339 in UTC, whole seconds: `2024-03-01T10:00:00Z`.
pub fn format_rfc3339(ts: Timestamp) -> String {
    Timestamp::from_second(ts.as_second())
        .unwrap_or(ts)
        .to_string()
}

/// Serializes a timestamp as [`format_rfc3339`] does (for `#[serde(serialize_with)]`).
pub fn serialize_rfc3339<S: serde::Serializer>(ts: &Timestamp, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(&format_rfc3339(*ts))
}

/// The calendar date of `ts` in UTC: `2024-03-01`.
pub fn format_date(ts: Timestamp) -> String {
    ts.to_zoned(TimeZone::UTC).date().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_datetimes() {
        assert_eq!(
            format_rfc3339(parse_date("2026-02-01").unwrap()),
            "2026-02-01T00:00:00Z"
        );
        assert_eq!(
            format_rfc3339(parse_date("2026-02-01T10:30:00+02:00").unwrap()),
            "2026-02-01T08:30:00Z"
        );
        assert_eq!(
            format_rfc3339(parse_date("2026-02-01T10:30:00").unwrap()),
            "2026-02-01T10:30:00Z"
        );
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("yesterday").is_err());
        assert!(parse_date("2026-2-1").is_err());
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_days("90d").unwrap(), 90);
        assert_eq!(parse_days("12w").unwrap(), 84);
        assert_eq!(parse_days("1y").unwrap(), 365);
        assert!(parse_days("3m")
            .unwrap_err()
            .to_string()
            .contains("d (days)"));
        assert!(parse_days("d").is_err());
        assert!(parse_days("99999999999999999y").is_err());
    }

    #[test]
    fn counts_whole_days() {
        let a = parse_date("2026-01-01T12:00:00Z").unwrap();
        let b = parse_date("2026-01-03T11:59:59Z").unwrap();
        assert_eq!(days_between(a, b), 1);
        assert_eq!(days_between(b, a), -2);
        assert_eq!(format_date(add_days(a, 31)), "2026-02-01");
    }
}
