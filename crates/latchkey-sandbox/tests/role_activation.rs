//! PIM for Microsoft Entra roles over HTTP: eligible and active roles with expansion,
//! activation under each policy, approvals on beta, deactivation, cancel, expiry in virtual
//! time, policies, `$batch` and scopes — as a client sees them.

mod common;

use common::{advance, error_code, sandbox, sandbox_paged, sign_in, sign_in_with_scope, Client};
use serde_json::{json, Value};

const DIR: &str = "/v1.0/roleManagement/directory";
const BETA_DIR: &str = "/beta/roleManagement/directory";
const TENANT: &str = "24940804-69ba-4f7c-b808-c78a600478c6";
const ADA: &str = "8593dd9e-f545-42a4-bb60-1960cbb136bd";
const BEN: &str = "fcbaf935-79fa-4c94-80bb-e882741ba324";
const BERLIN: &str = "4f4b7e0d-5a8c-4a55-9d3e-3b6f2c1a8e21";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const EXCHANGE: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
const APP_ADMIN: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const HELPDESK: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

fn berlin_scope() -> String {
    format!("/administrativeUnits/{BERLIN}")
}

/// A self-activation body with a justification; `extra` overrides fields.
fn activation(principal: &str, role: &str, scope: &str, duration: &str, extra: Value) -> Value {
    let mut body = json!({
        "action": "selfActivate",
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": scope,
        "justification": "Quarterly access review",
        "scheduleInfo": { "startDateTime": null,
                          "expiration": { "type": "afterDuration", "duration": duration } },
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    body
}

fn deactivation(principal: &str, role: &str, scope: &str) -> Value {
    json!({ "action": "selfDeactivate", "principalId": principal,
            "roleDefinitionId": role, "directoryScopeId": scope })
}

fn ids(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap_or_else(|| panic!("a collection: {body}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn request(client: &Client, body: Value) -> (u16, Value) {
    client
        .post(&format!("{DIR}/roleAssignmentScheduleRequests"), body)
        .await
}

/// The caller's active (Activated) role instances, as (roleDefinitionId, directoryScopeId).
async fn active_roles(client: &Client) -> Vec<(String, String)> {
    let (status, body) = client
        .get(&format!("{DIR}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')?$filter=assignmentType eq 'Activated'"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["roleDefinitionId"].as_str().unwrap().to_owned(),
                i["directoryScopeId"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn eligible_roles_list_with_expansion_filter_select_and_paging() {
    let sandbox = sandbox_paged(4).await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let path = format!("{DIR}/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=roleDefinition($select=id,displayName),directoryScope");
    let (status, first) = ada.get(&path).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["value"].as_array().unwrap().len(), 4, "one page");
    let next = first["@odata.nextLink"].as_str().expect("a next link");
    let second: Value = ada
        .http
        .get(next)
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(second.get("@odata.nextLink").is_none());
    let rows: Vec<Value> = [&first, &second]
        .iter()
        .flat_map(|p| p["value"].as_array().unwrap().clone())
        .collect();
    assert_eq!(rows.len(), 6, "Ada is eligible for six roles");
    let row = |role: &str| {
        rows.iter()
            .find(|r| r["roleDefinitionId"] == role)
            .unwrap_or_else(|| panic!("{role} eligible"))
            .clone()
    };
    let reader = row(GLOBAL_READER);
    assert_eq!(
        reader["@odata.type"],
        "#microsoft.graph.unifiedRoleEligibilityScheduleInstance"
    );
    assert_eq!(reader["memberType"], "Direct");
    assert_eq!(
        reader["roleDefinition"],
        json!({ "@odata.type": "#microsoft.graph.unifiedRoleDefinition", "id": GLOBAL_READER, "displayName": "Global Reader" }),
        "the nested $select is honoured"
    );
    assert_eq!(reader["directoryScopeId"], "/");
    assert_eq!(reader["directoryScope"], Value::Null, "`/` is no object");
    let scoped = row(USER_ADMIN);
    assert_eq!(scoped["directoryScopeId"], berlin_scope());
    assert_eq!(scoped["directoryScope"]["displayName"], "Berlin office");
    assert!(row(HELPDESK)["endDateTime"].is_string(), "time-bound");

    let (_, filtered) = ada
        .get(&format!("{DIR}/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')?$filter=roleDefinitionId eq '{EXCHANGE}'&$select=id,roleDefinitionId"))
        .await;
    let only = filtered["value"].as_array().unwrap();
    assert_eq!(only.len(), 1);
    assert!(only[0].get("startDateTime").is_none(), "$select applies");
    let (status, body) = ada
        .get(&format!("{DIR}/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=group"))
        .await;
    assert_eq!((status, error_code(&body)), (400, "BadRequest"));

    let (status, role) = ada
        .get(&format!(
            "{DIR}/roleDefinitions/{}",
            EXCHANGE.to_uppercase()
        ))
        .await;
    assert_eq!(status, 200, "{role}");
    assert_eq!(role["displayName"], "Exchange Administrator");
    assert_eq!(role["templateId"], EXCHANGE);
    let (_, all) = ada.get(&format!("{DIR}/roleDefinitions?$top=50")).await;
    assert!(ids(&all).contains(&GLOBAL_ADMIN.to_owned()));
    let (status, unit) = ada
        .get(&format!("/v1.0/directory/administrativeUnits/{BERLIN}"))
        .await;
    assert_eq!(
        (status, unit["displayName"].as_str()),
        (200, Some("Berlin office"))
    );
    let (status, body) = ada
        .get("/v1.0/directory/administrativeUnits/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "Request_ResourceNotFound")
    );
}

#[tokio::test]
async fn activate_deactivate_and_expire_keeping_the_scope() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;

    let extra = json!({ "action": "SelfActivate",
        "scheduleInfo": { "expiration": { "type": "AfterDuration", "duration": "PT8H" } } });
    let (status, body) = request(&ada, activation(ADA, GLOBAL_READER, "/", "PT8H", extra)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "Provisioned");
    assert_eq!(body["action"], "selfActivate", "enums echo in camelCase");
    assert_eq!(body["scheduleInfo"]["expiration"]["type"], "afterDuration");
    assert_eq!(body["approvalId"], Value::Null);
    assert_eq!(body["targetScheduleId"], body["id"]);
    assert_eq!(body["directoryScopeId"], "/");
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#roleManagement/directory/roleAssignmentScheduleRequests/$entity"));

    let (_, active) = ada
        .get(&format!("{DIR}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')?$expand=roleDefinition"))
        .await;
    let instance = &active["value"][0];
    assert_eq!(instance["assignmentType"], "Activated");
    assert_eq!(instance["roleDefinition"]["displayName"], "Global Reader");
    let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(
        time(&instance["endDateTime"]) - time(&instance["startDateTime"]),
        chrono::Duration::hours(8)
    );

    let (status, body) =
        request(&ada, activation(ADA, GLOBAL_READER, "/", "PT1H", json!({}))).await;
    assert_eq!((status, error_code(&body)), (400, "RoleAssignmentExists"));
    let (status, body) = request(&ada, deactivation(ADA, GLOBAL_READER, "/")).await;
    assert_eq!((status, error_code(&body)), (400, "ActiveDurationTooShort"));
    advance(&sandbox, "PT5M").await;
    let (status, body) = request(&ada, deactivation(ADA, GLOBAL_READER, "/")).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (201, Some("Revoked")),
        "{body}"
    );
    assert!(active_roles(&ada).await.is_empty());
    let (status, body) = request(&ada, deactivation(ADA, GLOBAL_READER, "/")).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentDoesNotExist")
    );

    // The AU scope is passed through and kept on the instance; the activation ends on time.
    let (status, body) = request(
        &ada,
        activation(ADA, USER_ADMIN, &berlin_scope(), "PT1H", json!({})),
    )
    .await;
    assert_eq!(
        (status, body["directoryScopeId"].as_str()),
        (201, Some(berlin_scope().as_str())),
        "{body}"
    );
    assert_eq!(
        active_roles(&ada).await,
        [(USER_ADMIN.to_owned(), berlin_scope())]
    );
    let (_, scoped) = ada
        .get(&format!("{DIR}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')?$expand=directoryScope,activatedUsing"))
        .await;
    assert_eq!(
        scoped["value"][0]["directoryScope"]["displayName"],
        "Berlin office"
    );
    assert_eq!(
        scoped["value"][0]["activatedUsing"]["directoryScopeId"],
        berlin_scope()
    );
    advance(&sandbox, "PT59M").await;
    assert_eq!(active_roles(&ada).await.len(), 1);
    advance(&sandbox, "PT1M").await;
    assert!(active_roles(&ada).await.is_empty(), "gone at endDateTime");

    // Group activations do not show up among roles, nor roles among groups.
    let (_, groups) = ada
        .get("/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/filterByCurrentUser(on='principal')")
        .await;
    assert!(ids(&groups).is_empty(), "{groups}");
}

#[tokio::test]
async fn every_policy_failure_uses_pims_code() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let rules = |body: &Value| {
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    let (status, body) = request(
        &ada,
        activation(ADA, EXCHANGE, "/", "PT5H", json!({ "justification": " " })),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentRequestPolicyValidationFailed")
    );
    assert_eq!(
        rules(&body),
        r#"The following policy rules failed: ["ExpirationRule","JustificationRule","TicketingRule"]"#
    );
    let (_, body) = request(
        &ada,
        activation(ADA, SECURITY_READER, "/", "PT1H", json!({})),
    )
    .await;
    assert_eq!(
        rules(&body),
        r#"The following policy rules failed: ["MfaRule"]"#
    );
    let (_, body) = request(&ada, activation(ADA, GLOBAL_ADMIN, "/", "PT1H", json!({}))).await;
    assert_eq!(
        rules(&body),
        r#"The following policy rules failed: ["EligibilityRule"]"#
    );
    let (_, body) = request(&ada, activation(ADA, USER_ADMIN, "/", "PT1H", json!({}))).await;
    assert_eq!(
        rules(&body),
        r#"The following policy rules failed: ["EligibilityRule"]"#,
        "eligible in the Berlin AU only, not tenant-wide"
    );
    let (_, body) = request(
        &ada,
        activation(
            ADA,
            GLOBAL_READER,
            "/",
            "PT8H",
            json!({ "scheduleInfo": null }),
        ),
    )
    .await;
    assert_eq!(
        rules(&body),
        r#"The following policy rules failed: ["ExpirationRule"]"#
    );

    let (status, body) = request(&ada, activation(ADA, APP_ADMIN, "/", "PT1H", json!({}))).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentRequestAcrsValidationFailed")
    );
    let encoded = rules(&body);
    let decoded = percent_encoding::percent_decode_str(encoded.strip_prefix("&claims=").unwrap())
        .decode_utf8()
        .unwrap()
        .into_owned();
    assert_eq!(
        decoded,
        r#"{"access_token":{"acrs":{"essential":true, "value":"c1"}}}"#
    );

    let ticket = json!({ "ticketInfo": { "ticketNumber": "CHG-9", "ticketSystem": "ServiceNow" } });
    let (status, body) =
        request(&ada, activation(ADA, EXCHANGE, "/", "PT4H", ticket.clone())).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (201, Some("PendingApproval")),
        "{body}"
    );
    let (status, body) = request(&ada, activation(ADA, EXCHANGE, "/", "PT4H", ticket)).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "PendingRoleAssignmentRequest")
    );

    let (status, body) =
        request(&ada, activation(BEN, GLOBAL_READER, "/", "PT1H", json!({}))).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "AccessDenied"),
        "only for yourself"
    );

    // The soon-expiring eligibility stops working (and listing) when it ends.
    advance(&sandbox, "P3D").await;
    // Three virtual days outlive the token too; sign in again as a client would.
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let (_, body) = request(&ada, activation(ADA, HELPDESK, "/", "PT1H", json!({}))).await;
    assert_eq!(
        rules(&body),
        r#"The following policy rules failed: ["EligibilityRule"]"#
    );
    let (_, eligible) = ada
        .get(&format!("{DIR}/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')?$filter=roleDefinitionId eq '{HELPDESK}'"))
        .await;
    assert!(ids(&eligible).is_empty());
}

#[tokio::test]
async fn malformed_requests_get_graph_style_400s() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let cases = [
        json!("not an object"),
        json!({ "action": "selfActivate" }),
        activation(ADA, GLOBAL_READER, "/", "eight hours", json!({})),
        activation(ADA, GLOBAL_READER, "berlin", "PT1H", json!({})),
        activation(
            ADA,
            GLOBAL_READER,
            "/",
            "PT1H",
            json!({ "action": "selfDestruct" }),
        ),
        activation(
            ADA,
            GLOBAL_READER,
            "/",
            "PT1H",
            json!({ "directoryScopeId": 7 }),
        ),
        activation(
            ADA,
            GLOBAL_READER,
            "/",
            "PT1H",
            json!({ "scheduleInfo": { "startDateTime": "tomorrow" } }),
        ),
    ];
    for body in cases {
        let (status, answer) = request(&ada, body.clone()).await;
        assert_eq!(
            (status, error_code(&answer)),
            (400, "BadRequest"),
            "{body} -> {answer}"
        );
        assert!(answer["error"]["innerError"]["request-id"].is_string());
    }
    let (status, body) = ada
        .call(
            reqwest::Method::DELETE,
            &format!("{DIR}/roleAssignmentScheduleRequests"),
            None,
        )
        .await;
    assert_eq!((status, error_code(&body)), (405, "Request_BadRequest"));
}

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

fn uuid_like() -> &'static str {
    "0f0e0d0c-0b0a-4908-8706-050403020100"
}

#[tokio::test]
async fn cancel_scheduled_and_pending_requests_and_time_out_unanswered_ones() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let later = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
    let schedule = json!({ "scheduleInfo": { "startDateTime": later,
        "expiration": { "type": "afterDuration", "duration": "PT1H" } } });
    let (status, granted) =
        request(&ada, activation(ADA, GLOBAL_READER, "/", "PT1H", schedule)).await;
    assert_eq!(
        (status, granted["status"].as_str()),
        (201, Some("Granted")),
        "{granted}"
    );
    let cancel = |id: &str| format!("{DIR}/roleAssignmentScheduleRequests/{id}/cancel");
    let granted_id = granted["id"].as_str().unwrap();
    let (status, body) = ada.post(&cancel(granted_id), json!({})).await;
    assert_eq!(status, 204, "{body}");
    let (_, canceled) = ada
        .get(&format!(
            "{DIR}/roleAssignmentScheduleRequests/{granted_id}"
        ))
        .await;
    assert_eq!(canceled["status"], "Canceled");
    let (status, _) = ada.post(&cancel(granted_id), json!({})).await;
    assert_eq!(status, 400, "not cancelable twice");

    let (_, provisioned) =
        request(&ada, activation(ADA, GLOBAL_READER, "/", "PT1H", json!({}))).await;
    let (status, body) = ada
        .post(&cancel(provisioned["id"].as_str().unwrap()), json!({}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "BadRequest"),
        "Provisioned is not cancelable"
    );
    let (status, _) = ada.post(&cancel(uuid_like()), json!({})).await;
    assert_eq!(status, 404);

    let ticket = json!({ "ticketInfo": { "ticketNumber": "CHG-1" } });
    let (_, pending) = request(&ada, activation(ADA, EXCHANGE, "/", "PT1H", ticket.clone())).await;
    let (status, _) = ada
        .post(&cancel(pending["id"].as_str().unwrap()), json!({}))
        .await;
    assert_eq!(status, 204, "a pending approval can be withdrawn");
    let (_, waiting) = request(&ada, activation(ADA, EXCHANGE, "/", "PT1H", ticket)).await;
    advance(&sandbox, "P1D").await;
    let (_, timed_out) = ada
        .get(&format!("{DIR}/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')?$filter=status eq 'TimedOut'"))
        .await;
    assert_eq!(
        ids(&timed_out),
        [waiting["id"].as_str().unwrap().to_owned()]
    );
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
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(
        rule("Expiration_EndUser_Assignment")["maximumDuration"],
        "PT4H"
    );
    assert_eq!(
        rule("Enablement_EndUser_Assignment")["enabledRules"],
        json!(["Justification", "Ticketing"])
    );
    let approval = rule("Approval_EndUser_Assignment")["setting"].clone();
    assert_eq!(approval["isApprovalRequired"], true);
    assert_eq!(
        approval["approvalStages"][0]["primaryApprovers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

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
