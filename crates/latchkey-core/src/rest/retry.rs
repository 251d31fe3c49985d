//! When a read is retried and how long to wait: 429 (with `Retry-After`, fractional or absent),
//! 503, 504 and transport failures; capped exponential backoff with jitter. Graph's writes are
//! reconciled by reading first; ARM's name-idempotent PUTs may be resent as they are.

use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;

/// Attempts per read, including the first.
pub const MAX_ATTEMPTS: u32 = 4;
const BASE: Duration = Duration::from_millis(400);
const CAP: Duration = Duration::from_secs(10);
/// Longest `Retry-After` honoured before giving up and reporting throttling.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether a status is worth retrying for a read.
pub fn is_retryable(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Parses `Retry-After` as seconds (Graph documents fractional values such as `2.128`).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    let seconds: f64 = value?.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

/// How long to wait before resending after `response` (429/503/504): its `Retry-After`, or a
/// backoff when it gave none; `None` when it asks for longer than Latchkey waits.
pub fn wait_for(response: &reqwest::Response, attempt: u32) -> Option<Duration> {
    let retry_after = parse_retry_after(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
    );
    match retry_after {
        Some(wait) if wait > MAX_RETRY_AFTER => None,
        Some(wait) => Some(wait),
        None => Some(backoff(attempt)),
    }
}

/// Full-jitter exponential backoff for attempt `n` (1-based), capped.
pub fn backoff(attempt: u32) -> Duration {
    let exp = BASE.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    let ceiling = exp.min(CAP);
    let millis =
        rand::thread_rng().gen_range(ceiling.as_millis() as u64 / 2..=ceiling.as_millis() as u64);
    Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_fractions_and_refuses_garbage() {
        assert_eq!(parse_retry_after(Some("10")), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_retry_after(Some("2.128")),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(parse_retry_after(Some("soon")), None);
        assert_eq!(parse_retry_after(Some("-1")), None);
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..20 {
            let d = backoff(attempt);
            assert!(d <= CAP, "attempt {attempt}: {d:?}");
        }
        assert!(backoff(1) <= BASE);
        assert!(backoff(3) >= BASE * 2);
    }

    #[test]
    fn only_throttling_and_transient_statuses_are_retried() {
        assert!(is_retryable(StatusCode::TOO_MANY_REQUESTS));
        assert!(is_retryable(StatusCode::GATEWAY_TIMEOUT));
        assert!(!is_retryable(StatusCode::BAD_REQUEST));
        assert!(!is_retryable(StatusCode::INTERNAL_SERVER_ERROR));
    }
}
