//! The approver's side through the core, over real HTTP against the sandbox: a requester asks,
//! an approver sees the request with its justification and ticket, approves or denies with a
//! reason, and the requester sees the result; the first decision wins.

mod common;

use common::*;
use latchkey_core::model::{DecisionInput, GroupAccess, Plane, RequestStatus};
use latchkey_core::{ErrorCode, Latchkey};

const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
const CHLOE: &str = "chloe@fabrikam.example";
const ELENA: &str = "elena@fabrikam.example";
const BEN: &str = "ben@fabrikam.example";

/// `requester` asks for Prod DB Admins (approval by Chloé or Elena); returns the request id.
async fn ask_for_prod_db(requester: &Latchkey, ticket: &str) -> String {
    let prod_db = group_target(PROD_DB, GroupAccess::Member);
    ask_pending(requester, prod_db, 120, (ticket, Some("ServiceNow"))).await
}

#[tokio::test]
async fn an_approver_sees_who_asked_why_and_for_how_long_then_approves() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let chloe = signed_in(&harness, CHLOE).await;
    assert!(
        chloe.list_approvals().await.unwrap().items.is_empty(),
        "nothing waits yet"
    );
    let request_id = ask_for_prod_db(&ada, "CHG-7").await;

    let inbox = chloe.list_approvals().await.unwrap().items;
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    let item = &inbox[0];
    assert_eq!(item.request_id, request_id);
    assert_eq!(item.name.as_deref(), Some("Prod DB Admins"));
    assert_eq!(item.requester.display_name.as_deref(), Some("Ada Okafor"));
    assert_eq!(item.justification.as_deref(), Some("Failover drill"));
    assert_eq!(item.ticket_number.as_deref(), Some("CHG-7"));
    assert_eq!(item.duration_minutes, Some(120));
    let created = chrono::DateTime::parse_from_rfc3339(&item.created_date_time).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(&item.expires_date_time).unwrap();
    assert_eq!(expires - created, chrono::Duration::hours(24));
    // The requester is not their own approver.
    assert!(ada.list_approvals().await.unwrap().items.is_empty());

    let outcome = chloe
        .decide(vec![decision(item, true, "Drill approved")])
        .await
        .unwrap()
        .remove(0);
    assert!(outcome.decided && outcome.error.is_none(), "{outcome:?}");
    assert!(chloe.list_approvals().await.unwrap().items.is_empty());
    let active = ada.list_activations().await.unwrap().items;
    assert_eq!(active.len(), 1, "approved means active: {active:?}");
    assert_eq!(active[0].name.as_deref(), Some("Prod DB Admins"));
    let mine = ada.list_requests().await.unwrap().items;
    let request = mine.iter().find(|r| r.id == request_id).unwrap();
    assert_eq!(request.status, RequestStatus::Provisioned);
}

#[tokio::test]
async fn a_denial_reaches_the_requester_and_the_second_approver_is_told_it_was_decided() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let chloe = signed_in(&harness, CHLOE).await;
    let elena = signed_in(&harness, ELENA).await;
    let request_id = ask_for_prod_db(&ada, "CHG-8").await;
    let seen_by_chloe = chloe.list_approvals().await.unwrap().items.remove(0);
    let seen_by_elena = elena.list_approvals().await.unwrap().items.remove(0);

    let denied = chloe
        .decide(vec![decision(
            &seen_by_chloe,
            false,
            "Not during the freeze",
        )])
        .await
        .unwrap()
        .remove(0);
    assert!(denied.decided, "{denied:?}");
    let late = elena
        .decide(vec![decision(&seen_by_elena, true, "Fine by me")])
        .await
        .unwrap()
        .remove(0);
    assert!(!late.decided);
    assert_eq!(
        late.error.as_ref().map(|e| e.code),
        Some(ErrorCode::AlreadyDecided),
        "{late:?}"
    );
    // Explained as someone else's decision, not as a failure of Elena's.
    let said = late.error.unwrap().message;
    assert!(
        said.contains("Already decided by someone else") && said.contains("denied"),
        "{said}"
    );
    assert!(ada.list_activations().await.unwrap().items.is_empty());
    let mine = ada.list_requests().await.unwrap().items;
    assert_eq!(
        mine.iter().find(|r| r.id == request_id).unwrap().status,
        RequestStatus::Denied
    );
}

#[tokio::test]
async fn a_batch_is_decided_item_by_item_and_a_reason_is_required_by_policy() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let ben = signed_in(&harness, BEN).await;
    let chloe = signed_in(&harness, CHLOE).await;
    ask_for_prod_db(&ada, "CHG-9").await;
    ask_for_prod_db(&ben, "CHG-10").await;
    let inbox = chloe.list_approvals().await.unwrap().items;
    assert_eq!(inbox.len(), 2);
    // The production-db policy wants the approver's justification.
    let unexplained = chloe
        .decide(vec![decision(&inbox[0], true, "   ")])
        .await
        .unwrap()
        .remove(0);
    assert!(!unexplained.decided, "{unexplained:?}");
    let outcomes = chloe
        .decide(
            inbox
                .iter()
                .map(|i| decision(i, true, "Batch OK"))
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(
        outcomes
            .iter()
            .map(|o| o.approval_id.as_str())
            .collect::<Vec<_>>(),
        inbox
            .iter()
            .map(|i| i.approval_id.as_str())
            .collect::<Vec<_>>(),
        "in input order"
    );
    assert!(outcomes.iter().all(|o| o.decided), "{outcomes:?}");
    assert_eq!(ada.list_activations().await.unwrap().items.len(), 1);
    assert_eq!(ben.list_activations().await.unwrap().items.len(), 1);
    let bad = chloe
        .decide(vec![DecisionInput {
            plane: Plane::Group,
            approval_id: "../../me".into(),
            approve: true,
            justification: "x".into(),
        }])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(bad.error.map(|e| e.code), Some(ErrorCode::InvalidInput));
}

#[tokio::test]
async fn an_unanswered_request_leaves_the_inbox_after_24_hours() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let chloe = signed_in(&harness, CHLOE).await;
    let request_id = ask_for_prod_db(&ada, "CHG-11").await;
    assert_eq!(chloe.list_approvals().await.unwrap().items.len(), 1);
    harness
        .sandbox
        .state()
        .clock
        .advance(chrono::Duration::hours(25));
    assert!(chloe.list_approvals().await.unwrap().items.is_empty());
    let mine = ada.list_requests().await.unwrap().items;
    assert_eq!(
        mine.iter().find(|r| r.id == request_id).unwrap().status,
        RequestStatus::TimedOut
    );
}
