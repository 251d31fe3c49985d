//! Activating PIM group memberships through the core, over real HTTP against the sandbox:
//! requirements from policies, honest statuses, local validation, step-up signals, the
//! 5-minute deactivation rule, cancel, bulk activation, and no duplicate on a lost response.

mod common;

use std::time::Duration;

use common::*;
use latchkey_core::model::{ActivationInput, GroupAccess, Plane, RequestStatus};
use latchkey_core::ErrorCode;
use serde_json::json;

const ONCALL: &str = "33f73669-9719-4f27-9afa-4a29fdc859ba";
const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
const PAYMENTS: &str = "da8ddf7b-f9e6-4083-a98f-1e67ee2c128d";
const K8S: &str = "720c50ef-9135-4f2d-b306-0eee8c3f0a15";
const PLATFORM: &str = "030de017-682a-48ed-8ca2-9ec91fb8101a";

fn input(group: &str, access: GroupAccess, minutes: u32) -> ActivationInput {
    ActivationInput {
        target: group_target(group, access),
        duration_minutes: minutes,
        justification: Some("Investigating INC-42".into()),
        ticket_number: None,
        ticket_system: None,
        start_at: None,
    }
}

/// Where Graph takes group activation requests (and lists mine, below it).
const GROUP_REQUESTS: &str = "group/assignmentScheduleRequests";

#[tokio::test]
async fn eligibilities_carry_their_policy_requirements() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    let list = latchkey.list_eligibilities().await.unwrap().items;
    let by_name = |name: &str| {
        list.iter()
            .find(|g| g.name.as_deref() == Some(name))
            .unwrap()
            .requirements
            .clone()
    };
    let prod = by_name("Prod DB Admins");
    assert!(prod.known && prod.justification && prod.ticket && prod.approval && !prod.mfa);
    assert_eq!(prod.max_duration_minutes, Some(240));
    let payments = by_name("Payments Console Admins");
    assert!(payments.mfa);
    assert_eq!(payments.max_duration_minutes, Some(60));
    assert_eq!(
        by_name("Kubernetes Cluster Admins")
            .authentication_context
            .as_deref(),
        Some("c1")
    );
    let oncall = by_name("On-call Responders");
    assert!(!oncall.justification && !oncall.ticket && !oncall.approval);
    assert_eq!(
        by_name("Platform Engineers").max_duration_minutes,
        Some(480)
    );
}

#[tokio::test]
async fn activate_then_deactivate_after_five_minutes() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = signed_in_and_listed(&harness, ADA).await;
    let outcomes = latchkey
        .activate(vec![input(ONCALL, GroupAccess::Member, 60)])
        .await
        .unwrap();
    assert_eq!(
        outcomes[0].status,
        Some(RequestStatus::Provisioned),
        "{outcomes:?}"
    );
    let active = latchkey.list_activations().await.unwrap().items;
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].name.as_deref(), Some("On-call Responders"));
    let end =
        chrono::DateTime::parse_from_rfc3339(active[0].end_date_time.as_deref().unwrap()).unwrap();
    let left = end.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        left > chrono::Duration::minutes(59) && left <= chrono::Duration::minutes(60),
        "{left}"
    );

    let again = latchkey
        .activate(vec![input(ONCALL, GroupAccess::Member, 60)])
        .await
        .unwrap();
    assert_eq!(
        again[0].error.as_ref().map(|e| e.code),
        Some(ErrorCode::AlreadyActive)
    );

    let early = latchkey
        .deactivate(&group_target(ONCALL, GroupAccess::Member))
        .await
        .unwrap();
    assert_eq!(
        early.error.as_ref().map(|e| e.code),
        Some(ErrorCode::TooSoonToDeactivate)
    );
    harness
        .sandbox
        .state()
        .clock
        .advance(chrono::Duration::minutes(6));
    let done = latchkey
        .deactivate(&group_target(ONCALL, GroupAccess::Member))
        .await
        .unwrap();
    assert_eq!(done.status, Some(RequestStatus::Revoked), "{done:?}");
    assert!(latchkey.list_activations().await.unwrap().items.is_empty());
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = signed_in_and_listed(&harness, ADA).await;
    let before = latchkey.round_trips();
    let mut too_long = input(PROD_DB, GroupAccess::Member, 300);
    too_long.ticket_number = Some("CHG-7".into());
    let mut no_ticket = input(PROD_DB, GroupAccess::Member, 60);
    no_ticket.justification = Some("  ".into());
    let outcomes = latchkey.activate(vec![too_long, no_ticket]).await.unwrap();
    let messages: Vec<_> = outcomes.iter().map(|o| o.error.clone().unwrap()).collect();
    assert!(
        messages.iter().all(|e| e.code == ErrorCode::InvalidInput),
        "{messages:?}"
    );
    assert_eq!(
        messages[0].message,
        "The policy allows at most 4 hours; choose a shorter duration."
    );
    assert_eq!(
        messages[1].message,
        "This activation needs a justification."
    );
    assert_eq!(
        latchkey.round_trips(),
        before,
        "nothing reached the service"
    );
}

#[tokio::test]
async fn approval_is_pending_not_active_and_can_be_canceled() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = signed_in_and_listed(&harness, ADA).await;
    let mut prod = input(PROD_DB, GroupAccess::Member, 120);
    prod.ticket_number = Some("CHG-7".into());
    prod.ticket_system = Some("ServiceNow".into());
    let outcome = latchkey.activate(vec![prod]).await.unwrap().remove(0);
    assert_eq!(outcome.status, Some(RequestStatus::PendingApproval));
    assert!(
        latchkey.list_activations().await.unwrap().items.is_empty(),
        "201 is not active"
    );
    let requests = latchkey.list_requests().await.unwrap().items;
    let pending = requests
        .iter()
        .find(|r| Some(&r.id) == outcome.request_id.as_ref())
        .unwrap();
    assert_eq!(
        (pending.status, pending.duration_minutes),
        (RequestStatus::PendingApproval, Some(120))
    );
    assert_eq!(pending.name.as_deref(), Some("Prod DB Admins"));
    assert_eq!(pending.ticket_number.as_deref(), Some("CHG-7"));

    latchkey
        .cancel_request(Plane::Group, &pending.id)
        .await
        .unwrap();
    let after = latchkey.list_requests().await.unwrap().items;
    assert_eq!(
        after.iter().find(|r| r.id == pending.id).unwrap().status,
        RequestStatus::Canceled
    );
    let error = latchkey
        .cancel_request(Plane::Group, "not a guid!")
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
}

#[tokio::test]
async fn mfa_and_authentication_context_ask_for_a_step_up_with_the_right_claims() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = signed_in_and_listed(&harness, ADA).await;
    let outcomes = latchkey
        .activate(vec![
            input(PAYMENTS, GroupAccess::Member, 30),
            input(K8S, GroupAccess::Member, 60),
        ])
        .await
        .unwrap();
    let codes: Vec<_> = outcomes
        .iter()
        .map(|o| o.error.as_ref().map(|e| e.code))
        .collect();
    assert_eq!(
        codes,
        [
            Some(ErrorCode::StepUpRequired),
            Some(ErrorCode::StepUpRequired)
        ]
    );
    assert!(outcomes[0]
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("multi-factor"));
    assert!(outcomes[1]
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("authentication context"));
}

#[tokio::test]
async fn bulk_activation_returns_outcomes_in_order() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = signed_in_and_listed(&harness, ADA).await;
    let outcomes = latchkey
        .activate(vec![
            input(PLATFORM, GroupAccess::Owner, 120),
            input(ONCALL, GroupAccess::Member, 30),
        ])
        .await
        .unwrap();
    assert_eq!(
        outcomes
            .iter()
            .map(|o| (o.target.clone(), o.status))
            .collect::<Vec<_>>(),
        [
            (
                group_target(PLATFORM, GroupAccess::Owner),
                Some(RequestStatus::Provisioned)
            ),
            (
                group_target(ONCALL, GroupAccess::Member),
                Some(RequestStatus::Provisioned)
            )
        ]
    );
    assert_eq!(latchkey.list_activations().await.unwrap().items.len(), 2);
}

#[tokio::test]
async fn a_lost_response_is_reconciled_without_a_duplicate_request() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = signed_in_and_listed(&harness, ADA).await;
    let on_call = group_target(ONCALL, GroupAccess::Member);
    // PIM processes the request, but the client only sees a 504.
    fault(&harness, "POST", GROUP_REQUESTS, json!("loseResponse"), 1).await;
    let outcome = activate_one(&latchkey, input(ONCALL, GroupAccess::Member, 60)).await;
    assert_eq!(
        outcome.status,
        Some(RequestStatus::Provisioned),
        "found by reading back: {outcome:?}"
    );
    assert_eq!(
        requests_for(&latchkey, &on_call).await,
        1,
        "exactly one request"
    );

    // A 503 before processing: nothing happened, and the user is told so.
    fault(&harness, "POST", GROUP_REQUESTS, json!("unavailable"), 1).await;
    let outcome = activate_one(&latchkey, input(PLATFORM, GroupAccess::Owner, 60)).await;
    let error = outcome.error.expect("reported as failed");
    assert!(
        error.message.contains("did not reach PIM"),
        "{}",
        error.message
    );
    assert_eq!(
        requests_for(&latchkey, &group_target(PLATFORM, GroupAccess::Owner)).await,
        0
    );
}

#[tokio::test]
async fn a_lost_response_that_cannot_be_read_back_is_outcome_unknown_and_not_resent() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = signed_in_and_listed(&harness, ADA).await;
    // PIM processes the request but the answer is lost, and the read-back fails too (a 500
    // is not retried).
    fault(&harness, "POST", GROUP_REQUESTS, json!("loseResponse"), 1).await;
    let my_requests = format!("{GROUP_REQUESTS}/filterByCurrentUser");
    fault(&harness, "GET", &my_requests, json!("serverError"), 1).await;
    let outcome = activate_one(&latchkey, input(ONCALL, GroupAccess::Member, 60)).await;
    let error = outcome.error.expect("not reported as done");
    assert_eq!(error.code, ErrorCode::OutcomeUnknown, "{}", error.message);
    assert!(error.message.contains("Refresh"), "{}", error.message);
    // It was not sent again: the one request PIM made is all there is.
    assert_eq!(
        requests_for(&latchkey, &group_target(ONCALL, GroupAccess::Member)).await,
        1
    );
}

#[tokio::test]
async fn throttled_writes_wait_for_retry_after_and_are_sent_once() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = signed_in_and_listed(&harness, ADA).await;
    let throttle = json!({ "throttle": { "retryAfter": 1 } });
    fault(&harness, "POST", GROUP_REQUESTS, throttle, 2).await;
    let started = std::time::Instant::now();
    let outcome = activate_one(&latchkey, input(ONCALL, GroupAccess::Member, 60)).await;
    assert_eq!(outcome.status, Some(RequestStatus::Provisioned));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After honoured twice"
    );
    assert_eq!(latchkey.list_requests().await.unwrap().items.len(), 1);
}
