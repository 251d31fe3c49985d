//! A tray favourite's one-click activation over real HTTP against the sandbox: it uses the
//! justification sent last for that target (remembered in `justifications.json`), not the copy
//! taken when it was starred, and a policy that needs more opens the window instead.

mod common;

use common::*;
use latchkey_core::favourites::{one_click, Favourite, OneClick};
use latchkey_core::justifications::JustificationsFile;
use latchkey_core::model::{ActivationInput, Eligibility, RequestStatus};
use serde_json::Value;

fn scratch() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("latchkey-tray-{}", uuid::Uuid::new_v4()))
}

fn named<'a>(list: &'a [Eligibility], name: &str) -> &'a Eligibility {
    list.iter()
        .find(|e| e.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{name} is eligible"))
}

#[tokio::test]
async fn a_tray_click_sends_the_justification_typed_last_not_the_one_copied_when_starred() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    let list = latchkey.list_eligibilities().await.unwrap().items;
    let reader = named(&list, "Global Reader");
    assert!(
        reader.requirements.justification,
        "the policy wants a justification"
    );

    // Starred before any justification was typed: the copy is empty.
    let favourite = Favourite {
        target: reader.target.clone(),
        name: "Global Reader".into(),
        justification: None,
    };
    let dir = scratch();
    let memory = JustificationsFile::new(dir.join("justifications.json"));
    let decide = |memory: &JustificationsFile| {
        let remembered = memory.load().0;
        one_click(
            &favourite,
            Some(reader),
            60,
            remembered.recall(&favourite.target),
        )
    };
    assert!(
        matches!(decide(&memory), OneClick::OpenWindow(_)),
        "nothing remembered yet: the window must ask"
    );

    // Then a justification is sent from the window, for this target and another one.
    let sent = |text: &str, target| ActivationInput {
        target,
        duration_minutes: 30,
        justification: Some(text.into()),
        ticket_number: None,
        ticket_system: None,
        start_at: None,
    };
    let other = named(&list, "On-call Responders").target.clone();
    memory
        .remember(
            &[
                sent("Audit review AUD-12", reader.target.clone()),
                sent("Pager rota", other),
            ],
            chrono::Utc::now(),
        )
        .unwrap();

    let OneClick::Activate(input) = decide(&memory) else {
        panic!("a remembered justification satisfies the policy");
    };
    assert_eq!(input.justification.as_deref(), Some("Audit review AUD-12"));
    let outcome = latchkey.activate(vec![input]).await.unwrap().remove(0);
    assert_eq!(
        outcome.status,
        Some(RequestStatus::Provisioned),
        "{outcome:?}"
    );

    // What PIM recorded is the justification typed last.
    let log: Value = reqwest::get(format!("{}/_sandbox/requests", harness.sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let justifications: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["plane"] == "directoryRole" && r["action"] == "selfActivate")
        .filter_map(|r| r["justification"].as_str())
        .collect();
    assert_eq!(justifications, ["Audit review AUD-12"], "{log:#}");

    // A policy that needs a ticket and approval never activates from the tray.
    let prod = named(&list, "Prod DB Admins");
    let starred = Favourite {
        target: prod.target.clone(),
        name: "Prod DB Admins".into(),
        justification: Some("Restore drill".into()),
    };
    assert!(matches!(
        one_click(&starred, Some(prod), 60, Some("Restore drill")),
        OneClick::OpenWindow(_)
    ));
    std::fs::remove_dir_all(dir).unwrap();
}
