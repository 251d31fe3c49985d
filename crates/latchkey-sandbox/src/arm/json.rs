//! ARM's JSON for PIM resources: `id`/`name`/`type` outside, everything else in `properties`
//! (camelCase names, PascalCase enum values), names inline in `expandedProperties`.

use serde_json::{json, Value};

use crate::graph::timestamp;
use crate::pim::{Activation, Request, Target};
use crate::tenant::{trailing_guid, AzureEligibility, AzureRoles, Tenant};

/// The provider path segment every id contains.
pub const PROVIDER: &str = "providers/Microsoft.Authorization";

/// `{scope}/providers/Microsoft.Authorization/{kind}/{name}`.
pub fn resource_id(scope: &str, kind: &str, name: &str) -> String {
    format!("{}/{PROVIDER}/{kind}/{name}", scope.trim_end_matches('/'))
}

/// A role definition id as ARM returns it: prefixed by the subscription of the scope it was
/// read at (clients must compare on the trailing GUID).
pub fn role_definition_id(scope: &str, role: &str) -> String {
    let prefix = AzureRoles::subscription_of(scope).unwrap_or_default();
    resource_id(&prefix, "roleDefinitions", trailing_guid(role))
}

/// An approval's id: tenant-level, named like its request.
pub fn approval_id(request_name: &str) -> String {
    resource_id("", "roleAssignmentApprovals", request_name)
}

/// The PascalCase spelling ARM uses for a camelCase enum value (`selfActivate` → `SelfActivate`).
pub fn pascal(camel: &str) -> String {
    let mut chars = camel.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A principal in `expandedProperties`: a user or a group of the tenant.
fn principal_json(tenant: &Tenant, id: &str) -> Value {
    if let Some(user) = tenant.user(id) {
        json!({ "id": user.id, "displayName": user.display_name,
                "email": user.user_principal_name, "type": "User" })
    } else if let Some(group) = tenant.group(id) {
        json!({ "id": group.id, "displayName": group.display_name, "email": null, "type": "Group" })
    } else {
        json!({ "id": id, "displayName": null, "email": null, "type": "User" })
    }
}

/// `expandedProperties{scope, roleDefinition, principal}`.
pub fn expanded(tenant: &Tenant, scope: &str, role: &str, principal: &str) -> Value {
    let scope_json = match tenant.azure.scope_info(scope) {
        Some(info) => json!({ "id": info.id, "displayName": info.display_name, "type": info.kind }),
        None => json!({ "id": scope, "displayName": null, "type": null }),
    };
    let definition = tenant.azure.definition(role);
    json!({
        "scope": scope_json,
        "roleDefinition": {
            "id": role_definition_id(scope, role),
            "displayName": definition.map(|d| d.display_name.clone()),
            "type": "BuiltInRole",
        },
        "principal": principal_json(tenant, principal),
    })
}

/// A `roleEligibilityScheduleInstance`.
pub fn eligibility_json(tenant: &Tenant, e: &AzureEligibility) -> Value {
    let (principal, principal_type, member_type) = match &e.via_group {
        Some(group) => (group.as_str(), "Group", "Group"),
        None => (e.principal_id.as_str(), "User", "Direct"),
    };
    json!({
        "id": resource_id(&e.scope, "roleEligibilityScheduleInstances", &e.id),
        "name": e.id,
        "type": "Microsoft.Authorization/roleEligibilityScheduleInstances",
        "properties": {
            "roleEligibilityScheduleId": resource_id(&e.scope, "roleEligibilitySchedules", &e.id),
            "scope": e.scope,
            "roleDefinitionId": role_definition_id(&e.scope, &e.role_definition_id),
            "principalId": principal,
            "principalType": principal_type,
            "status": "Provisioned",
            "startDateTime": e.start.map(timestamp),
            "endDateTime": e.end.map(timestamp),
            "memberType": member_type,
            "createdOn": e.start.map(timestamp),
            "condition": null,
            "conditionVersion": null,
            "expandedProperties": expanded(tenant, &e.scope, &e.role_definition_id, principal),
        }
    })
}

/// The scope and role of an Azure target (empty for other planes, which ARM never renders).
pub fn scope_and_role(target: &Target) -> (&str, &str) {
    match target {
        Target::AzureRole {
            scope,
            role_definition_id,
        } => (scope, role_definition_id),
        _ => ("", ""),
    }
}

/// The eligibility schedule a request or activation of `principal` draws on, if still there.
fn linked_schedule(
    tenant: &Tenant,
    target: &Target,
    principal: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Value {
    target
        .azure_eligibility(tenant, principal, at)
        .map(|e| Value::String(resource_id(&e.scope, "roleEligibilitySchedules", &e.id)))
        .unwrap_or(Value::Null)
}

/// A `roleAssignmentScheduleInstance` for an activation.
pub fn assignment_json(tenant: &Tenant, a: &Activation) -> Value {
    let (scope, role) = scope_and_role(&a.target);
    json!({
        "id": resource_id(scope, "roleAssignmentScheduleInstances", &a.id),
        "name": a.id,
        "type": "Microsoft.Authorization/roleAssignmentScheduleInstances",
        "properties": {
            "roleAssignmentScheduleId": resource_id(scope, "roleAssignmentSchedules", &a.id),
            "originRoleAssignmentId": resource_id(scope, "roleAssignments", &a.id),
            "scope": scope,
            "roleDefinitionId": role_definition_id(scope, role),
            "principalId": a.principal_id,
            "principalType": "User",
            "status": "Provisioned",
            "startDateTime": timestamp(a.start),
            "endDateTime": timestamp(a.end),
            "linkedRoleEligibilityScheduleId": linked_schedule(tenant, &a.target, &a.principal_id, a.start),
            "assignmentType": "Activated",
            "memberType": "Direct",
            "createdOn": timestamp(a.start),
            "condition": null,
            "conditionVersion": null,
            "expandedProperties": expanded(tenant, scope, role, &a.principal_id),
        }
    })
}

/// A `roleAssignmentScheduleRequest`.
pub fn request_json(tenant: &Tenant, r: &Request) -> Value {
    let (scope, role) = scope_and_role(&r.target);
    let expiration = r.expiration.as_ref().map(|e| {
        json!({ "type": pascal(&e.kind), "endDateTime": e.end.map(timestamp), "duration": e.duration_text })
    });
    json!({
        "id": resource_id(scope, "roleAssignmentScheduleRequests", &r.id),
        "name": r.id,
        "type": "Microsoft.Authorization/RoleAssignmentScheduleRequests",
        "properties": {
            "targetRoleAssignmentScheduleId": resource_id(scope, "roleAssignmentSchedules", &r.id),
            "targetRoleAssignmentScheduleInstanceId": null,
            "linkedRoleEligibilityScheduleId": linked_schedule(tenant, &r.target, &r.principal_id, r.created),
            "scope": scope,
            "roleDefinitionId": role_definition_id(scope, role),
            "principalId": r.principal_id,
            "principalType": "User",
            "requestType": pascal(r.action.as_str()),
            "status": r.status.as_str(),
            "approvalId": r.approval.as_ref().map(|_| approval_id(&r.id)),
            "scheduleInfo": {
                "startDateTime": r.start.map(timestamp),
                "expiration": expiration,
            },
            "justification": r.justification,
            "ticketInfo": { "ticketNumber": r.ticket_number, "ticketSystem": r.ticket_system },
            "requestorId": r.principal_id,
            "createdOn": timestamp(r.created),
            "condition": null,
            "conditionVersion": null,
            "expandedProperties": expanded(tenant, scope, role, &r.principal_id),
        }
    })
}

/// A `roleAssignmentApproval` with its stages inline, as `caller` sees them.
pub fn approval_json(r: &Request, caller: &str) -> Value {
    let stages: Vec<Value> = stage_json(r, caller).into_iter().collect();
    json!({
        "id": approval_id(&r.id),
        "name": r.id,
        "type": "Microsoft.Authorization/roleAssignmentApprovals",
        "properties": { "stages": stages },
    })
}

/// One approval stage: Graph's stage fields, in ARM's envelope.
pub fn stage_json(r: &Request, caller: &str) -> Option<Value> {
    let mut stage = crate::graph::pim_json::stage_json(r, caller)?;
    let stage_id = stage["id"].as_str().unwrap_or_default().to_owned();
    if let Some(fields) = stage.as_object_mut() {
        fields.remove("id");
    }
    Some(json!({
        "id": format!("{}/stages/{stage_id}", approval_id(&r.id)),
        "name": stage_id,
        "type": "Microsoft.Authorization/roleAssignmentApprovals/stages",
        "properties": stage,
    }))
}
