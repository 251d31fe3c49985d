//! Listing what the signed-in user is eligible for, on every plane, over real HTTP against the
//! sandbox tenant: names, scopes, requirements, paging, and the round trips it costs.

mod common;

use common::*;
use latchkey_core::model::{Eligibility, GroupAccess, Plane, Target};
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
    // Per Graph plane (the planes are read concurrently): three pages of eligibilities (five
    // groups, six roles). Groups: then their policies in one $batch. Roles: with no role
    // policy cached, every role's policy is listed alongside the eligibilities, needing no
    // role ids — the tenant's role definitions at two a page, six pages. ARM: one refresh
    // grant for its own token (one resource per token), three pages of six Azure
    // eligibilities, then one policy read per (scope, role) — six, ARM has no $batch.
    assert_eq!(
        latchkey.round_trips() - before,
        (3 + 1) + (3 + 6) + (1 + 3 + 6),
        "one request per page, group policies in one batch, role policies listed, one read per Azure policy"
    );
    // Warm: the lists only, role policies from the cache.
    let before = latchkey.round_trips();
    groups_of(&latchkey).await;
    assert_eq!(latchkey.round_trips() - before, 3 + 3 + 3);
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
    // Both Graph planes' first reads get 401 on the old token; they share ONE refresh and
    // retry. ARM's token expired too: its first read gets 401, one refresh of its own, the
    // retry. Policies were read minutes ago (the client's clock): none are read again.
    assert_eq!(latchkey.round_trips() - before, (2 + 1 + 2) + (1 + 1 + 1));
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
    fault(
        &harness,
        "GET",
        "policies/roleManagementPolicyAssignments",
        serde_json::json!({ "throttle": { "retryAfter": 0 } }),
        1,
    )
    .await;
    let before = latchkey.round_trips();
    let all = latchkey.list_eligibilities().await.unwrap().items;
    assert!(
        all.iter().all(|g| g.requirements.known),
        "every policy was read in the end"
    );
    // Per Graph plane one page of eligibilities and one batch; the one throttled policy read
    // again by itself. ARM: its token's refresh grant, one page, six policy reads.
    assert_eq!(
        latchkey.round_trips() - before,
        (1 + 1) + (1 + 1) + 1 + (1 + 1 + 6)
    );
}

const BERLIN_AU: &str = "/administrativeUnits/4f4b7e0d-5a8c-4a55-9d3e-3b6f2c1a8e21";

#[tokio::test]
async fn directory_roles_are_listed_with_their_scope_and_policy() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    let listing = latchkey.list_eligibilities().await.unwrap();
    assert!(listing.unavailable.is_empty(), "{:?}", listing.unavailable);
    let roles: Vec<&Eligibility> = listing
        .items
        .iter()
        .filter(|e| e.target.plane() == Plane::DirectoryRole)
        .collect();
    let names: Vec<(&str, &str)> = roles
        .iter()
        .map(|r| {
            (
                r.name.as_deref().unwrap_or("?"),
                r.scope_name.as_deref().unwrap_or("?"),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Application Administrator", "Directory"),
            ("Exchange Administrator", "Directory"),
            ("Global Reader", "Directory"),
            ("Helpdesk Administrator", "Directory"),
            ("Security Reader", "Directory"),
            ("User Administrator", "Berlin office"),
        ]
    );
    let by_name = |name: &str| {
        *roles
            .iter()
            .find(|r| r.name.as_deref() == Some(name))
            .unwrap()
    };
    let user_admin = by_name("User Administrator");
    assert_eq!(
        user_admin.target,
        Target::DirectoryRole {
            role_definition_id: "fe930be7-5e62-47db-91af-98c3a49a38b1".into(),
            directory_scope_id: BERLIN_AU.into()
        }
    );
    assert_eq!(user_admin.requirements.max_duration_minutes, Some(60));
    let exchange = by_name("Exchange Administrator").requirements.clone();
    assert!(exchange.approval && exchange.ticket && exchange.justification);
    assert!(by_name("Security Reader").requirements.mfa);
    assert_eq!(
        by_name("Application Administrator")
            .requirements
            .authentication_context
            .as_deref(),
        Some("c1")
    );
    let helpdesk_end = by_name("Helpdesk Administrator")
        .end_date_time
        .as_deref()
        .unwrap();
    let days_left = (chrono::DateTime::parse_from_rfc3339(helpdesk_end)
        .unwrap()
        .with_timezone(&chrono::Utc)
        - chrono::Utc::now())
    .num_days();
    assert!(
        (2..=3).contains(&days_left),
        "expires soon: {days_left} days"
    );
}

#[tokio::test]
async fn a_plane_the_service_refuses_is_reported_and_the_others_still_listed() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    fault(
        &harness,
        "GET",
        "directory/roleEligibilityScheduleInstances",
        serde_json::json!("unavailable"),
        10,
    )
    .await;
    let listing = latchkey.list_eligibilities().await.unwrap();
    assert_eq!(
        listing
            .unavailable
            .iter()
            .map(|u| (u.plane, u.error.code))
            .collect::<Vec<_>>(),
        [(Plane::DirectoryRole, ErrorCode::ServiceError)]
    );
    assert_eq!(
        listing.items.len(),
        5 + 6,
        "the five groups and six Azure roles are still there"
    );
}

/// One listing's round trips.
async fn listing_round_trips(latchkey: &std::sync::Arc<latchkey_core::Latchkey>) -> u64 {
    let before = latchkey.round_trips();
    latchkey.list_eligibilities().await.expect("listed");
    latchkey.round_trips() - before
}

#[tokio::test]
async fn null_group_expansions_are_named_with_one_groups_filter_or_one_batch_of_them() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    let state = harness.sandbox.state().clone();
    listing_round_trips(&latchkey).await; // policies now cached
    let plain = listing_round_trips(&latchkey).await;

    state.set_null_group_expansions(true);
    assert_eq!(
        listing_round_trips(&latchkey).await,
        plain + 1,
        "five unnamed groups: one /groups?$filter=id in (…)"
    );
    let groups = groups_of(&latchkey).await;
    assert_eq!(groups.len(), 5);
    assert!(
        groups
            .iter()
            .all(|g| g.name.is_some() && g.description.is_some()),
        "{groups:?}"
    );
    assert_eq!(groups[0].name.as_deref(), Some("Kubernetes Cluster Admins"));

    // Seventeen groups: two filters (15 ids at most each), sent in one $batch.
    {
        let mut tenant = state.tenant_mut();
        let ada = tenant.user_by_upn(ADA).unwrap().id.clone();
        for i in 0..12 {
            let id = format!("00000000-0000-4000-8000-0000000000{i:02}");
            tenant.groups.push(latchkey_sandbox::tenant::Group {
                id: id.clone(),
                display_name: format!("Extra group {i:02}"),
                description: Some("Added by a test".into()),
                is_assignable_to_role: false,
            });
            tenant
                .group_eligibilities
                .push(latchkey_sandbox::tenant::GroupEligibility {
                    id: format!("extra-{i}"),
                    principal_id: ada.clone(),
                    group_id: id,
                    access_id: "member".into(),
                    start: None,
                    end: None,
                });
        }
    }
    state.set_null_group_expansions(false);
    listing_round_trips(&latchkey).await; // the new groups' policies now cached
    let plain = listing_round_trips(&latchkey).await;
    state.set_null_group_expansions(true);
    assert_eq!(listing_round_trips(&latchkey).await, plain + 1);
    let groups = groups_of(&latchkey).await;
    assert_eq!(groups.len(), 17);
    let unnamed: Vec<_> = groups.iter().filter(|g| g.name.is_none()).collect();
    assert!(unnamed.is_empty(), "{unnamed:?}");
    assert!(groups
        .iter()
        .any(|g| g.name.as_deref() == Some("Extra group 11")));
}
