//! Lenient timestamps: Graph sends 0–7 fractional digits, and some payloads omit the offset.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Parses RFC 3339 with any number of fractional digits; a missing offset means UTC.
pub fn parse_lenient(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// Serde helper for optional lenient timestamps; an unreadable value becomes `None` rather than
/// failing the whole response.
pub fn lenient_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.as_deref().and_then(parse_lenient))
}

/// Formats for the UI and IPC: RFC 3339, milliseconds, `Z`.
pub fn to_ipc(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// "4 hours", "90 minutes", "1 hour 30 minutes".
pub fn minutes_in_words(minutes: u32) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    let plural = |n: u32, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    match (hours, rest) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_precision_graph_uses() {
        for text in [
            "2022-04-14T00:00:00Z",
            "2022-04-12T14:44:50.287Z",
            "2022-04-11T11:50:05.9999343Z",
            "2022-04-11T11:50:05.9999343+00:00",
            "2025-02-13T10:17:06",
        ] {
            assert!(parse_lenient(text).is_some(), "{text}");
        }
        let t = parse_lenient("2022-04-11T11:50:05.9999343Z").unwrap();
        assert_eq!(to_ipc(t), "2022-04-11T11:50:05.999Z");
        assert_eq!(parse_lenient("yesterday"), None);
        assert_eq!(minutes_in_words(240), "4 hours");
        assert_eq!(minutes_in_words(90), "1 hour 30 minutes");
        assert_eq!(minutes_in_words(1), "1 minute");
    }
}
