//! `roleAssignmentScheduleRequests`: PUT with a client-chosen GUID name (idempotent: the same
//! name and body again answers 200 with the request already made, a different body 409), GET
//! one, POST `…/cancel`, POST `…/validate` (the policy checks of a PUT without creating
//! anything; api-version 2022-04-01), and the `asRequestor()` / `asApprover()` lists.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Duration;

use super::body::{self, ArmRequestBody};
use super::error::CloudError;
use super::json::{request_json, scope_and_role};
use super::{not_authorized, page, ArmRequest, Filter};
use crate::graph::pim_json::caller;
use crate::graph::schedule_requests::is_approver;
use crate::pim::{Action, NewRequest, PimError, Plane, Request};
use crate::tenant::{is_within, trailing_guid};

/// How long ARM kept answering `RoleAssignmentExists` after a self-deactivation (reference §7).
pub const REACTIVATION_DELAY: Duration = Duration::minutes(2);

/// Dispatches below `…/roleAssignmentScheduleRequests`.
pub fn route(request: &ArmRequest<'_>, rest: &[String]) -> Result<Response, CloudError> {
    match rest {
        [] => {
            request.require_method(&[Method::GET])?;
            list(request)
        }
        [name] if request.method == Method::PUT => create(request, name, false),
        [name] => {
            request.require_method(&[Method::GET])?;
            get(request, name)
        }
        [name, action] if action.eq_ignore_ascii_case("cancel") => {
            request.require_method(&[Method::POST])?;
            cancel(request, name)
        }
        [name, action] if action.eq_ignore_ascii_case("validate") => {
            request.require_method(&[Method::POST])?;
            create(request, name, true)
        }
        _ => Err(super::unknown_type(&request.path)),
    }
}

fn check_name(name: &str) -> Result<(), CloudError> {
    uuid::Uuid::parse_str(name).map(|_| ()).map_err(|_| {
        CloudError::bad_request(
            "InvalidRoleAssignmentScheduleRequestName",
            format!("The request name '{name}' is not valid: it must be a GUID."),
        )
    })
}

/// Whether a stored request is what `new` asks for (the retry of a PUT whose answer was lost).
fn same_intent(existing: &Request, new: &NewRequest) -> bool {
    let same_text = |a: &Option<String>, b: &Option<String>| a.as_deref() == b.as_deref();
    let same_expiration = match (&existing.expiration, &new.expiration) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.kind.eq_ignore_ascii_case(&b.kind) && a.duration == b.duration && a.end == b.end
        }
        _ => false,
    };
    existing.action == new.action
        && existing
            .principal_id
            .eq_ignore_ascii_case(&new.principal_id)
        && existing.target.same(&new.target)
        && same_text(&existing.justification, &new.justification)
        && same_text(&existing.ticket_number, &new.ticket_number)
        && same_text(&existing.ticket_system, &new.ticket_system)
        && same_expiration
}

/// `PUT {scope}/…/roleAssignmentScheduleRequests/{name}` → 201 (new), 200 (the same again);
/// with `validate_only` (`POST …/{name}/validate`) the same checks, 200 with the request as it
/// would be, and nothing recorded.
fn create(
    request: &ArmRequest<'_>,
    name: &str,
    validate_only: bool,
) -> Result<Response, CloudError> {
    check_name(name)?;
    if request.scope.is_empty() {
        return Err(CloudError::bad_request(
            "InvalidScope",
            "A role assignment schedule request is created at a subscription or resource group.",
        ));
    }
    let ArmRequestBody {
        mut new,
        linked_schedule,
    } = body::parse(&request.body, &request.scope, name)?;
    new.is_validation_only |= validate_only;
    let (_, role) = scope_and_role(&new.target);
    let tenant = request.state.tenant();
    if tenant.azure.definition(role).is_none() {
        return Err(CloudError::bad_request(
            "RoleDefinitionDoesNotExist",
            format!(
                "The specified role definition with ID '{}' does not exist.",
                trailing_guid(role)
            ),
        ));
    }
    let now = request.state.clock.now();
    let mut pim = request.state.pim();
    if let Some(existing) = pim.request(name).filter(|_| !validate_only) {
        if existing.target.plane() == Plane::AzureRole && same_intent(existing, &new) {
            let body = request_json(&tenant, existing);
            return Ok((StatusCode::OK, Json(body)).into_response());
        }
        return Err(CloudError::new(
            StatusCode::CONFLICT,
            "RoleAssignmentScheduleRequestExists",
            format!("A role assignment schedule request named '{name}' already exists with different properties. Use a new GUID for a new request."),
        ));
    }
    if let Some(linked) = &linked_schedule {
        let draws_on_it = new
            .target
            .azure_eligibility(&tenant, &new.principal_id, now)
            .is_some_and(|e| e.id.eq_ignore_ascii_case(trailing_guid(linked)));
        if !draws_on_it {
            return Err(PimError::PolicyValidationFailed(vec!["EligibilityRule"]).into());
        }
    }
    if new.action == Action::SelfActivate && recently_deactivated(&pim.requests, &new, now) {
        return Err(PimError::RoleAssignmentExists.into());
    }
    let stored = pim.submit(&tenant, &caller(&request.caller), new, now)?;
    let status = if validate_only {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(request_json(&tenant, &stored))).into_response())
}

fn recently_deactivated(
    requests: &[Request],
    new: &NewRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    requests.iter().any(|r| {
        r.action == Action::SelfDeactivate
            && r.principal_id.eq_ignore_ascii_case(&new.principal_id)
            && r.target.same(&new.target)
            && now - r.created < REACTIVATION_DELAY
    })
}

/// The caller's (or their approvals') Azure request named `name`, at the path's scope.
fn visible<'p>(
    request: &ArmRequest<'_>,
    pim: &'p crate::pim::Pim,
    name: &str,
) -> Result<&'p Request, CloudError> {
    let me = &request.caller.oid;
    pim.request(name)
        .filter(|r| r.target.plane() == Plane::AzureRole)
        .filter(|r| {
            let (scope, _) = scope_and_role(&r.target);
            request.scope.is_empty() || scope.eq_ignore_ascii_case(&request.scope)
        })
        .filter(|r| r.principal_id.eq_ignore_ascii_case(me) || is_approver(r, me))
        .ok_or_else(|| PimError::NotFound.into())
}

/// `GET …/roleAssignmentScheduleRequests/{name}`
fn get(request: &ArmRequest<'_>, name: &str) -> Result<Response, CloudError> {
    let tenant = request.state.tenant();
    let mut pim = request.state.pim();
    pim.sweep(request.state.clock.now());
    let found = visible(request, &pim, name)?;
    Ok((StatusCode::OK, Json(request_json(&tenant, found))).into_response())
}

/// `POST …/roleAssignmentScheduleRequests/{name}/cancel` → 200
fn cancel(request: &ArmRequest<'_>, name: &str) -> Result<Response, CloudError> {
    let now = request.state.clock.now();
    let mut pim = request.state.pim();
    visible(request, &pim, name)?;
    pim.cancel(name, &caller(&request.caller), now)?;
    Ok(StatusCode::OK.into_response())
}

/// `GET [/{scope}]/…/roleAssignmentScheduleRequests?$filter=asRequestor()|asTarget()|asApprover()`
fn list(request: &ArmRequest<'_>) -> Result<Response, CloudError> {
    let filter = Filter::parse(request)?;
    let me = request.caller.oid.clone();
    let wanted: Box<dyn Fn(&Request) -> bool> = if filter.has("asApprover") {
        Box::new(|r| !r.principal_id.eq_ignore_ascii_case(&me) && is_approver(r, &me))
    } else if filter.has("asRequestor") || filter.has("asTarget") {
        Box::new(|r| r.principal_id.eq_ignore_ascii_case(&me))
    } else {
        return Err(not_authorized(
            request,
            "roleAssignmentScheduleRequests/read",
        ));
    };
    let tenant = request.state.tenant();
    let mut pim = request.state.pim();
    pim.sweep(request.state.clock.now());
    let items = pim
        .requests
        .iter()
        .filter(|r| r.target.plane() == Plane::AzureRole && wanted(r))
        .filter(|r| is_within(scope_and_role(&r.target).0, &request.scope))
        .map(|r| request_json(&tenant, r))
        .collect();
    Ok(page(request, items))
}
