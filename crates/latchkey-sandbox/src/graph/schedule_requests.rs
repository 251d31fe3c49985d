//! Schedule requests and their approvals, for every PIM plane: create (activate/deactivate),
//! list by current user, get, cancel, and the approval with its stages (v1.0) or steps (beta).
//! Groups (`…/privilegedAccess/group/assignmentScheduleRequests`) and directory roles
//! (`/roleManagement/directory/roleAssignmentScheduleRequests`) differ only in what a
//! [`PlaneApi`] describes.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::error::GraphError;
use super::odata::{EntityType, Segment};
use super::pim_body::{parse_request, parse_review};
use super::pim_json::{caller, pim_error, request_json, stage_json};
use super::{collection, entity, require_method, require_scope, ApiVersion, GraphRequest};
use crate::pim::{Pim, PimError, Plane, Request};
use crate::tenant::Tenant;

/// What one plane's request endpoints need to know about the plane.
pub(super) struct PlaneApi {
    pub plane: Plane,
    /// Scopes that may read one request or an approval.
    pub read: &'static [&'static str],
    /// Scopes that may list `filterByCurrentUser` (for roles Graph documents a write scope as least).
    pub list: &'static [&'static str],
    /// Scopes that may create, cancel and decide.
    pub write: &'static [&'static str],
    pub request_type: &'static EntityType,
    /// The entity-set path for `@odata.context`, e.g. `roleManagement/directory/roleAssignmentScheduleRequests`.
    pub requests_path: &'static str,
    pub approvals_path: &'static str,
    /// Segment names accepted for an approval's stages; the first is what v1.0 calls them.
    pub stage_segments: &'static [&'static str],
    /// Adds `$expand`ed navigations to a request.
    pub expand: fn(&GraphRequest<'_>, &Tenant, &mut Value),
    /// Navigation properties `$select` keeps when they were expanded.
    pub expandable: &'static [&'static str],
}

impl PlaneApi {
    fn stages_property(&self, version: ApiVersion) -> &'static str {
        match version {
            ApiVersion::V1 => self.stage_segments[0],
            ApiVersion::Beta => "steps",
        }
    }

    fn ours<'p>(&self, pim: &'p Pim, id: &str) -> Option<&'p Request> {
        pim.request(id).filter(|r| r.target.plane() == self.plane)
    }
}

/// `filterByCurrentUser(…)`, the bound function every PIM collection offers.
pub(super) fn is_by_current_user(segment: &Segment) -> bool {
    segment.is("filterByCurrentUser") && segment.args.is_some()
}

/// Dispatches below a requests collection: `[]` create, `filterByCurrentUser(…)`, `{id}`,
/// `{id}/cancel`.
pub(super) fn route(
    request: &GraphRequest<'_>,
    api: &PlaneApi,
    rest: &[Segment],
) -> Result<Response, GraphError> {
    match rest {
        [] => create(request, api),
        [f] if is_by_current_user(f) => mine(request, api, f.arg("on")),
        [id] => get(request, api, &id.name),
        [id, c] if c.is("cancel") => cancel(request, api, &id.name),
        _ => Err(super::not_found(&rest[1..])),
    }
}

/// Whether `me` is one of the approvers of `r`.
pub(crate) fn is_approver(r: &Request, me: &str) -> bool {
    r.approval
        .as_ref()
        .is_some_and(|a| a.approvers.iter().any(|x| x.eq_ignore_ascii_case(me)))
}

/// `POST …ScheduleRequests`
fn create(request: &GraphRequest<'_>, api: &PlaneApi) -> Result<Response, GraphError> {
    require_method(request, Method::POST)?;
    require_scope(request, api.write)?;
    let new = parse_request(&request.body, api.plane)?;
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
        request_json(&stored),
        &format!("{}/$entity", api.requests_path),
    ))
}

/// `GET …ScheduleRequests/filterByCurrentUser(on='principal'|'createdBy'|'approver')`
fn mine(
    request: &GraphRequest<'_>,
    api: &PlaneApi,
    on: Option<&str>,
) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, api.list)?;
    request.query.validate(api.request_type)?;
    let me = &request.caller.oid;
    // Self-service requests are created by their principal, so `createdBy` is `principal`.
    let wanted: fn(&Request, &str) -> bool = match on.map(str::to_ascii_lowercase).as_deref() {
        Some("principal") | Some("createdby") => |r, me| r.principal_id.eq_ignore_ascii_case(me),
        Some("approver") => |r, me| !r.principal_id.eq_ignore_ascii_case(me) && is_approver(r, me),
        _ => {
            return Err(GraphError::bad_request(
                "The parameter 'on' of function 'filterByCurrentUser' must be 'principal', 'createdBy' or 'approver'.",
            ))
        }
    };
    let tenant = request.state.tenant();
    let items = request
        .state
        .pim()
        .requests
        .iter()
        .filter(|r| r.target.plane() == api.plane && wanted(r, me))
        .map(|r| {
            let mut item = request_json(r);
            (api.expand)(request, &tenant, &mut item);
            item
        })
        .collect();
    Ok(collection(
        request,
        &format!("Collection(microsoft.graph.{})", type_name(api)),
        items,
        api.expandable,
    ))
}

fn type_name(api: &PlaneApi) -> &'static str {
    api.request_type
        .name
        .strip_prefix("microsoft.graph.")
        .unwrap_or(api.request_type.name)
}

/// `GET …ScheduleRequests/{id}` — the requester or an approver may read it.
fn get(request: &GraphRequest<'_>, api: &PlaneApi, id: &str) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, api.read)?;
    request.query.validate(api.request_type)?;
    let me = &request.caller.oid;
    let tenant = request.state.tenant();
    let pim = request.state.pim();
    let found = api
        .ours(&pim, id)
        .filter(|r| r.principal_id.eq_ignore_ascii_case(me) || is_approver(r, me))
        .ok_or_else(|| pim_error(PimError::NotFound))?;
    let mut item = request_json(found);
    (api.expand)(request, &tenant, &mut item);
    let item = super::odata::project(item, request.query.select.as_deref(), api.expandable);
    Ok(entity(
        request,
        StatusCode::OK,
        item,
        &format!("{}/$entity", api.requests_path),
    ))
}

/// `POST …ScheduleRequests/{id}/cancel` → 204
fn cancel(request: &GraphRequest<'_>, api: &PlaneApi, id: &str) -> Result<Response, GraphError> {
    require_method(request, Method::POST)?;
    require_scope(request, api.write)?;
    let now = request.state.clock.now();
    let mut pim = request.state.pim();
    if api.ours(&pim, id).is_none() {
        return Err(pim_error(PimError::NotFound));
    }
    pim.cancel(id, &caller(&request.caller), now)
        .map_err(pim_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `…Approvals/{id}[/stages|steps[/{stageId}]]`
pub(super) fn approval(
    request: &GraphRequest<'_>,
    api: &PlaneApi,
    id: &str,
    rest: &[Segment],
) -> Result<Response, GraphError> {
    let stage_segment = |s: &Segment| api.stage_segments.iter().any(|name| s.is(name));
    match rest {
        [] => {
            require_method(request, Method::GET)?;
            require_scope(request, api.read)?;
            let (id, stages) = visible_stages(request, api, id)?;
            let mut body = json!({ "id": id });
            body[api.stages_property(request.version)] = Value::Array(stages);
            Ok(entity(
                request,
                StatusCode::OK,
                body,
                &format!("{}/$entity", api.approvals_path),
            ))
        }
        [stages] if stage_segment(stages) => {
            require_method(request, Method::GET)?;
            require_scope(request, api.read)?;
            let (_, items) = visible_stages(request, api, id)?;
            Ok(collection(
                request,
                &format!("Collection({})", stage_type(request.version)),
                items,
                &[],
            ))
        }
        [stages, stage_id] if stage_segment(stages) && request.method == Method::GET => {
            require_scope(request, api.read)?;
            let stage = visible_stages(request, api, id)?
                .1
                .into_iter()
                .find(|s| {
                    s["id"]
                        .as_str()
                        .is_some_and(|sid| sid.eq_ignore_ascii_case(&stage_id.name))
                })
                .ok_or_else(|| pim_error(PimError::NotFound))?;
            Ok(entity(
                request,
                StatusCode::OK,
                stage,
                stage_type(request.version),
            ))
        }
        [stages, stage_id] if stage_segment(stages) => decide(request, api, id, &stage_id.name),
        _ => Err(super::not_found(rest)),
    }
}

fn stage_type(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "microsoft.graph.approvalStage",
        ApiVersion::Beta => "microsoft.graph.approvalStep",
    }
}

/// `PATCH …/{stages|steps}/{stageId}` with `{"reviewResult", "justification"}` → 204
fn decide(
    request: &GraphRequest<'_>,
    api: &PlaneApi,
    id: &str,
    stage_id: &str,
) -> Result<Response, GraphError> {
    require_method(request, Method::PATCH)?;
    require_scope(request, api.write)?;
    let (approve, justification) = parse_review(&request.body)?;
    let now = request.state.clock.now();
    let mut pim = request.state.pim();
    if api.ours(&pim, id).is_none() {
        return Err(pim_error(PimError::NotFound));
    }
    pim.decide(
        id,
        stage_id,
        &caller(&request.caller),
        approve,
        justification,
        now,
    )
    .map_err(pim_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The id and stages of an approval the caller may see (as requester or approver).
fn visible_stages(
    request: &GraphRequest<'_>,
    api: &PlaneApi,
    id: &str,
) -> Result<(String, Vec<Value>), GraphError> {
    let me = &request.caller.oid;
    let pim = request.state.pim();
    let found = api
        .ours(&pim, id)
        .filter(|r| r.approval.is_some())
        .filter(|r| r.principal_id.eq_ignore_ascii_case(me) || is_approver(r, me))
        .ok_or_else(|| pim_error(PimError::NotFound))?;
    Ok((
        found.id.clone(),
        stage_json(found, me).into_iter().collect(),
    ))
}
