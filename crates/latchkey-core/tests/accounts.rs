//! Several accounts side by side over real HTTP against the sandbox: each keeps its own keyring
//! entry, switching restores a stored session without signing in, and signing one out or
//! losing one's refresh token leaves the others alone.

mod common;

use std::sync::Arc;

use common::*;
use latchkey_core::ipc::SessionState;
use latchkey_core::secrets;
use latchkey_core::{ErrorCode, Latchkey};

const CHLOE: &str = "chloe@fabrikam.example";

fn current(latchkey: &Latchkey) -> String {
    match latchkey.snapshot().session {
        SessionState::SignedIn { account } => account.username,
        other => panic!("not signed in: {other:?}"),
    }
}

fn id_of(latchkey: &Latchkey, username: &str) -> String {
    latchkey
        .list_accounts()
        .into_iter()
        .find(|a| a.account.username == username)
        .unwrap_or_else(|| panic!("{username} not listed"))
        .account
        .id
}

/// Ada, then Chloe added beside her (Chloe current).
async fn ada_and_chloe(harness: &Harness) -> Arc<Latchkey> {
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    let prompt = latchkey.add_account().await.expect("device code issued");
    approve(&prompt.verification_uri, &prompt.user_code, CHLOE).await;
    wait_for(
        &latchkey,
        "chloe signed in",
        |s| matches!(s, SessionState::SignedIn { account } if account.username == CHLOE),
    )
    .await;
    latchkey
}

#[tokio::test]
async fn two_accounts_switch_back_and_forth_each_with_its_own_eligibilities() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = ada_and_chloe(&harness).await;
    let listed = latchkey.list_accounts();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(
        listed
            .iter()
            .map(|a| (a.account.username.as_str(), a.current))
            .collect::<Vec<_>>(),
        [(CHLOE, true), (ADA, false)]
    );
    let (ada, chloe) = (id_of(&latchkey, ADA), id_of(&latchkey, CHLOE));
    assert!(secrets::get(&harness.store, &ada).await.unwrap().is_some());
    assert!(secrets::get(&harness.store, &chloe)
        .await
        .unwrap()
        .is_some());
    let chloes = groups_of(&latchkey).await;
    assert!(
        chloes.is_empty(),
        "Chloe has no group eligibilities: {chloes:?}"
    );

    for _ in 0..2 {
        let before = latchkey.round_trips();
        latchkey.switch_account(&ada).await.unwrap();
        assert_eq!(current(&latchkey), ADA);
        assert_eq!(
            latchkey.round_trips() - before,
            1,
            "one refresh grant, no sign-in"
        );
        assert_eq!(groups_of(&latchkey).await.len(), 5);
        assert!(latchkey
            .list_accounts()
            .iter()
            .any(|a| a.current && a.account.id == ada));

        latchkey.switch_account(&chloe).await.unwrap();
        assert_eq!(current(&latchkey), CHLOE);
        assert!(groups_of(&latchkey).await.is_empty());
    }
    // Switching to the current account is nothing; to an unknown one, a typed error.
    latchkey.switch_account(&chloe).await.unwrap();
    let error = latchkey.switch_account("nobody.t@x").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert_eq!(current(&latchkey), CHLOE);

    // A new app start resumes the account used last.
    latchkey.switch_account(&ada).await.unwrap();
    let again = harness.latchkey();
    again.restore().await;
    assert_eq!(current(&again), ADA);
}

#[tokio::test]
async fn signing_out_of_one_account_leaves_the_other_restorable() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = ada_and_chloe(&harness).await;
    let (ada, chloe) = (id_of(&latchkey, ADA), id_of(&latchkey, CHLOE));

    // The current one (Chloe): only her entry goes.
    latchkey.sign_out().await.unwrap();
    assert!(is_signed_out(&latchkey.snapshot().session));
    assert!(secrets::get(&harness.store, &chloe)
        .await
        .unwrap()
        .is_none());
    assert!(secrets::get(&harness.store, &ada).await.unwrap().is_some());
    let listed = latchkey.list_accounts();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].current);
    latchkey.switch_account(&ada).await.unwrap();
    assert_eq!(groups_of(&latchkey).await.len(), 5);

    // A non-current one: signed out without touching the current session.
    let prompt = latchkey.add_account().await.unwrap();
    approve(&prompt.verification_uri, &prompt.user_code, CHLOE).await;
    wait_for(
        &latchkey,
        "chloe again",
        |s| matches!(s, SessionState::SignedIn { account } if account.username == CHLOE),
    )
    .await;
    latchkey.sign_out_account(&ada).await.unwrap();
    assert_eq!(current(&latchkey), CHLOE);
    assert!(secrets::get(&harness.store, &ada).await.unwrap().is_none());
    assert_eq!(latchkey.list_accounts().len(), 1);
}

#[tokio::test]
async fn a_revoked_non_current_account_is_removed_alone_when_switched_to() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = ada_and_chloe(&harness).await;
    let (ada, chloe) = (id_of(&latchkey, ADA), id_of(&latchkey, CHLOE));
    let ada_oid = harness
        .sandbox
        .state()
        .tenant()
        .user_by_upn(ADA)
        .unwrap()
        .id
        .clone();
    assert!(harness.sandbox.state().revoke_refresh_tokens(&ada_oid) > 0);

    let error = latchkey.switch_account(&ada).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SessionExpired, "{}", error.message);
    assert!(error.message.contains(ADA), "{}", error.message);
    // Chloe is still current and still works; Ada's entry and record are gone.
    assert_eq!(current(&latchkey), CHLOE);
    assert!(groups_of(&latchkey).await.is_empty());
    assert!(secrets::get(&harness.store, &ada).await.unwrap().is_none());
    assert!(secrets::get(&harness.store, &chloe)
        .await
        .unwrap()
        .is_some());
    let listed = latchkey.list_accounts();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].account.id, chloe);
}

#[tokio::test]
async fn a_cancelled_add_returns_to_the_current_account() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    latchkey.add_account().await.unwrap();
    assert!(matches!(
        latchkey.snapshot().session,
        SessionState::SigningIn { .. }
    ));
    latchkey.cancel_sign_in();
    assert_eq!(current(&latchkey), ADA);
    assert_eq!(groups_of(&latchkey).await.len(), 5);
    assert_eq!(latchkey.list_accounts().len(), 1);
}
