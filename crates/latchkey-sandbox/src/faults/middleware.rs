//! The middleware that applies registered faults to real HTTP exchanges. It can be layered on
//! any router (Graph, identity, ARM); the sandbox's own control API is never faulted, so a test
//! can always clear what it set.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::connection::ConnectionControl;
use super::{FaultKind, Refusal, Scope};
use crate::state::SandboxState;

/// Bodies larger than this are not re-cut by the body faults (none of the sandbox's are).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// How many pieces a slow body is trickled in.
const SLOW_PIECES: usize = 10;

/// Takes one use of the first non-latency fault matching a `$batch` sub-request, if any.
pub(crate) fn take_for_batch_item(
    state: &SandboxState,
    method: &str,
    path: &str,
) -> Option<FaultKind> {
    state.faults().plan(method, path, Scope::BatchItem).fault
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Middleware applying the registered faults.
pub async fn apply(
    State(state): State<Arc<SandboxState>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/_sandbox/") {
        return next.run(request).await;
    }
    let plan = state
        .faults()
        .plan(request.method().as_str(), path, Scope::Exchange);
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    let Some(kind) = plan.fault else {
        return next.run(request).await;
    };
    if let Some(refusal) = Refusal::before(kind) {
        return refusal.into_response();
    }
    match kind {
        FaultKind::Reset => reset(&request),
        FaultKind::LoseResponse => {
            let _ = next.run(request).await;
            Refusal::lost().into_response()
        }
        FaultKind::Malformed => {
            let _ = next.run(request).await;
            malformed()
        }
        FaultKind::Truncated => truncated(next.run(request).await).await,
        FaultKind::SlowBody { ms } => {
            slow_body(next.run(request).await, Duration::from_millis(ms)).await
        }
        // Handled above; kept explicit so a new kind cannot slip through unanswered.
        FaultKind::Latency { .. }
        | FaultKind::Throttle { .. }
        | FaultKind::Unavailable
        | FaultKind::ServerError
        | FaultKind::GatewayTimeout => next.run(request).await,
    }
}

/// Closes the connection without answering. Served without [`ConnectionControl`] (someone
/// else's listener), the best available is a body that fails at once, which makes hyper
/// abort the connection, possibly after the status line.
fn reset(request: &Request<Body>) -> Response {
    match request.extensions().get::<ConnectInfo<ConnectionControl>>() {
        Some(ConnectInfo(control)) => {
            control.reset();
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        None => Response::new(Body::from_stream(futures_util::stream::once(async {
            Err::<Bytes, _>(std::io::Error::other(
                "connection reset by an injected fault",
            ))
        }))),
    }
}

/// A reverse proxy's error page where JSON was expected.
fn malformed() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
         <body><h1>Bad Gateway</h1><p>The upstream server sent an invalid response.</p></body></html>",
    )
        .into_response()
}

/// The processed answer's status and headers, with only the first half of its body followed
/// by a failure: the client sees the full `Content-Length` promised and the connection drop.
async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    // The pause lets hyper flush the status line and the half body before the failure,
    // which otherwise could discard them unsent and look like a reset.
    let pieces = futures_util::stream::unfold(Some(half), |half| async move {
        match half {
            Some(half) => Some((Ok(half), None)),
            None => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let cut = std::io::Error::other("body truncated by an injected fault");
                Some((Err(cut), None))
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(pieces))
}

/// The processed answer with its body sent in pieces, spread over `over`.
async fn slow_body(response: Response, over: Duration) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let piece_len = bytes.len().div_ceil(SLOW_PIECES).max(1);
    let pieces: Vec<Bytes> = (0..bytes.len())
        .step_by(piece_len)
        .map(|start| bytes.slice(start..(start + piece_len).min(bytes.len())))
        .collect();
    let pause = over / u32::try_from(pieces.len().max(1)).unwrap_or(1);
    let stream = futures_util::stream::unfold(pieces.into_iter(), move |mut rest| async move {
        let piece = rest.next()?;
        tokio::time::sleep(pause).await;
        Some((Ok::<_, std::io::Error>(piece), rest))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}
