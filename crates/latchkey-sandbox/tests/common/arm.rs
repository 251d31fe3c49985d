//! ARM helpers: a caller with an ARM-audience token, and the demo tenant's Azure ids.

use serde_json::{json, Value};

use super::{sign_in_with_scope, Client};
use latchkey_sandbox::Sandbox;

pub const PROD: &str = "/subscriptions/5f1c2a3e-8b7d-4c9e-a1f2-3d4e5f607182";
pub const PAYMENTS_RG: &str =
    "/subscriptions/5f1c2a3e-8b7d-4c9e-a1f2-3d4e5f607182/resourceGroups/rg-payments-prod";
pub const DATA_RG: &str =
    "/subscriptions/5f1c2a3e-8b7d-4c9e-a1f2-3d4e5f607182/resourceGroups/rg-data-prod";
pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
pub const BLOB_CONTRIBUTOR: &str = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
pub const DATA_LAKE_GROUP: &str = "6ad82a52-7f1d-42f2-a044-a3b436842ff3";
pub const API: &str = "api-version=2020-10-01";
pub const APPROVAL_API: &str = "api-version=2021-01-01-preview";

/// Signs `upn` in for Azure Resource Manager.
pub async fn arm_client(sandbox: &Sandbox, upn: &str) -> Client {
    sign_in_with_scope(
        sandbox,
        upn,
        "https://management.azure.com/user_impersonation offline_access",
    )
    .await
}

/// A role definition id as ARM gives them: prefixed by the subscription.
pub fn role_id(guid: &str) -> String {
    format!("{PROD}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
}

/// Calls ARM; returns the status and JSON body (null when empty).
pub async fn call(
    client: &Client,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client
        .http
        .request(method, format!("{}{path}", client.base))
        .bearer_auth(&client.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    };
    (status, body)
}

/// `GET path`.
pub async fn get(client: &Client, path: &str) -> (u16, Value) {
    call(client, reqwest::Method::GET, path, None).await
}

/// The URL path of a schedule request named `name` at `scope`.
pub fn request_path(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{name}?{API}")
}

/// PUTs a schedule request.
pub async fn put_request(client: &Client, scope: &str, name: &str, body: Value) -> (u16, Value) {
    call(
        client,
        reqwest::Method::PUT,
        &request_path(scope, name),
        Some(body),
    )
    .await
}

/// A `SelfActivate` body for `principal`, `role` (GUID) and an ISO duration.
pub fn self_activate(principal: &str, role: &str, duration: &str, extra: Value) -> Value {
    let mut properties = json!({
        "principalId": principal,
        "roleDefinitionId": role_id(role),
        "requestType": "SelfActivate",
        "scheduleInfo": { "expiration": { "type": "AfterDuration", "duration": duration } },
    });
    if let (Some(p), Value::Object(extra)) = (properties.as_object_mut(), extra) {
        p.extend(extra);
    }
    json!({ "properties": properties })
}

/// Every item of an ARM collection, following `nextLink`; also returns how many pages.
pub async fn get_all(client: &Client, path: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let (status, mut body) = get(client, path).await;
    assert_eq!(status, 200, "{body}");
    loop {
        pages += 1;
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        let Some(next) = body["nextLink"].as_str() else {
            return (items, pages);
        };
        let next = next.strip_prefix(&client.base).unwrap().to_owned();
        let (status, again) = get(client, &next).await;
        assert_eq!(status, 200, "{again}");
        body = again;
    }
}
