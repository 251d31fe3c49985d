//! Token-endpoint errors in Entra's shape: `error`, `error_description` starting with the AADSTS
//! code and ending with trace/correlation ids, `error_codes`, `timestamp`, ids and `error_uri`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::json;

/// An OAuth error as the Microsoft identity platform returns it.
#[derive(Debug, Clone)]
pub struct AadError {
    pub status: StatusCode,
    pub error: &'static str,
    pub aadsts: u32,
    pub description: String,
    pub at: DateTime<Utc>,
    /// Entra's `suberror` (e.g. `basic_action` on an MFA demand), when there is one.
    pub suberror: Option<&'static str>,
    /// The claims a client should request interactively to get past this error.
    pub claims: Option<String>,
}

impl AadError {
    /// HTTP 400 with the given OAuth `error` and AADSTS number.
    pub fn bad_request(
        at: DateTime<Utc>,
        error: &'static str,
        aadsts: u32,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            aadsts,
            description: description.into(),
            at,
            suberror: None,
            claims: None,
        }
    }

    /// `invalid_grant` AADSTS50076: the grant cannot satisfy an MFA demand silently; the client
    /// must sign the person in interactively with `claims` (reference §1.5).
    pub fn mfa_required(at: DateTime<Utc>, claims: Option<&str>) -> Self {
        Self {
            suberror: Some("basic_action"),
            claims: claims.map(str::to_owned),
            ..Self::bad_request(
                at,
                "invalid_grant",
                50076,
                "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
            )
        }
    }

    /// `invalid_request` for a `claims` value that is not JSON. Entra's exact number for this is
    /// not documented; 9002313 is its generic "malformed request" (an assumption).
    pub fn malformed_claims(at: DateTime<Utc>) -> Self {
        Self::bad_request(
            at,
            "invalid_request",
            9002313,
            "Invalid request. Request is malformed or invalid: the claims parameter is not valid JSON.",
        )
    }

    /// `invalid_request` for a missing form parameter (AADSTS900144).
    pub fn missing_parameter(at: DateTime<Utc>, name: &str) -> Self {
        Self::bad_request(
            at,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }
}

impl IntoResponse for AadError {
    fn into_response(self) -> Response {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = uuid::Uuid::new_v4().to_string();
        let timestamp = self.at.format("%Y-%m-%d %H:%M:%SZ").to_string();
        let mut body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
                self.aadsts, self.description
            ),
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.aadsts),
        });
        if let Some(suberror) = self.suberror {
            body["suberror"] = json!(suberror);
        }
        if let Some(claims) = self.claims {
            body["claims"] = json!(claims);
        }
        (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Json(body),
        )
            .into_response()
    }
}
