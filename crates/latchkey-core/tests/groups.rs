//! Listing eligible PIM group memberships over real HTTP against the sandbox tenant.

mod common;

use common::*;
use latchkey_core::model::{GroupAccess, Target};
use latchkey_core::ErrorCode;
use latchkey_sandbox::SandboxOptions;

#[tokio::test]
async fn lists_the_signed_in_users_eligible_groups_across_pages() {
    // Two items per page: the five eligibilities take three pages.
    let harness = Harness::start(SandboxOptions {
        page_size: 2,
        ..fast_options()
    })
    .await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    let before = latchkey.round_trips();
    let groups = groups_of(&latchkey).await;
    // Three pages of eligibilities, then all five groups' policies in one $batch.
    assert_eq!(
        latchkey.round_trips() - before,
        3 + 1,
        "one request per page, one batch of policies"
    );
    let names: Vec<_> = groups
        .iter()
        .map(|g| g.name.as_deref().unwrap_or("?"))
        .collect();
    assert_eq!(
        names,
        [
            "Kubernetes Cluster Admins",
            "On-call Responders",
            "Payments Console Admins",
            "Platform Engineers",
            "Prod DB Admins"
        ]
    );
    let platform = groups
        .iter()
        .find(|g| g.name.as_deref() == Some("Platform Engineers"))
        .unwrap();
    assert_eq!(
        platform.target,
        group_target("030de017-682a-48ed-8ca2-9ec91fb8101a", GroupAccess::Owner)
    );
    assert_eq!(platform.end_date_time, None);
    let payments = groups
        .iter()
        .find(|g| g.name.as_deref() == Some("Payments Console Admins"))
        .unwrap();
    assert!(matches!(
        payments.target,
        Target::Group {
            access: GroupAccess::Member,
            ..
        }
    ));
    let end =
        chrono::DateTime::parse_from_rfc3339(payments.end_date_time.as_deref().unwrap()).unwrap();
    let days_left = (end.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!((4..=5).contains(&days_left), "ends in {days_left} days");
    assert!(groups.iter().all(|g| g.description.is_some()));
}

#[tokio::test]
async fn another_user_sees_only_their_own_eligibilities() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, "ben@fabrikam.example").await;
    let groups = groups_of(&latchkey).await;
    let names: Vec<_> = groups.iter().filter_map(|g| g.name.as_deref()).collect();
    assert_eq!(names, ["Data Lake Contributors", "Prod DB Admins"]);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_silently() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    assert_eq!(groups_of(&latchkey).await.len(), 5);
    // Two hours later (virtual time) the cached access token is expired at the service.
    harness
        .sandbox
        .state()
        .clock
        .advance(chrono::Duration::hours(2));
    let before = latchkey.round_trips();
    let groups = groups_of(&latchkey).await;
    assert_eq!(groups.len(), 5);
    // 401, refresh, retry; then the policies' batch with the new token.
    assert_eq!(latchkey.round_trips() - before, 3 + 1);
}

#[tokio::test]
async fn listing_before_sign_in_says_sign_in_first() {
    let harness = Harness::start(fast_options()).await;
    let error = harness.latchkey().list_eligibilities().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn a_policy_throttled_inside_the_batch_is_read_again_on_its_own() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    control(
        &harness,
        "/_sandbox/faults",
        serde_json::json!({ "method": "GET", "pathContains": "roleManagementPolicyAssignments",
                            "kind": { "throttle": { "retryAfter": 0 } }, "count": 1 }),
    )
    .await;
    let before = latchkey.round_trips();
    let groups = groups_of(&latchkey).await;
    assert!(
        groups.iter().all(|g| g.requirements.known),
        "every policy was read in the end"
    );
    // One page of eligibilities, the batch, and the throttled policy read again by itself.
    assert_eq!(latchkey.round_trips() - before, 1 + 1 + 1);
}
