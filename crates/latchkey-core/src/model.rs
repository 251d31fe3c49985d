//! The domain model shown to people, the same for every tenant. These types cross to the web
//! view, so they derive `TS` and carry no secrets.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Membership or ownership of a group (PIM for Groups `accessId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "GroupAccess.ts")]
pub enum GroupAccess {
    Member,
    Owner,
    /// A value this version does not know (Graph's `unknownFutureValue` or newer).
    Unknown,
}

impl GroupAccess {
    /// The `accessId` to send; `None` for `Unknown`, which cannot be requested.
    pub fn access_id(self) -> Option<&'static str> {
        match self {
            GroupAccess::Member => Some("member"),
            GroupAccess::Owner => Some("owner"),
            GroupAccess::Unknown => None,
        }
    }

    /// Parses Graph's value in any case; anything else is `Unknown`.
    pub fn parse(text: &str) -> Self {
        if text.eq_ignore_ascii_case("member") {
            GroupAccess::Member
        } else if text.eq_ignore_ascii_case("owner") {
            GroupAccess::Owner
        } else {
            GroupAccess::Unknown
        }
    }
}

/// The PIM plane an eligibility belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Plane.ts")]
pub enum Plane {
    /// PIM for Groups (membership or ownership).
    Group,
    /// A Microsoft Entra directory role.
    DirectoryRole,
    /// An Azure resource role (Azure RBAC through Azure Resource Manager).
    AzureRole,
}

/// What a PIM request is about: the same shape is listed, activated, deactivated and shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "plane", rename_all = "camelCase")]
#[ts(export_to = "Target.ts")]
pub enum Target {
    /// Membership or ownership of a group.
    #[serde(rename_all = "camelCase")]
    Group {
        group_id: String,
        access: GroupAccess,
    },
    /// A directory role at a directory scope (`/` is the whole tenant, `/administrativeUnits/{id}`
    /// an administrative unit), passed through unchanged as PIM requires.
    #[serde(rename_all = "camelCase")]
    DirectoryRole {
        role_definition_id: String,
        directory_scope_id: String,
    },
    /// An Azure role at a scope, both as full ARM ids exactly as the service gave them
    /// (`/subscriptions/{id}[/resourceGroups/{name}]`, and the role definition id, which ARM
    /// prefixes with the scope it was read at).
    #[serde(rename_all = "camelCase")]
    AzureRole {
        scope: String,
        role_definition_id: String,
    },
}

/// The last segment of an ARM id: a role definition's GUID whatever scope prefixes it.
pub fn trailing_guid(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

impl Target {
    /// The plane this target is in.
    pub fn plane(&self) -> Plane {
        match self {
            Target::Group { .. } => Plane::Group,
            Target::DirectoryRole { .. } => Plane::DirectoryRole,
            Target::AzureRole { .. } => Plane::AzureRole,
        }
    }

    /// A stable, case-insensitive key (ids compare case-insensitively in Graph).
    pub fn key(&self) -> String {
        match self {
            Target::Group { group_id, access } => format!(
                "group|{}|{}",
                group_id.to_ascii_lowercase(),
                access.access_id().unwrap_or("unknown")
            ),
            Target::DirectoryRole {
                role_definition_id,
                directory_scope_id,
            } => format!(
                "role|{}|{}",
                role_definition_id.to_ascii_lowercase(),
                directory_scope_id.to_ascii_lowercase()
            ),
            // ARM prefixes role definition ids with varying scopes: only the GUID identifies.
            Target::AzureRole {
                scope,
                role_definition_id,
            } => format!(
                "azure|{}|{}",
                scope.trim_end_matches('/').to_ascii_lowercase(),
                trailing_guid(role_definition_id).to_ascii_lowercase()
            ),
        }
    }

    /// Whether two targets name the same thing.
    pub fn same(&self, other: &Target) -> bool {
        self.key() == other.key()
    }

    /// Something to show when the service gave no name.
    pub fn fallback_name(&self) -> String {
        match self {
            Target::Group { group_id, .. } => group_id.clone(),
            Target::DirectoryRole {
                role_definition_id, ..
            } => role_definition_id.clone(),
            Target::AzureRole {
                role_definition_id, ..
            } => trailing_guid(role_definition_id).to_owned(),
        }
    }
}

/// How an Azure scope reads to a person: its name and kind, "rg-payments-prod (resource group)".
pub fn azure_scope_name(display_name: Option<&str>, kind: Option<&str>, scope: &str) -> String {
    let name = display_name
        .map(str::to_owned)
        .unwrap_or_else(|| trailing_guid(scope).to_owned());
    let kind = match kind.map(str::to_ascii_lowercase).as_deref() {
        Some("subscription") => "subscription".to_owned(),
        Some("resourcegroup") => "resource group".to_owned(),
        Some("managementgroup") => "management group".to_owned(),
        Some("") | None => return name,
        Some(_) => "resource".to_owned(),
    };
    format!("{name} ({kind})")
}

/// How a directory scope reads to a person, when the service did not name it.
pub fn directory_scope_name(directory_scope_id: &str) -> String {
    if directory_scope_id == "/" {
        "Directory".to_owned()
    } else if let Some(au) = directory_scope_id.strip_prefix("/administrativeUnits/") {
        format!("Administrative unit {au}")
    } else {
        directory_scope_id.to_owned()
    }
}

/// Something the signed-in user is eligible to activate, in any plane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Eligibility.ts")]
pub struct Eligibility {
    /// The eligibility schedule instance id (stable while the eligibility lasts).
    pub id: String,
    pub target: Target,
    /// The group's or role's display name; `None` when the service did not say.
    pub name: Option<String>,
    pub description: Option<String>,
    /// Where a role applies ("Directory", an administrative unit, "rg-dev (resource group)");
    /// `None` for groups.
    pub scope_name: Option<String>,
    /// `Direct`, or `Group` when inherited through a group.
    pub member_type: String,
    /// RFC 3339.
    pub start_date_time: Option<String>,
    /// RFC 3339; `None` means permanent.
    pub end_date_time: Option<String>,
    /// What activating it takes, from its PIM policy.
    pub requirements: Requirements,
}

/// What a PIM policy asks of an activation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Requirements.ts")]
pub struct Requirements {
    /// False when the policy could not be read (e.g. 403): the service's answer decides.
    pub known: bool,
    pub max_duration_minutes: Option<u32>,
    pub justification: bool,
    pub ticket: bool,
    pub mfa: bool,
    /// The authentication context (`c1`…) a sign-in must satisfy.
    pub authentication_context: Option<String>,
    pub approval: bool,
}

impl Requirements {
    /// Nothing known: the UI asks for everything optional and the service decides.
    pub fn unknown() -> Self {
        Self {
            known: false,
            max_duration_minutes: None,
            justification: false,
            ticket: false,
            mfa: false,
            authentication_context: None,
            approval: false,
        }
    }
}

/// Where a PIM request stands. `InProgress` covers statuses this version does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "RequestStatus.ts")]
pub enum RequestStatus {
    Provisioned,
    Granted,
    PendingApproval,
    Denied,
    Canceled,
    Revoked,
    Failed,
    TimedOut,
    InProgress,
}

impl RequestStatus {
    /// Parses Graph's and ARM's status strings in any case; unknown values are `InProgress`.
    pub fn parse(text: &str) -> Self {
        const KNOWN: [(&str, RequestStatus); 9] = [
            ("Provisioned", RequestStatus::Provisioned),
            ("Granted", RequestStatus::Granted),
            ("PendingApproval", RequestStatus::PendingApproval),
            ("Denied", RequestStatus::Denied),
            ("AdminDenied", RequestStatus::Denied),
            ("Canceled", RequestStatus::Canceled),
            ("Revoked", RequestStatus::Revoked),
            ("Failed", RequestStatus::Failed),
            ("TimedOut", RequestStatus::TimedOut),
        ];
        KNOWN
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
            .map(|(_, status)| *status)
            .unwrap_or(RequestStatus::InProgress)
    }

    /// Still waiting for an approver or a start time (cancelable).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            RequestStatus::PendingApproval | RequestStatus::Granted
        )
    }
}

/// Something active now (activated through PIM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Activation.ts")]
pub struct Activation {
    pub id: String,
    pub target: Target,
    pub name: Option<String>,
    pub scope_name: Option<String>,
    /// RFC 3339.
    pub start_date_time: String,
    /// RFC 3339; `None` for a permanent (assigned, not activated) assignment.
    pub end_date_time: Option<String>,
}

impl Activation {
    /// What a person calls it.
    pub fn label(&self) -> String {
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| self.target.fallback_name());
        match (&self.target, &self.scope_name) {
            (Target::Group { access, .. }, _) if *access == GroupAccess::Owner => {
                format!("{name} (owner)")
            }
            (
                Target::DirectoryRole {
                    directory_scope_id, ..
                },
                Some(scope),
            ) if directory_scope_id != "/" => {
                format!("{name} ({scope})")
            }
            (Target::AzureRole { .. }, Some(scope)) => format!("{name} on {scope}"),
            _ => name,
        }
    }
}

/// One of my PIM requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "PimRequest.ts")]
pub struct PimRequest {
    pub id: String,
    pub target: Target,
    pub name: Option<String>,
    pub scope_name: Option<String>,
    /// `selfActivate`, `selfDeactivate`, …
    pub action: String,
    pub status: RequestStatus,
    pub created_date_time: String,
    pub start_date_time: Option<String>,
    pub duration_minutes: Option<u32>,
    pub justification: Option<String>,
    pub ticket_number: Option<String>,
    /// The approver's reason, on a decided request whose approval could be read (e.g. why it
    /// was denied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub decision_reason: Option<String>,
}

/// What the user asks to activate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "ActivationInput.ts")]
pub struct ActivationInput {
    pub target: Target,
    pub duration_minutes: u32,
    pub justification: Option<String>,
    pub ticket_number: Option<String>,
    pub ticket_system: Option<String>,
    /// RFC 3339; `None` starts now.
    pub start_at: Option<String>,
}

/// The outcome of one request: a status from the service, or an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "RequestOutcome.ts")]
pub struct RequestOutcome {
    pub target: Target,
    pub request_id: Option<String>,
    pub status: Option<RequestStatus>,
    pub error: Option<crate::ipc::AppError>,
}

/// A person as the service names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Person.ts")]
pub struct Person {
    pub id: String,
    pub display_name: Option<String>,
    /// Mail or user principal name.
    pub mail: Option<String>,
}

/// A request waiting for my decision as an approver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "ApprovalItem.ts")]
pub struct ApprovalItem {
    /// The approval id (PIM uses the request id).
    pub approval_id: String,
    pub request_id: String,
    pub target: Target,
    pub name: Option<String>,
    pub scope_name: Option<String>,
    pub requester: Person,
    /// RFC 3339: when it was asked.
    pub created_date_time: String,
    /// RFC 3339: the requested start; `None` = as soon as approved.
    pub start_date_time: Option<String>,
    pub duration_minutes: Option<u32>,
    pub justification: Option<String>,
    pub ticket_number: Option<String>,
    pub ticket_system: Option<String>,
    /// RFC 3339: when the 24-hour window for a decision closes.
    pub expires_date_time: String,
}

/// A requester's other requests for the same target, as far as the service lets an approver
/// read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "RequesterHistory.ts")]
pub struct RequesterHistory {
    /// `false` when the plane offers approvers no such list; `note` then says so.
    pub available: bool,
    /// Newest first, at most ten; only requests that came to me for approval.
    pub requests: Vec<PimRequest>,
    /// A sentence for the person when the history cannot be shown.
    pub note: Option<String>,
}

/// An approver's decision to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "DecisionInput.ts")]
pub struct DecisionInput {
    pub plane: Plane,
    pub approval_id: String,
    pub approve: bool,
    pub justification: String,
}

/// How a decision ended: recorded (`decided`), or an error (`alreadyDecided` when another
/// approver was first: not a failure of ours, the request simply left the inbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "DecisionOutcome.ts")]
pub struct DecisionOutcome {
    pub plane: Plane,
    pub approval_id: String,
    pub approve: bool,
    pub decided: bool,
    pub error: Option<crate::ipc::AppError>,
}

/// A plane that could not be listed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "PlaneFailure.ts")]
pub struct PlaneFailure {
    pub plane: Plane,
    pub error: crate::ipc::AppError,
}

/// A list gathered from every plane: what could be read, and the planes that could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Listing.ts")]
pub struct Listing<T: TS> {
    pub items: Vec<T>,
    /// Planes the service refused or failed to list (e.g. no permission for directory roles).
    pub unavailable: Vec<PlaneFailure>,
}

impl<T: TS> Listing<T> {
    /// Combines per-plane results. Fails only when every plane failed, or when the session
    /// ended (nothing else can be read then either).
    pub fn gather(
        results: impl IntoIterator<Item = (Plane, crate::Result<Vec<T>>)>,
    ) -> crate::Result<Self> {
        let mut items = Vec::new();
        let mut unavailable = Vec::new();
        let mut last_error = None;
        let mut any_ok = false;
        for (plane, result) in results {
            match result {
                Ok(list) => {
                    any_ok = true;
                    items.extend(list);
                }
                Err(e) if e.code == crate::ErrorCode::SessionExpired => return Err(e),
                Err(e) => {
                    tracing::info!(?plane, code = ?e.code, "plane not listed");
                    unavailable.push(PlaneFailure {
                        plane,
                        error: crate::ipc::AppError::from(&e),
                    });
                    last_error = Some(e);
                }
            }
        }
        match last_error {
            Some(e) if !any_ok => Err(e),
            _ => Ok(Self { items, unavailable }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_cross_ipc_tagged_by_plane_and_compare_without_case() {
        let role = Target::DirectoryRole {
            role_definition_id: "F2EF992C-3AFB-46B9-B7CF-A126EE74C451".into(),
            directory_scope_id: "/".into(),
        };
        assert_eq!(
            serde_json::to_value(&role).unwrap(),
            serde_json::json!({"plane":"directoryRole","roleDefinitionId":"F2EF992C-3AFB-46B9-B7CF-A126EE74C451","directoryScopeId":"/"})
        );
        let lower = Target::DirectoryRole {
            role_definition_id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451".into(),
            directory_scope_id: "/".into(),
        };
        assert!(role.same(&lower));
        let group: Target =
            serde_json::from_str(r#"{"plane":"group","groupId":"g","access":"owner"}"#).unwrap();
        assert_eq!(group.plane(), Plane::Group);
        assert!(!group.same(&role));
        assert!(serde_json::from_str::<Target>(r#"{"plane":"azure","id":"x"}"#).is_err());
        let azure = Target::AzureRole {
            scope: "/subscriptions/S/resourceGroups/RG-Dev".into(),
            role_definition_id: "/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/B24988AC-6180-42a0-ab88-20f7382dd24c".into(),
        };
        let bare = Target::AzureRole {
            scope: "/subscriptions/s/resourcegroups/rg-dev/".into(),
            role_definition_id: "b24988ac-6180-42a0-ab88-20f7382dd24c".into(),
        };
        assert!(azure.same(&bare), "GUID and case-insensitive scope");
        assert_eq!(azure.plane(), Plane::AzureRole);
        assert_eq!(serde_json::to_value(&bare).unwrap()["plane"], "azureRole");
        assert_eq!(
            azure_scope_name(Some("rg-dev"), Some("resourcegroup"), "x"),
            "rg-dev (resource group)"
        );
        assert_eq!(azure_scope_name(None, None, "/subscriptions/s"), "s");
    }

    #[test]
    fn a_listing_keeps_the_planes_that_answered() {
        let forbidden = || crate::Error::new(crate::ErrorCode::Forbidden, "no");
        let listing = Listing::gather([
            (Plane::Group, Ok(vec![1u32, 2])),
            (Plane::DirectoryRole, Err(forbidden())),
        ])
        .unwrap();
        assert_eq!(listing.items, vec![1, 2]);
        assert_eq!(listing.unavailable[0].plane, Plane::DirectoryRole);
        assert_eq!(
            listing.unavailable[0].error.code,
            crate::ErrorCode::Forbidden
        );
        let all_failed = Listing::<u32>::gather([
            (Plane::Group, Err(forbidden())),
            (Plane::DirectoryRole, Err(forbidden())),
        ]);
        assert_eq!(all_failed.unwrap_err().code, crate::ErrorCode::Forbidden);
        let expired = Listing::<u32>::gather([
            (Plane::Group, Ok(vec![1])),
            (
                Plane::DirectoryRole,
                Err(crate::Error::new(crate::ErrorCode::SessionExpired, "again")),
            ),
        ]);
        assert_eq!(expired.unwrap_err().code, crate::ErrorCode::SessionExpired);
    }

    #[test]
    fn labels_say_owner_and_administrative_unit() {
        let mut a = Activation {
            id: "i".into(),
            target: Target::Group {
                group_id: "g".into(),
                access: GroupAccess::Owner,
            },
            name: Some("Platform Engineers".into()),
            scope_name: None,
            start_date_time: String::new(),
            end_date_time: None,
        };
        assert_eq!(a.label(), "Platform Engineers (owner)");
        a.target = Target::DirectoryRole {
            role_definition_id: "r".into(),
            directory_scope_id: "/administrativeUnits/au".into(),
        };
        a.name = None;
        a.scope_name = Some("Berlin office".into());
        assert_eq!(a.label(), "r (Berlin office)");
        assert_eq!(directory_scope_name("/"), "Directory");
    }
}
