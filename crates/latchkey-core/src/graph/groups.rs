//! PIM for Groups: my eligible group memberships and ownerships.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::GraphClient;
use crate::error::Result;
use std::collections::BTreeSet;

use crate::model::{GroupAccess, GroupEligibility, Requirements};
use crate::time::{lenient_option, to_ipc};

const MY_ELIGIBILITIES: &str = "identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=group($select=id,displayName,description)";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EligibilityInstance {
    id: String,
    group_id: String,
    #[serde(default)]
    access_id: Option<String>,
    #[serde(default)]
    member_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_option")]
    start_date_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_option")]
    end_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    group: Option<GroupRef>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupRef {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

impl From<EligibilityInstance> for GroupEligibility {
    fn from(e: EligibilityInstance) -> Self {
        let group = e.group.unwrap_or(GroupRef {
            display_name: None,
            description: None,
        });
        GroupEligibility {
            id: e.id,
            group_id: e.group_id,
            group_name: group.display_name,
            group_description: group.description,
            access: GroupAccess::parse(e.access_id.as_deref().unwrap_or_default()),
            member_type: e.member_type.unwrap_or_else(|| "Direct".to_owned()),
            start_date_time: e.start_date_time.map(to_ipc),
            end_date_time: e.end_date_time.map(to_ipc),
            requirements: Requirements::unknown(),
        }
    }
}

impl GraphClient {
    /// The signed-in user's eligible group memberships and ownerships, sorted by group name,
    /// each with its policy's requirements (all policies in one `$batch` per 20 groups).
    pub async fn my_group_eligibilities(&self) -> Result<Vec<GroupEligibility>> {
        let instances: Vec<EligibilityInstance> = self.get_all(MY_ELIGIBILITIES).await?;
        let mut list: Vec<GroupEligibility> = instances.into_iter().map(Into::into).collect();
        let group_ids: Vec<String> = list
            .iter()
            .map(|g| g.group_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let by_group = self.groups_requirements(&group_ids).await;
        for eligibility in &mut list {
            eligibility.requirements = by_group
                .get(&eligibility.group_id)
                .and_then(|m| m.get(&eligibility.access))
                .cloned()
                .unwrap_or_else(Requirements::unknown);
        }
        list.sort_by_cached_key(|g| {
            (
                g.group_name
                    .clone()
                    .unwrap_or_else(|| g.group_id.clone())
                    .to_lowercase(),
                g.id.clone(),
            )
        });
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_payload_and_tolerates_odd_values() {
        // The reference's example, plus an unknown access value and a null group.
        let json = r##"[{
            "@odata.type": "#microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance",
            "id": "8MYkhImhnkm70CbBdTyW1BbHHAdHgZdDpbqyEFlRzAs-1-e",
            "startDateTime": "2022-04-12T14:44:50.287Z",
            "endDateTime": "2024-04-10T00:00:00Z",
            "memberType": "Direct",
            "principalId": "3cce9d87-3986-4f19-8335-7ed075408ca2",
            "accessId": "member",
            "groupId": "2b5ed229-4072-478d-9504-a047ebd4b07d",
            "eligibilityScheduleId": "77f71919-62f3-4d0c-9f88-0a0391b665cd"
        }, {
            "id": "x", "groupId": "g", "accessId": "Approver", "endDateTime": null,
            "startDateTime": "2022-04-11T11:50:05.9999343Z", "group": null, "futureField": 1
        }]"##;
        let parsed: Vec<EligibilityInstance> = serde_json::from_str(json).unwrap();
        let list: Vec<GroupEligibility> = parsed.into_iter().map(Into::into).collect();
        assert_eq!(list[0].access, GroupAccess::Member);
        assert_eq!(
            list[0].end_date_time.as_deref(),
            Some("2024-04-10T00:00:00.000Z")
        );
        assert_eq!(list[0].group_name, None);
        assert_eq!(list[1].access, GroupAccess::Unknown);
        assert_eq!(list[1].end_date_time, None);
    }
}
