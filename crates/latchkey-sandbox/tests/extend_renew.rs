//! `selfExtend` and `selfRenew` on every plane, over HTTP: they apply to a time-bound
//! eligibility near its end (extend, within 14 days) or after it (renew), wait for an
//! administrator in `PendingAdminDecision` (which the API cannot decide), leave a running
//! activation alone, and are refused outside their window.

mod common;

use common::arm::{arm_client, put_request, request_path, role_id, CONTRIBUTOR, PAYMENTS_RG};
use common::roles::{activation, request, ADA, DIR, GLOBAL_READER, HELPDESK};
use common::{advance, error_code, sandbox, sign_in, Client};
use serde_json::{json, Value};

const ADA_UPN: &str = "ada@fabrikam.example";
const GROUPS: &str = "/v1.0/identityGovernance/privilegedAccess/group";
/// Ada's membership eligibility that ends in 5 days.
const PAYMENTS_CONSOLE: &str = "da8ddf7b-f9e6-4083-a98f-1e67ee2c128d";
/// Ada's membership eligibility that ends in 180 days.
const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
const OUTSIDE: &str = "InvalidRoleAssignmentRequestSchedule";

fn role_body(action: &str, role: &str) -> Value {
    json!({
        "action": action,
        "principalId": ADA,
        "roleDefinitionId": role,
        "directoryScopeId": "/",
        "justification": "Still on the helpdesk rota",
        "ticketInfo": { "ticketNumber": "INC-7", "ticketSystem": "Jira" },
        "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": "P180D" } },
    })
}

fn group_body(action: &str, group: &str) -> Value {
    json!({
        "action": action,
        "principalId": ADA,
        "groupId": group,
        "accessId": "member",
        "justification": "Still on the payments team",
        "ticketInfo": { "ticketNumber": "INC-7", "ticketSystem": "Jira" },
        "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": "P180D" } },
    })
}

async fn group_request(ada: &Client, body: Value) -> (u16, Value) {
    ada.post(&format!("{GROUPS}/assignmentScheduleRequests"), body)
        .await
}

fn assert_waits_for_an_admin(status: u16, body: &Value, action: &str) {
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "PendingAdminDecision", "{body}");
    assert_eq!(body["action"], action, "{body}");
    assert_eq!(
        body["approvalId"],
        Value::Null,
        "not decidable through the API: {body}"
    );
}

#[tokio::test]
async fn directory_roles_extend_near_the_end_and_renew_after_it() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, ADA_UPN).await;
    let (status, active) = request(&ada, activation(ADA, HELPDESK, "/", "PT1H", json!({}))).await;
    assert_eq!(status, 201, "{active}");
    let instances = format!(
        "{DIR}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')?$filter=roleDefinitionId eq '{HELPDESK}'"
    );
    let (_, before) = ada.get(&instances).await;

    let (status, extend) = request(&ada, role_body("selfExtend", HELPDESK)).await;
    assert_waits_for_an_admin(status, &extend, "selfExtend");
    let id = extend["id"].as_str().unwrap();
    // A second one while the first waits is refused; renewing what has not ended is too.
    let (status, again) = request(&ada, role_body("selfExtend", HELPDESK)).await;
    assert_eq!(
        (status, error_code(&again)),
        (400, "PendingRoleAssignmentRequest")
    );
    let (status, early) = request(&ada, role_body("selfRenew", HELPDESK)).await;
    assert_eq!((status, error_code(&early)), (400, OUTSIDE), "{early}");
    // Far from its end: nothing to extend yet.
    let (status, far) = request(&ada, role_body("selfExtend", GLOBAL_READER)).await;
    assert_eq!((status, error_code(&far)), (400, OUTSIDE), "{far}");
    assert!(
        far["error"]["innerError"]["request-id"].is_string(),
        "{far}"
    );

    // The running activation keeps its end.
    let (_, after) = ada.get(&instances).await;
    assert_eq!(
        after["value"][0]["endDateTime"],
        before["value"][0]["endDateTime"]
    );
    assert_eq!(after["value"].as_array().unwrap().len(), 1, "{after}");

    // Nobody decides it through the API: it still waits a day later.
    advance(&sandbox, "P1D").await;
    let (status, stored) = ada
        .get(&format!("{DIR}/roleAssignmentScheduleRequests/{id}"))
        .await;
    assert_eq!(
        (status, &stored["status"]),
        (200, &json!("PendingAdminDecision"))
    );

    // Once the eligibility has ended (3 days in), it can be renewed, and no longer extended.
    advance(&sandbox, "P3D").await;
    let ada = sign_in(&sandbox, ADA_UPN).await;
    let (status, renew) = request(&ada, role_body("selfRenew", HELPDESK)).await;
    assert_waits_for_an_admin(status, &renew, "selfRenew");
    let (status, late) = request(&ada, role_body("selfExtend", HELPDESK)).await;
    assert_eq!((status, error_code(&late)), (400, OUTSIDE), "{late}");
    // A role Ada was never eligible for.
    let (status, never) = request(&ada, role_body("selfRenew", common::roles::GLOBAL_ADMIN)).await;
    assert_eq!(
        (status, error_code(&never)),
        (400, "RoleAssignmentDoesNotExist")
    );
}

#[tokio::test]
async fn group_memberships_extend_and_renew_wait_for_an_admin() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, ADA_UPN).await;
    let (status, extend) = group_request(&ada, group_body("selfExtend", PAYMENTS_CONSOLE)).await;
    assert_waits_for_an_admin(status, &extend, "selfExtend");
    assert_eq!(extend["groupId"], PAYMENTS_CONSOLE);
    let (status, mine) = ada
        .get(&format!(
            "{GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='principal')?$filter=status eq 'PendingAdminDecision'"
        ))
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["value"].as_array().unwrap().len(), 1, "{mine}");
    let (status, far) = group_request(&ada, group_body("selfExtend", PROD_DB)).await;
    assert_eq!((status, error_code(&far)), (400, OUTSIDE), "{far}");
    let (status, early) = group_request(&ada, group_body("selfRenew", PAYMENTS_CONSOLE)).await;
    assert_eq!((status, error_code(&early)), (400, OUTSIDE), "{early}");

    // The extension is still pending, and it can be canceled like any pending request.
    let id = extend["id"].as_str().unwrap();
    let (status, _) = ada
        .post(
            &format!("{GROUPS}/assignmentScheduleRequests/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);

    advance(&sandbox, "P6D").await;
    let ada = sign_in(&sandbox, ADA_UPN).await;
    let (status, renew) = group_request(&ada, group_body("selfRenew", PAYMENTS_CONSOLE)).await;
    assert_waits_for_an_admin(status, &renew, "selfRenew");
    let (status, late) = group_request(&ada, group_body("selfExtend", PAYMENTS_CONSOLE)).await;
    assert_eq!((status, error_code(&late)), (400, OUTSIDE), "{late}");
}

fn arm_body(request_type: &str) -> Value {
    json!({ "properties": {
        "principalId": ADA,
        "roleDefinitionId": role_id(CONTRIBUTOR),
        "requestType": request_type,
        "justification": "Still deploying payments",
        "scheduleInfo": { "expiration": { "type": "AfterDuration", "duration": "P180D" } },
    } })
}

#[tokio::test]
async fn azure_roles_extend_and_renew_through_arm() {
    let sandbox = sandbox().await;
    let ada = arm_client(&sandbox, ADA_UPN).await;
    // Ada's Contributor eligibility on the payments resource group ends in 335 days.
    let (status, far) = put_request(
        &ada,
        PAYMENTS_RG,
        "2b9c0d1e-0000-4000-8000-000000000001",
        arm_body("SelfExtend"),
    )
    .await;
    assert_eq!((status, error_code(&far)), (400, OUTSIDE), "{far}");

    advance(&sandbox, "P325D").await;
    let ada = arm_client(&sandbox, ADA_UPN).await;
    let name = "2b9c0d1e-0000-4000-8000-000000000002";
    let (status, extend) = put_request(&ada, PAYMENTS_RG, name, arm_body("SelfExtend")).await;
    assert_eq!(status, 201, "{extend}");
    assert_eq!(
        extend["properties"]["status"], "PendingAdminDecision",
        "{extend}"
    );
    assert_eq!(extend["properties"]["requestType"], "SelfExtend");
    assert_eq!(extend["properties"]["approvalId"], Value::Null);
    let (status, stored) = common::arm::get(&ada, &request_path(PAYMENTS_RG, name)).await;
    assert_eq!(
        (status, &stored["properties"]["status"]),
        (200, &json!("PendingAdminDecision"))
    );
    let (status, early) = put_request(
        &ada,
        PAYMENTS_RG,
        "2b9c0d1e-0000-4000-8000-000000000003",
        arm_body("SelfRenew"),
    )
    .await;
    assert_eq!((status, error_code(&early)), (400, OUTSIDE), "{early}");

    advance(&sandbox, "P11D").await;
    let ada = arm_client(&sandbox, ADA_UPN).await;
    let (status, renew) = put_request(
        &ada,
        PAYMENTS_RG,
        "2b9c0d1e-0000-4000-8000-000000000004",
        arm_body("SelfRenew"),
    )
    .await;
    assert_eq!(status, 201, "{renew}");
    assert_eq!(
        renew["properties"]["status"], "PendingAdminDecision",
        "{renew}"
    );
}
