//! What differs between PIM planes on Graph: the paths, the fields that name a target, and how a
//! response names it. Everything else (validation, reconciliation, statuses) is shared.

use serde_json::{json, Map, Value};

use crate::model::{directory_scope_name, GroupAccess, Plane, Target};

/// Graph paths of one plane (relative to `v1.0/`).
pub(crate) struct PlanePaths {
    /// My eligibilities, with names expanded.
    pub my_eligibilities: &'static str,
    /// Schedule requests: POST to create, `/{id}` to read, `/{id}/cancel`.
    pub requests: &'static str,
    /// My requests, with names expanded.
    pub my_requests: &'static str,
    /// What is active for me now, with names expanded.
    pub my_activations: &'static str,
    /// Requests waiting for my decision, with requester and names expanded.
    pub approver_queue: &'static str,
    /// Approvals (`/{id}`), and where they live: v1.0 for groups, only beta for roles.
    pub approvals: &'static str,
    pub approvals_on_beta: bool,
    /// The approval's stage collection: v1.0 `stages`, beta `steps`.
    pub stages: &'static str,
}

const GROUPS: PlanePaths = PlanePaths {
    my_eligibilities: "identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=group($select=id,displayName,description)",
    requests: "identityGovernance/privilegedAccess/group/assignmentScheduleRequests",
    my_requests: "identityGovernance/privilegedAccess/group/assignmentScheduleRequests/filterByCurrentUser(on='principal')?$expand=group($select=id,displayName)",
    my_activations: "identityGovernance/privilegedAccess/group/assignmentScheduleInstances/filterByCurrentUser(on='principal')?$expand=group($select=id,displayName)",
    approver_queue: "identityGovernance/privilegedAccess/group/assignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=principal,group($select=id,displayName)",
    approvals: "identityGovernance/privilegedAccess/group/assignmentApprovals",
    approvals_on_beta: false,
    stages: "stages",
};

const ROLES: PlanePaths = PlanePaths {
    my_eligibilities: "roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=roleDefinition($select=id,displayName,description),directoryScope",
    requests: "roleManagement/directory/roleAssignmentScheduleRequests",
    my_requests: "roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')?$expand=roleDefinition($select=id,displayName)",
    // Permanent (`Assigned`) role assignments are not PIM activations: nothing to count down.
    my_activations: "roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')?$filter=assignmentType eq 'Activated'&$expand=roleDefinition($select=id,displayName)",
    approver_queue: "roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=principal,roleDefinition($select=id,displayName)",
    // v1.0 has no roleAssignmentApprovals (reference §4.1).
    approvals: "roleManagement/directory/roleAssignmentApprovals",
    approvals_on_beta: true,
    stages: "steps",
};

/// The Graph paths of a plane; Azure roles are not on Graph (see [`crate::arm`]).
pub(crate) fn paths(plane: Plane) -> crate::Result<&'static PlanePaths> {
    match plane {
        Plane::Group => Ok(&GROUPS),
        Plane::DirectoryRole => Ok(&ROLES),
        Plane::AzureRole => Err(crate::Error::internal(
            "Azure roles are served by Azure Resource Manager, not Microsoft Graph",
        )),
    }
}

/// The request body fields that name `target`, or `None` for a target PIM cannot be asked for.
pub(crate) fn target_fields(target: &Target) -> Option<Map<String, Value>> {
    let value = match target {
        Target::Group { group_id, access } => json!({
            "groupId": group_id,
            "accessId": access.access_id()?,
        }),
        Target::DirectoryRole {
            role_definition_id,
            directory_scope_id,
        } => json!({
            "roleDefinitionId": role_definition_id,
            "directoryScopeId": directory_scope_id,
        }),
        Target::AzureRole { .. } => return None,
    };
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The target an instance or request of `plane` is about.
pub(crate) fn target_from(plane: Plane, v: &Value) -> Option<Target> {
    Some(match plane {
        Plane::Group => Target::Group {
            group_id: text(v, "/groupId")?.to_owned(),
            access: GroupAccess::parse(text(v, "/accessId").unwrap_or_default()),
        },
        Plane::DirectoryRole => Target::DirectoryRole {
            role_definition_id: text(v, "/roleDefinitionId")?.to_owned(),
            // `appScopeId`-scoped assignments have no directory scope; `/` is what PIM defaults to.
            directory_scope_id: text(v, "/directoryScopeId").unwrap_or("/").to_owned(),
        },
        Plane::AzureRole => return None,
    })
}

/// The display name the service expanded, if any.
pub(crate) fn name_from(plane: Plane, v: &Value) -> Option<String> {
    let pointer = match plane {
        Plane::Group => "/group/displayName",
        Plane::DirectoryRole => "/roleDefinition/displayName",
        Plane::AzureRole => return None,
    };
    text(v, pointer).map(str::to_owned)
}

/// The description the service expanded, if any.
pub(crate) fn description_from(plane: Plane, v: &Value) -> Option<String> {
    let pointer = match plane {
        Plane::Group => "/group/description",
        Plane::DirectoryRole => "/roleDefinition/description",
        Plane::AzureRole => return None,
    };
    text(v, pointer).map(str::to_owned)
}

/// Where a role applies, in words: the expanded scope's name, else one derived from its id.
pub(crate) fn scope_name_from(target: &Target, v: &Value) -> Option<String> {
    match target {
        Target::Group { .. } | Target::AzureRole { .. } => None,
        Target::DirectoryRole {
            directory_scope_id, ..
        } => Some(
            text(v, "/directoryScope/displayName")
                .map(str::to_owned)
                .unwrap_or_else(|| directory_scope_name(directory_scope_id)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_targets_from_the_reference_payloads() {
        let role: Value = serde_json::from_str(
            r#"{"id":"x","principalId":"p","roleDefinitionId":"8424c6f0-a189-499e-bbd0-26c1753c96d4",
                "directoryScopeId":"/administrativeUnits/au1","appScopeId":null,
                "roleDefinition":{"displayName":"Attribute Assignment Administrator"}}"#,
        )
        .unwrap();
        let target = target_from(Plane::DirectoryRole, &role).unwrap();
        assert_eq!(
            target,
            Target::DirectoryRole {
                role_definition_id: "8424c6f0-a189-499e-bbd0-26c1753c96d4".into(),
                directory_scope_id: "/administrativeUnits/au1".into()
            }
        );
        assert_eq!(
            name_from(Plane::DirectoryRole, &role).as_deref(),
            Some("Attribute Assignment Administrator")
        );
        assert_eq!(
            scope_name_from(&target, &role).as_deref(),
            Some("Administrative unit au1")
        );
        let fields = target_fields(&target).unwrap();
        assert_eq!(fields["directoryScopeId"], "/administrativeUnits/au1");

        let group: Value =
            serde_json::from_str(r#"{"groupId":"g","accessId":"Owner","group":null}"#).unwrap();
        let target = target_from(Plane::Group, &group).unwrap();
        assert_eq!(name_from(Plane::Group, &group), None);
        assert_eq!(target_fields(&target).unwrap()["accessId"], "owner");
        let unknown: Value = serde_json::from_str(r#"{"groupId":"g","accessId":"x"}"#).unwrap();
        assert!(target_fields(&target_from(Plane::Group, &unknown).unwrap()).is_none());
        assert!(target_from(Plane::DirectoryRole, &group).is_none());
    }
}
