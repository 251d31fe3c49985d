//! Schedules, not instances, of the signed-in user: `roleEligibilitySchedules`,
//! `roleAssignmentSchedules` and PIM for Groups' `eligibilitySchedules` / `assignmentSchedules` —
//! the same rules as the instance lists, in the schedule shape (`scheduleInfo`, `status`, no
//! instance start and end), with the same query checks.

mod common;

use common::roles::*;
use common::{error_code, sandbox, sign_in};
use serde_json::{json, Value};

const GROUPS: &str = "/v1.0/identityGovernance/privilegedAccess/group";
const ON_CALL: &str = "33f73669-9719-4f27-9afa-4a29fdc859ba";

fn rows(body: &Value) -> Vec<Value> {
    body["value"]
        .as_array()
        .unwrap_or_else(|| panic!("a collection: {body}"))
        .clone()
}

fn assert_schedule_shape(row: &Value, odata_type: &str) {
    assert_eq!(row["@odata.type"], odata_type, "{row}");
    assert_eq!(row["status"], "Provisioned", "{row}");
    assert!(
        row["scheduleInfo"]["expiration"]["type"].is_string(),
        "{row}"
    );
    for instance_only in ["startDateTime", "endDateTime"] {
        assert!(
            row.get(instance_only).is_none(),
            "{instance_only} belongs to instances: {row}"
        );
    }
}

#[tokio::test]
async fn role_schedules_are_the_rules_behind_the_instances() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let by_me = "filterByCurrentUser(on='principal')";

    let (status, instances) = ada
        .get(&format!("{DIR}/roleEligibilityScheduleInstances/{by_me}"))
        .await;
    assert_eq!(status, 200, "{instances}");
    let (status, schedules) = ada
        .get(&format!(
            "{DIR}/roleEligibilitySchedules/{by_me}?$expand=roleDefinition($select=displayName)"
        ))
        .await;
    assert_eq!(status, 200, "{schedules}");
    assert!(schedules["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("Collection(microsoft.graph.unifiedRoleEligibilitySchedule)"));
    let mut from_instances: Vec<String> = rows(&instances)
        .iter()
        .map(|i| i["roleEligibilityScheduleId"].as_str().unwrap().to_owned())
        .collect();
    let mut schedule_ids = ids(&schedules);
    from_instances.sort();
    schedule_ids.sort();
    assert_eq!(
        schedule_ids, from_instances,
        "one schedule per instance, by the instance's schedule id"
    );
    for row in rows(&schedules) {
        assert_schedule_shape(&row, "#microsoft.graph.unifiedRoleEligibilitySchedule");
        assert!(
            row["roleDefinition"]["displayName"].is_string(),
            "expanded like instances: {row}"
        );
    }
    // Helpdesk Administrator's eligibility ends in 3 days: a dated expiration.
    let helpdesk = rows(&schedules)
        .into_iter()
        .find(|r| r["roleDefinitionId"] == HELPDESK)
        .unwrap();
    assert_eq!(
        helpdesk["scheduleInfo"]["expiration"]["type"],
        "afterDateTime"
    );
    assert!(helpdesk["scheduleInfo"]["expiration"]["endDateTime"].is_string());

    // $select and $filter are checked against the schedule's properties, not the instance's.
    let (status, picked) = ada
        .get(&format!(
            "{DIR}/roleEligibilitySchedules/{by_me}?$select=id,status"
        ))
        .await;
    assert_eq!(status, 200, "{picked}");
    let kept: Vec<String> = rows(&picked)[0]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with("@odata."))
        .cloned()
        .collect();
    assert_eq!(kept, ["id", "status"], "{picked}");
    let (status, refused) = ada
        .get(&format!(
            "{DIR}/roleEligibilitySchedules/{by_me}?$select=startDateTime"
        ))
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(!error_code(&refused).is_empty(), "{refused}");
    let (status, refused) = ada
        .get(&format!(
            "{DIR}/roleEligibilitySchedules/filterByCurrentUser(on='approver')"
        ))
        .await;
    assert_eq!(status, 400, "{refused}");

    // An activation has an assignment schedule with its dated window.
    let (status, body) =
        request(&ada, activation(ADA, GLOBAL_READER, "/", "PT1H", json!({}))).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (201, Some("Provisioned")),
        "{body}"
    );
    let (status, assigned) = ada
        .get(&format!("{DIR}/roleAssignmentSchedules/{by_me}"))
        .await;
    assert_eq!(status, 200, "{assigned}");
    let reader = rows(&assigned)
        .into_iter()
        .find(|r| r["roleDefinitionId"] == GLOBAL_READER)
        .expect("Global Reader's schedule");
    assert_schedule_shape(&reader, "#microsoft.graph.unifiedRoleAssignmentSchedule");
    assert_eq!(reader["assignmentType"], "Activated");
    assert_eq!(
        reader["scheduleInfo"]["expiration"]["type"],
        "afterDateTime"
    );
}

#[tokio::test]
async fn group_schedules_follow_the_group_instances() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let by_me = "filterByCurrentUser(on='principal')";

    let (status, instances) = ada
        .get(&format!("{GROUPS}/eligibilityScheduleInstances/{by_me}"))
        .await;
    assert_eq!(status, 200, "{instances}");
    let (status, schedules) = ada
        .get(&format!(
            "{GROUPS}/eligibilitySchedules/{by_me}?$expand=group"
        ))
        .await;
    assert_eq!(status, 200, "{schedules}");
    assert_eq!(rows(&schedules).len(), rows(&instances).len());
    for row in rows(&schedules) {
        assert_schedule_shape(
            &row,
            "#microsoft.graph.privilegedAccessGroupEligibilitySchedule",
        );
        assert!(row["group"]["displayName"].is_string(), "{row}");
        assert!(
            rows(&instances)
                .iter()
                .any(|i| i["eligibilityScheduleId"] == row["id"]),
            "{row}"
        );
    }

    let (status, body) = ada
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests"),
            json!({ "action": "selfActivate", "principalId": ADA, "groupId": ON_CALL, "accessId": "member",
                    "justification": "Investigating INC-42",
                    "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": "PT30M" } } }),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (201, Some("Provisioned")),
        "{body}"
    );
    let (status, assigned) = ada
        .get(&format!(
            "{GROUPS}/assignmentSchedules/{by_me}?$filter=groupId eq '{ON_CALL}'"
        ))
        .await;
    assert_eq!(status, 200, "{assigned}");
    let rows = rows(&assigned);
    assert_eq!(
        rows.len(),
        usize::from(body["status"] == "Provisioned"),
        "{assigned} after {body}"
    );
    for row in &rows {
        assert_schedule_shape(
            row,
            "#microsoft.graph.privilegedAccessGroupAssignmentSchedule",
        );
        assert_eq!(row["accessId"], "member");
    }
}
