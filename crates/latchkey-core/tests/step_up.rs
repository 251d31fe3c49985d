//! Step-up for PIM over real HTTP: a refusal for MFA or an authentication context, the silent
//! attempt, the interactive fallback, and the resent activation the sandbox's Graph accepts.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use latchkey_core::auth::{Authenticator, StepUpClaims};
use latchkey_core::clock::SystemClock;
use latchkey_core::secrets;
use latchkey_core::session::{Session, StepUpError};
use latchkey_core::ErrorCode;
use tokio_util::sync::CancellationToken;

/// Signs Ada in by device code (with an MFA step when `claims` is given) and makes a session.
async fn session(
    harness: &Harness,
    auth: &Arc<Authenticator>,
    claims: Option<&StepUpClaims>,
) -> Session {
    let grant = auth.start_device_code_with_claims(claims).await.unwrap();
    let cancel = CancellationToken::new();
    let poll = auth.complete_device_code(&grant, &cancel);
    let tokens = match claims {
        Some(_) => with_mfa_after_first_poll(harness, &grant, poll).await,
        None => {
            approve(&grant.verification_uri, &grant.user_code, ADA).await;
            poll.await
        }
    }
    .unwrap();
    Session::establish(
        auth.clone(),
        harness.store.clone(),
        Arc::new(SystemClock),
        tokens,
    )
    .await
    .unwrap()
}

/// Runs the device-code poll `poll` and, once its claims reached the sandbox (they go only on
/// the polls, never on `/devicecode`), approves Ada's sign-in with the MFA step they ask for.
async fn with_mfa_after_first_poll<T>(
    harness: &Harness,
    grant: &latchkey_core::auth::DeviceCodeGrant,
    poll: impl std::future::Future<Output = T>,
) -> T {
    let state = harness.sandbox.state().clone();
    let page = async {
        let known = || {
            state
                .device_codes()
                .values()
                .any(|c| c.user_code == grant.user_code && c.claims.needs_mfa())
        };
        tokio::time::timeout(Duration::from_secs(30), async {
            while !known() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the poll carried the claims");
        approve_with_mfa(&grant.verification_uri, &grant.user_code, ADA).await;
    };
    let (out, ()) = tokio::join!(poll, page);
    out
}

#[tokio::test]
async fn device_code_claims_go_on_the_polls_not_on_devicecode() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let grant = auth
        .start_device_code_with_claims(Some(&StepUpClaims::mfa()))
        .await
        .unwrap();
    let asked = harness
        .sandbox
        .state()
        .device_codes()
        .values()
        .find(|c| c.user_code == grant.user_code)
        .map(|c| c.claims.needs_mfa());
    assert_eq!(asked, Some(false), "no claims on /devicecode");
    assert_eq!(
        grant.claims(),
        Some(&StepUpClaims::mfa()),
        "kept for the polls"
    );
}

#[tokio::test]
async fn mfa_refusal_then_device_code_step_up_then_activation() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let session = session(&harness, &auth, None).await;
    let plain = session.graph_token().await.unwrap();
    let (status, body) = activate_group(&harness, plain.expose(), PAYMENTS).await;
    assert_eq!(status, 400, "{body}");
    let claims = StepUpClaims::from_pim_error_body(&body).expect("an MFA step-up");
    assert_eq!(claims, StepUpClaims::mfa());

    // The refresh token came from a password-only sign-in: Entra wants the person back.
    let silent = session.step_up_silently(&claims).await.unwrap_err();
    let StepUpError::InteractionRequired(error) = silent else {
        panic!("expected InteractionRequired, got {silent:?}")
    };
    assert_eq!(error.code, ErrorCode::StepUpRequired);
    assert_eq!(error.service_code.as_deref(), Some("AADSTS50076"));
    assert_eq!(StepUpClaims::from_error(&error), Some(claims.clone()));
    assert!(
        secrets::get(&harness.store, &session.account().key)
            .await
            .unwrap()
            .is_some(),
        "an MFA demand is not a dead session"
    );

    let grant = session.start_device_code_step_up(&claims).await.unwrap();
    let cancel = CancellationToken::new();
    let poll = session.complete_device_code_step_up(&grant, &cancel);
    with_mfa_after_first_poll(&harness, &grant, poll)
        .await
        .unwrap();
    let stepped = session.graph_token().await.unwrap();
    assert_ne!(stepped, plain);
    assert_eq!(session.step_up_claims(), Some(claims));
    let (status, body) = activate_group(&harness, stepped.expose(), PAYMENTS).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn an_mfa_session_steps_up_to_an_auth_context_silently() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let session = session(&harness, &auth, Some(&StepUpClaims::mfa())).await;
    let token = session.graph_token().await.unwrap();
    let (status, body) = activate_group(&harness, token.expose(), K8S).await;
    assert_eq!(status, 400, "{body}");
    let claims = StepUpClaims::from_pim_error_body(&body).expect("an acrs step-up");
    assert_eq!(claims, StepUpClaims::auth_context("c1"));

    session.step_up_silently(&claims).await.unwrap();
    let stepped = session.graph_token().await.unwrap();
    // Graph calls now carry the step-up token, not the still-cached plain one.
    assert_ne!(stepped, token);
    assert_eq!(session.graph_token().await.unwrap(), stepped);
    let token = stepped;
    let (status, body) = activate_group(&harness, token.expose(), K8S).await;
    assert_eq!(status, 201, "{body}");
    // Had PIM still refused, a second silent try for the same claims goes interactive.
    assert!(matches!(
        session.step_up_silently(&claims).await,
        Err(StepUpError::InteractionRequired(_))
    ));
}

#[tokio::test]
async fn browser_step_up_for_an_auth_context() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let session = session(&harness, &auth, None).await;
    let claims = StepUpClaims::auth_context("c1");
    let browser = session.start_browser_step_up(&claims).await.unwrap();
    let url = browser.authorize_url().to_string();
    assert!(url.contains("login_hint=ada%40fabrikam.example"), "{url}");
    let cancel = CancellationToken::new();
    let (completed, (status, _)) = tokio::join!(
        session.complete_browser_step_up(browser, &cancel),
        play_browser(&url, ADA, "approve")
    );
    assert_eq!(status, 200);
    completed.unwrap();
    let token = session.graph_token().await.unwrap();
    let (status, body) = activate_group(&harness, token.expose(), K8S).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn revoked_sessions_end_in_session_expired_and_leave_the_keyring() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let session = session(&harness, &auth, None).await;
    control(
        &harness,
        &format!("/_sandbox/users/{ADA}/revoke-sessions"),
        serde_json::json!({}),
    )
    .await;
    let held = session.graph_token().await.unwrap();
    session.invalidate(latchkey_core::auth::Resource::Graph, &held);
    let error = session.graph_token().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SessionExpired);
    assert_eq!(error.service_code.as_deref(), Some("AADSTS50173"));
    assert!(secrets::get(&harness.store, &session.account().key)
        .await
        .unwrap()
        .is_none());
    let silent = session
        .step_up_silently(&StepUpClaims::mfa())
        .await
        .unwrap_err();
    assert!(matches!(silent, StepUpError::Failed(ref e) if e.code == ErrorCode::SessionExpired));
}

#[tokio::test]
async fn slow_down_makes_the_client_poll_five_seconds_later() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let grant = auth.start_device_code().await.unwrap();
    approve(&grant.verification_uri, &grant.user_code, ADA).await;
    control(
        &harness,
        "/_sandbox/identity/slow-down",
        serde_json::json!({"count": 1}),
    )
    .await;
    let started = Instant::now();
    auth.complete_device_code(&grant, &CancellationToken::new())
        .await
        .unwrap();
    let waited = started.elapsed();
    // 1 s interval + 5 s after slow_down (RFC 8628 §3.5), instead of an immediate answer.
    assert!(waited >= Duration::from_secs(6), "{waited:?}");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
}
