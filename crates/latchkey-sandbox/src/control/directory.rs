//! The control calls that read or change what PIM holds: the request log, disabling a leaver's
//! account and removing one eligibility, as an administrator would in the portal.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{no_such_user, not_found};
use crate::pim::{self, Removal};
use crate::state::SandboxState;

#[derive(Deserialize)]
pub(super) struct LogQuery {
    /// A UPN or object id.
    principal: Option<String>,
}

/// `GET /_sandbox/requests[?principal=upn-or-id]`
pub(super) async fn request_log(
    State(state): State<Arc<SandboxState>>,
    Query(query): Query<LogQuery>,
) -> Response {
    let tenant = state.tenant();
    let principal = match &query.principal {
        Some(who) => match tenant.user_by_upn_or_id(who) {
            Some(user) => Some(user.id.clone()),
            None => return no_such_user(who),
        },
        None => None,
    };
    let pim = state.pim();
    Json(pim::request_log_json(&tenant, &pim, principal.as_deref())).into_response()
}

/// `POST /_sandbox/users/{upn-or-id}/disable`
pub(super) async fn disable_user(
    State(state): State<Arc<SandboxState>>,
    Path(who): Path<String>,
) -> Response {
    let now = state.clock.now();
    let mut tenant = state.tenant_mut();
    let Some(user_id) = tenant.user_by_upn_or_id(&who).map(|u| u.id.clone()) else {
        return no_such_user(&who);
    };
    let mut pim = state.pim();
    match pim::disable_user(&mut tenant, &mut pim, &user_id, now) {
        Some(removal) => {
            let mut body = removal_json(&removal);
            body["userId"] = Value::String(user_id);
            body["accountEnabled"] = Value::Bool(false);
            Json(body).into_response()
        }
        None => no_such_user(&who),
    }
}

/// `DELETE /_sandbox/eligibilities/{id}`
pub(super) async fn remove_eligibility(
    State(state): State<Arc<SandboxState>>,
    Path(id): Path<String>,
) -> Response {
    let now = state.clock.now();
    let mut tenant = state.tenant_mut();
    let mut pim = state.pim();
    match pim::remove_eligibility(&mut tenant, &mut pim, &id, now) {
        Some(removal) => Json(removal_json(&removal)).into_response(),
        None => not_found(format!(
            "no eligibility '{id}' in the sandbox tenant (groups, directory roles or Azure roles)"
        )),
    }
}

fn removal_json(removal: &Removal) -> Value {
    json!({
        "removedEligibilities": removal.eligibilities,
        "endedAssignments": removal.ended_activations,
        "revocationRequests": removal.revocations,
        "canceledRequests": removal.canceled_requests,
    })
}
