//! PIM policies turned into one `Requirements` per eligibility. A policy the user may not read
//! (403) degrades to "requirements unknown": the service's answer to the request then decides.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::GraphClient;
use crate::error::{Error, ErrorCode};
use crate::model::{GroupAccess, Plane, Requirements, Target};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyAssignment {
    #[serde(default)]
    role_definition_id: Option<String>,
    #[serde(default)]
    policy: Option<PolicyBody>,
}

#[derive(Debug, Deserialize)]
struct PolicyBody {
    #[serde(default)]
    rules: Vec<Value>,
}

fn rule<'a>(rules: &'a [Value], id: &str) -> Option<&'a Value> {
    rules
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
}

/// Requirements from a policy's rules (the end-user assignment rules).
pub fn requirements_from_rules(rules: &[Value]) -> Requirements {
    let max_duration_minutes = rule(rules, "Expiration_EndUser_Assignment")
        .and_then(|r| r["maximumDuration"].as_str())
        .and_then(iso_duration::parse)
        .and_then(|d| u32::try_from(d.num_minutes()).ok());
    let enabled: Vec<String> = rule(rules, "Enablement_EndUser_Assignment")
        .and_then(|r| r["enabledRules"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default();
    let has = |name: &str| enabled.iter().any(|e| e == name);
    let authentication_context = rule(rules, "AuthenticationContext_EndUser_Assignment")
        .filter(|r| r["isEnabled"].as_bool() == Some(true))
        .and_then(|r| r["claimValue"].as_str())
        .map(str::to_owned);
    let approval_setting = rule(rules, "Approval_EndUser_Assignment").map(|r| &r["setting"]);
    let approval =
        approval_setting.is_some_and(|s| s["isApprovalRequired"].as_bool() == Some(true));
    let approval_wants_justification = approval
        && approval_setting
            .is_some_and(|s| s["isRequestorJustificationRequired"].as_bool() == Some(true));
    Requirements {
        known: true,
        max_duration_minutes,
        justification: has("justification") || approval_wants_justification,
        ticket: has("ticketing"),
        mfa: has("multifactorauthentication"),
        authentication_context,
        approval,
    }
}

/// One Graph query for the policy assignments (with rules) that govern `subject`'s
/// activations: a group's member and owner policies, or a directory role's policy.
fn policy_path(plane: Plane, subject: &str) -> Option<String> {
    // Ids are GUIDs; single quotes are doubled anyway, as OData literals require.
    let id = subject.replace('\'', "''");
    Some(match plane {
        Plane::Group => format!(
            "policies/roleManagementPolicyAssignments?$filter=scopeId eq '{id}' and scopeType eq 'Group'&$expand=policy($expand=rules)"
        ),
        Plane::DirectoryRole => format!(
            "policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{id}'&$expand=policy($expand=rules)"
        ),
        // ARM has its own policies per scope (`crate::arm::policies`).
        Plane::AzureRole => return None,
    })
}

/// Requirements by target, as read from policies. A role's policy applies at every scope.
#[derive(Debug, Default)]
pub struct PolicyRequirements {
    /// (lower-case group or role id, `member`/`owner` for groups, empty for roles).
    by_subject: HashMap<(String, String), Requirements>,
}

impl PolicyRequirements {
    fn subject_key(target: &Target) -> (String, String) {
        match target {
            Target::Group { group_id, access } => (
                group_id.to_ascii_lowercase(),
                access.access_id().unwrap_or_default().to_owned(),
            ),
            Target::DirectoryRole {
                role_definition_id, ..
            } => (role_definition_id.to_ascii_lowercase(), String::new()),
            Target::AzureRole { .. } => (target.key(), String::new()),
        }
    }

    /// What `target`'s policy requires, when it could be read.
    pub fn get(&self, target: &Target) -> Option<&Requirements> {
        self.by_subject.get(&Self::subject_key(target))
    }

    fn insert(&mut self, plane: Plane, subject: &str, assignments: Vec<PolicyAssignment>) {
        for a in assignments {
            let rules = a.policy.map(|p| p.rules).unwrap_or_default();
            let qualifier = match plane {
                Plane::Group => {
                    let access =
                        GroupAccess::parse(a.role_definition_id.as_deref().unwrap_or_default());
                    match access.access_id() {
                        Some(id) => id.to_owned(),
                        None => continue,
                    }
                }
                Plane::DirectoryRole | Plane::AzureRole => String::new(),
            };
            self.by_subject.insert(
                (subject.to_ascii_lowercase(), qualifier),
                requirements_from_rules(&rules),
            );
        }
    }
}

/// Every directory role's policy assignment in one list: scope `/` and type `DirectoryRole`
/// are the filter the service requires; `roleDefinitionId` is optional (reference §5.1), so
/// this needs no role ids and can be read while the eligibility list is still on its way.
const ALL_ROLE_POLICIES: &str = "policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'&$expand=policy($expand=rules)";

impl GraphClient {
    /// The policies of every directory role in the tenant (one list, paged as the service
    /// pages it). Unreadable (e.g. 403) yields an empty set: the per-role reads then decide.
    pub async fn all_role_requirements(&self) -> PolicyRequirements {
        let mut known = PolicyRequirements::default();
        let values = match self.get_all(ALL_ROLE_POLICIES).await {
            Ok(values) => values,
            Err(e) => {
                tracing::info!(code = ?e.code, "role policies unreadable in one list");
                return known;
            }
        };
        for value in values {
            let Ok(assignment) = serde_json::from_value::<PolicyAssignment>(value) else {
                continue;
            };
            let Some(role) = assignment.role_definition_id.clone() else {
                continue;
            };
            known.insert(Plane::DirectoryRole, &role, vec![assignment]);
        }
        known
    }

    /// The requirements of many groups or roles in as few round trips as `$batch` allows. A
    /// policy that cannot be read is left out (its requirements are unknown).
    pub async fn requirements_of(&self, plane: Plane, subjects: &[String]) -> PolicyRequirements {
        let paths: Vec<String> = subjects
            .iter()
            .filter_map(|s| policy_path(plane, s))
            .collect();
        let mut known = PolicyRequirements::default();
        for (subject, result) in subjects.iter().zip(self.get_many(&paths).await) {
            let parsed = result.and_then(|items| {
                items
                    .into_iter()
                    .map(serde_json::from_value::<PolicyAssignment>)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|_| {
                        Error::new(
                            ErrorCode::UnexpectedResponse,
                            "A policy from Microsoft Graph was unreadable.",
                        )
                    })
            });
            match parsed {
                Ok(assignments) => known.insert(plane, subject, assignments),
                Err(e) => {
                    tracing::info!(%subject, code = ?e.code, "policy unreadable; requirements unknown")
                }
            }
        }
        known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_rules() {
        // The end-user rules of the reference's policy example.
        let rules: Vec<Value> = serde_json::from_str(
            r##"[
              { "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "PT8H" },
              { "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
                "id": "Enablement_EndUser_Assignment", "enabledRules": ["MultiFactorAuthentication", "Justification"] },
              { "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
                "id": "Approval_EndUser_Assignment",
                "setting": { "isApprovalRequired": false, "isRequestorJustificationRequired": true } },
              { "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
                "id": "AuthenticationContext_EndUser_Assignment", "isEnabled": false, "claimValue": null }
            ]"##,
        )
        .unwrap();
        let r = requirements_from_rules(&rules);
        assert_eq!(r.max_duration_minutes, Some(480));
        assert!(r.known && r.mfa && r.justification && !r.ticket && !r.approval);
        assert_eq!(r.authentication_context, None);
        let none = requirements_from_rules(&[]);
        assert_eq!(none.max_duration_minutes, None);
    }
}
