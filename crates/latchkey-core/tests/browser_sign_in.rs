//! Browser sign-in (authorization code + PKCE on a loopback redirect) against the sandbox, with
//! the test playing the system browser.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use latchkey_core::clock::SystemClock;
use latchkey_core::secrets;
use latchkey_core::session::Session;
use latchkey_core::ErrorCode;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn browser_sign_in_ends_in_a_session_like_device_code() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let browser = auth.start_browser_sign_in(None, None).await.unwrap();
    let url = browser.authorize_url().clone();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(get("response_type").as_deref(), Some("code"));
    assert!(get("claims").unwrap().contains("cp1"));
    assert!(browser.redirect_uri().starts_with("http://localhost:"));

    let waiting = tokio::spawn(async move { browser.complete(&CancellationToken::new()).await });
    let (status, page) = play_browser(url.as_str(), ADA, "approve").await;
    assert_eq!(status, 200);
    assert!(page.contains("You can close this window"), "{page}");
    let tokens = waiting.await.unwrap().unwrap();
    assert_eq!(tokens.identity.as_ref().unwrap().username, ADA);

    let session = Session::establish(auth, harness.store.clone(), Arc::new(SystemClock), tokens)
        .await
        .unwrap();
    assert!(secrets::get(&harness.store, &session.account().key)
        .await
        .unwrap()
        .is_some());
    let token = session.graph_token().await.unwrap();
    let (status, body) = activate_group(&harness, token.expose(), PAYMENTS).await;
    assert_eq!(status, 400, "Payments needs MFA: {body}");
}

#[tokio::test]
async fn a_declined_browser_sign_in_says_declined_and_a_stale_state_is_ignored() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let browser = auth.start_browser_sign_in(None, Some(ADA)).await.unwrap();
    let url = browser.authorize_url().clone();
    let redirect = browser.redirect_uri().to_owned();
    let waiting = tokio::spawn(async move { browser.complete(&CancellationToken::new()).await });

    // Another tab's answer (wrong state) and a favicon request do not end the sign-in.
    let stale = reqwest::get(format!("{redirect}?code=forged&state=other"))
        .await
        .unwrap();
    assert_eq!(stale.status(), 400);
    let favicon = reqwest::get(format!("{redirect}favicon.ico"))
        .await
        .unwrap();
    assert_eq!(favicon.status(), 404);
    assert!(!waiting.is_finished());

    let (status, page) = play_browser(url.as_str(), ADA, "decline").await;
    assert_eq!(status, 200);
    assert!(page.contains("declined"), "{page}");
    let error = waiting.await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInDeclined);
    assert_eq!(error.service_code.as_deref(), Some("AADSTS65004"));
}

#[tokio::test]
async fn an_abandoned_browser_sign_in_times_out_or_cancels() {
    let harness = Harness::start(fast_options()).await;
    let auth = authenticator(&harness);
    let browser = auth.start_browser_sign_in(None, None).await.unwrap();
    let error = browser
        .with_timeout(Duration::from_millis(200))
        .complete(&CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Timeout);
    assert!(error.message.contains("didn't finish"), "{}", error.message);

    let browser = auth.start_browser_sign_in(None, None).await.unwrap();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let error = browser.complete(&cancel).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInCancelled);
}

#[tokio::test]
async fn the_app_signs_in_through_the_browser_and_a_cancel_returns_to_signed_out() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    let opened = Arc::new(std::sync::Mutex::new(None::<String>));
    let seen = opened.clone();
    latchkey
        .start_browser_sign_in(move |url| {
            *seen.lock().unwrap() = Some(url.to_owned());
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        latchkey.snapshot().session,
        latchkey_core::ipc::SessionState::SigningInBrowser
    );
    latchkey.cancel_sign_in();
    wait_for(&latchkey, "signed out after cancel", is_signed_out).await;

    let seen = opened.clone();
    latchkey
        .start_browser_sign_in(move |url| {
            *seen.lock().unwrap() = Some(url.to_owned());
            Ok(())
        })
        .await
        .unwrap();
    let url = opened.lock().unwrap().clone().unwrap();
    let (status, page) = play_browser(&url, ADA, "approve").await;
    assert_eq!(status, 200, "{page}");
    wait_for(&latchkey, "signed in through the browser", is_signed_in).await;
    assert_eq!(groups_of(&latchkey).await.len(), 5);
    // A browser that would not open leaves the app signed out with the reason.
    let other = harness.latchkey();
    let error = other
        .start_browser_sign_in(|_| {
            Err(latchkey_core::Error::new(ErrorCode::Internal, "no browser"))
        })
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Internal);
    assert!(matches!(
        other.snapshot().session,
        latchkey_core::ipc::SessionState::SignedOut {
            last_error: Some(_)
        }
    ));
}
