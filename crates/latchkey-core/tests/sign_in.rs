//! Device-code sign-in, session restore, sign-out and the failure paths, over real HTTP against
//! the sandbox tenant.

mod common;

use std::time::Duration;

use common::*;
use latchkey_core::ipc::SessionState;
use latchkey_core::secrets;
use latchkey_core::ErrorCode;
use latchkey_sandbox::{Sandbox, SandboxOptions};

fn last_error_code(state: &SessionState) -> Option<ErrorCode> {
    match state {
        SessionState::SignedOut { last_error } => last_error.as_ref().map(|e| e.code),
        _ => None,
    }
}

#[tokio::test]
async fn device_code_sign_in_stores_the_refresh_token_and_restores_the_session() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();

    let prompt = latchkey.start_sign_in().await.unwrap();
    assert_eq!(prompt.user_code.len(), 9);
    assert!(prompt
        .verification_uri
        .starts_with(harness.sandbox.base_url()));
    assert!(prompt.message.contains(&prompt.user_code));
    assert!(matches!(
        latchkey.snapshot().session,
        SessionState::SigningIn { .. }
    ));

    // A mistyped code is refused by the page and does not disturb the waiting app.
    let (status, body) = submit_device_login(
        &prompt.verification_uri,
        &[
            ("user_code", "ZZZZZZZZZ"),
            ("login_hint", ADA),
            ("decision", "approve"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains(r#"data-outcome="error""#), "{body}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(matches!(
        latchkey.snapshot().session,
        SessionState::SigningIn { .. }
    ));

    // The code typed in lower case with a dash still works, as on the real page.
    let typed = format!("{}-{}", &prompt.user_code[..4], &prompt.user_code[4..]).to_lowercase();
    approve(&prompt.verification_uri, &typed, ADA).await;
    let state = wait_for(&latchkey, "signed in", is_signed_in).await;
    let SessionState::SignedIn { account } = state else {
        unreachable!()
    };
    assert_eq!(account.display_name, "Ada Okafor");
    assert_eq!(account.username, ADA);

    let stored = secrets::get(&harness.store, &account.id).await.unwrap();
    assert!(
        stored.is_some_and(|t| !t.expose().is_empty()),
        "refresh token stored under {}",
        account.id
    );
    let accounts_file = std::fs::read_to_string(&harness.accounts_path).unwrap();
    assert!(accounts_file.contains(ADA));
    let token = secrets::get(&harness.store, &account.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !accounts_file.contains(token.expose().as_str()),
        "no token in accounts.json"
    );

    // A second app start resumes silently from the stored refresh token.
    let again = restart_expecting_ada(&harness).await;

    // Sign-out removes the refresh token and the account.
    again.sign_out().await.unwrap();
    assert!(secrets::get(&harness.store, &account.id)
        .await
        .unwrap()
        .is_none());
    let third = harness.latchkey();
    third.restore().await;
    assert_eq!(
        third.snapshot().session,
        SessionState::SignedOut { last_error: None }
    );
}

#[tokio::test]
async fn an_expired_code_says_get_a_new_code() {
    let harness = Harness::start(SandboxOptions {
        device_code_lifetime: Duration::from_secs(2),
        ..fast_options()
    })
    .await;
    let latchkey = harness.latchkey();
    latchkey.start_sign_in().await.unwrap();
    let state = wait_for(&latchkey, "code expiry", is_signed_out).await;
    assert_eq!(
        last_error_code(&state),
        Some(ErrorCode::SignInCodeExpired),
        "{state:?}"
    );
    let SessionState::SignedOut {
        last_error: Some(e),
    } = state
    else {
        unreachable!()
    };
    assert!(e.message.contains("Get a new code"), "{}", e.message);
}

#[tokio::test]
async fn a_declined_sign_in_is_reported_as_declined() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    let prompt = latchkey.start_sign_in().await.unwrap();
    let (status, body) = submit_device_login(
        &prompt.verification_uri,
        &[
            ("user_code", &prompt.user_code),
            ("login_hint", ADA),
            ("decision", "decline"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"data-outcome="declined""#));
    let state = wait_for(&latchkey, "declined", is_signed_out).await;
    assert_eq!(last_error_code(&state), Some(ErrorCode::SignInDeclined));
}

#[tokio::test]
async fn a_sandbox_stopped_mid_sign_in_ends_with_a_network_error_not_a_hang() {
    let mut harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    latchkey.start_sign_in().await.unwrap();
    // Stop serving: connections are refused from now on.
    let base = harness.sandbox.base_url().to_owned();
    harness.sandbox.shutdown().await;
    assert!(reqwest::get(format!("{base}/_sandbox/health"))
        .await
        .is_err());
    let state = wait_for(&latchkey, "network failure", is_signed_out).await;
    assert_eq!(
        last_error_code(&state),
        Some(ErrorCode::Network),
        "{state:?}"
    );
}

#[tokio::test]
async fn cancel_returns_to_signed_out_without_an_error() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    let prompt = latchkey.start_sign_in().await.unwrap();
    latchkey.cancel_sign_in();
    assert_eq!(
        latchkey.snapshot().session,
        SessionState::SignedOut { last_error: None }
    );
    // Approving the abandoned code afterwards changes nothing in the app.
    approve(&prompt.verification_uri, &prompt.user_code, ADA).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        latchkey.snapshot().session,
        SessionState::SignedOut { last_error: None }
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_is_removed_and_the_user_told_to_sign_in_again() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    let SessionState::SignedIn { account } = latchkey.snapshot().session else {
        unreachable!()
    };
    // Replace the stored token with one the service never issued.
    secrets::set(
        &harness.store,
        &account.id,
        &"not-a-real-token".to_owned().into(),
    )
    .await
    .unwrap();
    let again = harness.latchkey();
    again.restore().await;
    let state = again.snapshot().session;
    assert_eq!(
        last_error_code(&state),
        Some(ErrorCode::SessionExpired),
        "{state:?}"
    );
    assert!(
        secrets::get(&harness.store, &account.id)
            .await
            .unwrap()
            .is_none(),
        "dead token removed"
    );
    assert!(!std::fs::read_to_string(&harness.accounts_path)
        .unwrap()
        .contains(&account.id));
}

#[tokio::test]
async fn an_unknown_client_id_is_explained() {
    let mut harness = Harness::start(fast_options()).await;
    harness.client_id = "00000000-1111-2222-3333-444444444444".into();
    let latchkey = harness.latchkey();
    let error = latchkey.start_sign_in().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert_eq!(error.service_code.as_deref(), Some("AADSTS700016"));
    assert!(error.message.contains("client id"), "{}", error.message);
    assert_eq!(
        last_error_code(&latchkey.snapshot().session),
        Some(ErrorCode::SignInRejected)
    );
}

#[tokio::test]
async fn a_restarted_sandbox_with_a_state_file_keeps_the_session() {
    // The app's embedded sandbox: a new port at every start, sessions kept in a state file.
    let state_dir = std::env::temp_dir().join(format!("latchkey-state-{}", uuid::Uuid::new_v4()));
    let options = SandboxOptions {
        state_file: Some(state_dir.join("sandbox-state.json")),
        ..fast_options()
    };
    let mut harness = Harness::start(options.clone()).await;
    harness.environment = Some("sandbox".into());
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    let first_url = harness.sandbox.base_url().to_owned();

    harness.sandbox.shutdown().await;
    harness.sandbox = Sandbox::start_demo(options).await.unwrap();
    assert_ne!(
        harness.sandbox.base_url(),
        first_url,
        "a new port, as at every app start"
    );
    restart_expecting_ada(&harness).await;
    std::fs::remove_dir_all(state_dir).unwrap();
}
