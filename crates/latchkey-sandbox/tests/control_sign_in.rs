//! Signing people in through the control API, without the pages: completing or declining a
//! device code, answering an authorization request, and the refusals for unknown codes, used
//! codes and disabled accounts — over HTTP, redeemed at the token endpoint as a client would.

mod common;

use common::identity::{jwt, Idp, REDIRECT, VERIFIER};
use serde_json::{json, Value};

const ADA: &str = "ada@fabrikam.example";
const ADA_ID: &str = "8593dd9e-f545-42a4-bb60-1960cbb136bd";
const HENRIK: &str = "henrik@fabrikam.example";
const MFA: &str = r#"{"access_token":{"amr":{"values":["mfa"]}}}"#;

/// The identity endpoints and the control API's sign-in routes.
struct Harness {
    idp: Idp,
}

impl std::ops::Deref for Harness {
    type Target = Idp;

    fn deref(&self) -> &Idp {
        &self.idp
    }
}

impl Harness {
    async fn start() -> Self {
        Self {
            idp: Idp::start().await,
        }
    }

    async fn post_json(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// A new device authorization: `(device_code, user_code)`.
    async fn device_code(&self) -> (String, String) {
        let code = self.device_authorization().await;
        (
            code["device_code"].as_str().unwrap().to_owned(),
            code["user_code"].as_str().unwrap().to_owned(),
        )
    }

    async fn poll(&self, device_code: &str, claims: &str) -> (u16, Value) {
        self.token(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
            ("claims", claims),
        ])
        .await
    }

    /// An authorize URL with state `s-42` and these claims (none when empty).
    fn authorize_url(&self, claims: &str) -> String {
        self.idp
            .authorize_url(&[("state", "s-42"), ("claims", claims)])
    }
}

/// The query parameters of a redirect `location`.
fn params(location: &str) -> std::collections::HashMap<String, String> {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str(query).unwrap()
}

#[tokio::test]
async fn a_device_code_completed_by_the_control_api_yields_that_persons_tokens() {
    let h = Harness::start().await;
    let (device_code, user_code) = h.device_code().await;
    let (status, pending) = h.poll(&device_code, "").await;
    assert_eq!(
        (status, pending["error"].as_str()),
        (400, Some("authorization_pending"))
    );

    // Lower case with a dash, as a person might type it.
    let typed = format!("{}-{}", &user_code[..4], &user_code[4..]).to_lowercase();
    let (status, done) = h
        .post_json(
            &format!("/_sandbox/device-codes/{typed}/complete"),
            json!({ "user": ADA, "mfa": true }),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (&done["status"], &done["userId"], &done["mfa"]),
        (&json!("approved"), &json!(ADA_ID), &json!(true))
    );
    let (status, tokens) = h.poll(&device_code, "").await;
    assert_eq!(status, 200, "{tokens}");
    let access = jwt(&tokens["access_token"]);
    assert_eq!(access["oid"], ADA_ID);
    assert_eq!(access["amr"], json!(["pwd", "mfa"]));
    assert_eq!(jwt(&tokens["id_token"])["preferred_username"], ADA);

    // The code is spent: completing it again is a conflict, not a second sign-in.
    let (status, again) = h
        .post_json(
            &format!("/_sandbox/device-codes/{user_code}/complete"),
            json!({ "user": ADA }),
        )
        .await;
    assert_eq!(status, 409, "{again}");
}

#[tokio::test]
async fn completing_without_mfa_when_the_claims_ask_for_it_gives_the_mfa_demand() {
    let h = Harness::start().await;
    let (device_code, user_code) = h.device_code().await;
    let (status, _) = h.poll(&device_code, MFA).await;
    assert_eq!(status, 400);
    let (status, done) = h
        .post_json(
            &format!("/_sandbox/device-codes/{user_code}/complete"),
            json!({ "user": ADA, "mfa": false }),
        )
        .await;
    assert_eq!((status, &done["mfa"]), (200, &json!(false)), "{done}");
    let (status, refused) = h.poll(&device_code, MFA).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["suberror"], "basic_action", "{refused}");

    // Leaving `mfa` out does what the claims ask for.
    let (device_code, user_code) = h.device_code().await;
    h.poll(&device_code, MFA).await;
    let (_, done) = h
        .post_json(
            &format!("/_sandbox/device-codes/{user_code}/complete"),
            json!({ "user": ADA }),
        )
        .await;
    assert_eq!(done["mfa"], true, "{done}");
    let (status, tokens) = h.poll(&device_code, MFA).await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn a_declined_device_code_polls_authorization_declined() {
    let h = Harness::start().await;
    let (device_code, user_code) = h.device_code().await;
    let (status, body) = h
        .post_json(
            &format!("/_sandbox/device-codes/{user_code}/decline"),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("declined")),
        "{body}"
    );
    let (status, declined) = h.poll(&device_code, "").await;
    assert_eq!(
        (status, declined["error"].as_str()),
        (400, Some("authorization_declined"))
    );
}

#[tokio::test]
async fn control_sign_in_refusals_are_readable_json() {
    let h = Harness::start().await;
    let (status, unknown) = h
        .post_json(
            "/_sandbox/device-codes/NOSUCHCODE/complete",
            json!({ "user": ADA }),
        )
        .await;
    assert_eq!(status, 404, "{unknown}");
    assert!(
        unknown["error"].as_str().unwrap().contains("NOSUCHCODE"),
        "{unknown}"
    );
    let (status, _) = h
        .post_json("/_sandbox/device-codes/NOSUCHCODE/decline", json!({}))
        .await;
    assert_eq!(status, 404);

    let (device_code, user_code) = h.device_code().await;
    let complete = format!("/_sandbox/device-codes/{user_code}/complete");
    let (status, nobody) = h
        .post_json(&complete, json!({ "user": "nobody@fabrikam.example" }))
        .await;
    assert_eq!(status, 404, "{nobody}");
    let (status, malformed) = h.post_json(&complete, json!({ "person": ADA })).await;
    assert_eq!(status, 400, "{malformed}");
    let (status, disabled) = h.post_json(&complete, json!({ "user": HENRIK })).await;
    assert_eq!(status, 403, "{disabled}");
    assert!(
        disabled["error"].as_str().unwrap().contains("AADSTS50057"),
        "{disabled}"
    );
    // None of that signed anyone in.
    let (status, pending) = h.poll(&device_code, "").await;
    assert_eq!(
        (status, pending["error"].as_str()),
        (400, Some("authorization_pending"))
    );

    // Once expired, the code cannot be completed.
    h.sandbox
        .state()
        .clock
        .advance(chrono::Duration::seconds(901));
    let (status, expired) = h.post_json(&complete, json!({ "user": ADA })).await;
    assert_eq!(status, 410, "{expired}");
}

#[tokio::test]
async fn authorize_as_returns_the_redirect_with_a_code_for_that_person() {
    let h = Harness::start().await;
    let (status, answer) = h
        .post_json(
            "/_sandbox/authorize-as",
            json!({ "url": h.authorize_url(MFA), "user": ADA_ID }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let location = answer["location"].as_str().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let back = params(location);
    assert_eq!(back["state"], "s-42");
    let (status, tokens) = h
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &back["code"]),
            ("code_verifier", VERIFIER),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(status, 200, "{tokens}");
    let access = jwt(&tokens["access_token"]);
    assert_eq!(access["oid"], ADA_ID);
    // The claims asked for MFA and the person did the step.
    assert_eq!(access["amr"], json!(["pwd", "mfa"]));

    let (status, declined) = h
        .post_json(
            "/_sandbox/authorize-as",
            json!({ "url": h.authorize_url(""), "decision": "decline" }),
        )
        .await;
    assert_eq!(status, 200, "{declined}");
    let back = params(declined["location"].as_str().unwrap());
    assert_eq!(back["error"], "access_denied");
    assert_eq!(back["state"], "s-42");
}

#[tokio::test]
async fn authorize_as_refuses_what_the_sign_in_page_would() {
    let h = Harness::start().await;
    let (status, disabled) = h
        .post_json(
            "/_sandbox/authorize-as",
            json!({ "url": h.authorize_url(""), "user": HENRIK }),
        )
        .await;
    assert_eq!(status, 403, "{disabled}");
    assert!(disabled["error"].as_str().unwrap().contains("AADSTS50057"));

    let foreign = h
        .authorize_url("")
        .replace("localhost%3A49152", "attacker.example");
    let (status, refused) = h
        .post_json(
            "/_sandbox/authorize-as",
            json!({ "url": foreign, "user": ADA }),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS50011"),
        "{refused}"
    );

    let (status, not_authorize) = h
        .post_json(
            "/_sandbox/authorize-as",
            json!({ "url": h.url("/organizations/oauth2/v2.0/token"), "user": ADA }),
        )
        .await;
    assert_eq!(status, 400, "{not_authorize}");
    let (status, nobody) = h
        .post_json(
            "/_sandbox/authorize-as",
            json!({ "url": h.authorize_url(""), "user": "nobody@fabrikam.example" }),
        )
        .await;
    assert_eq!(status, 404, "{nobody}");
}

#[tokio::test]
async fn a_former_employee_disabled_from_the_start_cannot_sign_in_on_the_page() {
    let h = Harness::start().await;
    let (device_code, user_code) = h.device_code().await;
    let page_url = h.url("/devicelogin");
    let choose = h
        .http
        .post(&page_url)
        .form(&[("user_code", user_code.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(choose.contains(ADA) && !choose.contains(HENRIK), "{choose}");
    let refused = h
        .http
        .post(&page_url)
        .form(&[
            ("user_code", user_code.as_str()),
            ("login_hint", HENRIK),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("AADSTS50057"));
    let (status, pending) = h.poll(&device_code, "").await;
    assert_eq!(
        (status, pending["error"].as_str()),
        (400, Some("authorization_pending"))
    );
}
