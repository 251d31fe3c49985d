//! Fault injection for tests and soak runs: answers chosen Graph routes with throttling or
//! server errors, before the request is processed or after it (a lost response: the change
//! happened but the client never hears so).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::state::SandboxState;

/// What to do to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FaultKind {
    /// 429 with `Retry-After` (seconds), before processing.
    Throttle { retry_after: u32 },
    /// 503, before processing.
    Unavailable,
    /// Processed, then 504: the client cannot know the outcome.
    LoseResponse,
}

/// A fault on requests whose method matches and whose path contains `path_contains`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub method: String,
    pub path_contains: String,
    pub kind: FaultKind,
    /// How many matching requests it applies to.
    pub count: u32,
}

/// Takes one use of the first fault matching `method` and `path`, if any.
pub(crate) fn take(state: &SandboxState, method: &str, path: &str) -> Option<FaultKind> {
    let mut faults = state.faults();
    let fault = faults.iter_mut().find(|f| {
        f.count > 0 && f.method.eq_ignore_ascii_case(method) && path.contains(&f.path_contains)
    })?;
    fault.count -= 1;
    Some(fault.kind)
}

fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

/// Middleware applying the registered faults.
pub async fn apply(
    State(state): State<Arc<SandboxState>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    match take(&state, &method, &path) {
        None => next.run(request).await,
        Some(FaultKind::Throttle { retry_after }) => {
            let mut response = graph_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
            );
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after));
            response
        }
        Some(FaultKind::Unavailable) => graph_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
        ),
        Some(FaultKind::LoseResponse) => {
            let _ = next.run(request).await;
            graph_error(
                StatusCode::GATEWAY_TIMEOUT,
                "GatewayTimeout",
                "The gateway timed out.",
            )
        }
    }
}
