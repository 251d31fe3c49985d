//! Leavers. Ada's account is disabled while she is signed in with an activation: the next call
//! is refused, the app says why in a sentence, forgets her refresh token and keeps running.
//! What she had active is then no longer followed, and the watcher says so once, naming it.
//! An eligibility removed while active: the activation disappears from the listing and the
//! revocation is announced, once.

mod common;

use chrono::Utc;
use common::*;
use latchkey_core::announcements::{self, AnnouncementKind};
use latchkey_core::ipc::SessionState;
use latchkey_core::model::{
    ActivationInput, Eligibility, GroupAccess, Plane, RequestStatus, Target,
};
use latchkey_core::reminders::{Followed, SentLog};
use latchkey_core::{secrets, ErrorCode, Latchkey};
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn a_disabled_account_is_told_why_its_token_is_gone_and_nothing_crashes() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let SessionState::SignedIn { account } = ada.snapshot().session else {
        unreachable!()
    };
    let on_call = activate_on_call(&ada).await;
    let before: Vec<_> = ada
        .list_activations()
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|a| a.target.plane() == Plane::Group)
        .collect();
    assert!(before.iter().any(|a| a.target.same(&on_call.target)));

    // The administrator disables the account: PIM ends its assignments, and the next token
    // Latchkey asks for (each call checks its tokens) is refused.
    control(
        &harness,
        "/_sandbox/users/ada@fabrikam.example/disable",
        json!({}),
    )
    .await;
    let error = ada.list_activations().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SessionExpired, "{error:?}");
    let state = ada.snapshot().session;
    let SessionState::SignedOut {
        last_error: Some(shown),
    } = &state
    else {
        panic!("signed out with a reason: {state:?}");
    };
    assert_eq!(shown.code, ErrorCode::SessionExpired);
    assert!(
        shown.message.contains("account is disabled") && shown.message.contains("administrator"),
        "a clear sentence: {}",
        shown.message
    );
    assert!(
        secrets::get(&harness.store, &account.id)
            .await
            .unwrap()
            .is_none(),
        "the refresh token is gone from the store"
    );
    // Nothing crashed: the next call is a plain "not signed in", and a restart starts signed out.
    assert_eq!(
        ada.list_activations().await.unwrap_err().code,
        ErrorCode::NotSignedIn
    );
    let again = harness.latchkey();
    again.restore().await;
    assert!(
        is_signed_out(&again.snapshot().session),
        "{:?}",
        again.snapshot().session
    );
    assert!(before.iter().any(|a| a.target.same(&on_call.target)));
}

#[tokio::test]
async fn an_eligibility_removed_while_active_is_announced_as_revoked_once() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let on_call = activate_on_call(&ada).await;
    let before = ada.list_activations().await.unwrap().items;
    assert!(before.iter().any(|a| a.target.same(&on_call.target)));

    let response = reqwest::Client::new()
        .delete(format!(
            "{}/_sandbox/eligibilities/{}",
            harness.sandbox.base_url(),
            // A group's instance id is `{group}_{access}_{eligibility schedule id}`.
            on_call.id.rsplit('_').next().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());

    let current = ada.list_activations().await.unwrap().items;
    assert!(!current.iter().any(|a| a.target.same(&on_call.target)));
    let requests = ada.list_requests().await.unwrap().items;
    let mut log = SentLog::default();
    let announced = announcements::revoked(&before, &current, &requests, &mut log, Utc::now());
    assert_eq!(
        announced.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![AnnouncementKind::Revoked],
        "{announced:?}"
    );
    assert!(
        announced[0].title.contains("On-call Responders"),
        "{announced:?}"
    );
    // The next tick sees the same lists: nothing again.
    assert!(announcements::revoked(&before, &current, &requests, &mut log, Utc::now()).is_empty());
    // Ada is still signed in, and no longer offered the group.
    assert!(is_signed_in(&ada.snapshot().session));
    assert!(!groups_of(&ada).await.iter().any(|e| e.id == on_call.id));
}

/// What the watcher does on each read and when the session goes away, with the notifications
/// it would show collected instead of shown.
#[derive(Default)]
struct Watcher {
    followed: Followed,
    sent: SentLog,
    shown: Vec<(AnnouncementKind, String, String)>,
}

impl Watcher {
    async fn read(&mut self, latchkey: &Latchkey) {
        if let Ok(listing) = latchkey.list_activations().await {
            self.followed.replace(listing.items, Utc::now());
        }
    }

    fn signed_out(&mut self, latchkey: &Latchkey) {
        let session = latchkey.snapshot().session;
        let shown = announcements::no_longer_followed(
            self.followed.items(),
            &session,
            &mut self.sent,
            Utc::now(),
        );
        self.shown.extend(shown.map(|a| (a.kind, a.title, a.body)));
        self.followed.clear();
    }
}

#[tokio::test]
async fn a_disabled_account_says_once_which_activations_are_no_longer_followed() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    activate_on_call(&ada).await;
    let reader = Target::DirectoryRole {
        role_definition_id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451".into(),
        directory_scope_id: "/".into(),
    };
    let platform = group_target("030de017-682a-48ed-8ca2-9ec91fb8101a", GroupAccess::Owner);
    let more = ada
        .activate(
            [(reader, 120), (platform, 180)]
                .into_iter()
                .map(|(target, duration_minutes)| ActivationInput {
                    target,
                    duration_minutes,
                    justification: Some("Quarterly access review".into()),
                    ticket_number: None,
                    ticket_system: None,
                    start_at: None,
                })
                .collect(),
        )
        .await
        .unwrap();
    assert!(
        more.iter()
            .all(|o| status(o) == Ok(RequestStatus::Provisioned)),
        "{more:?}"
    );
    let mut watcher = Watcher::default();
    watcher.read(&ada).await;
    assert_eq!(watcher.followed.items().len(), 3);

    control(
        &harness,
        "/_sandbox/users/ada@fabrikam.example/disable",
        json!({}),
    )
    .await;
    // The next read is refused and ends the session; the watcher finds her signed out.
    watcher.read(&ada).await;
    assert!(is_signed_out(&ada.snapshot().session));
    watcher.signed_out(&ada);
    // Later ticks while signed out, and a restart that stays signed out: nothing more.
    watcher.signed_out(&ada);
    let again = harness.latchkey();
    again.restore().await;
    watcher.read(&again).await;
    watcher.signed_out(&again);

    assert_eq!(watcher.shown.len(), 1, "{:?}", watcher.shown);
    let (kind, title, body) = &watcher.shown[0];
    assert_eq!(*kind, AnnouncementKind::NoLongerFollowed);
    // The one ending soonest is named: On-call Responders (1 h) before Global Reader (2 h).
    assert_eq!(title, "On-call Responders and 2 others: no longer followed");
    assert!(
        body.starts_with("Your account is disabled. Contact your administrator.")
            && body.contains("whether it still runs or was removed"),
        "{body}"
    );
}

#[tokio::test]
async fn signing_out_by_choice_announces_nothing() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    activate_on_call(&ada).await;
    let mut watcher = Watcher::default();
    watcher.read(&ada).await;
    assert_eq!(watcher.followed.items().len(), 1);
    ada.sign_out().await.unwrap();
    watcher.signed_out(&ada);
    assert!(watcher.shown.is_empty(), "{:?}", watcher.shown);
    assert!(watcher.followed.items().is_empty());
}

/// Activates Ada's On-call Responders membership for an hour; its eligibility.
async fn activate_on_call(ada: &Arc<Latchkey>) -> Eligibility {
    let on_call = groups_of(ada)
        .await
        .into_iter()
        .find(|e| e.name.as_deref() == Some("On-call Responders"))
        .expect("Ada is eligible for On-call Responders");
    let outcome = ada
        .activate(vec![ActivationInput {
            target: on_call.target.clone(),
            duration_minutes: 60,
            justification: None,
            ticket_number: None,
            ticket_system: None,
            start_at: None,
        }])
        .await
        .unwrap();
    assert_eq!(status(&outcome[0]), Ok(RequestStatus::Provisioned));
    on_call
}
