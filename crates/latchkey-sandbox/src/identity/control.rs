//! The identity side of the control API (under `/_sandbox/`): make device-code polling answer
//! `slow_down`, and revoke a person's refresh tokens as an administrator's "Revoke sessions" does.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::state::SandboxState;

#[derive(Deserialize)]
struct SlowDown {
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// `POST /_sandbox/identity/slow-down {"count": N}`: the next N device-code polls answer
/// `slow_down` (an empty body means 1).
pub(super) async fn slow_down(
    State(state): State<Arc<SandboxState>>,
    body: axum::body::Bytes,
) -> Response {
    let parsed = if body.is_empty() {
        Ok(SlowDown { count: 1 })
    } else {
        serde_json::from_slice::<SlowDown>(&body)
    };
    match parsed {
        Ok(SlowDown { count }) => {
            state.identity.add_slow_downs(count);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("expected a JSON body like {{\"count\": 1}}: {e}") })),
        )
            .into_response(),
    }
}

/// `POST /_sandbox/users/{upn-or-id}/revoke-sessions`: every refresh token of the person stops
/// working; the next refresh answers `invalid_grant` AADSTS50173.
pub(super) async fn revoke_sessions(
    State(state): State<Arc<SandboxState>>,
    Path(who): Path<String>,
) -> Response {
    let user_id = state.tenant().user_by_upn_or_id(&who).map(|u| u.id.clone());
    match user_id {
        Some(id) => {
            let revoked = state.revoke_refresh_tokens(&id);
            Json(json!({ "userId": id, "revokedRefreshTokens": revoked })).into_response()
        }
        None => crate::control::no_such_user(&who),
    }
}
