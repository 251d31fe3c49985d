//! `roleAssignmentApprovals/{id}` (2021-01-01-preview): the approval with its stages inline,
//! one stage, and the decision as `PUT|PATCH …/stages/{stageId}` with
//! `{"properties":{"reviewResult","justification"}}`. The requester and the approvers may read
//! it; only an approver decides (403 otherwise, 409 once decided, 404 for unknown ids).

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::error::CloudError;
use super::json::{approval_json, stage_json};
use super::ArmRequest;
use crate::graph::pim_body::parse_review;
use crate::graph::pim_json::caller;
use crate::graph::schedule_requests::is_approver;
use crate::pim::{PimError, Plane, Request};

/// Dispatches below `…/roleAssignmentApprovals`.
pub fn route(request: &ArmRequest<'_>, rest: &[String]) -> Result<Response, CloudError> {
    let is_stages = |s: &String| s.eq_ignore_ascii_case("stages");
    match rest {
        [id] => {
            request.require_method(&[Method::GET])?;
            let pim = request.state.pim();
            let found = visible(request, &pim, id)?;
            Ok(ok(approval_json(found, &request.caller.oid)))
        }
        [id, stages] if is_stages(stages) => {
            request.require_method(&[Method::GET])?;
            let pim = request.state.pim();
            let found = visible(request, &pim, id)?;
            let value: Vec<Value> = stage_json(found, &request.caller.oid).into_iter().collect();
            Ok(ok(serde_json::json!({ "value": value })))
        }
        [id, stages, stage_id] if is_stages(stages) => {
            request.require_method(&[Method::GET, Method::PUT, Method::PATCH])?;
            if request.method == Method::GET {
                let pim = request.state.pim();
                let found = visible(request, &pim, id)?;
                return stage_json(found, &request.caller.oid)
                    .filter(|s| {
                        s["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(stage_id))
                    })
                    .map(ok)
                    .ok_or_else(|| PimError::NotFound.into());
            }
            decide(request, id, stage_id)
        }
        _ => Err(super::unknown_type(&request.path)),
    }
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

/// An Azure request with an approval that the caller may see.
fn visible<'p>(
    request: &ArmRequest<'_>,
    pim: &'p crate::pim::Pim,
    id: &str,
) -> Result<&'p Request, CloudError> {
    let me = &request.caller.oid;
    pim.request(id)
        .filter(|r| r.target.plane() == Plane::AzureRole && r.approval.is_some())
        .filter(|r| r.principal_id.eq_ignore_ascii_case(me) || is_approver(r, me))
        .ok_or_else(|| PimError::NotFound.into())
}

/// Records an approver's decision; answers with the stage as it now stands.
fn decide(request: &ArmRequest<'_>, id: &str, stage_id: &str) -> Result<Response, CloudError> {
    let body: Value = serde_json::from_slice(&request.body).map_err(|e| {
        CloudError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{e}'."),
        )
    })?;
    let properties = body.get("properties").cloned().unwrap_or(Value::Null);
    let (approve, justification) = parse_review(properties.to_string().as_bytes())?;
    let now = request.state.clock.now();
    let me = caller(&request.caller);
    let mut pim = request.state.pim();
    if pim
        .request(id)
        .is_none_or(|r| r.target.plane() != Plane::AzureRole)
    {
        return Err(PimError::NotFound.into());
    }
    pim.decide(id, stage_id, &me, approve, justification, now)?;
    let found = visible(request, &pim, id)?;
    stage_json(found, &me.user_id)
        .map(ok)
        .ok_or_else(|| PimError::NotFound.into())
}
