//! PIM for Microsoft Entra roles: `/roleManagement/directory/…` — routing, and the eligibility
//! and assignment instances of the signed-in user. Requests and approvals are served by
//! `schedule_requests` with [`role_requests::ROLE_API`]; role definitions and administrative
//! units by `directory`.

use axum::response::Response;
use serde_json::{json, Value};

use super::directory::{self, administrative_unit_json, role_definition_json};
use super::error::GraphError;
use super::groups::{check_instance_list, expand_principal, my_activations, sorted_by_id};
use super::odata::EntityType;
use super::role_requests::{ASSIGNMENT_READ, ELIGIBILITY_READ, ROLE_API};
use super::schedule_requests as requests;
use super::schedules::Listed;
use super::{collection, timestamp, ApiVersion, GraphRequest};
use crate::pim::{Activation, Target};
use crate::tenant::{RoleEligibility, Tenant};

const INSTANCE_NAVIGATIONS: &[&str] =
    &["roleDefinition", "principal", "directoryScope", "appScope"];

const ELIGIBILITY_INSTANCE: EntityType = EntityType {
    name: "microsoft.graph.unifiedRoleEligibilityScheduleInstance",
    properties: &[
        "id",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "appScopeId",
        "startDateTime",
        "endDateTime",
        "memberType",
        "roleEligibilityScheduleId",
    ],
    navigations: INSTANCE_NAVIGATIONS,
};

const ASSIGNMENT_INSTANCE: EntityType = EntityType {
    name: "microsoft.graph.unifiedRoleAssignmentScheduleInstance",
    properties: &[
        "id",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "appScopeId",
        "startDateTime",
        "endDateTime",
        "assignmentType",
        "memberType",
        "roleAssignmentOriginId",
        "roleAssignmentScheduleId",
    ],
    navigations: &[
        "roleDefinition",
        "principal",
        "directoryScope",
        "appScope",
        "activatedUsing",
    ],
};

const ELIGIBILITY_SCHEDULE: EntityType = EntityType {
    name: "microsoft.graph.unifiedRoleEligibilitySchedule",
    properties: &[
        "id",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "appScopeId",
        "memberType",
        "status",
        "scheduleInfo",
        "createdDateTime",
        "modifiedDateTime",
        "createdUsing",
    ],
    navigations: INSTANCE_NAVIGATIONS,
};

const ASSIGNMENT_SCHEDULE: EntityType = EntityType {
    name: "microsoft.graph.unifiedRoleAssignmentSchedule",
    properties: &[
        "id",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "appScopeId",
        "assignmentType",
        "memberType",
        "status",
        "scheduleInfo",
        "createdDateTime",
        "modifiedDateTime",
        "createdUsing",
    ],
    navigations: ASSIGNMENT_INSTANCE.navigations,
};

/// Dispatches the paths this module owns; `None` when the path is not ours.
pub(super) fn route(request: &GraphRequest<'_>) -> Option<Result<Response, GraphError>> {
    let s = &request.segments;
    if s.len() >= 2 && s[0].is("directory") && s[1].is("administrativeUnits") {
        return Some(directory::administrative_units(request, &s[2..]));
    }
    if s.len() < 3 || !s[0].is("roleManagement") || !s[1].is("directory") {
        return None;
    }
    let by_user = requests::is_by_current_user;
    Some(match &s[2..] {
        [c, f] if c.is("roleEligibilityScheduleInstances") && by_user(f) => {
            my_eligibilities(request, f.arg("on"), Listed::Instances)
        }
        [c, f] if c.is("roleAssignmentScheduleInstances") && by_user(f) => {
            my_assignments(request, f.arg("on"), Listed::Instances)
        }
        [c, f] if c.is("roleEligibilitySchedules") && by_user(f) => {
            my_eligibilities(request, f.arg("on"), Listed::Schedules)
        }
        [c, f] if c.is("roleAssignmentSchedules") && by_user(f) => {
            my_assignments(request, f.arg("on"), Listed::Schedules)
        }
        [c, rest @ ..] if c.is("roleAssignmentScheduleRequests") => {
            requests::route(request, &ROLE_API, rest)
        }
        // v1.0's rbacApplication has no roleAssignmentApprovals; Graph answers as for any
        // unknown segment.
        [c, id, rest @ ..]
            if c.is("roleAssignmentApprovals") && request.version == ApiVersion::Beta =>
        {
            requests::approval(request, &ROLE_API, &id.name, rest)
        }
        [c, rest @ ..] if c.is("roleDefinitions") => directory::role_definitions(request, rest),
        rest => Err(super::not_found(rest)),
    })
}

/// Adds `$expand`ed navigations to a directory-role instance or request.
pub(super) fn expand(request: &GraphRequest<'_>, tenant: &Tenant, item: &mut Value) {
    let roles = &tenant.directory_roles;
    let text = |item: &Value, name: &str| item[name].as_str().unwrap_or_default().to_owned();
    if let Some(expand) = request.query.expands("roleDefinition") {
        let definition = roles
            .definition(&text(item, "roleDefinitionId"))
            .map(|d| super::odata::project(role_definition_json(d), expand.select.as_deref(), &[]));
        item["roleDefinition"] = definition.unwrap_or(Value::Null);
    }
    if let Some(expand) = request.query.expands("directoryScope") {
        // The tenant-wide scope `/` is no directory object; Graph returns null for it.
        let unit = roles.scope_unit(&text(item, "directoryScopeId")).map(|u| {
            super::odata::project(administrative_unit_json(u), expand.select.as_deref(), &[])
        });
        item["directoryScope"] = unit.unwrap_or(Value::Null);
    }
    expand_principal(request, tenant, item);
    if request.query.expands("appScope").is_some() {
        item["appScope"] = Value::Null;
    }
}

fn current(e: &RoleEligibility, now: chrono::DateTime<chrono::Utc>) -> bool {
    e.start.is_none_or(|s| s <= now) && e.end.is_none_or(|end| end > now)
}

/// A `unifiedRoleEligibilityScheduleInstance`.
fn eligibility_instance_json(e: &RoleEligibility) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.unifiedRoleEligibilityScheduleInstance",
        "id": e.id,
        "principalId": e.principal_id,
        "roleDefinitionId": e.role_definition_id,
        "directoryScopeId": e.directory_scope_id,
        "appScopeId": null,
        "startDateTime": e.start.map(timestamp),
        "endDateTime": e.end.map(timestamp),
        "memberType": "Direct",
        "roleEligibilityScheduleId": e.id,
    })
}

/// `GET …/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')`, or the
/// schedules they come from (`roleEligibilitySchedules`).
fn my_eligibilities(
    request: &GraphRequest<'_>,
    on: Option<&str>,
    listed: Listed,
) -> Result<Response, GraphError> {
    let entity = listed.entity(&ELIGIBILITY_INSTANCE, &ELIGIBILITY_SCHEDULE);
    check_instance_list(request, ELIGIBILITY_READ, entity, on)?;
    let now = request.state.clock.now();
    let tenant = request.state.tenant();
    let items = tenant
        .directory_roles
        .eligibilities
        .iter()
        .filter(|e| e.principal_id.eq_ignore_ascii_case(&request.caller.oid) && current(e, now))
        .map(|e| {
            let mut item = listed.shape(eligibility_instance_json(e), &ELIGIBILITY_SCHEDULE);
            expand(request, &tenant, &mut item);
            item
        })
        .collect();
    Ok(collection(
        request,
        &listed.context(&ELIGIBILITY_INSTANCE, &ELIGIBILITY_SCHEDULE),
        sorted_by_id(items),
        INSTANCE_NAVIGATIONS,
    ))
}

/// A `unifiedRoleAssignmentScheduleInstance` for a PIM activation (`assignmentType: Activated`).
fn assignment_instance_json(
    request: &GraphRequest<'_>,
    tenant: &Tenant,
    a: &Activation,
    role_definition_id: &str,
    directory_scope_id: &str,
) -> Value {
    let mut item = json!({
        "@odata.type": "#microsoft.graph.unifiedRoleAssignmentScheduleInstance",
        "id": a.id,
        "principalId": a.principal_id,
        "roleDefinitionId": role_definition_id,
        "directoryScopeId": directory_scope_id,
        "appScopeId": null,
        "startDateTime": timestamp(a.start),
        "endDateTime": timestamp(a.end),
        "assignmentType": "Activated",
        "memberType": "Direct",
        "roleAssignmentOriginId": a.id,
        "roleAssignmentScheduleId": a.id,
    });
    expand(request, tenant, &mut item);
    if request.query.expands("activatedUsing").is_some() {
        let now = request.state.clock.now();
        let used = tenant.directory_roles.eligibilities.iter().find(|e| {
            e.principal_id.eq_ignore_ascii_case(&a.principal_id)
                && e.role_definition_id
                    .eq_ignore_ascii_case(role_definition_id)
                && e.directory_scope_id
                    .eq_ignore_ascii_case(directory_scope_id)
                && current(e, now)
        });
        item["activatedUsing"] = used.map(eligibility_instance_json).unwrap_or(Value::Null);
    }
    item
}

/// `GET …/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')`: what is active;
/// or the schedules they come from (`roleAssignmentSchedules`).
fn my_assignments(
    request: &GraphRequest<'_>,
    on: Option<&str>,
    listed: Listed,
) -> Result<Response, GraphError> {
    let entity = listed.entity(&ASSIGNMENT_INSTANCE, &ASSIGNMENT_SCHEDULE);
    check_instance_list(request, ASSIGNMENT_READ, entity, on)?;
    let tenant = request.state.tenant();
    let items = my_activations(request)
        .iter()
        .filter_map(|a| match &a.target {
            Target::DirectoryRole {
                role_definition_id,
                directory_scope_id,
            } => Some(listed.shape(
                assignment_instance_json(
                    request,
                    &tenant,
                    a,
                    role_definition_id,
                    directory_scope_id,
                ),
                &ASSIGNMENT_SCHEDULE,
            )),
            _ => None,
        })
        .collect();
    Ok(collection(
        request,
        &listed.context(&ASSIGNMENT_INSTANCE, &ASSIGNMENT_SCHEDULE),
        sorted_by_id(items),
        ASSIGNMENT_INSTANCE.navigations,
    ))
}
