//! What directory-role schedule requests need from the shared request endpoints: the scopes
//! Graph's permission tables list (reference §1.6), the request's OData shape and its paths.

use super::odata::EntityType;
use super::schedule_requests::PlaneApi;
use crate::pim::Plane;

/// Scopes that may list the caller's role eligibilities (least privileged first).
pub(super) const ELIGIBILITY_READ: &[&str] = &[
    "RoleEligibilitySchedule.Read.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleEligibilitySchedule.ReadWrite.Directory",
    "RoleManagement.ReadWrite.Directory",
];

/// Scopes that may read role assignment instances, one request, or an approval's steps.
pub(super) const ASSIGNMENT_READ: &[&str] = &[
    "RoleAssignmentSchedule.Read.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleAssignmentSchedule.ReadWrite.Directory",
    "RoleManagement.ReadWrite.Directory",
];

/// Scopes that may list requests with `filterByCurrentUser`: Graph documents the ReadWrite
/// scope as least privileged here, so the Read scope alone is not enough.
const REQUEST_LIST: &[&str] = &[
    "RoleAssignmentSchedule.ReadWrite.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
];

/// Scopes that may activate, deactivate, cancel and decide approvals.
const WRITE: &[&str] = &[
    "RoleAssignmentSchedule.ReadWrite.Directory",
    "RoleManagement.ReadWrite.Directory",
];

/// Scopes that may read directory-role policies.
pub(super) const POLICY_READ: &[&str] = &[
    "RoleManagementPolicy.Read.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagementPolicy.ReadWrite.Directory",
    "RoleManagement.ReadWrite.Directory",
];

/// Scopes that may read role definitions.
pub(super) const DEFINITION_READ: &[&str] = &[
    "RoleManagement.Read.Directory",
    "Directory.Read.All",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
    "Directory.ReadWrite.All",
];

const REQUEST: EntityType = EntityType {
    name: "microsoft.graph.unifiedRoleAssignmentScheduleRequest",
    properties: &[
        "id",
        "status",
        "completedDateTime",
        "createdDateTime",
        "approvalId",
        "customData",
        "createdBy",
        "action",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "appScopeId",
        "isValidationOnly",
        "justification",
        "scheduleInfo",
        "targetScheduleId",
        "ticketInfo",
    ],
    navigations: &[
        "activatedUsing",
        "appScope",
        "directoryScope",
        "principal",
        "roleDefinition",
        "targetSchedule",
    ],
};

/// Requests and approvals of PIM for Entra roles. Approvals exist on beta only, as `steps`.
pub(super) const ROLE_API: PlaneApi = PlaneApi {
    plane: Plane::DirectoryRole,
    read: ASSIGNMENT_READ,
    list: REQUEST_LIST,
    write: WRITE,
    request_type: &REQUEST,
    requests_path: "roleManagement/directory/roleAssignmentScheduleRequests",
    approvals_path: "roleManagement/directory/roleAssignmentApprovals",
    stage_segments: &["steps"],
    expand: super::roles::expand,
    expandable: &["roleDefinition", "principal", "directoryScope", "appScope"],
};
