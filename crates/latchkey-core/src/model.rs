//! The domain model shown to people, the same for every tenant. These types cross to the web
//! view, so they derive `TS` and carry no secrets.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Membership or ownership of a group (PIM for Groups `accessId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "GroupAccess.ts")]
pub enum GroupAccess {
    Member,
    Owner,
    /// A value this version does not know (Graph's `unknownFutureValue` or newer).
    Unknown,
}

impl GroupAccess {
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
}
