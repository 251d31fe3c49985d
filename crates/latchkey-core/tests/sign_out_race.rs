//! Signing out while a token refresh is in flight: the refresh's rotated refresh token must not
//! land in the keyring after sign-out removed the old one (found by the e2e secrets scan, where
//! the watcher's refresh after an activation raced the Sign out button).

mod common;

use std::time::Duration;

use common::*;
use latchkey_core::ipc::SessionState;
use latchkey_core::secrets;
use serde_json::json;

#[tokio::test]
async fn a_refresh_in_flight_cannot_put_a_token_back_after_sign_out() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let SessionState::SignedIn { account } = ada.snapshot().session else {
        unreachable!()
    };
    assert!(secrets::get(&harness.store, &account.id)
        .await
        .unwrap()
        .is_some());
    // The next token grant (ARM's, which the first listing needs) takes a while to answer.
    control(
        &harness,
        "/_sandbox/faults",
        json!({ "pathContains": "oauth2/v2.0/token", "kind": { "latency": { "ms": 1500 } }, "count": 1 }),
    )
    .await;
    let listing = tokio::spawn({
        let ada = ada.clone();
        async move { ada.list_activations().await }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    ada.sign_out().await.unwrap();
    let _ = listing.await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        secrets::get(&harness.store, &account.id)
            .await
            .unwrap()
            .is_none(),
        "no refresh token in the store after sign-out"
    );
    let faults: serde_json::Value =
        reqwest::get(format!("{}/_sandbox/faults", harness.sandbox.base_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert!(
        faults.to_string().contains("latency"),
        "the slow grant happened: {faults}"
    );
}
