//! The sandbox over HTTPS: a client that trusts only the sandbox's own CA can discover the
//! authority, sign in with the device code and call Graph, every URL it is handed is `https`,
//! and a client that does not trust the CA gets no connection at all.

use std::net::SocketAddr;

use latchkey_sandbox::{Sandbox, SandboxOptions, Tenant, DEMO_CLIENT_ID};
use serde_json::Value;

const ADA_ID: &str = "8593dd9e-f545-42a4-bb60-1960cbb136bd";
const MY_GROUP_ELIGIBILITIES: &str =
    "identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/filterByCurrentUser(on='principal')";

async fn start_tls() -> Sandbox {
    Sandbox::start_tls(
        Tenant::demo(chrono::Utc::now()),
        // One item per page, so any list shows an `@odata.nextLink`.
        SandboxOptions {
            page_size: 1,
            ..SandboxOptions::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("sandbox starts with TLS")
}

/// A client with no built-in roots: it trusts the sandbox's CA and nothing else.
fn trusting_client(sandbox: &Sandbox) -> reqwest::Client {
    let pem = sandbox.ca_pem().expect("a TLS sandbox has a CA");
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap()
}

async fn json(response: reqwest::Response) -> Value {
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

#[tokio::test]
async fn discovery_over_https_names_https_endpoints() {
    let sandbox = start_tls().await;
    let base = sandbox.base_url().to_owned();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let http = trusting_client(&sandbox);
    let doc = json(
        http.get(format!(
            "{base}/organizations/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    // MSAL canonicalizes these and refuses anything but https (reference §8).
    for key in [
        "token_endpoint",
        "authorization_endpoint",
        "device_authorization_endpoint",
        "issuer",
    ] {
        let url = doc[key].as_str().unwrap();
        assert!(url.starts_with(&format!("{base}/")), "{key}: {url}");
    }
}

#[tokio::test]
async fn device_code_sign_in_and_graph_over_https() {
    let sandbox = start_tls().await;
    let base = sandbox.base_url().to_owned();
    let http = trusting_client(&sandbox);
    let code = json(
        http.post(format!("{base}/organizations/oauth2/v2.0/devicecode"))
            .form(&[
                ("client_id", DEMO_CLIENT_ID),
                (
                    "scope",
                    "https://graph.microsoft.com/.default offline_access",
                ),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let verification_uri = code["verification_uri"].as_str().unwrap();
    assert_eq!(verification_uri, format!("{base}/devicelogin"));
    let page = http
        .post(verification_uri)
        .form(&[
            ("user_code", code["user_code"].as_str().unwrap()),
            ("login_hint", "ada@fabrikam.example"),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let tokens = json(
        http.post(format!("{base}/organizations/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", DEMO_CLIENT_ID),
                ("device_code", code["device_code"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = tokens["access_token"].as_str().unwrap();

    // Paging links point back at the HTTPS origin, not at http:// or graph.microsoft.com.
    let first = json(
        http.get(format!("{base}/v1.0/{MY_GROUP_ELIGIBILITIES}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(first["value"][0]["principalId"], ADA_ID);
    let next = first["@odata.nextLink"]
        .as_str()
        .expect("Ada has more than one eligible group");
    assert!(next.starts_with(&format!("{base}/v1.0/")), "{next}");
    let second = json(http.get(next).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(second["value"][0]["principalId"], ADA_ID);
    assert_ne!(second["value"][0]["id"], first["value"][0]["id"]);
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_cannot_connect() {
    let sandbox = start_tls().await;
    // reqwest's default roots are the public web PKI; the sandbox's CA is not among them.
    let err = reqwest::Client::new()
        .get(format!(
            "{}/organizations/v2.0/.well-known/openid-configuration",
            sandbox.base_url()
        ))
        .send()
        .await
        .expect_err("an untrusted certificate must fail the handshake");
    assert!(err.is_connect(), "{err:?}");

    // The failed handshake does not take the server down for the next, trusting client.
    let ok = trusting_client(&sandbox)
        .get(format!(
            "{}/organizations/v2.0/.well-known/openid-configuration",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn plain_http_sandbox_has_no_ca_and_stays_http() {
    let sandbox = Sandbox::start_demo(SandboxOptions::default())
        .await
        .unwrap();
    assert!(sandbox.base_url().starts_with("http://"));
    assert!(sandbox.ca_pem().is_none());
}
