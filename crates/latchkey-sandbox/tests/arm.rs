//! Azure Resource Manager PIM over HTTP: listing with names inline and paging, ARM's
//! api-version and audience checks, idempotent PUT by name, the policy engine's refusals as
//! CloudError, the ~2 min `RoleAssignmentExists` after a deactivation, approvals by stages,
//! cancel, and policies' effective rules.

mod common;

use common::arm::*;
use common::{advance, error_code, sandbox, sandbox_paged, sign_in};
use reqwest::Method;
use serde_json::{json, Value};

const ADA: &str = "8593dd9e-f545-42a4-bb60-1960cbb136bd";
const BEN: &str = "fcbaf935-79fa-4c94-80bb-e882741ba324";
const ELIGIBLE: &str =
    "/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version=2020-10-01&$filter=asTarget()";
const ACTIVE: &str =
    "/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2020-10-01&$filter=asTarget()";

fn justified() -> Value {
    json!({ "justification": "Deploy payments hotfix" })
}

#[tokio::test]
async fn adas_eligibilities_come_with_names_inline_across_pages() {
    let sandbox = sandbox_paged(2).await;
    let ada = arm_client(&sandbox, "ada@fabrikam.example").await;
    let (items, pages) = get_all(&ada, ELIGIBLE).await;
    assert_eq!(
        (items.len(), pages),
        (6, 3),
        "six eligibilities, two per page"
    );
    let contributor = items
        .iter()
        .find(|i| {
            i["properties"]["expandedProperties"]["scope"]["displayName"] == "rg-payments-prod"
                && i["properties"]["expandedProperties"]["roleDefinition"]["displayName"]
                    == "Contributor"
        })
        .expect("Contributor on rg-payments-prod");
    let p = &contributor["properties"];
    assert_eq!(p["scope"], PAYMENTS_RG);
    assert_eq!(
        p["roleDefinitionId"],
        role_id(CONTRIBUTOR),
        "prefixed by the subscription"
    );
    assert_eq!(p["expandedProperties"]["scope"]["type"], "resourcegroup");
    assert_eq!(
        p["expandedProperties"]["principal"]["email"],
        "ada@fabrikam.example"
    );
    assert!(contributor["id"].as_str().unwrap().starts_with(&format!(
        "{PAYMENTS_RG}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/"
    )));
    let inherited = items
        .iter()
        .find(|i| i["properties"]["memberType"] == "Group")
        .expect("one inherited through a group");
    assert_eq!(inherited["properties"]["principalId"], DATA_LAKE_GROUP);
    assert_eq!(inherited["properties"]["principalType"], "Group");

    // Per scope: that scope and below.
    let at_rg = format!(
        "{PAYMENTS_RG}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?{API}&$filter=asTarget()"
    );
    assert_eq!(get_all(&ada, &at_rg).await.0.len(), 2);
    let at_sub = format!(
        "{PROD}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?{API}&$filter=asTarget()"
    );
    assert_eq!(get_all(&ada, &at_sub).await.0.len(), 5);
}

#[tokio::test]
async fn arm_checks_api_version_audience_filter_and_scope() {
    let sandbox = sandbox().await;
    let ada = arm_client(&sandbox, "ada@fabrikam.example").await;
    let path = "/providers/Microsoft.Authorization/roleEligibilityScheduleInstances";
    let (status, body) = get(&ada, &format!("{path}?$filter=asTarget()")).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "MissingApiVersionParameter")
    );
    let (status, body) = get(
        &ada,
        &format!("{path}?api-version=2015-01-01&$filter=asTarget()"),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "NoRegisteredProviderFound")
    );
    let (status, body) = get(&ada, &format!("{path}?{API}")).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "AuthorizationFailed"),
        "no asTarget()"
    );
    let (status, body) = get(&ada, &format!("{path}?{API}&$filter=whoKnows()")).await;
    assert_eq!((status, error_code(&body)), (400, "InvalidFilter"));
    let unknown = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version=2020-10-01&$filter=asTarget()";
    let (status, body) = get(&ada, unknown).await;
    assert_eq!((status, error_code(&body)), (404, "SubscriptionNotFound"));
    let (status, body) = get(
        &ada,
        "/providers/Microsoft.Authorization/roleThings?api-version=2020-10-01",
    )
    .await;
    assert_eq!((status, error_code(&body)), (404, "InvalidResourceType"));

    // One resource per token: a Graph token is refused by ARM, and an ARM token by Graph.
    let graph = sign_in(&sandbox, "ada@fabrikam.example").await;
    let (status, body) = get(&graph, ELIGIBLE).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "InvalidAuthenticationToken")
    );
    let (status, body) = get(&ada, "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/filterByCurrentUser(on='principal')").await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "InvalidAuthenticationToken")
    );
}

#[tokio::test]
async fn a_put_is_idempotent_by_name_and_policies_refuse_as_cloud_errors() {
    let sandbox = sandbox().await;
    let ada = arm_client(&sandbox, "ada@fabrikam.example").await;
    let name = "6f1f2c36-0a8e-4b5d-9f4e-2b1c0d9e8f70";
    let bare = self_activate(ADA, CONTRIBUTOR, "PT2H", json!({}));
    let (status, body) = put_request(&ada, PAYMENTS_RG, name, bare).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentRequestPolicyValidationFailed")
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("JustificationRule"));
    let too_long = self_activate(ADA, CONTRIBUTOR, "PT5H", justified());
    let (_, body) = put_request(&ada, PAYMENTS_RG, name, too_long).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("ExpirationRule"));

    let good = self_activate(ADA, CONTRIBUTOR, "PT2H", justified());
    let (status, created) = put_request(&ada, PAYMENTS_RG, name, good.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], name);
    assert_eq!(created["properties"]["status"], "Provisioned");
    assert_eq!(created["properties"]["requestType"], "SelfActivate");
    assert_eq!(
        created["properties"]["scheduleInfo"]["expiration"]["type"],
        "AfterDuration"
    );
    // The same name and body again (a retry after a lost answer): the request already made.
    let (status, again) = put_request(&ada, PAYMENTS_RG, name, good).await;
    assert_eq!((status, &again["name"]), (200, &json!(name)));
    let different = self_activate(ADA, CONTRIBUTOR, "PT1H", justified());
    let (status, body) = put_request(&ada, PAYMENTS_RG, name, different).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "RoleAssignmentScheduleRequestExists")
    );
    // A second name for the same thing is the engine's refusal.
    let second = "7a2a3d47-1b9f-4c6e-8a5f-3c2d1e0f9a81";
    let (status, body) = put_request(
        &ada,
        PAYMENTS_RG,
        second,
        self_activate(ADA, CONTRIBUTOR, "PT1H", justified()),
    )
    .await;
    assert_eq!((status, error_code(&body)), (400, "RoleAssignmentExists"));
    let (active, _) = get_all(&ada, ACTIVE).await;
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["properties"]["assignmentType"], "Activated");
    assert!(active[0]["properties"]["linkedRoleEligibilityScheduleId"].is_string());
    let (status, read) = get(&ada, &request_path(PAYMENTS_RG, name)).await;
    assert_eq!(
        (status, &read["properties"]["status"]),
        (200, &json!("Provisioned"))
    );

    // Deactivating within 5 minutes is refused; after that it works, and for ~2 minutes ARM
    // still says the assignment exists.
    let deactivate = json!({ "properties": { "principalId": ADA, "roleDefinitionId": role_id(CONTRIBUTOR), "requestType": "SelfDeactivate" } });
    let third = "8b3b4e58-2cae-4d7f-9b60-4d3e2f1a0b92";
    let (status, body) = put_request(&ada, PAYMENTS_RG, third, deactivate.clone()).await;
    assert_eq!((status, error_code(&body)), (400, "ActiveDurationTooShort"));
    advance(&sandbox, "PT6M").await;
    let (status, body) = put_request(&ada, PAYMENTS_RG, third, deactivate).await;
    assert_eq!(
        (status, &body["properties"]["status"]),
        (201, &json!("Revoked")),
        "{body}"
    );
    let fourth = "9c4c5f69-3dbf-4e80-8c71-5e4f3a2b1ca3";
    let again = self_activate(ADA, CONTRIBUTOR, "PT1H", justified());
    let (status, body) = put_request(&ada, PAYMENTS_RG, fourth, again.clone()).await;
    assert_eq!((status, error_code(&body)), (400, "RoleAssignmentExists"));
    advance(&sandbox, "PT3M").await;
    let (status, _) = put_request(&ada, PAYMENTS_RG, fourth, again).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn malformed_bodies_and_names_are_400s_never_500s() {
    let sandbox = sandbox().await;
    let ada = arm_client(&sandbox, "ada@fabrikam.example").await;
    let name = "6f1f2c36-0a8e-4b5d-9f4e-2b1c0d9e8f70";
    for body in [
        json!("not an object"),
        json!({}),
        json!({"properties": {"requestType": "SelfActivate"}}),
        json!({"properties": {"principalId": ADA, "roleDefinitionId": role_id(CONTRIBUTOR), "requestType": "Teleport"}}),
        self_activate(ADA, CONTRIBUTOR, "two hours", justified()),
    ] {
        let (status, error) = put_request(&ada, PAYMENTS_RG, name, body.clone()).await;
        assert_eq!(status, 400, "{body} -> {error}");
        assert!(error["error"]["message"].is_string());
    }
    let raw = ada
        .http
        .put(format!("{}{}", ada.base, request_path(PAYMENTS_RG, name)))
        .bearer_auth(&ada.token)
        .header("content-type", "application/json")
        .body("{\"properties\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let error: Value = raw.json().await.unwrap();
    assert_eq!(error_code(&error), "InvalidRequestContent");
    let (status, body) = put_request(
        &ada,
        PAYMENTS_RG,
        "not-a-guid",
        self_activate(ADA, CONTRIBUTOR, "PT1H", justified()),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "InvalidRoleAssignmentScheduleRequestName")
    );
    let (status, body) = put_request(
        &ada,
        PAYMENTS_RG,
        name,
        self_activate(
            ADA,
            "00000000-0000-0000-0000-000000000001",
            "PT1H",
            justified(),
        ),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleDefinitionDoesNotExist")
    );
}

#[tokio::test]
async fn mfa_policies_and_group_eligibilities_need_the_users_own_sign_in() {
    let sandbox = sandbox().await;
    let ada = arm_client(&sandbox, "ada@fabrikam.example").await;
    let owner = self_activate(
        ADA,
        OWNER,
        "PT1H",
        json!({ "justification": "Restore", "ticketInfo": { "ticketNumber": "CHG-9", "ticketSystem": "ServiceNow" } }),
    );
    let (status, body) =
        put_request(&ada, DATA_RG, "1d5d6a7a-4ec0-4f91-9d82-6f5a4b3c2db4", owner).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("MfaRule"),
        "{body}"
    );
    // The eligibility is the group's: asking as the group is refused, as herself it works.
    let as_group = self_activate(DATA_LAKE_GROUP, BLOB_CONTRIBUTOR, "PT1H", justified());
    let name = "2e6e7b8b-5fd1-4aa2-8e93-7a6b5c4d3ec5";
    let (status, body) = put_request(&ada, DATA_RG, name, as_group).await;
    assert_eq!((status, error_code(&body)), (403, "AuthorizationFailed"));
    let (status, body) = put_request(
        &ada,
        DATA_RG,
        name,
        self_activate(ADA, BLOB_CONTRIBUTOR, "PT1H", justified()),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // A linked eligibility that is not the one this target uses is refused.
    let wrong_link = self_activate(
        ADA,
        CONTRIBUTOR,
        "PT1H",
        json!({ "justification": "x", "linkedRoleEligibilityScheduleId": "00000000-0000-0000-0000-000000000002" }),
    );
    let (_, body) = put_request(
        &ada,
        PAYMENTS_RG,
        "3f7f8c9c-60e2-4bb3-9fa4-8b7c6d5e4fd6",
        wrong_link,
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("EligibilityRule"),
        "{body}"
    );
}

fn ben_request() -> Value {
    self_activate(
        BEN,
        CONTRIBUTOR,
        "PT2H",
        json!({ "justification": "Backfill", "ticketInfo": { "ticketNumber": "CHG-12", "ticketSystem": "ServiceNow" } }),
    )
}

#[tokio::test]
async fn approvals_are_decided_on_their_stage_and_pending_requests_cancel() {
    let sandbox = sandbox().await;
    let ben = arm_client(&sandbox, "ben@fabrikam.example").await;
    let chloe = arm_client(&sandbox, "chloe@fabrikam.example").await;
    let first = "4a8a9dad-71f3-4cc4-8ab5-9c8d7e6f5a07";
    let (status, pending) = put_request(&ben, DATA_RG, first, ben_request()).await;
    assert_eq!(
        (status, &pending["properties"]["status"]),
        (201, &json!("PendingApproval")),
        "{pending}"
    );
    let cancel = format!("{DATA_RG}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{first}/cancel?{API}");
    let (status, _) = call(&ben, Method::POST, &cancel, None).await;
    assert_eq!(status, 200);
    let (_, read) = get(&ben, &request_path(DATA_RG, first)).await;
    assert_eq!(read["properties"]["status"], "Canceled");
    let (status, _) = call(&ben, Method::POST, &cancel, None).await;
    assert_eq!(status, 400, "a canceled request cannot be canceled again");

    let second = "5b9baebe-8204-4dd5-9bc6-ad9e8f7a6b18";
    let (_, pending) = put_request(&ben, DATA_RG, second, ben_request()).await;
    let approval = pending["properties"]["approvalId"]
        .as_str()
        .unwrap()
        .to_owned();
    let queue = format!("/providers/Microsoft.Authorization/roleAssignmentScheduleRequests?{API}&$filter=asApprover()");
    let (items, _) = get_all(&chloe, &queue).await;
    let waiting: Vec<_> = items
        .iter()
        .filter(|i| i["properties"]["status"] == "PendingApproval")
        .collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        waiting[0]["properties"]["expandedProperties"]["principal"]["displayName"],
        "Ben Tanaka"
    );
    let (status, body) = get(&chloe, &format!("{approval}?{API}")).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "NoRegisteredProviderFound"),
        "approvals are preview-only"
    );
    let (status, body) = get(&chloe, &format!("{approval}?{APPROVAL_API}")).await;
    assert_eq!(status, 200, "{body}");
    let stage = &body["properties"]["stages"][0];
    assert_eq!(stage["properties"]["assignedToMe"], true);
    assert_eq!(stage["properties"]["status"], "InProgress");
    let stage_path = format!("{}?{APPROVAL_API}", stage["id"].as_str().unwrap());
    let approve =
        |why: &str| json!({ "properties": { "reviewResult": "Approve", "justification": why } });
    let (status, body) = call(&ben, Method::PUT, &stage_path, Some(approve("mine"))).await;
    assert_eq!((status, error_code(&body)), (403, "AuthorizationFailed"));
    let (status, _) = call(&chloe, Method::PUT, &stage_path, Some(approve(""))).await;
    assert_eq!(status, 400, "this policy wants the approver's reason");
    let (status, body) = call(
        &chloe,
        Method::PUT,
        &stage_path,
        Some(json!({"properties": 3})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(
        &chloe,
        Method::PATCH,
        &stage_path,
        Some(approve("Ticket checked")),
    )
    .await;
    assert_eq!(
        (status, &body["properties"]["reviewResult"]),
        (200, &json!("Approve")),
        "{body}"
    );
    let (status, _) = call(&chloe, Method::PUT, &stage_path, Some(approve("again"))).await;
    assert_eq!(status, 409);
    let (_, read) = get(&ben, &request_path(DATA_RG, second)).await;
    assert_eq!(read["properties"]["status"], "Provisioned");
    let unknown = format!("/providers/Microsoft.Authorization/roleAssignmentApprovals/6caccfcf-9315-4ee6-8cd7-be0f9a8b7c29?{APPROVAL_API}");
    assert_eq!(get(&chloe, &unknown).await.0, 404);
}

#[tokio::test]
async fn policies_carry_effective_rules_with_rule_types() {
    let sandbox = sandbox().await;
    let ada = arm_client(&sandbox, "ada@fabrikam.example").await;
    let policy = |scope: &str, role: &str| {
        format!("{scope}/providers/Microsoft.Authorization/roleManagementPolicyAssignments?{API}&$filter=roleDefinitionId eq '{}'", role_id(role))
    };
    let (items, _) = get_all(&ada, &policy(DATA_RG, OWNER)).await;
    assert_eq!(items.len(), 1);
    let rules = items[0]["properties"]["effectiveRules"]
        .as_array()
        .unwrap()
        .clone();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    let expiration = rule("Expiration_EndUser_Assignment");
    assert_eq!(expiration["ruleType"], "RoleManagementPolicyExpirationRule");
    assert_eq!(expiration["maximumDuration"], "PT2H");
    assert_eq!(
        rule("Enablement_EndUser_Assignment")["enabledRules"],
        json!(["MultiFactorAuthentication", "Justification", "Ticketing"])
    );
    let approvers = rule("Approval_EndUser_Assignment")["setting"]["approvalStages"][0]
        ["primaryApprovers"]
        .clone();
    assert_eq!(approvers.as_array().unwrap().len(), 2);
    assert_eq!(approvers[0]["userType"], "User");
    // Reader is set on the subscription; its resource groups follow it.
    let (items, _) = get_all(
        &ada,
        &policy(PAYMENTS_RG, "acdd72a7-3385-485e-8ef8-5be8c8a79cc1"),
    )
    .await;
    let rules = items[0]["properties"]["effectiveRules"].as_array().unwrap();
    let expiration = rules
        .iter()
        .find(|r| r["id"] == "Expiration_EndUser_Assignment")
        .unwrap();
    assert_eq!(expiration["maximumDuration"], "PT8H");
    let (status, body) = get(
        &ada,
        &format!("/providers/Microsoft.Authorization/roleManagementPolicyAssignments?{API}"),
    )
    .await;
    assert_eq!((status, error_code(&body)), (400, "InvalidScope"));
}
