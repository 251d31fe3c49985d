//! The first decision wins, even when two approvers' PATCHes cross: Chloé's decision read the
//! stage as open, Elena's landed while Chloé's was on the wire, and PIM answered Chloé 409. She is
//! told someone else already decided — no failure of hers — and Elena's decision stands.

mod common;

use std::time::Duration;

use common::*;
use latchkey_core::model::GroupAccess;
use latchkey_core::ErrorCode;
use serde_json::json;

const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";

#[tokio::test]
async fn a_patch_answered_409_is_someone_elses_decision() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    let chloe = signed_in(&harness, "chloe@fabrikam.example").await;
    let elena = signed_in(&harness, "elena@fabrikam.example").await;
    let prod_db = group_target(PROD_DB, GroupAccess::Member);
    ask_pending(&ada, prod_db, 60, ("CHG-9", None)).await;
    let for_chloe = chloe.list_approvals().await.unwrap().items.remove(0);
    let for_elena = elena.list_approvals().await.unwrap().items.remove(0);

    // The next decision PATCH (Chloé's) is held back long enough for Elena's to overtake it.
    control(
        &harness,
        "/_sandbox/faults",
        json!({ "method": "PATCH", "pathContains": "assignmentApprovals", "kind": { "latency": { "ms": 5000 } }, "count": 1 }),
    )
    .await;
    let chloes = tokio::spawn({
        let chloe = chloe.clone();
        async move {
            chloe
                .decide(vec![decision(&for_chloe, false, "Not now")])
                .await
        }
    });
    // Wait until Chloé's PATCH is the one being held (it read the stage as open before that).
    let held = async {
        loop {
            let injected =
                harness.sandbox.state().faults().describe()["injected"]["latency"].as_u64();
            if injected == Some(1) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), held)
        .await
        .expect("Chloé's PATCH never arrived");
    let elenas = elena
        .decide(vec![decision(&for_elena, true, "Drill approved")])
        .await
        .unwrap()
        .remove(0);
    assert!(elenas.decided, "{elenas:?}");

    let chloes = chloes.await.unwrap().unwrap().remove(0);
    assert!(!chloes.decided, "{chloes:?}");
    let error = chloes.error.unwrap();
    assert_eq!(error.code, ErrorCode::AlreadyDecided);
    assert!(
        error.message.contains("Already decided by someone else"),
        "{}",
        error.message
    );
    // Elena's approval stands: Ada is active.
    let active = ada.list_activations().await.unwrap().items;
    assert_eq!(active.len(), 1, "{active:?}");
}
