//! PIM policies (role settings): `/policies/roleManagementPolicyAssignments`, with the
//! mandatory `scopeId`/`scopeType` filter and `$expand=policy($expand=rules)`, for groups
//! (`scopeType eq 'Group'`) and directory roles (`scopeType eq 'DirectoryRole'`, or `Directory`).

use axum::http::Method;
use axum::response::Response;
use serde_json::{json, Value};

use super::error::GraphError;
use super::odata::EntityType;
use super::role_requests::POLICY_READ;
use super::{collection, require_method, require_scope, GraphRequest};
use crate::tenant::Policy;

/// Where a policy applies, as a `unifiedRoleManagementPolicyAssignment` names it.
struct Scope<'a> {
    /// `Group_{groupId}` or `DirectoryRole_{tenantId}`: the policy id's prefix.
    prefix: String,
    scope_id: &'a str,
    scope_type: &'a str,
    /// `member`/`owner` for groups, a role definition id for directory roles.
    role_definition_id: &'a str,
    /// `target.operations` as Graph spells it per plane (`All` for groups, `all` for roles).
    operations: &'static str,
}

const ASSIGNMENT: EntityType = EntityType {
    name: "microsoft.graph.unifiedRoleManagementPolicyAssignment",
    properties: &["id", "policyId", "scopeId", "scopeType", "roleDefinitionId"],
    navigations: &["policy"],
};

/// Dispatches the paths this module owns; `None` when the path is not ours.
pub(super) fn route(request: &GraphRequest<'_>) -> Option<Result<Response, GraphError>> {
    match request.segments.as_slice() {
        [p, a] if p.is("policies") && a.is("roleManagementPolicyAssignments") => {
            Some(assignments(request))
        }
        _ => None,
    }
}

fn filter_value<'q>(request: &'q GraphRequest<'_>, property: &str) -> Option<&'q str> {
    request
        .query
        .filter
        .iter()
        .find(|c| c.equal && c.property.eq_ignore_ascii_case(property))
        .map(|c| c.value())
}

fn assignments(request: &GraphRequest<'_>) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    request.query.validate(&ASSIGNMENT)?;
    let (Some(scope_id), Some(scope_type)) = (
        filter_value(request, "scopeId"),
        filter_value(request, "scopeType"),
    ) else {
        return Err(GraphError::bad_request(
            "The filter on scopeId and scopeType is required for roleManagementPolicyAssignments.",
        ));
    };
    let items = if scope_type.eq_ignore_ascii_case("Group") {
        group_assignments(request, scope_id)?
    } else if ["DirectoryRole", "Directory"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(scope_type))
    {
        role_assignments(request, scope_id, scope_type)?
    } else {
        Vec::new()
    };
    Ok(collection(
        request,
        "Collection(microsoft.graph.unifiedRoleManagementPolicyAssignment)",
        items,
        &["policy"],
    ))
}

fn group_assignments(request: &GraphRequest<'_>, scope_id: &str) -> Result<Vec<Value>, GraphError> {
    require_scope(
        request,
        &[
            "RoleManagementPolicy.Read.AzureADGroup",
            "RoleManagementPolicy.ReadWrite.AzureADGroup",
        ],
    )?;
    let tenant = request.state.tenant();
    let Some(group) = tenant.group(scope_id) else {
        return Ok(Vec::new());
    };
    Ok(["member", "owner"]
        .into_iter()
        .map(|access| {
            let scope = Scope {
                prefix: format!("Group_{}", group.id),
                scope_id: &group.id,
                scope_type: "Group",
                role_definition_id: access,
                operations: "All",
            };
            assignment_json(request, tenant.group_policy(&group.id, access), &scope)
        })
        .collect())
}

/// Directory-role policies live at scope `/` only (role settings are per role, not per scope);
/// `scopeType` is echoed as the client spelled it (`DirectoryRole` or `Directory`).
fn role_assignments(
    request: &GraphRequest<'_>,
    scope_id: &str,
    scope_type: &str,
) -> Result<Vec<Value>, GraphError> {
    require_scope(request, POLICY_READ)?;
    if scope_id != "/" {
        return Ok(Vec::new());
    }
    let scope_type = if scope_type.eq_ignore_ascii_case("Directory") {
        "Directory"
    } else {
        "DirectoryRole"
    };
    let tenant = request.state.tenant();
    Ok(tenant
        .directory_roles
        .definitions
        .iter()
        .map(|role| {
            let scope = Scope {
                prefix: format!("DirectoryRole_{}", tenant.info.id),
                scope_id: "/",
                scope_type,
                role_definition_id: &role.id,
                operations: "all",
            };
            assignment_json(request, tenant.role_policy(&role.id), &scope)
        })
        .collect())
}

fn assignment_json(request: &GraphRequest<'_>, policy: &Policy, scope: &Scope<'_>) -> Value {
    let policy_id = format!("{}_{}", scope.prefix, policy.guid);
    let mut item = json!({
        "id": format!("{policy_id}_{}", scope.role_definition_id),
        "policyId": policy_id,
        "scopeId": scope.scope_id,
        "scopeType": scope.scope_type,
        "roleDefinitionId": scope.role_definition_id,
    });
    if let Some(expand) = request.query.expands("policy") {
        let mut body = json!({
            "id": policy_id,
            "displayName": scope.scope_type,
            "description": scope.scope_type,
            "isOrganizationDefault": false,
            "scopeId": scope.scope_id,
            "scopeType": scope.scope_type,
            "lastModifiedDateTime": null,
            "lastModifiedBy": null,
        });
        if expand
            .expand
            .iter()
            .any(|e| e.property.eq_ignore_ascii_case("rules"))
        {
            body["rules"] = Value::Array(rules(policy, scope.operations));
        }
        item["policy"] = super::odata::project(body, expand.select.as_deref(), &["rules"]);
    }
    item
}

fn target(caller: &str, level: &str, operations: &str) -> Value {
    json!({ "caller": caller, "operations": [operations], "level": level,
            "inheritableSettings": [], "enforcedSettings": [] })
}

/// The policy's rules, as Graph lists them (end-user rules plus the admin ones clients meet).
pub(crate) fn rules(policy: &Policy, operations: &str) -> Vec<Value> {
    let target = |caller, level| target(caller, level, operations);
    let mut enabled = Vec::new();
    if policy.require_mfa {
        enabled.push("MultiFactorAuthentication");
    }
    if policy.require_justification {
        enabled.push("Justification");
    }
    if policy.require_ticket {
        enabled.push("Ticketing");
    }
    let approvers: Vec<Value> = policy
        .approval
        .iter()
        .flat_map(|a| a.approvers.iter())
        .map(|id| json!({ "@odata.type": "#microsoft.graph.singleUser", "userId": id, "description": null }))
        .collect();
    vec![
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": "Expiration_EndUser_Assignment",
            "isExpirationRequired": true,
            "maximumDuration": iso_duration::format(policy.max_duration),
            "target": target("EndUser", "Assignment"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
            "id": "Enablement_EndUser_Assignment",
            "enabledRules": enabled,
            "target": target("EndUser", "Assignment"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
            "id": "AuthenticationContext_EndUser_Assignment",
            "isEnabled": policy.authentication_context.is_some(),
            "claimValue": policy.authentication_context,
            "target": target("EndUser", "Assignment"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
            "id": "Approval_EndUser_Assignment",
            "target": target("EndUser", "Assignment"),
            "setting": {
                "isApprovalRequired": policy.approval.is_some(),
                "isApprovalRequiredForExtension": false,
                "isRequestorJustificationRequired": true,
                "approvalMode": if policy.approval.is_some() { "SingleStage" } else { "NoApproval" },
                "approvalStages": [{
                    "approvalStageTimeOutInDays": 1,
                    "isApproverJustificationRequired": policy.approval.as_ref().is_some_and(|a| a.approver_justification_required),
                    "escalationTimeInMinutes": 0,
                    "isEscalationEnabled": false,
                    "primaryApprovers": approvers,
                    "escalationApprovers": [],
                }],
            },
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": "Expiration_Admin_Eligibility",
            "isExpirationRequired": false,
            "maximumDuration": "P365D",
            "target": target("Admin", "Eligibility"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": "Expiration_Admin_Assignment",
            "isExpirationRequired": false,
            "maximumDuration": "P180D",
            "target": target("Admin", "Assignment"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
            "id": "Enablement_Admin_Assignment",
            "enabledRules": ["Justification"],
            "target": target("Admin", "Assignment"),
        }),
    ]
}
