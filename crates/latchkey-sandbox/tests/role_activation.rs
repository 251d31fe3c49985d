//! PIM for Microsoft Entra roles over HTTP, the requester's side: eligible and active roles
//! with expansion, activation under each policy, deactivation, cancel and expiry in virtual
//! time, and Graph's 400s for malformed bodies — as a client sees them.

mod common;

use common::roles::*;
use common::{advance, error_code, sandbox, sandbox_paged, sign_in};
use serde_json::{json, Value};

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
