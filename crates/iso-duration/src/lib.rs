//! ISO-8601 durations as Microsoft Graph uses them (`PT2H`, `PT30M`, `P5D`, `PT5H30M`), with an optional
//! leading `-` that the demo-tenant file uses for "ago".

use chrono::Duration;

/// Parses `[-]P[nW][nD][T[nH][nM][n[.n]S]]`. Years and months are refused: their length is ambiguous.
pub fn parse(text: &str) -> Option<Duration> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    if rest.is_empty() {
        return None;
    }
    let mut total_ms: i64 = 0;
    let mut in_time = false;
    let mut number = String::new();
    let mut saw_component = false;
    for ch in rest.chars() {
        match ch {
            '0'..='9' | '.' => number.push(ch),
            'T' | 't' if !in_time && number.is_empty() => in_time = true,
            unit => {
                let value: f64 = number.parse().ok()?;
                number.clear();
                let unit_ms: f64 = match (in_time, unit.to_ascii_uppercase()) {
                    (false, 'W') => 7.0 * 86_400_000.0,
                    (false, 'D') => 86_400_000.0,
                    (true, 'H') => 3_600_000.0,
                    (true, 'M') => 60_000.0,
                    (true, 'S') => 1_000.0,
                    _ => return None,
                };
                let part = value * unit_ms;
                if !part.is_finite() || part > i64::MAX as f64 / 4.0 {
                    return None;
                }
                total_ms = total_ms.checked_add(part.round() as i64)?;
                saw_component = true;
            }
        }
    }
    if !number.is_empty() || !saw_component {
        return None;
    }
    let duration = Duration::try_milliseconds(total_ms)?;
    Some(if negative { -duration } else { duration })
}

/// Formats a positive duration as Graph does (`PT8H`, `PT1H30M`, `P1DT2H`).
pub fn format(duration: Duration) -> String {
    let total = duration.num_seconds().max(0);
    let (days, rest) = (total / 86_400, total % 86_400);
    let (hours, rest) = (rest / 3_600, rest % 3_600);
    let (minutes, seconds) = (rest / 60, rest % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours + minutes + seconds > 0 || days == 0 {
        out.push('T');
        for (value, unit) in [(hours, 'H'), (minutes, 'M'), (seconds, 'S')] {
            if value > 0 {
                out.push_str(&format!("{value}{unit}"));
            }
        }
        if out.ends_with('T') {
            out.push_str("0S");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_graph_uses() {
        assert_eq!(parse("PT2H"), Some(Duration::hours(2)));
        assert_eq!(parse("PT30M"), Some(Duration::minutes(30)));
        assert_eq!(parse("PT5H30M"), Some(Duration::minutes(330)));
        assert_eq!(parse("P5D"), Some(Duration::days(5)));
        assert_eq!(parse("-P30D"), Some(Duration::days(-30)));
        assert_eq!(parse("P1DT1H"), Some(Duration::hours(25)));
        assert_eq!(parse("PT1.5S"), Some(Duration::milliseconds(1500)));
        assert_eq!(parse("pt1h"), Some(Duration::hours(1)));
    }

    #[test]
    fn formats_round_trip() {
        for text in ["PT8H", "PT1H30M", "P1DT2H", "PT45S", "P2D", "PT0S"] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
    }

    #[test]
    fn refuses_malformed_and_ambiguous_input() {
        for bad in [
            "", "P", "PT", "2H", "PT2", "P1Y", "P1M", "PTH", "P1H", "PT1D", "PT1.2.3S",
        ] {
            assert_eq!(parse(bad), None, "{bad:?} should not parse");
        }
        assert_eq!(parse("PT99999999999999999999H"), None);
    }
}
