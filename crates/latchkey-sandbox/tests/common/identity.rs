//! The identity side as a client meets it, shared by the sign-in tests (the pages and the
//! control API): a sandbox with an HTTP client that reads redirects back to the app instead
//! of following them, the token endpoint, a device authorization, a PKCE authorize URL and a
//! JWT's claims.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use latchkey_sandbox::{Sandbox, SandboxOptions, DEMO_CLIENT_ID};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What the sign-in tests ask for: Graph, an id token and a refresh token.
pub const SCOPE: &str = "https://graph.microsoft.com/User.Read openid profile offline_access";
/// A PKCE verifier of the shape RFC 7636 §4.1 allows.
pub const VERIFIER: &str = "a-verifier-that-is-long-enough-for-rfc-7636-section-4.1_~";
/// The app's loopback redirect.
pub const REDIRECT: &str = "http://localhost:49152/";

/// A sandbox and a client of its identity endpoints.
pub struct Idp {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

/// The S256 PKCE challenge of `verifier`.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The claims of a JWT, read without verification (as a test may; clients must not).
pub fn jwt(token: &Value) -> Value {
    let payload = token.as_str().unwrap().split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

impl Idp {
    /// A demo sandbox on a free port.
    pub async fn start() -> Self {
        let sandbox = Sandbox::start_demo(SandboxOptions::default())
            .await
            .unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { sandbox, http }
    }

    /// `path` on the sandbox.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// Posts `form` (with the demo client id) to the token endpoint.
    pub async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let mut fields = vec![("client_id", DEMO_CLIENT_ID)];
        fields.extend_from_slice(form);
        let response = self
            .http
            .post(self.url("/organizations/oauth2/v2.0/token"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// A new device authorization for [`SCOPE`]: the endpoint's whole answer.
    pub async fn device_authorization(&self) -> Value {
        self.http
            .post(self.url("/organizations/oauth2/v2.0/devicecode"))
            .form(&[("client_id", DEMO_CLIENT_ID), ("scope", SCOPE)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// An `/authorize` URL for [`SCOPE`] back to [`REDIRECT`], with state `st4te` and the S256
    /// challenge of [`VERIFIER`] unless `extra` brings its own state or challenge.
    pub fn authorize_url(&self, extra: &[(&str, &str)]) -> String {
        let mut params = vec![
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPE),
        ];
        let has = |key: &str| extra.iter().any(|(k, _)| *k == key);
        if !has("state") {
            params.push(("state", "st4te"));
        }
        let s256 = challenge(VERIFIER);
        if !has("code_challenge") {
            params.push(("code_challenge", &s256));
            params.push(("code_challenge_method", "S256"));
        }
        params.extend_from_slice(extra);
        format!(
            "{}?{}",
            self.url("/organizations/oauth2/v2.0/authorize"),
            serde_urlencoded::to_string(&params).unwrap()
        )
    }
}
