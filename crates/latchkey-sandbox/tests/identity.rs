//! The identity side over HTTP: claims and the MFA step, authorization code + PKCE and its
//! refusals, silent step-up on the refresh grant, and the identity control routes.

mod common;

use common::identity::{jwt, Idp, REDIRECT, SCOPE, VERIFIER};
use serde_json::Value;

const ADA: &str = "ada@fabrikam.example";
const MFA: &str = r#"{"access_token":{"amr":{"values":["mfa"]},"xms_cc":{"values":["cp1"]}}}"#;
const C1: &str = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;

fn aadsts(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or_default()
}

fn mfa_fields(page: &str) -> (String, String) {
    let after = |marker: &str| {
        let start = page
            .find(marker)
            .unwrap_or_else(|| panic!("{marker} in {page}"))
            + marker.len();
        page[start..].split('"').next().unwrap().to_owned()
    };
    (
        after(r#"name="mfa_challenge" value=""#),
        after(r#"data-mfa-number=""#),
    )
}

impl Idp {
    async fn post_page(&self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(url).form(form).send().await.unwrap()
    }

    /// A device code whose sign-in `upn` approves on the page, doing the MFA step when shown.
    async fn device_sign_in(&self, claims: Option<&str>, upn: &str) -> (u16, Value, bool) {
        let code = self.device_authorization().await;
        let device_code = code["device_code"].as_str().unwrap();
        let grant = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
            ("claims", claims.unwrap_or("")),
        ];
        // The first poll carries the claims, as MSAL sends them (before the person is done).
        let (status, pending) = self.token(&grant).await;
        assert_eq!(
            (status, pending["error"].as_str()),
            (400, Some("authorization_pending"))
        );
        let page_url = code["verification_uri"].as_str().unwrap();
        let user_code = code["user_code"].as_str().unwrap();
        let approve = [
            ("user_code", user_code),
            ("login_hint", upn),
            ("decision", "approve"),
        ];
        let page = self
            .post_page(page_url, &approve)
            .await
            .text()
            .await
            .unwrap();
        let mfa_shown = page.contains(r#"data-outcome="mfa""#);
        if mfa_shown {
            assert!(page.contains("Authenticator"), "{page}");
            let (challenge, number) = mfa_fields(&page);
            let mut fields = approve.to_vec();
            fields.push(("mfa_challenge", &challenge));
            fields.push(("mfa_number", "0"));
            let wrong = self
                .post_page(page_url, &fields)
                .await
                .text()
                .await
                .unwrap();
            assert!(wrong.contains("match. Enter the number"), "{wrong}");
            fields.pop();
            fields.push(("mfa_number", &number));
            let done = self
                .post_page(page_url, &fields)
                .await
                .text()
                .await
                .unwrap();
            assert!(done.contains(r#"data-outcome="approved""#), "{done}");
        } else {
            assert!(page.contains(r#"data-outcome="approved""#), "{page}");
        }
        let (status, body) = self.token(&grant).await;
        (status, body, mfa_shown)
    }

    /// The query of a redirect back to the app.
    fn redirected(response: &reqwest::Response) -> Vec<(String, String)> {
        assert_eq!(response.status(), 302);
        let location = response.headers()["location"].to_str().unwrap();
        let (base, query) = location.split_once('?').unwrap();
        assert_eq!(base, REDIRECT.trim_end_matches('?'));
        serde_urlencoded::from_str(query).unwrap()
    }

    /// Signs `ADA` in through `/authorize` and returns the code.
    async fn authorize(&self, extra: &[(&str, &str)]) -> String {
        let url = self.authorize_url(extra);
        let page = self.http.get(&url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains(r#"data-outcome="choose-account""#), "{page}");
        let approve = [("login_hint", ADA), ("decision", "approve")];
        let mut response = self.post_page(&url, &approve).await;
        if response.status() == 200 {
            let page = response.text().await.unwrap();
            assert!(page.contains(r#"data-outcome="mfa""#), "{page}");
            let (challenge, number) = mfa_fields(&page);
            let mut fields = approve.to_vec();
            fields.push(("mfa_challenge", &challenge));
            fields.push(("mfa_number", &number));
            response = self.post_page(&url, &fields).await;
        }
        let query = Self::redirected(&response);
        assert!(
            query.contains(&("state".into(), "st4te".into())),
            "{query:?}"
        );
        query.into_iter().find(|(k, _)| k == "code").unwrap().1
    }

    async fn redeem(&self, code: &str, verifier: &str, redirect: &str) -> (u16, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect),
        ])
        .await
    }
}

#[tokio::test]
async fn mfa_claims_on_device_polling_add_the_mfa_step_and_the_token_says_mfa() {
    let idp = Idp::start().await;
    let (status, body, mfa_shown) = idp.device_sign_in(Some(MFA), ADA).await;
    assert_eq!(status, 200, "{body}");
    assert!(mfa_shown);
    let claims = jwt(&body["access_token"]);
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "mfa"]));
    assert_eq!(claims["xms_cc"], serde_json::json!(["cp1"]));

    let (status, body, mfa_shown) = idp.device_sign_in(None, ADA).await;
    assert_eq!(status, 200);
    assert!(!mfa_shown, "no claims, no MFA step");
    assert_eq!(
        jwt(&body["access_token"])["amr"],
        serde_json::json!(["pwd"])
    );
}

#[tokio::test]
async fn refresh_with_claims_is_silent_only_for_an_mfa_refresh_token() {
    let idp = Idp::start().await;
    let (_, plain, _) = idp.device_sign_in(None, ADA).await;
    let refresh = |rt: &Value, claims: &str| {
        let rt = rt.as_str().unwrap().to_owned();
        let claims = claims.to_owned();
        let idp = &idp;
        async move {
            idp.token(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("scope", SCOPE),
                ("claims", &claims),
            ])
            .await
        }
    };
    let (status, body) = refresh(&plain["refresh_token"], MFA).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(aadsts(&body), 50076);
    assert_eq!(body["suberror"], "basic_action");
    let (status, body) = refresh(&plain["refresh_token"], C1).await;
    assert_eq!(
        (status, aadsts(&body)),
        (400, 50076),
        "auth context needs MFA too"
    );

    let (_, strong, _) = idp.device_sign_in(Some(MFA), ADA).await;
    let (status, body) = refresh(&strong["refresh_token"], C1).await;
    assert_eq!(status, 200, "{body}");
    let claims = jwt(&body["access_token"]);
    assert_eq!(claims["acrs"], serde_json::json!(["c1"]));
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "mfa"]));
    // Without claims the next token no longer carries the context: clients must keep theirs.
    let (status, body) = refresh(&body["refresh_token"], "").await;
    assert_eq!(status, 200);
    assert!(jwt(&body["access_token"]).get("acrs").is_none());
    let (status, body) = refresh(&strong["refresh_token"], "{not json").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[tokio::test]
async fn authorization_code_with_pkce_signs_in_once() {
    let idp = Idp::start().await;
    let discovery: Value = idp
        .http
        .get(idp.url("/organizations/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["authorization_endpoint"],
        idp.url("/organizations/oauth2/v2.0/authorize")
    );
    let code = idp.authorize(&[("login_hint", ADA)]).await;
    let (status, wrong) = idp.redeem(&code, &format!("{VERIFIER}x"), REDIRECT).await;
    assert_eq!((status, aadsts(&wrong)), (400, 501481), "{wrong}");
    let (status, moved) = idp.redeem(&code, VERIFIER, "http://localhost:1/").await;
    assert_eq!((status, aadsts(&moved)), (400, 500112), "{moved}");
    let (status, tokens) = idp.redeem(&code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["refresh_token"].is_string() && tokens["id_token"].is_string());
    assert_eq!(
        jwt(&tokens["access_token"])["amr"],
        serde_json::json!(["pwd"])
    );
    let (status, again) = idp.redeem(&code, VERIFIER, REDIRECT).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(aadsts(&again), 54005);

    // Ten minutes later an unused code is dead.
    let late = idp.authorize(&[]).await;
    idp.sandbox
        .state()
        .clock
        .advance(chrono::Duration::seconds(601));
    let (status, expired) = idp.redeem(&late, VERIFIER, REDIRECT).await;
    assert_eq!((status, aadsts(&expired)), (400, 70008));
}

#[tokio::test]
async fn authorize_with_an_auth_context_shows_mfa_and_issues_acrs() {
    let idp = Idp::start().await;
    let code = idp.authorize(&[("claims", C1)]).await;
    let (status, tokens) = idp.redeem(&code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{tokens}");
    let claims = jwt(&tokens["access_token"]);
    assert_eq!(claims["acrs"], serde_json::json!(["c1"]));
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "mfa"]));
    // That refresh token came from an MFA sign-in: an MFA demand is met silently.
    let (status, body) = idp
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("scope", SCOPE),
            ("claims", MFA),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn authorize_refusals_are_entra_shaped() {
    let idp = Idp::start().await;
    // An unregistered redirect URI is never redirected to.
    let url = idp
        .authorize_url(&[])
        .replace("localhost%3A49152", "evil.example");
    let page = idp.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("AADSTS50011"));

    let plain = idp.authorize_url(&[
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ]);
    let response = idp.http.get(&plain).send().await.unwrap();
    let query = Idp::redirected(&response);
    assert!(
        query.contains(&("error".into(), "invalid_request".into())),
        "{query:?}"
    );
    assert!(query
        .iter()
        .any(|(k, v)| k == "error_description" && v.contains("plain")));
    assert!(query.contains(&("state".into(), "st4te".into())));

    let url = idp.authorize_url(&[]);
    let declined = idp
        .post_page(&url, &[("login_hint", ADA), ("decision", "decline")])
        .await;
    let query = Idp::redirected(&declined);
    assert!(
        query.contains(&("error".into(), "access_denied".into())),
        "{query:?}"
    );
    assert!(query
        .iter()
        .any(|(k, v)| k == "error_description" && v.starts_with("AADSTS65004")));

    let silent = idp
        .http
        .get(idp.authorize_url(&[("prompt", "none")]))
        .send()
        .await
        .unwrap();
    assert!(Idp::redirected(&silent).contains(&("error".into(), "login_required".into())));
}

#[tokio::test]
async fn control_routes_inject_slow_down_and_revoke_sessions() {
    let idp = Idp::start().await;
    let (_, tokens, _) = idp.device_sign_in(None, ADA).await;
    let control = |path: &str, body: &str| {
        idp.http
            .post(idp.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
    };
    let response = control("/_sandbox/users/ada@fabrikam.example/revoke-sessions", "")
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, body) = idp
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("scope", SCOPE),
        ])
        .await;
    assert_eq!((status, aadsts(&body)), (400, 50173), "{body}");
    let missing = control("/_sandbox/users/nobody/revoke-sessions", "")
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let response = control("/_sandbox/identity/slow-down", r#"{"count":1}"#)
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, body) = idp
        .token(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", "whatever"),
        ])
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("slow_down")));
    let (_, body) = idp
        .token(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", "whatever"),
        ])
        .await;
    assert_eq!(
        body["error"], "bad_verification_code",
        "only one slow_down was asked for"
    );
}
