//! My eligibilities on every plane, each with what its policy requires (all of a plane's
//! policies in one `$batch` per 20).

use std::collections::BTreeSet;

use serde_json::Value;

use super::plane::{self, description_from, name_from, scope_name_from, target_from};
use super::GraphClient;
use crate::error::Result;
use crate::model::{Eligibility, Plane, Requirements, Target};
use crate::policy_cache::PolicyCache;
use crate::time::{parse_lenient, to_ipc};

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// Reads an eligibility schedule instance of `plane`; requirements are filled in later.
pub(crate) fn eligibility_from(plane: Plane, v: &Value) -> Option<Eligibility> {
    let target = target_from(plane, v)?;
    let time = |p: &str| text(v, p).and_then(parse_lenient).map(to_ipc);
    Some(Eligibility {
        id: text(v, "/id")?.to_owned(),
        name: name_from(plane, v),
        description: description_from(plane, v),
        scope_name: scope_name_from(&target, v),
        target,
        member_type: text(v, "/memberType").unwrap_or("Direct").to_owned(),
        start_date_time: time("/startDateTime"),
        end_date_time: time("/endDateTime"),
        requirements: Requirements::unknown(),
    })
}

/// The distinct ids whose policies decide `list`'s requirements (group ids, role ids).
fn policy_subjects(list: &[Eligibility]) -> Vec<String> {
    list.iter()
        .map(|e| match &e.target {
            Target::Group { group_id, .. } => group_id.to_ascii_lowercase(),
            Target::DirectoryRole {
                role_definition_id, ..
            }
            | Target::AzureRole {
                role_definition_id, ..
            } => role_definition_id.to_ascii_lowercase(),
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

impl GraphClient {
    /// My eligibilities in `plane`, sorted by name, each with its policy's requirements —
    /// from `cache` when read recently, else read (in `$batch`es) and remembered there.
    pub async fn my_eligibilities(
        &self,
        plane: Plane,
        cache: &PolicyCache,
    ) -> Result<Vec<Eligibility>> {
        let path = plane::paths(plane)?.my_eligibilities;
        // Cold policies are read alongside the list instead of after it (one round trip fewer):
        // directory-role policies need no role ids, so all of them in one list; group policies
        // need group ids, so those of the groups the last listing (or the last known state)
        // held — only groups new since then wait for the list.
        let early_roles = plane == Plane::DirectoryRole && !cache.holds_any("role|");
        let early_groups = if plane == Plane::Group {
            cache.groups_to_prefetch()
        } else {
            Vec::new()
        };
        let (values, early) = tokio::join!(self.get_all(path), async {
            if early_roles {
                Some(self.all_role_requirements().await)
            } else if !early_groups.is_empty() {
                Some(self.requirements_of(Plane::Group, &early_groups).await)
            } else {
                None
            }
        });
        let mut values: Vec<Value> = values?;
        if plane == Plane::Group {
            self.fill_group_names(&mut values).await;
        }
        let mut list: Vec<Eligibility> = values
            .iter()
            .filter_map(|v| eligibility_from(plane, v))
            .collect();
        let mut missing = Vec::new();
        for eligibility in &mut list {
            if let Some(known) = early.as_ref().and_then(|e| e.get(&eligibility.target)) {
                eligibility.requirements = known.clone();
                cache.put(eligibility.target.key(), known);
                continue;
            }
            match cache.get(&eligibility.target.key()) {
                Some(known) => eligibility.requirements = known,
                None => missing.push(eligibility.clone()),
            }
        }
        // A group read early whose policy did not come back (403, say) stays unknown rather
        // than being asked twice in one refresh.
        let subjects: Vec<String> = policy_subjects(&missing)
            .into_iter()
            .filter(|s| !early_groups.contains(s))
            .collect();
        if !subjects.is_empty() {
            let requirements = self.requirements_of(plane, &subjects).await;
            for eligibility in &mut list {
                if let Some(known) = requirements.get(&eligibility.target) {
                    eligibility.requirements = known.clone();
                    cache.put(eligibility.target.key(), known);
                }
            }
        }
        if plane == Plane::Group {
            cache.remember_groups(policy_subjects(&list));
        }
        list.sort_by_cached_key(|e| {
            (
                e.name
                    .clone()
                    .unwrap_or_else(|| e.target.fallback_name())
                    .to_lowercase(),
                e.scope_name.clone().unwrap_or_default().to_lowercase(),
                e.id.clone(),
            )
        });
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GroupAccess;

    #[test]
    fn parses_the_reference_payloads_and_tolerates_odd_values() {
        // The reference's group example, plus an unknown access value and a null group.
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
        }, { "id": "no group id" }]"##;
        let values: Vec<Value> = serde_json::from_str(json).unwrap();
        let list: Vec<Eligibility> = values
            .iter()
            .filter_map(|v| eligibility_from(Plane::Group, v))
            .collect();
        assert_eq!(list.len(), 2);
        assert!(matches!(
            list[0].target,
            Target::Group {
                access: GroupAccess::Member,
                ..
            }
        ));
        assert_eq!(
            list[0].end_date_time.as_deref(),
            Some("2024-04-10T00:00:00.000Z")
        );
        assert_eq!(list[0].name, None);
        assert!(matches!(
            list[1].target,
            Target::Group {
                access: GroupAccess::Unknown,
                ..
            }
        ));
        assert_eq!(list[1].end_date_time, None);
    }

    #[test]
    fn parses_the_reference_role_eligibility() {
        let v: Value = serde_json::from_str(
            r##"{
              "@odata.type": "#microsoft.graph.unifiedRoleEligibilityScheduleInstance",
              "id": "8MYkhImhnkm70CbBdTyW1BbHHAdHgZdDpbqyEFlRzAs-1-e",
              "principalId": "071cc716-8147-4397-a5ba-b2105951cc0b",
              "roleDefinitionId": "8424c6f0-a189-499e-bbd0-26c1753c96d4",
              "directoryScopeId": "/", "appScopeId": null,
              "startDateTime": "2022-04-12T14:44:50.287Z", "endDateTime": "2024-04-10T00:00:00Z",
              "memberType": "Group", "roleEligibilityScheduleId": "77f71919-62f3-4d0c-9f88-0a0391b665cd",
              "roleDefinition": { "id": "8424c6f0-a189-499e-bbd0-26c1753c96d4",
                "displayName": "Attribute Assignment Administrator", "description": "Assign attributes" }
            }"##,
        )
        .unwrap();
        let e = eligibility_from(Plane::DirectoryRole, &v).unwrap();
        assert_eq!(
            e.name.as_deref(),
            Some("Attribute Assignment Administrator")
        );
        assert_eq!(e.description.as_deref(), Some("Assign attributes"));
        assert_eq!(e.scope_name.as_deref(), Some("Directory"));
        assert_eq!(e.member_type, "Group");
        assert_eq!(policy_subjects(&[e.clone(), e]).len(), 1);
    }
}
