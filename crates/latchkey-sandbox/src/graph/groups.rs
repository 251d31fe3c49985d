//! PIM for Groups: `/identityGovernance/privilegedAccess/group/…` — eligibility and assignment
//! instances here, requests and approvals in `group_requests`.

use axum::http::Method;
use axum::response::Response;
use serde_json::{json, Value};

use super::error::GraphError;
use super::odata::EntityType;
use super::schedule_requests::{self as requests, PlaneApi};
use super::schedules::Listed;
use super::{collection, require_method, require_scope, timestamp, GraphRequest};
use crate::pim::{Activation, Plane, Target};
use crate::tenant::{Group, Tenant, User};

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

/// Requests and approvals of PIM for Groups. v1.0 names approval stages `stages` (its doc page
/// prints `steps`, so both are accepted).
const GROUP_API: PlaneApi = PlaneApi {
    plane: Plane::Group,
    read: READ,
    list: READ,
    write: WRITE,
    request_type: &REQUEST,
    requests_path: "identityGovernance/privilegedAccess/group/assignmentScheduleRequests",
    approvals_path: "identityGovernance/privilegedAccess/group/assignmentApprovals",
    stage_segments: &["stages", "steps"],
    expand,
    expandable: &["group", "principal"],
};

const ELIGIBILITY_INSTANCE: EntityType = EntityType {
    name: "microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance",
    properties: &[
        "id",
        "startDateTime",
        "endDateTime",
        "accessId",
        "principalId",
        "memberType",
        "groupId",
        "eligibilityScheduleId",
    ],
    navigations: &["group", "principal"],
};

const ASSIGNMENT_INSTANCE: EntityType = EntityType {
    name: "microsoft.graph.privilegedAccessGroupAssignmentScheduleInstance",
    properties: &[
        "id",
        "startDateTime",
        "endDateTime",
        "accessId",
        "principalId",
        "memberType",
        "assignmentType",
        "groupId",
        "assignmentScheduleId",
    ],
    navigations: &["group", "principal", "activatedUsing"],
};

const ELIGIBILITY_SCHEDULE: EntityType = EntityType {
    name: "microsoft.graph.privilegedAccessGroupEligibilitySchedule",
    properties: &[
        "id",
        "accessId",
        "principalId",
        "memberType",
        "groupId",
        "status",
        "scheduleInfo",
        "createdDateTime",
        "modifiedDateTime",
        "createdUsing",
    ],
    navigations: &["group", "principal"],
};

const ASSIGNMENT_SCHEDULE: EntityType = EntityType {
    name: "microsoft.graph.privilegedAccessGroupAssignmentSchedule",
    properties: &[
        "id",
        "accessId",
        "principalId",
        "memberType",
        "assignmentType",
        "groupId",
        "status",
        "scheduleInfo",
        "createdDateTime",
        "modifiedDateTime",
        "createdUsing",
    ],
    navigations: &["group", "principal", "activatedUsing"],
};

/// Dispatches the paths this module owns; `None` when the path is not ours.
pub(super) fn route(request: &GraphRequest<'_>) -> Option<Result<Response, GraphError>> {
    let s = &request.segments;
    if s.len() < 4
        || !s[0].is("identityGovernance")
        || !s[1].is("privilegedAccess")
        || !s[2].is("group")
    {
        return None;
    }
    let by_user = requests::is_by_current_user;
    Some(match &s[3..] {
        [c, f] if c.is("eligibilityScheduleInstances") && by_user(f) => {
            my_eligibilities(request, f.arg("on"), Listed::Instances)
        }
        [c, f] if c.is("assignmentScheduleInstances") && by_user(f) => {
            my_assignments(request, f.arg("on"), Listed::Instances)
        }
        [c, f] if c.is("eligibilitySchedules") && by_user(f) => {
            my_eligibilities(request, f.arg("on"), Listed::Schedules)
        }
        [c, f] if c.is("assignmentSchedules") && by_user(f) => {
            my_assignments(request, f.arg("on"), Listed::Schedules)
        }
        [c, rest @ ..] if c.is("assignmentScheduleRequests") => {
            requests::route(request, &GROUP_API, rest)
        }
        [c, id, rest @ ..] if c.is("assignmentApprovals") => {
            requests::approval(request, &GROUP_API, &id.name, rest)
        }
        _ => return None,
    })
}

/// The checks every `…Instances/filterByCurrentUser(on='principal')` makes: GET, a scope,
/// `on='principal'` (instances know no other) and query options the type has.
pub(super) fn check_instance_list(
    request: &GraphRequest<'_>,
    scopes: &[&str],
    entity: &EntityType,
    on: Option<&str>,
) -> Result<(), GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, scopes)?;
    require_principal(on)?;
    request.query.validate(entity)
}

/// The caller's current activations, of every plane.
pub(super) fn my_activations(request: &GraphRequest<'_>) -> Vec<Activation> {
    let pim = request.state.pim();
    pim.activations
        .iter()
        .filter(|a| a.principal_id.eq_ignore_ascii_case(&request.caller.oid))
        .cloned()
        .collect()
}

fn require_principal(on: Option<&str>) -> Result<(), GraphError> {
    match on {
        Some(on) if on.eq_ignore_ascii_case("principal") => Ok(()),
        Some(other) => Err(GraphError::bad_request(format!(
            "The parameter 'on' has an unsupported value '{other}'. Supported: 'principal'."
        ))),
        None => Err(GraphError::bad_request(
            "The parameter 'on' of function 'filterByCurrentUser' is required.",
        )),
    }
}

/// Adds the `$expand`ed `group` and `principal` to an instance or request.
pub(super) fn expand(request: &GraphRequest<'_>, tenant: &Tenant, item: &mut Value) {
    // `$expand=group` needs a permission to read groups; without one Graph leaves it out,
    // which is the "null group" that field reports describe.
    let can_read_groups = request.caller.has_any_scope(&[
        "Group.Read.All",
        "GroupMember.Read.All",
        "Directory.Read.All",
    ]);
    if let Some(expand) = request.query.expands("group") {
        let group = tenant
            .group(item["groupId"].as_str().unwrap_or_default())
            .filter(|_| can_read_groups && !request.state.null_group_expansions())
            .map(|g| super::odata::project(group_json(g), expand.select.as_deref(), &[]));
        item["group"] = group.unwrap_or(Value::Null);
    }
    expand_principal(request, tenant, item);
}

/// Adds the `$expand`ed `principal` (the user) to any PIM instance or request.
pub(super) fn expand_principal(request: &GraphRequest<'_>, tenant: &Tenant, item: &mut Value) {
    if let Some(expand) = request.query.expands("principal") {
        let principal = tenant
            .user(item["principalId"].as_str().unwrap_or_default())
            .map(|u| super::odata::project(user_json(u), expand.select.as_deref(), &[]));
        item["principal"] = principal.unwrap_or(Value::Null);
    }
}

/// Instances in a stable order, so paging never skips or repeats one.
pub(super) fn sorted_by_id(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    items
}

/// `GET …/eligibilityScheduleInstances/filterByCurrentUser(on='principal')`, or the schedules
/// they come from (`eligibilitySchedules`).
fn my_eligibilities(
    request: &GraphRequest<'_>,
    on: Option<&str>,
    listed: Listed,
) -> Result<Response, GraphError> {
    check_instance_list(
        request,
        &[
            "PrivilegedEligibilitySchedule.Read.AzureADGroup",
            "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
            "PrivilegedAccess.Read.AzureADGroup",
            "PrivilegedAccess.ReadWrite.AzureADGroup",
        ],
        listed.entity(&ELIGIBILITY_INSTANCE, &ELIGIBILITY_SCHEDULE),
        on,
    )?;
    let now = request.state.clock.now();
    let tenant = request.state.tenant();
    let items = tenant
        .group_eligibilities
        .iter()
        .filter(|e| e.principal_id.eq_ignore_ascii_case(&request.caller.oid))
        .filter(|e| e.start.is_none_or(|s| s <= now) && e.end.is_none_or(|end| end > now))
        .map(|e| {
            let mut item = json!({
                "@odata.type": "#microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance",
                "id": format!("{}_{}_{}", e.group_id, e.access_id, e.id),
                "startDateTime": e.start.map(timestamp),
                "endDateTime": e.end.map(timestamp),
                "accessId": e.access_id,
                "principalId": e.principal_id,
                "memberType": "Direct",
                "groupId": e.group_id,
                "eligibilityScheduleId": e.id,
            });
            item = listed.shape(item, &ELIGIBILITY_SCHEDULE);
            expand(request, &tenant, &mut item);
            item
        })
        .collect();
    Ok(collection(
        request,
        &listed.context(&ELIGIBILITY_INSTANCE, &ELIGIBILITY_SCHEDULE),
        sorted_by_id(items),
        &["group", "principal"],
    ))
}

/// `GET …/assignmentScheduleInstances/filterByCurrentUser(on='principal')`: what is active now;
/// or the schedules they come from (`assignmentSchedules`).
fn my_assignments(
    request: &GraphRequest<'_>,
    on: Option<&str>,
    listed: Listed,
) -> Result<Response, GraphError> {
    let entity = listed.entity(&ASSIGNMENT_INSTANCE, &ASSIGNMENT_SCHEDULE);
    check_instance_list(request, READ, entity, on)?;
    let tenant = request.state.tenant();
    let items = my_activations(request)
        .iter()
        .filter_map(|a| match &a.target {
            Target::Group {
                group_id,
                access_id,
            } => Some((a, group_id, access_id)),
            _ => None,
        })
        .map(|(a, group_id, access_id)| {
            let mut item = json!({
                "@odata.type": "#microsoft.graph.privilegedAccessGroupAssignmentScheduleInstance",
                "id": a.id,
                "startDateTime": timestamp(a.start),
                "endDateTime": timestamp(a.end),
                "accessId": access_id,
                "principalId": a.principal_id,
                "memberType": "Direct",
                "assignmentType": "Activated",
                "groupId": group_id,
                "assignmentScheduleId": a.id,
            });
            item = listed.shape(item, &ASSIGNMENT_SCHEDULE);
            expand(request, &tenant, &mut item);
            item
        })
        .collect();
    Ok(collection(
        request,
        &listed.context(&ASSIGNMENT_INSTANCE, &ASSIGNMENT_SCHEDULE),
        sorted_by_id(items),
        &["group", "principal"],
    ))
}

/// A group as Graph's `group` resource shows it.
pub fn group_json(g: &Group) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.group",
        "id": g.id,
        "displayName": g.display_name,
        "description": g.description,
        "mail": null,
        "mailEnabled": false,
        "mailNickname": g.display_name.to_ascii_lowercase().replace(' ', "-"),
        "securityEnabled": true,
        "groupTypes": [],
        "isAssignableToRole": g.is_assignable_to_role,
        "visibility": "Private",
    })
}

/// A user as Graph's `user` resource shows it.
pub fn user_json(u: &User) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": u.id,
        "displayName": u.display_name,
        "userPrincipalName": u.user_principal_name,
        "mail": u.user_principal_name,
        "jobTitle": u.job_title,
        "accountEnabled": u.account_enabled,
    })
}
