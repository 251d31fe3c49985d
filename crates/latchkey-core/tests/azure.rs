//! Azure resource roles through the core, over real HTTP against the sandbox's ARM: listed
//! with names and scopes beside the Graph planes, activated and counted down, deactivated
//! after five minutes, approved on their stage, canceled, a lost PUT answer resent under the
//! same GUID (exactly one request), and an ARM outage that leaves the Graph planes listed.

mod common;

use std::sync::Arc;

use common::*;
use latchkey_core::model::{ActivationInput, Eligibility, Plane, RequestStatus, Target};
use latchkey_core::{ErrorCode, Latchkey};
use serde_json::json;

const BEN: &str = "ben@fabrikam.example";
const CHLOE: &str = "chloe@fabrikam.example";

async fn azure_eligibilities(latchkey: &Latchkey) -> Vec<Eligibility> {
    let listing = latchkey.list_eligibilities().await.unwrap();
    assert!(listing.unavailable.is_empty(), "{:?}", listing.unavailable);
    listing
        .items
        .into_iter()
        .filter(|e| e.target.plane() == Plane::AzureRole)
        .collect()
}

/// The eligibility for `role` at the scope named `scope_name`, as listed.
fn find<'a>(list: &'a [Eligibility], role: &str, scope_name: &str) -> &'a Eligibility {
    list.iter()
        .find(|e| e.name.as_deref() == Some(role) && e.scope_name.as_deref() == Some(scope_name))
        .unwrap_or_else(|| panic!("{role} on {scope_name} in {list:#?}"))
}

fn input(target: &Target, minutes: u32, ticket: Option<&str>) -> ActivationInput {
    ActivationInput {
        target: target.clone(),
        duration_minutes: minutes,
        justification: Some("Deploy payments hotfix".into()),
        ticket_number: ticket.map(str::to_owned),
        ticket_system: ticket.map(|_| "ServiceNow".to_owned()),
        start_at: None,
    }
}

#[tokio::test]
async fn azure_roles_are_listed_with_names_scopes_and_policies_in_one_listing() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let before = ada.round_trips();
    let all = azure_eligibilities(&ada).await;
    // A full listing, the three planes concurrently: Graph groups and roles each one page and
    // one $batch of policies; ARM one refresh grant for its own token, one page of six
    // eligibilities and one policy read per (scope, role) — six.
    assert_eq!(ada.round_trips() - before, (1 + 1) + (1 + 1) + (1 + 1 + 6));
    assert_eq!(all.len(), 6);
    // A refresh minutes later: the policies are remembered, only the three lists are read.
    let before = ada.round_trips();
    let again = azure_eligibilities(&ada).await;
    assert_eq!(
        ada.round_trips() - before,
        1 + 1 + 1,
        "warm: one page per plane"
    );
    assert_eq!(
        again.iter().map(|e| &e.requirements).collect::<Vec<_>>(),
        all.iter().map(|e| &e.requirements).collect::<Vec<_>>()
    );
    let contributor = find(&all, "Contributor", "rg-payments-prod (resource group)");
    assert_eq!(contributor.requirements.max_duration_minutes, Some(240));
    assert!(contributor.requirements.justification && !contributor.requirements.approval);
    let reader = find(&all, "Reader", "Fabrikam Production (subscription)");
    assert_eq!(reader.requirements.max_duration_minutes, Some(480));
    assert!(!reader.requirements.justification && !reader.requirements.mfa);
    assert_eq!(reader.end_date_time, None, "permanent eligibility");
    let owner = find(&all, "Owner", "rg-data-prod (resource group)");
    let r = &owner.requirements;
    assert!(r.approval && r.mfa && r.ticket, "{r:?}");
    let secrets = find(
        &all,
        "Key Vault Secrets Officer",
        "rg-payments-prod (resource group)",
    );
    assert_eq!(secrets.requirements.max_duration_minutes, Some(60));
    let inherited = find(
        &all,
        "Storage Blob Data Contributor",
        "rg-data-prod (resource group)",
    );
    assert_eq!(inherited.member_type, "Group");
    let Target::AzureRole {
        scope,
        role_definition_id,
    } = &contributor.target
    else {
        panic!("{:?}", contributor.target)
    };
    assert!(scope.ends_with("/resourceGroups/rg-payments-prod"));
    assert!(role_definition_id.ends_with("/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"));
}

#[tokio::test]
async fn an_azure_role_activates_counts_down_and_deactivates_after_five_minutes() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let all = azure_eligibilities(&ada).await;
    let target = find(&all, "Contributor", "rg-payments-prod (resource group)")
        .target
        .clone();
    let outcome = ada
        .activate(vec![input(&target, 60, None)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        status(&outcome),
        Ok(RequestStatus::Provisioned),
        "{outcome:?}"
    );
    let active: Vec<_> = ada
        .list_activations()
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|a| a.target.plane() == Plane::AzureRole)
        .collect();
    assert_eq!(active.len(), 1);
    assert!(active[0].target.same(&target));
    assert_eq!(
        active[0].label(),
        "Contributor on rg-payments-prod (resource group)"
    );
    let end = chrono::DateTime::parse_from_rfc3339(active[0].end_date_time.as_deref().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let left = end - chrono::Utc::now();
    assert!(
        left > chrono::Duration::minutes(59) && left <= chrono::Duration::minutes(60),
        "{left}"
    );

    let early = ada.deactivate(&target).await.unwrap();
    assert_eq!(status(&early), Err(ErrorCode::TooSoonToDeactivate));
    harness
        .sandbox
        .state()
        .clock
        .advance(chrono::Duration::minutes(6));
    let done = ada.deactivate(&target).await.unwrap();
    assert_eq!(status(&done), Ok(RequestStatus::Revoked), "{done:?}");
    let still: Vec<_> = ada.list_activations().await.unwrap().items;
    assert!(
        still.iter().all(|a| a.target.plane() != Plane::AzureRole),
        "{still:?}"
    );
}

#[tokio::test]
async fn chloe_approves_bens_azure_request_on_its_stage_and_a_pending_one_cancels() {
    let harness = Harness::start(fast_options()).await;
    let ben = signed_in(&harness, BEN).await;
    let all = azure_eligibilities(&ben).await;
    let target = find(&all, "Contributor", "rg-data-prod (resource group)")
        .target
        .clone();
    assert!(
        find(&all, "Contributor", "rg-data-prod (resource group)")
            .requirements
            .approval
    );

    // One pending request, canceled.
    let first = ben
        .activate(vec![input(&target, 120, Some("CHG-12"))])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        status(&first),
        Ok(RequestStatus::PendingApproval),
        "{first:?}"
    );
    let id = first.request_id.clone().unwrap();
    ben.cancel_request(Plane::AzureRole, &id).await.unwrap();
    let mine = ben.list_requests().await.unwrap().items;
    let canceled = mine.iter().find(|r| r.id == id).unwrap();
    assert_eq!(canceled.status, RequestStatus::Canceled);
    assert_eq!(
        canceled.scope_name.as_deref(),
        Some("rg-data-prod (resource group)")
    );

    // Another, approved by Chloé.
    let second = ben
        .activate(vec![input(&target, 120, Some("CHG-13"))])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(status(&second), Ok(RequestStatus::PendingApproval));
    let chloe = signed_in(&harness, CHLOE).await;
    let inbox = chloe.list_approvals().await.unwrap();
    assert!(inbox.unavailable.is_empty(), "{:?}", inbox.unavailable);
    let item = inbox
        .items
        .iter()
        .find(|i| i.target.plane() == Plane::AzureRole)
        .expect("Ben's request waits for Chloé");
    assert_eq!(item.requester.display_name.as_deref(), Some("Ben Tanaka"));
    assert_eq!(item.ticket_number.as_deref(), Some("CHG-13"));
    assert_eq!(item.duration_minutes, Some(120));
    let decided = chloe
        .decide(vec![decision(item, true, "Ticket checked")])
        .await
        .unwrap()
        .remove(0);
    assert!(decided.decided, "{decided:?}");
    let active = ben.list_activations().await.unwrap().items;
    assert!(active.iter().any(|a| a.target.same(&target)), "{active:?}");
}

#[tokio::test]
async fn a_lost_put_answer_is_resent_under_the_same_guid_and_makes_one_request() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let all = azure_eligibilities(&ada).await;
    let target = find(
        &all,
        "Key Vault Secrets Officer",
        "rg-payments-prod (resource group)",
    )
    .target
    .clone();
    fault(
        &harness,
        "PUT",
        "roleAssignmentScheduleRequests",
        json!("loseResponse"),
        1,
    )
    .await;
    let before = ada.round_trips();
    let outcome = ada
        .activate(vec![input(&target, 30, None)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        status(&outcome),
        Ok(RequestStatus::Provisioned),
        "{outcome:?}"
    );
    // The PUT whose answer was lost, and the same PUT again (answered 200 with that request).
    assert_eq!(ada.round_trips() - before, 2);
    let state = harness.sandbox.state();
    let pim = state.pim();
    let azure: Vec<_> = pim
        .requests
        .iter()
        .filter(|r| r.target.plane() == latchkey_sandbox::pim::Plane::AzureRole)
        .collect();
    assert_eq!(azure.len(), 1, "exactly one request");
    assert!(
        outcome.request_id.unwrap().ends_with(&azure[0].id),
        "the GUID of the first PUT was reused"
    );
}

#[tokio::test]
async fn an_arm_outage_leaves_the_graph_planes_listed() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    fault(
        &harness,
        "GET",
        "Microsoft.Authorization/roleEligibilityScheduleInstances",
        json!("unavailable"),
        10,
    )
    .await;
    let listing = ada.list_eligibilities().await.unwrap();
    assert_eq!(
        listing
            .unavailable
            .iter()
            .map(|u| (u.plane, u.error.code))
            .collect::<Vec<_>>(),
        [(Plane::AzureRole, ErrorCode::ServiceError)]
    );
    assert_eq!(
        listing.items.len(),
        5 + 6,
        "five groups, six directory roles"
    );
}

#[tokio::test]
async fn an_azure_role_that_needs_mfa_steps_up_in_the_browser_then_arm_silently_and_is_sent_once_more(
) {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let all = azure_eligibilities(&ada).await;
    let owner = find(&all, "Owner", "rg-data-prod (resource group)")
        .target
        .clone();
    let wanted = vec![input(&owner, 60, Some("CHG-77"))];
    // A password-only session: ARM refuses for MFA, and a silent step-up cannot help.
    let first = ada.activate(wanted.clone()).await.unwrap().remove(0);
    assert_eq!(status(&first), Err(ErrorCode::StepUpRequired), "{first:?}");
    let before = ada.list_requests().await.unwrap().items.len();

    let opened = Arc::new(std::sync::Mutex::new(None));
    let browser = opened.clone();
    let retried = ada
        .step_up_and_activate(wanted, move |url| {
            let url = url.to_owned();
            *browser.lock().unwrap() = Some(tokio::spawn(async move {
                play_browser(&url, ADA, "approve").await
            }));
            Ok(())
        })
        .await
        .unwrap()
        .remove(0);
    let browser_task = opened.lock().unwrap().take().unwrap();
    let page = browser_task.await.unwrap();
    assert_eq!(page.0, 200, "{}", page.1);
    // MFA satisfied on the ARM token too: the Owner policy's next rule, approval, decides.
    assert_eq!(
        status(&retried),
        Ok(RequestStatus::PendingApproval),
        "{retried:?}"
    );
    let after = ada.list_requests().await.unwrap().items.len();
    assert_eq!(after, before + 1, "exactly one more request");
}
