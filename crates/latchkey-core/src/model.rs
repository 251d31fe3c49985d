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

/// An eligible group membership or ownership of the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "GroupEligibility.ts")]
pub struct GroupEligibility {
    /// The eligibility schedule instance id (stable while the eligibility lasts).
    pub id: String,
    pub group_id: String,
    /// `None` when Graph did not expand the group (missing `Group.Read.All`).
    pub group_name: Option<String>,
    pub group_description: Option<String>,
    pub access: GroupAccess,
    /// `Direct`, or `Group` when inherited through another group.
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

/// A group membership or ownership active now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "GroupActivation.ts")]
pub struct GroupActivation {
    pub id: String,
    pub group_id: String,
    pub group_name: Option<String>,
    pub access: GroupAccess,
    /// RFC 3339.
    pub start_date_time: String,
    /// RFC 3339; `None` for a permanent (assigned, not activated) membership.
    pub end_date_time: Option<String>,
}

/// One of my PIM requests for a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "GroupRequest.ts")]
pub struct GroupRequest {
    pub id: String,
    pub group_id: String,
    pub group_name: Option<String>,
    pub access: GroupAccess,
    /// `selfActivate`, `selfDeactivate`, …
    pub action: String,
    pub status: RequestStatus,
    pub created_date_time: String,
    pub start_date_time: Option<String>,
    pub duration_minutes: Option<u32>,
    pub justification: Option<String>,
    pub ticket_number: Option<String>,
}

/// What the user asks to activate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "ActivationInput.ts")]
pub struct ActivationInput {
    pub group_id: String,
    pub access: GroupAccess,
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
    pub group_id: String,
    pub access: GroupAccess,
    pub request_id: Option<String>,
    pub status: Option<RequestStatus>,
    pub error: Option<crate::ipc::AppError>,
}
