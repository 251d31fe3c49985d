//! The directory objects a PIM client reads besides PIM itself, over real HTTP: `/me`, and
//! `/groups?$filter=id in (…)` — the name fallback when `$expand=group` comes back empty.

mod common;

use common::*;

const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
const ONCALL: &str = "33f73669-9719-4f27-9afa-4a29fdc859ba";

#[tokio::test]
async fn me_is_the_signed_in_user_and_select_trims_it() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let (status, me) = ada.get("/v1.0/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["userPrincipalName"], "ada@fabrikam.example");
    assert_eq!(me["displayName"], "Ada Okafor");
    let (_, slim) = ada.get("/v1.0/me?$select=id,displayName").await;
    assert!(slim.get("userPrincipalName").is_none(), "{slim}");
    assert_eq!(slim["id"], me["id"]);
}

#[tokio::test]
async fn groups_by_id_in_a_list_with_select() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let path = format!(
        "/v1.0/groups?$filter=id in ('{PROD_DB}', '{}')&$select=id,displayName",
        ONCALL.to_uppercase()
    );
    let (status, body) = ada.get(&path).await;
    assert_eq!(status, 200, "{body}");
    let mut names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["On-call Responders", "Prod DB Admins"]);
    assert!(body["value"][0].get("description").is_none());
    let (status, one) = ada.get(&format!("/v1.0/groups/{PROD_DB}")).await;
    assert_eq!(
        (status, one["displayName"].as_str()),
        (200, Some("Prod DB Admins"))
    );
}

#[tokio::test]
async fn a_malformed_in_list_or_a_missing_scope_is_graphs_error_not_a_500() {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    let (status, body) = ada.get("/v1.0/groups?$filter=id in (nope)").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "BadRequest");
    let narrow = sign_in_with_scope(
        &sandbox,
        "ada@fabrikam.example",
        "https://graph.microsoft.com/User.Read offline_access",
    )
    .await;
    let (status, body) = narrow.get("/v1.0/groups").await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = narrow.get("/v1.0/me").await;
    assert_eq!(status, 200);
}
