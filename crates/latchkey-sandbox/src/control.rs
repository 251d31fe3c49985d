//! The sandbox's own control API under `/_sandbox/`, kept apart from every Microsoft path:
//! health, moving virtual time, injected faults, the request log and directory changes
//! (leavers, removed eligibilities).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::graph::timestamp;
use crate::state::SandboxState;

mod directory;

/// Routes of the control API.
pub fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/_sandbox/health", get(health))
        .route("/_sandbox/clock/advance", post(advance_clock))
        .route(
            "/_sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sandbox/requests", get(directory::request_log))
        .route(
            "/_sandbox/users/{user}/disable",
            post(directory::disable_user),
        )
        .route(
            "/_sandbox/eligibilities/{id}",
            axum::routing::delete(directory::remove_eligibility),
        )
}

/// A readable 404 for a control call naming a person the tenant does not have.
pub(crate) fn no_such_user(who: &str) -> Response {
    not_found(format!("no user '{who}' in the sandbox tenant"))
}

/// A readable 404 with `message`.
fn not_found(message: String) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": message }))).into_response()
}

async fn health(State(state): State<Arc<SandboxState>>) -> Response {
    let tenant = state.tenant();
    Json(json!({
        "status": "ok",
        "tenant": { "id": tenant.info.id, "displayName": tenant.info.display_name, "domain": tenant.info.domain },
        "now": timestamp(state.clock.now()),
    }))
    .into_response()
}

/// `POST /_sandbox/faults` with a [`crate::faults::Fault`] body.
async fn add_fault(State(state): State<Arc<SandboxState>>, body: axum::body::Bytes) -> Response {
    let parsed = serde_json::from_slice::<crate::faults::Fault>(&body)
        .map_err(|e| e.to_string())
        .and_then(|fault| fault.validate().map(|()| fault));
    match parsed {
        Ok(fault) => {
            state.faults().add(fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!(
                "expected {{\"kind\", optional \"method\", \"pathContains\", \"count\", \"rate\", \"seed\"}}: {e}"
            ) })),
        )
            .into_response(),
    }
}

/// `GET /_sandbox/faults`: what is registered and how many faults of each kind were injected.
async fn list_faults(State(state): State<Arc<SandboxState>>) -> Response {
    Json(state.faults().describe()).into_response()
}

/// `DELETE /_sandbox/faults`: removes every fault and resets the counters.
async fn clear_faults(State(state): State<Arc<SandboxState>>) -> Response {
    state.faults().clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Advance {
    /// ISO-8601 duration, e.g. `PT15M`.
    by: String,
}

async fn advance_clock(
    State(state): State<Arc<SandboxState>>,
    body: axum::body::Bytes,
) -> Response {
    let parsed = serde_json::from_slice::<Advance>(&body)
        .ok()
        .and_then(|a| iso_duration::parse(&a.by));
    match parsed {
        Some(by) => {
            state.clock.advance(by);
            Json(json!({ "now": timestamp(state.clock.now()) })).into_response()
        }
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "expected a JSON body like {\"by\": \"PT15M\"}" })),
        )
            .into_response(),
    }
}
