//! PIM for Groups over HTTP: activation under each policy, approvals, deactivation, cancel,
//! expiry in virtual time, and Graph's error envelope — as a client sees them.

use std::collections::HashMap;

mod common;

use common::{advance, assert_four_hour_ticketed_approval, error_code, sandbox, sign_in, Client};
use serde_json::{json, Value};

const GROUPS: &str = "/v1.0/identityGovernance/privilegedAccess/group";
const ONCALL: &str = "33f73669-9719-4f27-9afa-4a29fdc859ba";
const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
const PAYMENTS: &str = "da8ddf7b-f9e6-4083-a98f-1e67ee2c128d";
const K8S: &str = "720c50ef-9135-4f2d-b306-0eee8c3f0a15";
const ADA: &str = "8593dd9e-f545-42a4-bb60-1960cbb136bd";
const BEN: &str = "fcbaf935-79fa-4c94-80bb-e882741ba324";

/// Group-specific calls.
trait GroupCalls {
    async fn activate(
        &self,
        principal: &str,
        group: &str,
        duration: &str,
        extra: Value,
    ) -> (u16, Value);
    async fn active_groups(&self) -> Vec<String>;
}

impl GroupCalls for Client {
    async fn activate(
        &self,
        principal: &str,
        group: &str,
        duration: &str,
        extra: Value,
    ) -> (u16, Value) {
        let mut body = json!({
            "action": "selfActivate",
            "principalId": principal,
            "groupId": group,
            "accessId": "member",
            "justification": "Investigating INC-42",
            "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": duration } },
        });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        self.post(&format!("{GROUPS}/assignmentScheduleRequests"), body)
            .await
    }

    async fn active_groups(&self) -> Vec<String> {
        let (status, body) = self
            .get(&format!(
                "{GROUPS}/assignmentScheduleInstances/filterByCurrentUser(on='principal')"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["groupId"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn activate_list_deactivate_and_expire() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;

    // Enum values in any case, as official examples mix them.
    let (status, body) = ada
        .activate(
            ADA,
            ONCALL,
            "PT2H",
            json!({ "action": "SelfActivate", "accessId": "Member",
            "scheduleInfo": { "expiration": { "type": "AfterDuration", "duration": "PT2H" } } }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "Provisioned");
    assert_eq!(
        body["action"], "selfActivate",
        "enums are echoed in camelCase"
    );
    assert_eq!(body["approvalId"], Value::Null);
    assert_eq!(ada.active_groups().await, [ONCALL]);

    let (status, body) = ada.activate(ADA, ONCALL, "PT1H", json!({})).await;
    assert_eq!((status, error_code(&body)), (400, "RoleAssignmentExists"));
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "e70c5c1b-8b47-68c0-3171-3d22f5e0bd54"
    );
    assert!(body["error"]["innerError"]["request-id"].is_string());

    let deactivate = json!({ "action": "selfDeactivate", "principalId": ADA, "groupId": ONCALL, "accessId": "member" });
    let (status, body) = ada
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests"),
            deactivate.clone(),
        )
        .await;
    assert_eq!((status, error_code(&body)), (400, "ActiveDurationTooShort"));
    advance(&sandbox, "PT6M").await;
    // Nobody else ends it: naming Ada is refused, naming oneself finds nothing active.
    let ben = sign_in(&sandbox, "ben@fabrikam.example").await;
    let (status, body) = ben
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests"),
            deactivate.clone(),
        )
        .await;
    assert_eq!((status, error_code(&body)), (403, "AccessDenied"), "{body}");
    let mut bens_own = deactivate.clone();
    bens_own["principalId"] = json!(BEN);
    let (status, body) = ben
        .post(&format!("{GROUPS}/assignmentScheduleRequests"), bens_own)
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentDoesNotExist")
    );
    assert_eq!(ada.active_groups().await, [ONCALL]);
    let (status, body) = ada
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests"),
            deactivate.clone(),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (201, Some("Revoked")),
        "{body}"
    );
    assert!(ada.active_groups().await.is_empty());
    let (status, body) = ada
        .post(&format!("{GROUPS}/assignmentScheduleRequests"), deactivate)
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentDoesNotExist")
    );

    // An activation ends at its endDateTime and its instance disappears.
    ada.activate(ADA, ONCALL, "PT1H", json!({})).await;
    assert_eq!(ada.active_groups().await, [ONCALL]);
    advance(&sandbox, "PT1H").await;
    assert!(ada.active_groups().await.is_empty());
}

#[tokio::test]
async fn policy_failures_use_pims_codes_and_messages() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;

    let (status, body) = ada
        .activate(ADA, PROD_DB, "PT5H", json!({ "justification": "" }))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentRequestPolicyValidationFailed")
    );
    assert_eq!(
        body["error"]["message"],
        r#"The following policy rules failed: ["ExpirationRule","JustificationRule","TicketingRule"]"#
    );

    let (_, body) = ada.activate(ADA, PAYMENTS, "PT30M", json!({})).await;
    assert_eq!(
        body["error"]["message"],
        r#"The following policy rules failed: ["MfaRule"]"#
    );

    let (status, body) = ada.activate(ADA, K8S, "PT1H", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentRequestAcrsValidationFailed")
    );
    let message = body["error"]["message"].as_str().unwrap();
    let encoded = message.strip_prefix("&claims=").expect("a claims fragment");
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .unwrap();
    assert_eq!(
        decoded,
        r#"{"access_token":{"acrs":{"essential":true, "value":"c1"}}}"#
    );

    let (status, body) = ada.activate(BEN, ONCALL, "PT1H", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "AccessDenied"),
        "only for yourself"
    );

    let (status, body) = ada
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests"),
            json!("not an object"),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "BadRequest"),
        "malformed input is a 400, never a 500"
    );
    let (status, body) = ada.activate(ADA, ONCALL, "two hours", json!({})).await;
    assert_eq!((status, error_code(&body)), (400, "BadRequest"));
}

#[tokio::test]
async fn approval_round_trip_with_v1_stages_and_beta_steps() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let chloe = sign_in(&sandbox, "chloe@fabrikam.example").await;
    let elena = sign_in(&sandbox, "elena@fabrikam.example").await;

    let ticket = json!({ "ticketInfo": { "ticketNumber": "CHG-7", "ticketSystem": "ServiceNow" } });
    let (status, request) = ada.activate(ADA, PROD_DB, "PT2H", ticket).await;
    assert_eq!(
        (status, request["status"].as_str()),
        (201, Some("PendingApproval")),
        "{request}"
    );
    let id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(
        request["approvalId"],
        id.as_str(),
        "approvalId is the request id"
    );
    assert!(
        ada.active_groups().await.is_empty(),
        "nothing active before approval"
    );

    let (_, waiting) = chloe
        .get(&format!("{GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'"))
        .await;
    let ids: Vec<_> = waiting["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    assert_eq!(waiting["value"][0]["ticketInfo"]["ticketNumber"], "CHG-7");

    let (status, approval) = chloe
        .get(&format!("{GROUPS}/assignmentApprovals/{id}"))
        .await;
    assert_eq!(status, 200, "{approval}");
    let stage = &approval["stages"][0];
    assert_eq!(
        (stage["status"].as_str(), stage["assignedToMe"].as_bool()),
        (Some("InProgress"), Some(true))
    );
    let (_, beta) = chloe
        .get(&format!(
            "/beta/identityGovernance/privilegedAccess/group/assignmentApprovals/{id}"
        ))
        .await;
    assert_eq!(beta["steps"][0]["id"], stage["id"], "beta calls them steps");
    let (_, own) = ada.get(&format!("{GROUPS}/assignmentApprovals/{id}")).await;
    assert_eq!(
        own["stages"][0]["assignedToMe"], false,
        "not assigned to the requester"
    );

    let stage_path = format!(
        "{GROUPS}/assignmentApprovals/{id}/stages/{}",
        stage["id"].as_str().unwrap()
    );
    let review = |result: &str| json!({ "reviewResult": result, "justification": "Change CHG-7 is approved" });
    let (status, _) = chloe
        .call(reqwest::Method::PATCH, &stage_path, Some(review("Approve")))
        .await;
    assert_eq!(status, 204);
    let (status, body) = elena
        .call(reqwest::Method::PATCH, &stage_path, Some(review("Deny")))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "Conflict"),
        "the first decision wins"
    );

    assert_eq!(ada.active_groups().await, [PROD_DB]);
    let (_, after) = ada
        .get(&format!("{GROUPS}/assignmentScheduleRequests/{id}"))
        .await;
    assert_eq!(after["status"], "Provisioned");
}

#[tokio::test]
async fn scheduled_requests_can_be_canceled_and_unanswered_ones_time_out() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let later = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
    let (status, granted) = ada
        .activate(
            ADA,
            ONCALL,
            "PT1H",
            json!({ "scheduleInfo": { "startDateTime": later,
            "expiration": { "type": "afterDuration", "duration": "PT1H" } } }),
        )
        .await;
    assert_eq!(
        (status, granted["status"].as_str()),
        (201, Some("Granted")),
        "{granted}"
    );
    let id = granted["id"].as_str().unwrap();
    // Someone else's request is not found for them (PIM lists nobody another's requests), and
    // stays as it was.
    let ben = sign_in(&sandbox, "ben@fabrikam.example").await;
    let (status, body) = ben
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (404, "ResourceNotFound"));
    let (_, still) = ada
        .get(&format!("{GROUPS}/assignmentScheduleRequests/{id}"))
        .await;
    assert_eq!(still["status"], "Granted");
    let (status, _) = ada
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, canceled) = ada
        .get(&format!("{GROUPS}/assignmentScheduleRequests/{id}"))
        .await;
    assert_eq!(canceled["status"], "Canceled");
    let (status, _) = ada
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(status, 400, "a canceled request cannot be canceled again");

    let ticket = json!({ "ticketInfo": { "ticketNumber": "CHG-8" } });
    let (_, pending) = ada.activate(ADA, PROD_DB, "PT1H", ticket).await;
    advance(&sandbox, "P1D").await;
    let (_, mine) = ada
        .get(&format!(
            "{GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='principal')"
        ))
        .await;
    let statuses: HashMap<&str, &str> = mine["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses[pending["id"].as_str().unwrap()],
        "TimedOut",
        "expired, not pending"
    );
}

#[tokio::test]
async fn policies_list_the_end_user_rules_and_need_the_scope_filter() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let path = format!(
        "/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '{PROD_DB}' and scopeType eq 'Group' and roleDefinitionId eq 'member'&$expand=policy($expand=rules)"
    );
    let (status, body) = ada.get(&path).await;
    assert_eq!(status, 200, "{body}");
    let assignments = body["value"].as_array().unwrap();
    assert_eq!(assignments.len(), 1, "filtered to the member policy");
    let rules = assignments[0]["policy"]["rules"].as_array().unwrap();
    assert_four_hour_ticketed_approval(rules);
    let context = rules
        .iter()
        .find(|r| r["id"] == "AuthenticationContext_EndUser_Assignment")
        .unwrap();
    assert_eq!(context["isEnabled"], false);

    let (_, both) = ada
        .get(&format!("/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '{K8S}' and scopeType eq 'Group'&$expand=policy"))
        .await;
    let both = both["value"].as_array().unwrap();
    assert_eq!(both.len(), 2, "member and owner");
    assert!(
        both[0]["policy"].get("rules").is_none(),
        "rules only with the nested $expand"
    );

    let (status, body) = ada
        .get("/v1.0/policies/roleManagementPolicyAssignments")
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "BadRequest"),
        "the scope filter is mandatory"
    );
}

#[tokio::test]
async fn batches_answer_each_request_and_refuse_malformed_batches() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let policy = |id: &str, group: &str| {
        json!({ "id": id, "method": "GET",
                "url": format!("/policies/roleManagementPolicyAssignments?$filter=scopeId eq '{group}' and scopeType eq 'Group'") })
    };
    let body = json!({ "requests": [
        policy("1", PROD_DB),
        { "id": "2", "method": "POST", "url": "/identityGovernance/privilegedAccess/group/assignmentScheduleRequests",
          "headers": { "Content-Type": "application/json" },
          "body": { "action": "selfActivate", "principalId": ADA, "groupId": PAYMENTS, "accessId": "member",
                    "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": "PT30M" } } } },
        { "id": "3", "method": "GET", "url": "/identityGovernance/privilegedAccess/group/assignmentScheduleInstances/filterByCurrentUser(on='principal')", "dependsOn": ["2"] },
        policy("4", ONCALL),
    ]});
    let (status, batch) = ada.post("/v1.0/$batch", body).await;
    assert_eq!(status, 200, "{batch}");
    let by_id = |id: &str| {
        batch["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("1")["status"], 200);
    assert_eq!(
        by_id("1")["body"]["value"].as_array().unwrap().len(),
        2,
        "member and owner policies"
    );
    assert_eq!(by_id("2")["status"], 400, "MFA is required for Payments");
    assert_eq!(
        by_id("2")["body"]["error"]["code"],
        "RoleAssignmentRequestPolicyValidationFailed"
    );
    assert_eq!(by_id("3")["status"], 424, "its dependency failed");
    assert_eq!(by_id("4")["status"], 200);

    let many: Vec<Value> = (0..21).map(|i| policy(&i.to_string(), ONCALL)).collect();
    let (status, body) = ada.post("/v1.0/$batch", json!({ "requests": many })).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "BadRequest"),
        "at most 20 requests"
    );
    let (status, _) = ada
        .post(
            "/v1.0/$batch",
            json!({ "requests": [policy("a", ONCALL), policy("A", PROD_DB)] }),
        )
        .await;
    assert_eq!(status, 400, "ids are unique, case-insensitively");
    let (status, _) = ada
        .post(
            "/v1.0/$batch",
            json!({ "requests": [{ "id": "1", "method": "POST", "url": "/x", "body": {} }] }),
        )
        .await;
    assert_eq!(status, 400, "a body needs a Content-Type header");
}
