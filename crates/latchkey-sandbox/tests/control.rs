//! The control API's view of PIM and its directory changes, over HTTP: the request log, an
//! account disabled for a leaver, and an administrator removing one eligibility.

mod common;

use common::arm::{arm_client, get_all, put_request, self_activate, CONTRIBUTOR, PAYMENTS_RG};
use common::{error_code, sandbox, sign_in, Client};
use latchkey_sandbox::{Sandbox, DEMO_CLIENT_ID};
use serde_json::{json, Value};

const GROUPS: &str = "/v1.0/identityGovernance/privilegedAccess/group";
const ONCALL: &str = "33f73669-9719-4f27-9afa-4a29fdc859ba";
const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
const ADA: &str = "8593dd9e-f545-42a4-bb60-1960cbb136bd";
const ADA_UPN: &str = "ada@fabrikam.example";
const ARM_ACTIVE: &str = "/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2020-10-01&$filter=asTarget()";
const GRAPH_ACTIVE: &str = "/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleInstances/filterByCurrentUser(on='principal')";

/// A control call; returns the status and the JSON body.
async fn control(sandbox: &Sandbox, method: reqwest::Method, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn activate_group(ada: &Client, group: &str, duration: &str) -> (u16, Value) {
    let body = json!({
        "action": "selfActivate",
        "principalId": ADA,
        "groupId": group,
        "accessId": "member",
        "justification": "Investigating INC-42",
        "ticketInfo": { "ticketNumber": "INC-42", "ticketSystem": "Jira" },
        "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": duration } },
    });
    ada.post(&format!("{GROUPS}/assignmentScheduleRequests"), body)
        .await
}

async fn activate_azure(ada_arm: &Client, name: &str) {
    let body = self_activate(
        ADA,
        CONTRIBUTOR,
        "PT2H",
        json!({ "justification": "Deploy payments hotfix" }),
    );
    let (status, created) = put_request(ada_arm, PAYMENTS_RG, name, body).await;
    assert_eq!(status, 201, "{created}");
}

fn graph_groups(body: &Value) -> Vec<&str> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["groupId"].as_str())
        .collect()
}

#[tokio::test]
async fn the_request_log_lists_every_plane_in_order_and_counts_refusals() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, ADA_UPN).await;
    let ada_arm = arm_client(&sandbox, ADA_UPN).await;
    let (status, body) = activate_group(&ada, ONCALL, "PT1H").await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = activate_group(&ada, PROD_DB, "PT9H").await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentRequestPolicyValidationFailed")
    );
    activate_azure(&ada_arm, "0d4e6a7b-1c2d-4e3f-8a9b-0c1d2e3f4a5b").await;

    let (status, log) = control(&sandbox, reqwest::Method::GET, "/_sandbox/requests").await;
    assert_eq!(status, 200, "{log}");
    let requests = log["requests"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = requests
        .iter()
        .map(|r| {
            (
                r["plane"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("group", "selfActivate", "Provisioned"),
            ("azureRole", "selfActivate", "Provisioned")
        ],
        "in the order they were made; the refused one is not recorded"
    );
    assert_eq!(requests[0]["principalName"], ADA_UPN);
    assert_eq!(
        requests[0]["target"],
        json!({ "groupId": ONCALL, "accessId": "member" })
    );
    assert!(requests[0]["createdDateTime"].is_string());
    assert!(requests[0]["completedDateTime"].is_string());
    let active = log["activeAssignments"].as_array().unwrap();
    assert_eq!(active.len(), 2, "{log}");
    assert_eq!(active[0]["requestId"], requests[0]["id"]);
    let refused = &log["refusedBeforeRecording"];
    assert_eq!(refused["total"], 1);
    assert_eq!(
        refused["byCode"]["RoleAssignmentRequestPolicyValidationFailed"],
        1
    );
    assert_eq!(refused["byPolicyRule"]["ExpirationRule"], 1);

    let (status, bens) = control(
        &sandbox,
        reqwest::Method::GET,
        "/_sandbox/requests?principal=ben@fabrikam.example",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(bens["requests"], json!([]), "only Ben's requests");
    let (status, body) = control(
        &sandbox,
        reqwest::Method::GET,
        "/_sandbox/requests?principal=nobody@fabrikam.example",
    )
    .await;
    assert_eq!(status, 404);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("nobody@fabrikam.example"));
}

/// A refresh of `refresh_token` at the token endpoint.
async fn refresh(sandbox: &Sandbox, refresh_token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/organizations/oauth2/v2.0/token",
            sandbox.base_url()
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", DEMO_CLIENT_ID),
            ("refresh_token", refresh_token),
            (
                "scope",
                "https://graph.microsoft.com/.default offline_access",
            ),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The device-login page's answer when `upn` enters a fresh code.
async fn device_login_page(sandbox: &Sandbox, upn: &str) -> (u16, String) {
    let http = reqwest::Client::new();
    let code: Value = http
        .post(format!(
            "{}/organizations/oauth2/v2.0/devicecode",
            sandbox.base_url()
        ))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("scope", "User.Read offline_access"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page = http
        .post(code["verification_uri"].as_str().unwrap())
        .form(&[
            ("user_code", code["user_code"].as_str().unwrap()),
            ("login_hint", upn),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    (page.status().as_u16(), page.text().await.unwrap())
}

/// The `/authorize` page's answer when `upn` picks their account.
async fn authorize_page(sandbox: &Sandbox, upn: &str) -> String {
    let query = serde_urlencoded::to_string([
        ("client_id", DEMO_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", "http://localhost:49152/"),
        ("scope", "User.Read openid offline_access"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    let url = format!(
        "{}/organizations/oauth2/v2.0/authorize?{query}",
        sandbox.base_url()
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http
        .post(&url)
        .form(&[("login_hint", upn), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_ne!(response.status(), 302, "no code for a disabled account");
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_disabled_leaver_loses_every_activation_session_and_sign_in() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, ADA_UPN).await;
    let ada_arm = arm_client(&sandbox, ADA_UPN).await;
    assert_eq!(activate_group(&ada, ONCALL, "PT1H").await.0, 201);
    let (_, pending) = activate_group(&ada, PROD_DB, "PT2H").await;
    assert_eq!(pending["status"], "PendingApproval", "{pending}");
    activate_azure(&ada_arm, "1e5f7b8c-2d3e-4f40-9bac-1d2e3f4a5b6c").await;
    assert_eq!(graph_groups(&ada.get(GRAPH_ACTIVE).await.1), [ONCALL]);
    assert_eq!(get_all(&ada_arm, ARM_ACTIVE).await.0.len(), 1);

    let (status, removed) = control(
        &sandbox,
        reqwest::Method::POST,
        &format!("/_sandbox/users/{ADA_UPN}/disable"),
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["userId"], ADA);
    assert_eq!(
        removed["endedAssignments"].as_array().unwrap().len(),
        2,
        "{removed}"
    );
    assert_eq!(removed["canceledRequests"], json!([pending["id"]]));
    assert!(removed["removedEligibilities"].as_array().unwrap().len() >= 3);

    let (status, body) = refresh(&sandbox, ada.refresh_token.as_deref().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    assert_eq!(body["error_codes"], json!([50057]), "{body}");
    // Tokens issued before are refused at once, as continuous access evaluation does.
    let (status, body) = ada.get(GRAPH_ACTIVE).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "InvalidAuthenticationToken")
    );
    let (status, body) = common::arm::get(&ada_arm, ARM_ACTIVE).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "InvalidAuthenticationToken")
    );
    let (status, page) = device_login_page(&sandbox, ADA_UPN).await;
    assert_eq!(status, 400);
    assert!(page.contains("Your account has been disabled"), "{page}");
    assert!(authorize_page(&sandbox, ADA_UPN)
        .await
        .contains("Your account has been disabled"));

    // What the service holds: nothing active, the removals and the cancellation recorded.
    let (_, log) = control(
        &sandbox,
        reqwest::Method::GET,
        "/_sandbox/requests?principal=ada@fabrikam.example",
    )
    .await;
    assert_eq!(log["activeAssignments"], json!([]));
    let statuses: Vec<(&str, &str)> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("selfActivate", "Provisioned"),
            ("selfActivate", "Canceled"),
            ("selfActivate", "Provisioned"),
            ("adminRemove", "Revoked"),
            ("adminRemove", "Revoked"),
        ]
    );

    let (status, again) = control(
        &sandbox,
        reqwest::Method::POST,
        &format!("/_sandbox/users/{ADA}/disable"),
    )
    .await;
    assert_eq!(
        (status, &again["endedAssignments"]),
        (200, &json!([])),
        "idempotent"
    );
    let (status, body) = control(
        &sandbox,
        reqwest::Method::POST,
        "/_sandbox/users/nobody@fabrikam.example/disable",
    )
    .await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("no user"));
}

#[tokio::test]
async fn removing_an_eligibility_ends_the_activation_made_through_it() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, ADA_UPN).await;
    let ada_arm = arm_client(&sandbox, ADA_UPN).await;
    assert_eq!(activate_group(&ada, ONCALL, "PT1H").await.0, 201);
    activate_azure(&ada_arm, "2f6a8c9d-3e4f-4051-8cbd-2e3f4a5b6c7d").await;
    let (group_eligibility, azure_eligibility) = {
        let tenant = sandbox.state().tenant();
        let group = tenant
            .group_eligibilities
            .iter()
            .find(|e| e.principal_id == ADA && e.group_id == ONCALL)
            .map(|e| e.id.clone())
            .unwrap();
        let azure = tenant
            .azure
            .eligibilities
            .iter()
            .find(|e| {
                e.principal_id == ADA
                    && e.role_definition_id == CONTRIBUTOR
                    && e.scope.eq_ignore_ascii_case(PAYMENTS_RG)
            })
            .map(|e| e.id.clone())
            .unwrap();
        (group, azure)
    };

    let path = format!("/_sandbox/eligibilities/{group_eligibility}");
    let (status, removed) = control(&sandbox, reqwest::Method::DELETE, &path).await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["removedEligibilities"], json!([group_eligibility]));
    assert_eq!(removed["endedAssignments"].as_array().unwrap().len(), 1);
    assert!(
        graph_groups(&ada.get(GRAPH_ACTIVE).await.1).is_empty(),
        "gone from Graph"
    );
    let (_, eligible) = ada
        .get(&format!(
            "{GROUPS}/eligibilityScheduleInstances/filterByCurrentUser(on='principal')"
        ))
        .await;
    assert!(!graph_groups(&eligible).contains(&ONCALL), "{eligible}");
    let (status, body) = activate_group(&ada, ONCALL, "PT1H").await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentRequestPolicyValidationFailed")
    );
    assert_eq!(
        get_all(&ada_arm, ARM_ACTIVE).await.0.len(),
        1,
        "the Azure role is untouched"
    );

    let (status, _) = control(
        &sandbox,
        reqwest::Method::DELETE,
        &format!("/_sandbox/eligibilities/{azure_eligibility}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        get_all(&ada_arm, ARM_ACTIVE).await.0.is_empty(),
        "gone from ARM"
    );

    let (status, again) = control(&sandbox, reqwest::Method::DELETE, &path).await;
    assert_eq!(
        (status, &again["endedAssignments"]),
        (200, &json!([])),
        "idempotent"
    );
    let (status, body) = control(
        &sandbox,
        reqwest::Method::DELETE,
        "/_sandbox/eligibilities/not-an-eligibility",
    )
    .await;
    assert_eq!(status, 404);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("not-an-eligibility"));
}
