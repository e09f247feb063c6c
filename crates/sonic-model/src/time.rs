//! Timestamps: UTC, microsecond precision, written as RFC 3339. Reading also accepts the
//! original's naive ISO-8601 form (no zone), taken as UTC.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// The type of every timestamp in the model.
pub type Timestamp = DateTime<Utc>;

/// Now, truncated to microseconds so a value survives a round trip through any of our formats.
pub fn now() -> Timestamp {
    Utc::now().trunc_subsecs(6)
}

/// Serde adapter for [`Timestamp`] fields: RFC 3339 out, RFC 3339 or naive ISO-8601 in.
pub mod serde_ts {
    use super::*;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// Writes RFC 3339 with a `Z` suffix.
    pub fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&ts.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }

    /// Reads RFC 3339, or a naive `YYYY-MM-DDTHH:MM:SS[.f]` taken as UTC.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(&text).ok_or_else(|| D::Error::custom(format!("invalid timestamp {text:?}")))
    }

    /// Parses either accepted form.
    pub fn parse(text: &str) -> Option<Timestamp> {
        if let Ok(ts) = DateTime::parse_from_rfc3339(text) {
            return Some(ts.with_timezone(&Utc));
        }
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|naive| naive.and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::serde_ts::parse;

    #[test]
    fn naive_and_zoned_timestamps_both_parse() {
        let a = parse("2026-02-18T14:30:22.123456").unwrap();
        let b = parse("2026-02-18T14:30:22.123456Z").unwrap();
        let c = parse("2026-02-18T15:30:22.123456+01:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert!(parse("yesterday").is_none());
    }
}
