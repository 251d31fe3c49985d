//! Identity-platform errors (OAuth `error` + `AADSTS` number) turned into a code and a sentence
//! that says what to do next.

use crate::error::{Error, ErrorCode};

/// The AADSTS number at the start of an `error_description` ("AADSTS70019: …").
pub fn aadsts_number(description: &str) -> Option<u32> {
    let rest = description.trim_start().strip_prefix("AADSTS")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The first line of a description, without the AADSTS prefix and the trace/correlation ids.
fn first_line(description: &str) -> &str {
    let line = description.lines().next().unwrap_or_default().trim();
    match line.split_once(": ") {
        Some((prefix, rest)) if prefix.starts_with("AADSTS") => rest,
        _ => line,
    }
}

/// Classifies an OAuth error response.
pub fn classify(error: &str, description: Option<&str>) -> Error {
    let description = description.unwrap_or_default();
    let number = aadsts_number(description);
    let (code, message) = match (error, number) {
        ("expired_token", _) | (_, Some(70019)) => (
            ErrorCode::SignInCodeExpired,
            "The sign-in code expired before sign-in finished. Get a new code and try again.".to_owned(),
        ),
        ("authorization_declined" | "access_denied", _) => (
            ErrorCode::SignInDeclined,
            "Sign-in was declined in the browser. Start again if that was a mistake.".to_owned(),
        ),
        ("bad_verification_code", _) | (_, Some(70018)) => (
            ErrorCode::SignInCodeExpired,
            "The sign-in service no longer recognises this code. Get a new code and try again.".to_owned(),
        ),
        (_, Some(7000218)) => (
            ErrorCode::SignInRejected,
            "Latchkey's app registration does not allow public client flows. An administrator must set \"Allow public client flows\" to Yes on it.".to_owned(),
        ),
        (_, Some(700016)) => (
            ErrorCode::SignInRejected,
            "Latchkey's client id was not found in this tenant. Check the client id in config.json, or ask an administrator to register the app.".to_owned(),
        ),
        (_, Some(90002)) => (
            ErrorCode::SignInRejected,
            "That tenant does not exist. Check the tenant name in config.json.".to_owned(),
        ),
        (_, Some(65001)) => (
            ErrorCode::SignInRejected,
            "Latchkey has not been granted consent in this tenant. An administrator must grant admin consent for its permissions.".to_owned(),
        ),
        (_, Some(53003)) => (
            ErrorCode::SignInRejected,
            "Conditional Access blocked this sign-in. Try the other sign-in method (browser or device code), or ask your administrator which conditions apply.".to_owned(),
        ),
        (_, Some(54005)) => (
            ErrorCode::SignInRejected,
            "This sign-in answer was already used. Start the sign-in again.".to_owned(),
        ),
        (_, Some(501481 | 50148)) => (
            ErrorCode::SignInRejected,
            "The sign-in service could not match this answer to the sign-in Latchkey started (PKCE check failed). Start the sign-in again.".to_owned(),
        ),
        (_, Some(50011 | 500112 | 500113)) => (
            ErrorCode::SignInRejected,
            "The app registration does not accept Latchkey's sign-in address. An administrator must add http://localhost as a \"Mobile and desktop applications\" redirect URI.".to_owned(),
        ),
        (_, Some(65004)) => (
            ErrorCode::SignInDeclined,
            "Sign-in was declined in the browser. Start again if that was a mistake.".to_owned(),
        ),
        (_, Some(50057)) => (
            ErrorCode::SessionExpired,
            "Your account is disabled. Contact your administrator.".to_owned(),
        ),
        (_, Some(50076 | 50079)) => (
            ErrorCode::SessionExpired,
            "Your organisation now requires multi-factor authentication. Sign in again.".to_owned(),
        ),
        ("invalid_grant", _) | ("interaction_required", _) => (
            ErrorCode::SessionExpired,
            "Your session has ended (it was revoked, expired, or your password changed). Sign in again.".to_owned(),
        ),
        ("invalid_scope", _) => (
            ErrorCode::SignInRejected,
            format!("The sign-in service refused Latchkey's permissions: {}. Check the app registration's API permissions.", first_line(description)),
        ),
        _ => (
            ErrorCode::SignInRejected,
            format!("The sign-in service refused the request: {}", if description.is_empty() { error } else { first_line(description) }),
        ),
    };
    let service_code = match number {
        Some(n) => format!("AADSTS{n}"),
        None => error.to_owned(),
    };
    Error::new(code, message).with_service_code(service_code)
}

/// Which sign-in a token-service error came from; some answers mean something else per flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Device-code sign-in.
    DeviceCode,
    /// Browser sign-in (authorization code + PKCE).
    Browser,
    /// A silent refresh without claims.
    Refresh,
    /// A silent refresh with step-up claims.
    SilentStepUp,
}

/// Adjusts a classified error to the flow it happened in.
pub fn for_flow(flow: Flow, error: Error) -> Error {
    let service = error.service_code.clone().unwrap_or_default();
    let sentence = match (flow, service.as_str()) {
        (Flow::DeviceCode, "AADSTS53003") => Some((
            ErrorCode::SignInRejected,
            "Conditional Access blocked this sign-in. Your organisation may not allow device-code sign-in: use Sign in with browser instead.",
        )),
        (Flow::Browser, "AADSTS53003") => Some((
            ErrorCode::SignInRejected,
            "Conditional Access blocked the browser sign-in. It may need a managed device or an approved browser; try the device-code sign-in, or ask your administrator which conditions apply.",
        )),
        (Flow::SilentStepUp, "AADSTS50076" | "AADSTS50079" | "AADSTS50074" | "interaction_required") => Some((
            ErrorCode::StepUpRequired,
            "This needs you to confirm it's you (multi-factor authentication). Sign in again when Latchkey asks, then it resends the request.",
        )),
        // A code redemption has no session to lose: "invalid_grant" means start again.
        (Flow::Browser, _) if error.code == ErrorCode::SessionExpired => Some((
            ErrorCode::SignInRejected,
            "The sign-in took too long or its answer was already used. Start the sign-in again.",
        )),
        _ => None,
    };
    match sentence {
        Some((code, message)) => Error {
            code,
            message: message.to_owned(),
            ..error
        },
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPIRED: &str = "AADSTS70019: Verification code expired.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2026-01-01 00:00:00Z";

    #[test]
    fn reads_the_aadsts_number() {
        assert_eq!(aadsts_number(EXPIRED), Some(70019));
        assert_eq!(aadsts_number("no number"), None);
    }

    #[test]
    fn maps_documented_outcomes_to_codes_and_sentences() {
        let e = classify("expired_token", Some(EXPIRED));
        assert_eq!(e.code, ErrorCode::SignInCodeExpired);
        assert_eq!(e.service_code.as_deref(), Some("AADSTS70019"));
        assert!(e.message.contains("Get a new code"));
        assert_eq!(
            classify("authorization_declined", None).code,
            ErrorCode::SignInDeclined
        );
        let e = classify(
            "invalid_grant",
            Some("AADSTS50173: The provided grant has expired due to it being revoked."),
        );
        assert_eq!(e.code, ErrorCode::SessionExpired);
        assert!(e.message.contains("Sign in again"));
        let e = classify(
            "invalid_client",
            Some("AADSTS7000218: The request body must contain client_assertion"),
        );
        assert!(e.message.contains("Allow public client flows"));
        let e = classify(
            "weird_error",
            Some("AADSTS99999: Something new.\r\nTrace ID: x"),
        );
        assert_eq!(e.code, ErrorCode::SignInRejected);
        assert!(e.message.ends_with("Something new."), "{}", e.message);
        assert!(!e.message.contains("Trace ID"));
    }

    #[test]
    fn pkce_and_conditional_access_answers_say_what_to_do_in_each_flow() {
        let e = classify(
            "invalid_grant",
            Some("AADSTS54005: OAuth2 Authorization code was already redeemed"),
        );
        assert_eq!(e.code, ErrorCode::SignInRejected);
        assert!(e.message.contains("Start the sign-in again"));
        assert_eq!(
            classify("invalid_grant", Some("AADSTS501481: x")).code,
            ErrorCode::SignInRejected
        );
        let blocked = || {
            classify(
                "invalid_grant",
                Some("AADSTS53003: Access has been blocked by Conditional Access policies."),
            )
        };
        assert!(for_flow(Flow::DeviceCode, blocked())
            .message
            .contains("Sign in with browser"));
        assert!(for_flow(Flow::Browser, blocked())
            .message
            .contains("device-code"));
        let mfa = || {
            classify(
                "invalid_grant",
                Some("AADSTS50076: Due to a configuration change"),
            )
        };
        assert_eq!(mfa().code, ErrorCode::SessionExpired);
        let stepped = for_flow(Flow::SilentStepUp, mfa());
        assert_eq!(stepped.code, ErrorCode::StepUpRequired);
        assert_eq!(stepped.service_code.as_deref(), Some("AADSTS50076"));
        let expired = classify("invalid_grant", Some("AADSTS70008: expired"));
        assert_eq!(
            for_flow(Flow::Browser, expired).code,
            ErrorCode::SignInRejected
        );
        let revoked = classify("invalid_grant", Some("AADSTS50173: revoked"));
        assert_eq!(
            for_flow(Flow::SilentStepUp, revoked).code,
            ErrorCode::SessionExpired
        );
    }
}
