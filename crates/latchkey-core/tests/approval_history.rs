//! What an approver reads about a requester's past, and the reason a requester is given, over
//! real HTTP against the sandbox: Chloé's detail view of Ada's request lists Ada's earlier
//! request for the same group (with the denial reason), never the request itself nor Ben's;
//! Ada's own list carries the reason Chloé gave; Azure says plainly it offers no such list.

mod common;

use common::*;
use latchkey_core::model::{ApprovalItem, GroupAccess, RequestStatus, Target};
use latchkey_core::Latchkey;

const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const CHLOE: &str = "chloe@fabrikam.example";
const BEN: &str = "ben@fabrikam.example";

async fn ask(requester: &Latchkey, target: Target, ticket: &str) -> String {
    ask_pending(requester, target, 60, (ticket, None)).await
}

fn waiting<'a>(inbox: &'a [ApprovalItem], request_id: &str) -> &'a ApprovalItem {
    inbox
        .iter()
        .find(|i| i.request_id == request_id)
        .unwrap_or_else(|| panic!("{request_id} not in {inbox:?}"))
}

#[tokio::test]
async fn the_detail_view_lists_the_requesters_earlier_requests_for_the_same_target() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let ben = signed_in(&harness, BEN).await;
    let chloe = signed_in(&harness, CHLOE).await;
    let prod_db = || group_target(PROD_DB, GroupAccess::Member);

    let first = ask(&ada, prod_db(), "CHG-1").await;
    let inbox = chloe.list_approvals().await.unwrap().items;
    let denied = chloe
        .decide(vec![decision(
            waiting(&inbox, &first),
            false,
            "Not during the freeze",
        )])
        .await
        .unwrap()
        .remove(0);
    assert!(denied.decided, "{denied:?}");

    // Ada is told why.
    let mine = ada.list_requests().await.unwrap().items;
    let told = mine.iter().find(|r| r.id == first).unwrap();
    assert_eq!(told.status, RequestStatus::Denied);
    assert_eq!(
        told.decision_reason.as_deref(),
        Some("Not during the freeze")
    );

    let second = ask(&ada, prod_db(), "CHG-2").await;
    let bens = ask(&ben, prod_db(), "CHG-3").await;
    let role = ask(
        &ada,
        Target::DirectoryRole {
            role_definition_id: EXCHANGE_ADMIN.into(),
            directory_scope_id: "/".into(),
        },
        "CHG-4",
    )
    .await;
    let inbox = chloe.list_approvals().await.unwrap().items;
    let item = waiting(&inbox, &second);

    let history = chloe
        .approval_history(&item.target, &item.requester.id, &item.request_id)
        .await
        .unwrap();
    assert!(history.available && history.note.is_none(), "{history:?}");
    let ids: Vec<&str> = history.requests.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![first.as_str()],
        "only Ada's earlier Prod DB request: {history:?}"
    );
    let earlier = &history.requests[0];
    assert_eq!(earlier.status, RequestStatus::Denied);
    assert_eq!(earlier.name.as_deref(), Some("Prod DB Admins"));
    assert_eq!(earlier.ticket_number.as_deref(), Some("CHG-1"));
    assert_eq!(
        earlier.decision_reason.as_deref(),
        Some("Not during the freeze")
    );

    // Ben's history for the group is his own: nothing earlier.
    let ben_item = waiting(&inbox, &bens);
    let history = chloe
        .approval_history(
            &ben_item.target,
            &ben_item.requester.id,
            &ben_item.request_id,
        )
        .await
        .unwrap();
    assert!(
        history.available && history.requests.is_empty(),
        "{history:?}"
    );

    // A role: the same list on the role plane; Ada asked for Exchange Administrator once.
    let role_item = waiting(&inbox, &role);
    let history = chloe
        .approval_history(
            &role_item.target,
            &role_item.requester.id,
            &role_item.request_id,
        )
        .await
        .unwrap();
    assert!(
        history.available && history.requests.is_empty(),
        "{history:?}"
    );
}

#[tokio::test]
async fn azure_says_it_has_no_history_for_approvers_and_bad_ids_are_refused() {
    let harness = Harness::start(fast_options()).await;
    let chloe = signed_in(&harness, CHLOE).await;
    let azure = Target::AzureRole {
        scope: "/subscriptions/5f1c2a3e-8b7d-4c9e-a1f2-3d4e5f607182".into(),
        role_definition_id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635".into(),
    };
    let history = chloe.approval_history(&azure, ADA_ID, "x").await.unwrap();
    assert!(!history.available && history.requests.is_empty());
    assert!(history
        .note
        .unwrap()
        .contains("Azure doesn't let an approver"));

    let hostile = chloe
        .approval_history(
            &group_target(PROD_DB, GroupAccess::Member),
            "x' or principalId ne 'y",
            "x",
        )
        .await
        .unwrap_err();
    assert_eq!(hostile.code, latchkey_core::ErrorCode::InvalidInput);
}

#[tokio::test]
async fn a_reason_that_failed_to_load_once_is_read_again_later() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let chloe = signed_in(&harness, CHLOE).await;
    let id = ask(&ada, group_target(PROD_DB, GroupAccess::Member), "CHG-5").await;
    let inbox = chloe.list_approvals().await.unwrap().items;
    chloe
        .decide(vec![decision(waiting(&inbox, &id), false, "Wrong ticket")])
        .await
        .unwrap();
    control(
        &harness,
        "/_sandbox/faults",
        serde_json::json!({ "method": "GET", "pathContains": "assignmentApprovals", "kind": "serverError", "count": 1 }),
    )
    .await;
    let first = ada.list_requests().await.unwrap().items;
    let first = first.iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        first.status,
        RequestStatus::Denied,
        "the status stands without the reason"
    );
    assert_eq!(first.decision_reason, None);
    let again = ada.list_requests().await.unwrap().items;
    let again = again.iter().find(|r| r.id == id).unwrap();
    assert_eq!(again.decision_reason.as_deref(), Some("Wrong ticket"));
}
