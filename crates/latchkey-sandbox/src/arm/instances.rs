//! `roleEligibilityScheduleInstances` and `roleAssignmentScheduleInstances` with
//! `$filter=asTarget()`: the caller's own, at the path's scope and below (every scope at the
//! tenant root), names inline in `expandedProperties`. Without `asTarget()` a user would need
//! read permission on the whole scope, which nobody in the demo tenant has.

use axum::http::Method;
use axum::response::Response;

use super::error::CloudError;
use super::json::{assignment_json, eligibility_json, scope_and_role};
use super::{not_authorized, page, ArmRequest, Filter};
use crate::pim::Plane;
use crate::tenant::is_within;

fn require_as_target(request: &ArmRequest<'_>, action: &str) -> Result<(), CloudError> {
    request.require_method(&[Method::GET])?;
    if Filter::parse(request)?.has("asTarget") {
        Ok(())
    } else {
        Err(not_authorized(request, action))
    }
}

/// `GET [/{scope}]/…/roleEligibilityScheduleInstances?$filter=asTarget()`
pub fn eligibilities(request: &ArmRequest<'_>) -> Result<Response, CloudError> {
    require_as_target(request, "roleEligibilityScheduleInstances/read")?;
    let now = request.state.clock.now();
    let tenant = request.state.tenant();
    let me = &request.caller.oid;
    let items = tenant
        .azure
        .eligibilities
        .iter()
        .filter(|e| e.principal_id.eq_ignore_ascii_case(me))
        .filter(|e| e.start.is_none_or(|s| s <= now) && e.end.is_none_or(|end| end > now))
        .filter(|e| is_within(&e.scope, &request.scope))
        .map(|e| eligibility_json(&tenant, e))
        .collect();
    Ok(page(request, items))
}

/// `GET [/{scope}]/…/roleAssignmentScheduleInstances?$filter=asTarget()`
pub fn assignments(request: &ArmRequest<'_>) -> Result<Response, CloudError> {
    require_as_target(request, "roleAssignmentScheduleInstances/read")?;
    let tenant = request.state.tenant();
    let mut pim = request.state.pim();
    pim.sweep(request.state.clock.now());
    let me = &request.caller.oid;
    let items = pim
        .activations
        .iter()
        .filter(|a| a.target.plane() == Plane::AzureRole)
        .filter(|a| a.principal_id.eq_ignore_ascii_case(me))
        .filter(|a| is_within(scope_and_role(&a.target).0, &request.scope))
        .map(|a| assignment_json(&tenant, a))
        .collect();
    Ok(page(request, items))
}
