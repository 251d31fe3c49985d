//! `GET {scope}/…/roleManagementPolicyAssignments?$filter=roleDefinitionId eq '…'`: the policy
//! that governs activating a role at a scope, its rules inline as `properties.effectiveRules`
//! with ARM's `ruleType` discriminator. The rules are Graph's (same ids, same settings), so
//! both planes are read by one client function.

use axum::http::Method;
use axum::response::Response;
use serde_json::{json, Value};

use super::error::CloudError;
use super::json::{resource_id, role_definition_id};
use super::{page, ArmRequest, Filter};
use crate::tenant::{trailing_guid, AzureRoleDefinition, Tenant};

/// `GET {scope}/…/roleManagementPolicyAssignments[?$filter=roleDefinitionId eq '…']`
pub fn assignments(request: &ArmRequest<'_>) -> Result<Response, CloudError> {
    request.require_method(&[Method::GET])?;
    if request.scope.is_empty() {
        return Err(CloudError::bad_request(
            "InvalidScope",
            "Role management policy assignments are read at a subscription or resource group.",
        ));
    }
    let filter = Filter::parse(request)?;
    let wanted = filter.equal("roleDefinitionId").map(trailing_guid);
    let tenant = request.state.tenant();
    let items = tenant
        .azure
        .definitions
        .iter()
        .filter(|d| wanted.is_none_or(|w| d.id.eq_ignore_ascii_case(w)))
        .map(|d| assignment_json(&tenant, &request.scope, d))
        .collect();
    Ok(page(request, items))
}

fn assignment_json(tenant: &Tenant, scope: &str, role: &AzureRoleDefinition) -> Value {
    let policy = tenant.azure_policy(scope, &role.id);
    let name = format!("{}_{}", policy.guid, role.id);
    let policy_id = resource_id(scope, "roleManagementPolicies", &policy.guid);
    let info = tenant.azure.scope_info(scope);
    json!({
        "id": resource_id(scope, "roleManagementPolicyAssignments", &name),
        "name": name,
        "type": "Microsoft.Authorization/RoleManagementPolicyAssignment",
        "properties": {
            "scope": scope,
            "roleDefinitionId": role_definition_id(scope, &role.id),
            "policyId": policy_id,
            "effectiveRules": effective_rules(policy),
            "policyAssignmentProperties": {
                "scope": {
                    "id": scope,
                    "displayName": info.as_ref().map(|i| i.display_name.clone()),
                    "type": info.as_ref().map(|i| i.kind),
                },
                "roleDefinition": {
                    "id": role_definition_id(scope, &role.id),
                    "displayName": role.display_name,
                    "type": "BuiltInRole",
                },
                "policy": { "id": policy_id, "lastModifiedBy": null, "lastModifiedDateTime": null },
            },
        }
    })
}

/// Graph's rules in ARM's spelling: `ruleType` instead of `@odata.type`, approvers as
/// `{id, userType}` instead of `singleUser` objects.
fn effective_rules(policy: &crate::tenant::Policy) -> Vec<Value> {
    crate::graph::policies::rules(policy, "All")
        .into_iter()
        .map(|mut rule| {
            if let Some(fields) = rule.as_object_mut() {
                let odata = fields.remove("@odata.type");
                let rule_type = odata
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(|t| t.strip_prefix("#microsoft.graph.unified"))
                    .unwrap_or_default()
                    .to_owned();
                fields.insert("ruleType".to_owned(), Value::String(rule_type));
            }
            if let Some(stages) = rule
                .pointer_mut("/setting/approvalStages")
                .and_then(Value::as_array_mut)
            {
                for stage in stages {
                    if let Some(approvers) = stage["primaryApprovers"].as_array_mut() {
                        for approver in approvers.iter_mut() {
                            *approver = json!({
                                "id": approver["userId"],
                                "description": approver["description"],
                                "isBackup": false,
                                "userType": "User",
                            });
                        }
                    }
                }
            }
            rule
        })
        .collect()
}
