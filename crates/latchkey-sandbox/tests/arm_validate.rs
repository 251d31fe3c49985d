//! ARM's `POST …/roleAssignmentScheduleRequests/{name}/validate` over HTTP: the policy checks of
//! a PUT, answered without creating a request or an assignment.

mod common;

use common::arm::{arm_client, get, put_request, self_activate, CONTRIBUTOR, PAYMENTS_RG};
use common::error_code;
use common::roles::ADA;
use serde_json::json;

const ACTIVE: &str = "/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2020-10-01&$filter=asTarget()";

fn validate_path(name: &str) -> String {
    format!("{PAYMENTS_RG}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{name}/validate?api-version=2022-04-01")
}

#[tokio::test]
async fn validate_runs_the_policy_checks_and_creates_nothing() {
    let sandbox = common::sandbox().await;
    let ada = arm_client(&sandbox, "ada@fabrikam.example").await;
    let name = "4c1d2e3f-0000-4000-8000-00000000000a";
    let body = self_activate(
        ADA,
        CONTRIBUTOR,
        "PT2H",
        json!({ "justification": "Deploy payments hotfix" }),
    );
    let (status, would) = common::arm::call(
        &ada,
        reqwest::Method::POST,
        &validate_path(name),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{would}");
    assert_eq!(would["name"], name);
    assert_eq!(would["properties"]["status"], "Provisioned", "{would}");
    assert_eq!(would["properties"]["requestType"], "SelfActivate");

    // Nothing was made: no request by that name, no active assignment.
    let (status, missing) = get(
        &ada,
        &format!("{PAYMENTS_RG}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{name}?api-version=2020-10-01"),
    )
    .await;
    assert_eq!(status, 404, "{missing}");
    let (_, active) = get(&ada, ACTIVE).await;
    assert_eq!(active["value"], json!([]), "{active}");

    // What breaks the policy is refused the same way a PUT would be.
    let too_long = self_activate(ADA, CONTRIBUTOR, "PT25H", json!({ "justification": "x" }));
    let (status, refused) = common::arm::call(
        &ada,
        reqwest::Method::POST,
        &validate_path(name),
        Some(too_long),
    )
    .await;
    assert_eq!(
        (status, error_code(&refused)),
        (400, "RoleAssignmentRequestPolicyValidationFailed"),
        "{refused}"
    );
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("ExpirationRule"));

    // The name is still free for the real request.
    let (status, created) = put_request(&ada, PAYMENTS_RG, name, body).await;
    assert_eq!(status, 201, "{created}");
    let (_, active) = get(&ada, ACTIVE).await;
    assert_eq!(active["value"].as_array().unwrap().len(), 1, "{active}");
}
