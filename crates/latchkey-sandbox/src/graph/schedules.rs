//! Schedules, not instances: `roleEligibilitySchedules` / `roleAssignmentSchedules` and PIM for
//! Groups' `eligibilitySchedules` / `assignmentSchedules`, each `filterByCurrentUser(on='principal')`.
//! A schedule is the rule its instances come from: the same principal and target, with
//! `scheduleInfo`, `status` and when it was made instead of the instance's start and end. The
//! sandbox's rules are single, non-recurring windows, so each schedule has exactly one instance
//! and is derived from it.

use serde_json::{json, Map, Value};

use super::odata::EntityType;

/// Which of the two lists a route serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listed {
    Instances,
    Schedules,
}

impl Listed {
    /// The entity the query is validated against.
    pub(super) fn entity<'a>(
        self,
        instance: &'a EntityType,
        schedule: &'a EntityType,
    ) -> &'a EntityType {
        match self {
            Listed::Instances => instance,
            Listed::Schedules => schedule,
        }
    }

    /// The `@odata.context` collection name.
    pub(super) fn context(self, instance: &EntityType, schedule: &EntityType) -> String {
        format!("Collection({})", self.entity(instance, schedule).name)
    }

    /// An instance as this list shows it.
    pub(super) fn shape(self, instance: Value, schedule: &EntityType) -> Value {
        match self {
            Listed::Instances => instance,
            Listed::Schedules => from_instance(instance, schedule.name),
        }
    }
}

/// The schedule an instance came from: its id is the instance's `…ScheduleId`; `startDateTime`
/// and `endDateTime` move into `scheduleInfo` (no end: `noExpiration`).
pub(super) fn from_instance(instance: Value, schedule_type: &str) -> Value {
    let Value::Object(mut item) = instance else {
        return instance;
    };
    let start = item.remove("startDateTime").unwrap_or(Value::Null);
    let end = item.remove("endDateTime").unwrap_or(Value::Null);
    let schedule_id = item
        .iter()
        .find(|(k, _)| k.ends_with("ScheduleId"))
        .map(|(_, v)| v.clone())
        .or_else(|| item.get("id").cloned())
        .unwrap_or(Value::Null);
    item.retain(|k, _| !k.ends_with("ScheduleId") && k != "roleAssignmentOriginId");
    let expiration = if end.is_null() {
        json!({ "type": "noExpiration", "endDateTime": null, "duration": null })
    } else {
        json!({ "type": "afterDateTime", "endDateTime": end, "duration": null })
    };
    let mut schedule = Map::new();
    schedule.insert("@odata.type".into(), json!(format!("#{schedule_type}")));
    schedule.insert("id".into(), schedule_id.clone());
    item.remove("@odata.type");
    item.remove("id");
    schedule.extend(item);
    schedule.insert("status".into(), json!("Provisioned"));
    schedule.insert("createdDateTime".into(), start.clone());
    schedule.insert("modifiedDateTime".into(), start.clone());
    schedule.insert("createdUsing".into(), schedule_id);
    schedule.insert(
        "scheduleInfo".into(),
        json!({ "startDateTime": start, "recurrence": null, "expiration": expiration }),
    );
    Value::Object(schedule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_becomes_its_schedule() {
        let instance = json!({
            "@odata.type": "#microsoft.graph.unifiedRoleAssignmentScheduleInstance",
            "id": "inst-1", "principalId": "p", "roleDefinitionId": "r", "directoryScopeId": "/",
            "startDateTime": "2026-01-01T10:00:00Z", "endDateTime": "2026-01-01T11:00:00Z",
            "assignmentType": "Activated", "memberType": "Direct",
            "roleAssignmentOriginId": "o", "roleAssignmentScheduleId": "sched-1",
        });
        let s = from_instance(instance, "microsoft.graph.unifiedRoleAssignmentSchedule");
        assert_eq!(
            s["@odata.type"],
            "#microsoft.graph.unifiedRoleAssignmentSchedule"
        );
        assert_eq!(s["id"], "sched-1");
        assert_eq!(s["status"], "Provisioned");
        assert_eq!(s["scheduleInfo"]["startDateTime"], "2026-01-01T10:00:00Z");
        assert_eq!(s["scheduleInfo"]["expiration"]["type"], "afterDateTime");
        assert_eq!(
            s["scheduleInfo"]["expiration"]["endDateTime"],
            "2026-01-01T11:00:00Z"
        );
        assert_eq!(s["assignmentType"], "Activated");
        for gone in [
            "startDateTime",
            "endDateTime",
            "roleAssignmentScheduleId",
            "roleAssignmentOriginId",
        ] {
            assert!(s.get(gone).is_none(), "{gone} is an instance property");
        }
    }

    #[test]
    fn a_permanent_eligibility_has_no_expiration() {
        let instance = json!({ "id": "i", "startDateTime": null, "endDateTime": null, "eligibilityScheduleId": "e" });
        let s = from_instance(
            instance,
            "microsoft.graph.privilegedAccessGroupEligibilitySchedule",
        );
        assert_eq!(s["id"], "e");
        assert_eq!(s["scheduleInfo"]["expiration"]["type"], "noExpiration");
    }
}
