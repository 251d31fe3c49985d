//! Another person's real ids through the core, over real HTTP against the sandbox: Ben, signed
//! in, tries to cancel Ada's pending request (groups, directory roles, Azure roles), to end her
//! active assignment and to decide her request without being its approver. Each is a typed
//! refusal, nothing an internal error, and the sandbox's request log shows Ada's requests as
//! they were.

mod common;

use std::sync::Arc;

use common::*;
use latchkey_core::ipc::AppError;
use latchkey_core::model::{ActivationInput, GroupAccess, Plane, RequestStatus, Target};
use latchkey_core::{ErrorCode, Latchkey};

const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
const ONCALL: &str = "33f73669-9719-4f27-9afa-4a29fdc859ba";
const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const BEN: &str = "ben@fabrikam.example";
const CHLOE: &str = "chloe@fabrikam.example";

fn ask(target: Target, ticket: Option<&str>) -> ActivationInput {
    ActivationInput {
        target,
        duration_minutes: 60,
        justification: Some("Failover drill".into()),
        ticket_number: ticket.map(Into::into),
        ticket_system: ticket.map(|_| "ServiceNow".into()),
        start_at: None,
    }
}

/// `who` asks for `input`, which waits for approval; the request id.
async fn pending(who: &Latchkey, input: ActivationInput) -> String {
    let outcome = who.activate(vec![input]).await.unwrap().remove(0);
    assert_eq!(
        status(&outcome),
        Ok(RequestStatus::PendingApproval),
        "{outcome:?}"
    );
    outcome.request_id.unwrap()
}

/// The status of request `id` in the sandbox's own log of `upn`'s requests.
async fn logged_status(harness: &Harness, upn: &str, id: &str) -> String {
    let log: serde_json::Value = reqwest::get(format!(
        "{}/_sandbox/requests?principal={upn}",
        harness.sandbox.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let entries = log
        .as_array()
        .or_else(|| log["requests"].as_array())
        .unwrap_or_else(|| panic!("a list of requests: {log}"));
    let entry = entries
        .iter()
        .find(|r| {
            r["id"]
                .as_str()
                .is_some_and(|logged| same_request(logged, id))
        })
        .unwrap_or_else(|| panic!("{id} in {upn}'s log: {log}"));
    entry["status"].as_str().unwrap().to_owned()
}

/// Whether `a` and `b` name one request: Graph ids, or an ARM request's full id and its name.
fn same_request(a: &str, b: &str) -> bool {
    let name = |id: &str| id.rsplit('/').next().unwrap_or(id).to_ascii_lowercase();
    name(a) == name(b)
}

/// One pending request on every plane, each by one of Ada and Ben, with the other signed in
/// beside them. Ada asks for a group and a directory role; Ben for an Azure role (Ada's
/// approval-gated Azure roles also want MFA, which a device-code sign-in here does not give).
struct Scene {
    harness: Harness,
    ada: Arc<Latchkey>,
    ben: Arc<Latchkey>,
    requests: Vec<Pending>,
}

#[derive(Debug)]
struct Pending {
    plane: Plane,
    id: String,
    /// Whose request it is: `ADA` or `BEN`.
    owner: &'static str,
}

impl Scene {
    /// `error` has `code` and a sentence saying `says`, and the sandbox still logs `request`
    /// as pending.
    async fn assert_refused(
        &self,
        request: &Pending,
        error: &AppError,
        code: ErrorCode,
        says: &str,
    ) {
        assert_eq!(error.code, code, "{request:?}: {error:?}");
        assert!(
            error.message.contains(says),
            "{request:?}: {}",
            error.message
        );
        assert_eq!(
            logged_status(&self.harness, request.owner, &request.id).await,
            "PendingApproval",
            "{request:?}"
        );
    }

    /// The owner of `request` and the other person.
    fn owner_and_intruder(&self, request: &Pending) -> (&Latchkey, &Latchkey) {
        if request.owner == ADA {
            (&self.ada, &self.ben)
        } else {
            (&self.ben, &self.ada)
        }
    }
}

async fn scene() -> Scene {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let ben = signed_in(&harness, BEN).await;
    let contributor = ben
        .list_eligibilities()
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|e| {
            e.name.as_deref() == Some("Contributor")
                && e.scope_name.as_deref() == Some("rg-data-prod (resource group)")
        })
        .expect("Ben is eligible for Contributor on rg-data-prod");
    let exchange = Target::DirectoryRole {
        role_definition_id: EXCHANGE_ADMIN.into(),
        directory_scope_id: "/".into(),
    };
    let requests = vec![
        Pending {
            plane: Plane::Group,
            id: pending(
                &ada,
                ask(group_target(PROD_DB, GroupAccess::Member), Some("CHG-7")),
            )
            .await,
            owner: ADA,
        },
        Pending {
            plane: Plane::DirectoryRole,
            id: pending(&ada, ask(exchange, Some("CHG-21"))).await,
            owner: ADA,
        },
        Pending {
            plane: Plane::AzureRole,
            id: pending(&ben, ask(contributor.target, Some("CHG-31"))).await,
            owner: BEN,
        },
    ];
    Scene {
        harness,
        ada,
        ben,
        requests,
    }
}

#[tokio::test]
async fn nobody_cancels_another_persons_pending_request_on_any_plane() {
    let scene = scene().await;
    for request in &scene.requests {
        let (owner, intruder) = scene.owner_and_intruder(request);
        let error = intruder
            .cancel_request(request.plane, &request.id)
            .await
            .unwrap_err();
        // PIM answers 404 (it shows nobody another person's requests); the core says so.
        let error = AppError::from(error);
        scene
            .assert_refused(request, &error, ErrorCode::InvalidInput, "someone else's")
            .await;
        assert!(is_signed_in(&intruder.snapshot().session));
        // The owner's own listing agrees, and the owner still can cancel it.
        let mine = owner.list_requests().await.unwrap().items;
        let listed = mine.iter().find(|r| r.id == request.id).unwrap();
        assert_eq!(listed.status, RequestStatus::PendingApproval);
        owner
            .cancel_request(request.plane, &request.id)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn nobody_decides_a_request_they_do_not_approve() {
    let scene = scene().await;
    // Chloé approves all three; her inbox holds the real approval ids (ARM's are not the
    // request's).
    let chloe = signed_in(&scene.harness, CHLOE).await;
    let inbox = chloe.list_approvals().await.unwrap().items;
    assert_eq!(inbox.len(), 3, "{inbox:?}");
    for request in &scene.requests {
        let (_, intruder) = scene.owner_and_intruder(request);
        let item = inbox
            .iter()
            .find(|i| same_request(&i.request_id, &request.id))
            .unwrap_or_else(|| panic!("{request:?} in Chloé's inbox"));
        assert!(
            intruder.list_approvals().await.unwrap().items.is_empty(),
            "not the intruder's to decide"
        );
        let outcome = intruder
            .decide(vec![decision(item, true, "Looks fine to me")])
            .await
            .unwrap()
            .remove(0);
        assert!(!outcome.decided, "{outcome:?}");
        let error = outcome.error.as_ref().expect("a refusal");
        scene
            .assert_refused(
                request,
                error,
                ErrorCode::Forbidden,
                "not one of its approvers",
            )
            .await;
    }
    assert_eq!(
        chloe.list_approvals().await.unwrap().items.len(),
        3,
        "all still wait for Chloé"
    );
}

#[tokio::test]
async fn ben_cannot_end_adas_active_membership() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let ben = signed_in(&harness, BEN).await;
    let on_call = group_target(ONCALL, GroupAccess::Member);
    let outcome = ada
        .activate(vec![ask(on_call.clone(), None)])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(status(&outcome), Ok(RequestStatus::Provisioned));
    let active = ada.list_activations().await.unwrap().items;
    let hers = active.iter().find(|a| a.target.same(&on_call)).unwrap();
    harness
        .sandbox
        .state()
        .clock
        .advance(chrono::Duration::minutes(6));

    // The core deactivates the signed-in person's own assignment: Ben's, which does not exist.
    let refused = ben.deactivate(&hers.target).await.unwrap();
    assert_eq!(status(&refused), Err(ErrorCode::NotActive), "{refused:?}");
    let still = ada.list_activations().await.unwrap().items;
    assert!(still.iter().any(|a| a.id == hers.id), "{still:?}");
    assert_eq!(
        logged_status(&harness, ADA, outcome.request_id.as_deref().unwrap()).await,
        "Provisioned"
    );
}
