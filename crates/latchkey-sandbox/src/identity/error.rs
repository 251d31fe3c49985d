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
        }
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
        let body = json!({
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
        (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Json(body),
        )
            .into_response()
    }
}
