//! What every HTTP test of the sandbox needs: a sandbox on a free port, a device-code sign-in
//! over HTTP, a Graph client that checks Graph's headers, and moving virtual time.

// Each test crate compiles this module on its own and uses only some of it.
#![allow(dead_code)]

pub mod arm;
pub mod identity;
pub mod roles;

use latchkey_sandbox::{Sandbox, SandboxOptions, DEMO_CLIENT_ID};
use serde_json::{json, Value};

/// A signed-in Graph caller.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub token: String,
    /// The refresh token, when `offline_access` was asked for.
    pub refresh_token: Option<String>,
}

/// Signs `upn` in with the device-code flow over HTTP, as any client would.
pub async fn sign_in(sandbox: &Sandbox, upn: &str) -> Client {
    sign_in_with_scope(
        sandbox,
        upn,
        "https://graph.microsoft.com/.default offline_access",
    )
    .await
}

/// Signs `upn` in asking for `scope` (e.g. a single least-privileged permission).
pub async fn sign_in_with_scope(sandbox: &Sandbox, upn: &str, scope: &str) -> Client {
    let http = reqwest::Client::new();
    let base = sandbox.base_url().to_owned();
    let code: Value = http
        .post(format!("{base}/organizations/oauth2/v2.0/devicecode"))
        .form(&[("client_id", DEMO_CLIENT_ID), ("scope", scope)])
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
    assert_eq!(page.status(), 200);
    let tokens: Value = http
        .post(format!("{base}/organizations/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("device_code", code["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Client {
        base,
        http,
        token: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh_token: tokens["refresh_token"].as_str().map(str::to_owned),
    }
}

impl Client {
    /// Calls Graph; returns the status and the JSON body (null when empty).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("client-request-id", "e70c5c1b-8b47-68c0-3171-3d22f5e0bd54");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        assert!(
            response.headers().contains_key("request-id"),
            "every Graph response has a request-id"
        );
        let text = response.text().await.unwrap();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap()
            },
        )
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
}

/// A sandbox whose tokens outlive the virtual days these tests skip (refresh is tested elsewhere).
pub async fn sandbox() -> Sandbox {
    sandbox_paged(SandboxOptions::default().page_size).await
}

/// Like [`sandbox`], with `page_size` items per Graph page.
pub async fn sandbox_paged(page_size: usize) -> Sandbox {
    let options = SandboxOptions {
        access_token_lifetime: std::time::Duration::from_secs(3 * 86_400),
        page_size,
        ..SandboxOptions::default()
    };
    Sandbox::start_demo(options).await.unwrap()
}

/// Moves the sandbox's virtual clock by an ISO-8601 duration.
pub async fn advance(sandbox: &Sandbox, by: &str) {
    let response = reqwest::Client::new()
        .post(format!("{}/_sandbox/clock/advance", sandbox.base_url()))
        .json(&json!({ "by": by }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// Graph's `error.code`.
pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no code>")
}

/// Checks the demo tenant's "4 hours, justification and ticket, Chloé or Elena approves"
/// policy as a client reads it from `policy.rules`.
pub fn assert_four_hour_ticketed_approval(rules: &[Value]) {
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
}
