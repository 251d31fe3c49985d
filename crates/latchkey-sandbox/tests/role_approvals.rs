//! PIM for Microsoft Entra roles over HTTP, around the request: beta-only approvals,
//! role policies, `$batch` and the scopes each call needs — as a client sees them.

mod common;

use common::roles::*;
use common::{
    assert_four_hour_ticketed_approval, error_code, sandbox, sign_in, sign_in_with_scope, Client,
};
use serde_json::json;

#[tokio::test]
async fn approval_round_trip_on_beta_steps() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let chloe = sign_in(&sandbox, "chloe@fabrikam.example").await;
    let elena = sign_in(&sandbox, "elena@fabrikam.example").await;

    let ticket = json!({ "ticketInfo": { "ticketNumber": "CHG-7", "ticketSystem": "ServiceNow" } });
    let (status, created) = request(&ada, activation(ADA, EXCHANGE, "/", "PT2H", ticket)).await;
    assert_eq!(
        (status, created["status"].as_str()),
        (201, Some("PendingApproval")),
        "{created}"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created["approvalId"],
        id.as_str(),
        "approvalId is the request id"
    );
    assert!(
        active_roles(&ada).await.is_empty(),
        "nothing active before approval"
    );

    let (status, waiting) = chloe
        .get(&format!("{DIR}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=roleDefinition"))
        .await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(ids(&waiting), std::slice::from_ref(&id));
    assert_eq!(
        waiting["value"][0]["roleDefinition"]["displayName"],
        "Exchange Administrator"
    );
    let (_, none) = ada
        .get(&format!(
            "{DIR}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')"
        ))
        .await;
    assert!(
        ids(&none).is_empty(),
        "a requester approves nothing of their own"
    );

    let (status, body) = chloe
        .get(&format!("{DIR}/roleAssignmentApprovals/{id}"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "BadRequest"),
        "v1.0 has no roleAssignmentApprovals"
    );
    let (status, approval) = chloe
        .get(&format!("{BETA_DIR}/roleAssignmentApprovals/{id}"))
        .await;
    assert_eq!(status, 200, "{approval}");
    let step = approval["steps"][0].clone();
    assert_eq!(
        (step["status"].as_str(), step["assignedToMe"].as_bool()),
        (Some("InProgress"), Some(true))
    );
    assert_eq!(step["reviewResult"], "NotReviewed");
    let step_path = format!(
        "{BETA_DIR}/roleAssignmentApprovals/{id}/steps/{}",
        step["id"].as_str().unwrap()
    );
    let (_, steps) = chloe
        .get(&format!("{BETA_DIR}/roleAssignmentApprovals/{id}/steps"))
        .await;
    assert_eq!(ids(&steps), [step["id"].as_str().unwrap().to_owned()]);
    let (status, one) = chloe.get(&step_path).await;
    assert_eq!((status, one["id"].clone()), (200, step["id"].clone()));

    let review = |result: &str, why: &str| json!({ "reviewResult": result, "justification": why });
    let (status, body) = ada
        .call(
            reqwest::Method::PATCH,
            &step_path,
            Some(review("Approve", "me")),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "AccessDenied"),
        "not an approver"
    );
    let (status, _) = chloe
        .call(
            reqwest::Method::PATCH,
            &step_path,
            Some(review("Approve", "")),
        )
        .await;
    assert_eq!(
        status, 400,
        "this policy wants the approver's justification"
    );
    let (status, _) = chloe
        .call(
            reqwest::Method::PATCH,
            &step_path,
            Some(review("Approve", "CHG-7 is approved")),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = elena
        .call(
            reqwest::Method::PATCH,
            &step_path,
            Some(review("Deny", "too late")),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "Conflict"),
        "the first decision wins"
    );

    assert_eq!(
        active_roles(&ada).await,
        [(EXCHANGE.to_owned(), "/".to_owned())]
    );
    let (_, after) = ada
        .get(&format!("{DIR}/roleAssignmentScheduleRequests/{id}"))
        .await;
    assert_eq!(after["status"], "Provisioned");
    let (_, done) = chloe
        .get(&format!("{BETA_DIR}/roleAssignmentApprovals/{id}"))
        .await;
    assert_eq!(
        (
            done["steps"][0]["status"].as_str(),
            done["steps"][0]["reviewResult"].as_str()
        ),
        (Some("Completed"), Some("Approve"))
    );

    // Chloé approves Exchange requests and may request it herself; only Elena can decide that.
    let ticket = json!({ "ticketInfo": { "ticketNumber": "CHG-8" } });
    let chloe_id = "b34a9392-473f-4a62-be71-8ef714fc9234";
    let (_, own) = request(&chloe, activation(chloe_id, EXCHANGE, "/", "PT1H", ticket)).await;
    let own_id = own["id"].as_str().unwrap();
    let (_, own_approval) = chloe
        .get(&format!("{BETA_DIR}/roleAssignmentApprovals/{own_id}"))
        .await;
    assert_eq!(own_approval["steps"][0]["assignedToMe"], false);
    let own_step = format!(
        "{BETA_DIR}/roleAssignmentApprovals/{own_id}/steps/{}",
        own_approval["steps"][0]["id"].as_str().unwrap()
    );
    let (status, _) = chloe
        .call(
            reqwest::Method::PATCH,
            &own_step,
            Some(review("Approve", "mine")),
        )
        .await;
    assert_eq!(status, 403, "nobody approves their own request");
    let (status, _) = elena
        .call(
            reqwest::Method::PATCH,
            &own_step,
            Some(review("Deny", "No change ticket")),
        )
        .await;
    assert_eq!(status, 204);
    let (_, denied) = chloe
        .get(&format!("{DIR}/roleAssignmentScheduleRequests/{own_id}"))
        .await;
    assert_eq!(denied["status"], "Denied");
    assert!(active_roles(&chloe).await.is_empty());

    let (status, _) = chloe
        .get(&format!(
            "{BETA_DIR}/roleAssignmentApprovals/{}",
            uuid_like()
        ))
        .await;
    assert_eq!(status, 404);
    let group_path =
        format!("/beta/identityGovernance/privilegedAccess/group/assignmentApprovals/{id}");
    let (status, _) = chloe.get(&group_path).await;
    assert_eq!(status, 404, "a role approval is not a group approval");
}

#[tokio::test]
async fn role_policies_with_expanded_rules_need_the_scope_filter() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let path = |filter: &str| {
        format!("/v1.0/policies/roleManagementPolicyAssignments?$filter={filter}&$expand=policy($expand=rules)")
    };
    let (status, body) = ada
        .get(&path(&format!(
            "scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{EXCHANGE}'"
        )))
        .await;
    assert_eq!(status, 200, "{body}");
    let assignments = body["value"].as_array().unwrap();
    assert_eq!(assignments.len(), 1);
    let assignment = &assignments[0];
    let policy_id = assignment["policyId"].as_str().unwrap();
    assert!(
        policy_id.starts_with(&format!("DirectoryRole_{TENANT}_")),
        "{policy_id}"
    );
    assert_eq!(assignment["id"], format!("{policy_id}_{EXCHANGE}"));
    assert_eq!(assignment["policy"]["id"], policy_id);
    let rules = assignment["policy"]["rules"].as_array().unwrap();
    assert_four_hour_ticketed_approval(rules);

    let (_, body) = ada
        .get(&path(&format!(
            "scopeId eq '/' and scopeType eq 'Directory' and roleDefinitionId eq '{APP_ADMIN}'"
        )))
        .await;
    let assignment = &body["value"][0];
    assert_eq!(
        assignment["scopeType"], "Directory",
        "Directory is accepted too"
    );
    let rules = assignment["policy"]["rules"].as_array().unwrap();
    let context = rules
        .iter()
        .find(|r| r["id"] == "AuthenticationContext_EndUser_Assignment")
        .unwrap();
    assert_eq!(
        (
            context["isEnabled"].as_bool(),
            context["claimValue"].as_str()
        ),
        (Some(true), Some("c1"))
    );

    let (_, all) = ada
        .get("/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'")
        .await;
    assert!(all["value"].as_array().unwrap().len() >= 10, "one per role");
    let (status, body) = ada
        .get(&format!("/v1.0/policies/roleManagementPolicyAssignments?$filter=roleDefinitionId eq '{EXCHANGE}'"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "BadRequest"),
        "scopeId and scopeType are mandatory"
    );
}

#[tokio::test]
async fn batches_carry_role_sub_requests() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let json_headers = json!({ "Content-Type": "application/json" });
    let body = json!({ "requests": [
        { "id": "1", "method": "GET", "url": "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=roleDefinition" },
        { "id": "2", "method": "POST", "url": "/roleManagement/directory/roleAssignmentScheduleRequests",
          "headers": json_headers, "body": activation(ADA, GLOBAL_READER, "/", "PT1H", json!({})), "dependsOn": ["1"] },
        { "id": "3", "method": "GET", "url": "/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')", "dependsOn": ["2"] },
        { "id": "4", "method": "POST", "url": "/roleManagement/directory/roleAssignmentScheduleRequests",
          "headers": json_headers, "body": activation(ADA, SECURITY_READER, "/", "PT1H", json!({})) },
        { "id": "5", "method": "GET", "url": "/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')", "dependsOn": ["4"] },
        { "id": "6", "method": "GET", "url": format!("/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{GLOBAL_READER}'") },
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
    assert_eq!(by_id("1")["body"]["value"].as_array().unwrap().len(), 6);
    assert_eq!(
        (
            by_id("2")["status"].clone(),
            by_id("2")["body"]["status"].clone()
        ),
        (json!(201), json!("Provisioned"))
    );
    assert_eq!(
        by_id("3")["body"]["value"][0]["roleDefinitionId"],
        GLOBAL_READER
    );
    assert_eq!(by_id("4")["status"], 400);
    assert_eq!(
        by_id("4")["body"]["error"]["code"],
        "RoleAssignmentRequestPolicyValidationFailed"
    );
    assert_eq!(by_id("5")["status"], 424, "its dependency failed");
    assert_eq!(by_id("6")["body"]["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn each_call_needs_a_scope_that_permits_it() {
    let sandbox = sandbox().await;
    let reader = sign_in_with_scope(
        &sandbox,
        "ada@fabrikam.example",
        "RoleEligibilitySchedule.Read.Directory offline_access",
    )
    .await;
    let eligible =
        format!("{DIR}/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')");
    let (status, _) = reader.get(&eligible).await;
    assert_eq!(status, 200, "the least-privileged scope suffices");
    let (status, body) = request(
        &reader,
        activation(ADA, GLOBAL_READER, "/", "PT1H", json!({})),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "PermissionScopeNotGranted")
    );
    assert!(
        active_roles_status(&reader).await == 403,
        "instances need RoleAssignmentSchedule.Read"
    );

    let plain = sign_in_with_scope(&sandbox, "ada@fabrikam.example", "User.Read").await;
    let (status, body) = plain.get(&eligible).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "PermissionScopeNotGranted")
    );
    let (status, _) = plain
        .get("/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'")
        .await;
    assert_eq!(status, 403);
    let (status, _) = plain.get(&format!("{DIR}/roleDefinitions")).await;
    assert_eq!(status, 403);

    let writer = sign_in_with_scope(
        &sandbox,
        "ada@fabrikam.example",
        "RoleAssignmentSchedule.ReadWrite.Directory",
    )
    .await;
    let (status, body) = request(
        &writer,
        activation(ADA, GLOBAL_READER, "/", "PT1H", json!({})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

async fn active_roles_status(client: &Client) -> u16 {
    client
        .get(&format!(
            "{DIR}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')"
        ))
        .await
        .0
}
