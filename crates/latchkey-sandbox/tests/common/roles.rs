//! Directory-role fixtures of the demo tenant and the calls role tests make.

use serde_json::{json, Value};

use super::Client;

/// Directory-role PIM on v1.0.
pub const DIR: &str = "/v1.0/roleManagement/directory";
/// ... and on beta, where approvals live.
pub const BETA_DIR: &str = "/beta/roleManagement/directory";
/// Demo tenant, users, AU and built-in role template ids.
pub const TENANT: &str = "24940804-69ba-4f7c-b808-c78a600478c6";
pub const ADA: &str = "8593dd9e-f545-42a4-bb60-1960cbb136bd";
pub const BEN: &str = "fcbaf935-79fa-4c94-80bb-e882741ba324";
pub const BERLIN: &str = "4f4b7e0d-5a8c-4a55-9d3e-3b6f2c1a8e21";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
pub const EXCHANGE: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
pub const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
pub const APP_ADMIN: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
pub const HELPDESK: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
pub const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

/// `/administrativeUnits/{Berlin office}`.
pub fn berlin_scope() -> String {
    format!("/administrativeUnits/{BERLIN}")
}

/// A self-activation body with a justification; `extra` overrides fields.
pub fn activation(principal: &str, role: &str, scope: &str, duration: &str, extra: Value) -> Value {
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

/// A self-deactivation body.
pub fn deactivation(principal: &str, role: &str, scope: &str) -> Value {
    json!({ "action": "selfDeactivate", "principalId": principal,
            "roleDefinitionId": role, "directoryScopeId": scope })
}

/// The ids of a collection response.
pub fn ids(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap_or_else(|| panic!("a collection: {body}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `POST …/roleAssignmentScheduleRequests`.
pub async fn request(client: &Client, body: Value) -> (u16, Value) {
    client
        .post(&format!("{DIR}/roleAssignmentScheduleRequests"), body)
        .await
}

/// The caller's active (Activated) role instances, as (roleDefinitionId, directoryScopeId).
pub async fn active_roles(client: &Client) -> Vec<(String, String)> {
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

/// A well-formed id nothing in the demo tenant has.
pub fn uuid_like() -> &'static str {
    "0f0e0d0c-0b0a-4908-8706-050403020100"
}
