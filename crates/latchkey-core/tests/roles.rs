//! Directory roles through the core, over real HTTP against the sandbox: the same activation,
//! deactivation, approval and cancel paths as groups, scopes kept, and step-up in place (silent
//! when the session allows it, else in the browser) with the request resent exactly once.

mod common;

use std::sync::Arc;

use common::*;
use latchkey_core::model::{ActivationInput, Plane, RequestStatus, Target};
use latchkey_core::ErrorCode;
use serde_json::json;

const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
const APP_ADMIN: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const BERLIN_AU: &str = "/administrativeUnits/4f4b7e0d-5a8c-4a55-9d3e-3b6f2c1a8e21";

fn role(id: &str, scope: &str) -> Target {
    Target::DirectoryRole {
        role_definition_id: id.into(),
        directory_scope_id: scope.into(),
    }
}

fn input(target: Target, minutes: u32) -> ActivationInput {
    ActivationInput {
        target,
        duration_minutes: minutes,
        justification: Some("Quarterly access review".into()),
        ticket_number: None,
        ticket_system: None,
        start_at: None,
    }
}

#[tokio::test]
async fn a_role_activates_counts_down_and_deactivates_after_five_minutes() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in_and_listed(&harness, ADA).await;
    let reader = role(GLOBAL_READER, "/");
    let outcome = ada
        .activate(vec![input(reader.clone(), 120)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        status(&outcome),
        Ok(RequestStatus::Provisioned),
        "{outcome:?}"
    );
    let active = ada.list_activations().await.unwrap().items;
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].target, reader);
    assert_eq!(active[0].name.as_deref(), Some("Global Reader"));
    assert_eq!(active[0].scope_name.as_deref(), Some("Directory"));
    let end = chrono::DateTime::parse_from_rfc3339(active[0].end_date_time.as_deref().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let left = end - chrono::Utc::now();
    assert!(left > chrono::Duration::minutes(119), "{left}");

    let again = ada
        .activate(vec![input(reader.clone(), 60)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(status(&again), Err(ErrorCode::AlreadyActive));
    let early = ada.deactivate(&reader).await.unwrap();
    assert_eq!(status(&early), Err(ErrorCode::TooSoonToDeactivate));
    harness
        .sandbox
        .state()
        .clock
        .advance(chrono::Duration::minutes(6));
    let done = ada.deactivate(&reader).await.unwrap();
    assert_eq!(status(&done), Ok(RequestStatus::Revoked));
    assert!(ada.list_activations().await.unwrap().items.is_empty());
}

#[tokio::test]
async fn an_administrative_unit_scope_is_kept_and_its_policy_enforced_locally() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in_and_listed(&harness, ADA).await;
    let berlin = role(USER_ADMIN, BERLIN_AU);
    let before = ada.round_trips();
    let too_long = ada
        .activate(vec![input(berlin.clone(), 90)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(status(&too_long), Err(ErrorCode::InvalidInput));
    assert_eq!(ada.round_trips(), before, "refused before sending");
    // The same role at the tenant scope is not Ada's: PIM says so.
    let tenant_wide = ada
        .activate(vec![input(role(USER_ADMIN, "/"), 30)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(status(&tenant_wide), Err(ErrorCode::PolicyRejected));

    let outcome = ada
        .activate(vec![input(berlin.clone(), 60)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(status(&outcome), Ok(RequestStatus::Provisioned));
    let active = ada.list_activations().await.unwrap().items;
    assert_eq!(active[0].target, berlin);
    assert_eq!(active[0].label(), "User Administrator (Berlin office)");
}

#[tokio::test]
async fn an_approval_gated_role_waits_then_the_approver_decides_on_beta_steps() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in_and_listed(&harness, ADA).await;
    let chloe = signed_in_and_listed(&harness, "chloe@fabrikam.example").await;
    let exchange = role(EXCHANGE_ADMIN, "/");
    let mut ask = input(exchange.clone(), 120);
    ask.ticket_number = Some("CHG-21".into());
    let outcome = ada.activate(vec![ask.clone()]).await.unwrap().remove(0);
    assert_eq!(status(&outcome), Ok(RequestStatus::PendingApproval));
    assert!(
        ada.list_activations().await.unwrap().items.is_empty(),
        "201 is not active"
    );

    let inbox = chloe.list_approvals().await.unwrap();
    assert!(inbox.unavailable.is_empty(), "{:?}", inbox.unavailable);
    let item = inbox
        .items
        .iter()
        .find(|i| i.target.plane() == Plane::DirectoryRole)
        .expect("the role request waits for Chloé");
    assert_eq!(item.name.as_deref(), Some("Exchange Administrator"));
    assert_eq!(item.ticket_number.as_deref(), Some("CHG-21"));
    assert_eq!(item.requester.display_name.as_deref(), Some("Ada Okafor"));
    let decided = chloe
        .decide(vec![decision(item, true, "Change CHG-21 is approved")])
        .await
        .unwrap()
        .remove(0);
    assert!(decided.decided, "{decided:?}");
    let active = ada.list_activations().await.unwrap().items;
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].target, exchange);

    // A second request while active is refused; a fresh pending one can be canceled.
    harness
        .sandbox
        .state()
        .clock
        .advance(chrono::Duration::hours(3));
    let pending = ada.activate(vec![ask]).await.unwrap().remove(0);
    assert_eq!(status(&pending), Ok(RequestStatus::PendingApproval));
    ada.cancel_request(Plane::DirectoryRole, pending.request_id.as_deref().unwrap())
        .await
        .unwrap();
    let mine = ada.list_requests().await.unwrap().items;
    let canceled = mine
        .iter()
        .find(|r| Some(&r.id) == pending.request_id.as_ref())
        .unwrap();
    assert_eq!(canceled.status, RequestStatus::Canceled);
    assert_eq!(canceled.name.as_deref(), Some("Exchange Administrator"));
}

#[tokio::test]
async fn a_lost_role_response_is_reconciled_without_a_duplicate() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in_and_listed(&harness, ADA).await;
    fault(
        &harness,
        "POST",
        "roleAssignmentScheduleRequests",
        json!("loseResponse"),
        1,
    )
    .await;
    let reader = role(GLOBAL_READER, "/");
    let outcome = activate_one(&ada, input(reader.clone(), 60)).await;
    assert_eq!(
        status(&outcome),
        Ok(RequestStatus::Provisioned),
        "{outcome:?}"
    );
    assert_eq!(requests_for(&ada, &reader).await, 1);
}

#[tokio::test]
async fn mfa_is_asked_for_in_the_browser_and_the_same_request_is_sent_once_more() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in_and_listed(&harness, ADA).await;
    let wanted = vec![
        input(role(SECURITY_READER, "/"), 60),
        input(role(GLOBAL_READER, "/"), 60),
    ];
    // A password-only session cannot get MFA silently: the person is needed.
    let outcomes = ada.activate(wanted.clone()).await.unwrap();
    assert_eq!(status(&outcomes[0]), Err(ErrorCode::StepUpRequired));
    assert_eq!(status(&outcomes[1]), Ok(RequestStatus::Provisioned));

    let before = ada.list_requests().await.unwrap().items.len();
    let opened = Arc::new(std::sync::Mutex::new(
        None::<tokio::task::JoinHandle<(u16, String)>>,
    ));
    let browser = opened.clone();
    let retried = ada
        .step_up_and_activate(vec![wanted[0].clone()], move |url| {
            let url = url.to_owned();
            *browser.lock().unwrap() = Some(tokio::spawn(async move {
                play_browser(&url, ADA, "approve").await
            }));
            Ok(())
        })
        .await
        .unwrap();
    let browser_task = opened.lock().unwrap().take().unwrap();
    let page = browser_task.await.unwrap();
    assert_eq!(page.0, 200, "{}", page.1);
    assert_eq!(
        status(&retried[0]),
        Ok(RequestStatus::Provisioned),
        "{retried:?}"
    );
    let after = ada.list_requests().await.unwrap().items.len();
    assert_eq!(after, before + 1, "exactly one more request");

    // The stepped-up session now satisfies the auth context silently: resent once, at once.
    let app_admin = ada
        .activate(vec![input(role(APP_ADMIN, "/"), 60)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        status(&app_admin),
        Ok(RequestStatus::Provisioned),
        "{app_admin:?}"
    );
}

#[tokio::test]
async fn a_cancelled_browser_step_up_says_so_and_sends_nothing() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in_and_listed(&harness, ADA).await;
    let wanted = vec![input(role(SECURITY_READER, "/"), 60)];
    let first = ada.activate(wanted.clone()).await.unwrap().remove(0);
    assert_eq!(status(&first), Err(ErrorCode::StepUpRequired));
    let before = ada.round_trips();
    let waiting = {
        let ada = ada.clone();
        tokio::spawn(async move { ada.step_up_and_activate(wanted, |_| Ok(())).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    ada.cancel_step_up();
    let error = waiting.await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInCancelled);
    assert_eq!(ada.round_trips(), before, "nothing reached Graph");
}
