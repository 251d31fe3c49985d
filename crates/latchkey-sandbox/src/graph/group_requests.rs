//! PIM for Groups requests and approvals:
//! `/identityGovernance/privilegedAccess/group/assignmentScheduleRequests…` and
//! `…/assignmentApprovals/{id}/stages|steps…`.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::error::GraphError;
use super::odata::EntityType;
use super::pim_json::{self, caller, group_request_json, pim_error, stage_json, stages_property};
use super::{collection, require_method, require_scope, GraphRequest};
use crate::pim::PimError;

/// Scopes that may read group assignments and requests.
pub(super) const READ: &[&str] = &[
    "PrivilegedAssignmentSchedule.Read.AzureADGroup",
    "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
    "PrivilegedAccess.Read.AzureADGroup",
    "PrivilegedAccess.ReadWrite.AzureADGroup",
];
const WRITE: &[&str] = &[
    "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
    "PrivilegedAccess.ReadWrite.AzureADGroup",
];

const REQUEST: EntityType = EntityType {
    name: "microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest",
    properties: &[
        "id",
        "status",
        "completedDateTime",
        "createdDateTime",
        "approvalId",
        "customData",
        "createdBy",
        "action",
        "isValidationOnly",
        "justification",
        "scheduleInfo",
        "ticketInfo",
        "accessId",
        "principalId",
        "groupId",
        "targetScheduleId",
    ],
    navigations: &["group", "principal", "activatedUsing", "targetSchedule"],
};

fn entity(
    request: &GraphRequest<'_>,
    status: StatusCode,
    mut body: Value,
    context: &str,
) -> Response {
    let base = request.state.base_url();
    let version = match request.version {
        super::ApiVersion::V1 => "v1.0",
        super::ApiVersion::Beta => "beta",
    };
    body["@odata.context"] = Value::String(format!("{base}/{version}/$metadata#{context}"));
    (status, Json(body)).into_response()
}

/// `POST …/assignmentScheduleRequests`
pub(super) fn create(request: &GraphRequest<'_>) -> Result<Response, GraphError> {
    require_method(request, Method::POST)?;
    require_scope(request, WRITE)?;
    let new = pim_json::parse_group_request(&request.body)?;
    let now = request.state.clock.now();
    let tenant = request.state.tenant();
    let stored = request
        .state
        .pim()
        .submit(&tenant, &caller(&request.caller), new, now)
        .map_err(pim_error)?;
    Ok(entity(
        request,
        StatusCode::CREATED,
        group_request_json(&stored),
        "identityGovernance/privilegedAccess/group/assignmentScheduleRequests/$entity",
    ))
}

/// `GET …/assignmentScheduleRequests/filterByCurrentUser(on='principal'|'approver')`
pub(super) fn mine(request: &GraphRequest<'_>, on: Option<&str>) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, READ)?;
    request.query.validate(&REQUEST)?;
    let me = &request.caller.oid;
    let tenant = request.state.tenant();
    let pim = request.state.pim();
    let items: Vec<Value> = match on.map(str::to_ascii_lowercase).as_deref() {
        Some("principal") | Some("createdby") => pim
            .requests
            .iter()
            .filter(|r| r.principal_id.eq_ignore_ascii_case(me))
            .map(group_request_json)
            .collect(),
        Some("approver") => pim
            .requests
            .iter()
            .filter(|r| {
                !r.principal_id.eq_ignore_ascii_case(me)
                    && r.approval.as_ref().is_some_and(|a| a.approvers.iter().any(|x| x.eq_ignore_ascii_case(me)))
            })
            .map(group_request_json)
            .collect(),
                _ => {
            return Err(GraphError::bad_request(
                "The parameter 'on' of function 'filterByCurrentUser' must be 'principal', 'createdBy' or 'approver'.",
            ))
        }
    };
    let items = items
        .into_iter()
        .map(|mut item| {
            super::groups::expand(request, &tenant, &mut item);
            item
        })
        .collect();
    Ok(collection(
        request,
        "Collection(microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest)",
        items,
        &["group", "principal"],
    ))
}

/// `GET …/assignmentScheduleRequests/{id}` — the requester or an approver may read it.
pub(super) fn get(request: &GraphRequest<'_>, id: &str) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, READ)?;
    let me = &request.caller.oid;
    let pim = request.state.pim();
    let found = pim
        .request(id)
        .filter(|r| {
            r.principal_id.eq_ignore_ascii_case(me)
                || r.approval
                    .as_ref()
                    .is_some_and(|a| a.approvers.iter().any(|x| x.eq_ignore_ascii_case(me)))
        })
        .ok_or_else(|| pim_error(PimError::NotFound))?;
    Ok(entity(
        request,
        StatusCode::OK,
        group_request_json(found),
        "identityGovernance/privilegedAccess/group/assignmentScheduleRequests/$entity",
    ))
}

/// `POST …/assignmentScheduleRequests/{id}/cancel` → 204
pub(super) fn cancel(request: &GraphRequest<'_>, id: &str) -> Result<Response, GraphError> {
    require_method(request, Method::POST)?;
    require_scope(request, WRITE)?;
    let now = request.state.clock.now();
    request
        .state
        .pim()
        .cancel(id, &caller(&request.caller), now)
        .map_err(pim_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `…/assignmentApprovals/{id}[/stages|steps[/{stageId}]]`
pub(super) fn approval(
    request: &GraphRequest<'_>,
    id: &str,
    rest: &[super::odata::Segment],
) -> Result<Response, GraphError> {
    let me = request.caller.oid.clone();
    let stage_segment = |s: &super::odata::Segment| s.is("stages") || s.is("steps");
    match rest {
        [] => {
            require_method(request, Method::GET)?;
            require_scope(request, READ)?;
            let pim = request.state.pim();
            let r = visible_approval(&pim, id, &me)?;
            let stages: Vec<Value> = stage_json(r, &me).into_iter().collect();
            let mut body = json!({ "id": r.id });
            body[stages_property(request.version)] = Value::Array(stages);
            Ok(entity(
                request,
                StatusCode::OK,
                body,
                "identityGovernance/privilegedAccess/group/assignmentApprovals/$entity",
            ))
        }
        [stages] if stage_segment(stages) => {
            require_method(request, Method::GET)?;
            require_scope(request, READ)?;
            let pim = request.state.pim();
            let r = visible_approval(&pim, id, &me)?;
            let items: Vec<Value> = stage_json(r, &me).into_iter().collect();
            Ok(collection(
                request,
                "Collection(microsoft.graph.approvalStage)",
                items,
                &[],
            ))
        }
        [stages, stage_id] if stage_segment(stages) => {
            if request.method == Method::GET {
                require_scope(request, READ)?;
                let pim = request.state.pim();
                let r = visible_approval(&pim, id, &me)?;
                let stage = stage_json(r, &me)
                    .filter(|s| {
                        s["id"]
                            .as_str()
                            .is_some_and(|sid| sid.eq_ignore_ascii_case(&stage_id.name))
                    })
                    .ok_or_else(|| pim_error(PimError::NotFound))?;
                return Ok(entity(
                    request,
                    StatusCode::OK,
                    stage,
                    "microsoft.graph.approvalStage",
                ));
            }
            if request.method != Method::PATCH {
                require_method(request, Method::PATCH)?;
            }
            require_scope(request, WRITE)?;
            let (approve, justification) = pim_json::parse_review(&request.body)?;
            let now = request.state.clock.now();
            request
                .state
                .pim()
                .decide(
                    id,
                    &stage_id.name,
                    &caller(&request.caller),
                    approve,
                    justification,
                    now,
                )
                .map_err(pim_error)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(super::not_found(rest)),
    }
}

fn visible_approval<'p>(
    pim: &'p crate::pim::Pim,
    id: &str,
    me: &str,
) -> Result<&'p crate::pim::Request, GraphError> {
    pim.request(id)
        .filter(|r| r.approval.is_some())
        .filter(|r| {
            r.principal_id.eq_ignore_ascii_case(me)
                || r.approval
                    .as_ref()
                    .is_some_and(|a| a.approvers.iter().any(|x| x.eq_ignore_ascii_case(me)))
        })
        .ok_or_else(|| pim_error(PimError::NotFound))
}
