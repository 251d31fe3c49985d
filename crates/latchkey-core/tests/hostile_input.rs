//! Hostile and odd input through the core functions behind every IPC command that takes input
//! (`activate`, `deactivate`, `cancel_request`, `decide`), against a real sandbox, signed in
//! as Ada: empty, blank, 1 MB, control characters, RTL and emoji text; zero and huge
//! durations; broken start times; unknown ids, path tricks, and the ids of another person's
//! groups and of Ada's own request (which she cannot approve). Each case must end in success
//! or a typed error — never `Internal` (a panic in a task surfaces as that), never a hang — and
//! what validation must refuse must reach nobody: the sandbox's request log (and for ids the
//! client's round-trip count) is unchanged. The IPC layer's own decoding of arguments
//! (negative, fractional and overflowing durations, unknown planes) is checked too.
//!
//! `LATCHKEY_PROPTEST_CASES` (default 64) sets the cases per command.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use latchkey_core::model::{
    ActivationInput, DecisionInput, Eligibility, GroupAccess, Plane, RequestOutcome, Target,
};
use latchkey_core::{ErrorCode, Latchkey};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value};

const ON_CALL: &str = "On-call Responders";
const PROD_DB: &str = "Prod DB Admins";
/// Longest one call may take: the client's retries are bounded well below this.
const DEADLINE: Duration = Duration::from_secs(60);

fn cases() -> u32 {
    std::env::var("LATCHKEY_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        // Each case is real HTTP; shrinking a failure a little is enough to read it.
        max_shrink_iters: 16,
        ..Config::default()
    })
}

/// Text a person (or a hostile page) could put in a field.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just(String::new()),
        3 => Just(" \t\n ".to_owned()),
        3 => "[a-zA-Z0-9 .-]{1,40}",
        3 => "\\PC{1,80}",
        3 => "[\\x00-\\x1f\\x7f]{1,24}",
        3 => Just("\u{202E}nimda\u{202C} مرحبا שלום \u{200F}INC-42\u{200E}".to_owned()),
        3 => Just("🔥👩\u{200D}💻🏳️\u{200D}🌈 ticket 🎟️".to_owned()),
        3 => Just("a".repeat(501)),
        1 => Just("x".repeat(1 << 20)),
    ]
    .boxed()
}

/// Ids: well-formed but unknown, empty, path and query tricks, huge, any text.
fn id() -> BoxedStrategy<String> {
    prop_oneof![
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        Just(String::new()),
        Just("../../me/memberOf".to_owned()),
        Just("x' or 1 eq 1 or id eq 'y".to_owned()),
        Just("%2e%2e%2f$batch?".to_owned()),
        Just("a".repeat(65)),
        text(),
    ]
    .boxed()
}

fn duration() -> BoxedStrategy<u32> {
    prop_oneof![
        Just(0),
        Just(1),
        30u32..=600,
        Just(241),
        Just(24 * 60 + 1),
        Just(u32::MAX),
        any::<u32>(),
    ]
    .boxed()
}

/// A start time: none, valid, or not a date.
fn start_at() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some("2099-01-01T10:00:00Z".to_owned())),
        1 => Just(Some("2026-13-45T99:61:00Z".to_owned())),
        1 => text().prop_map(Some),
    ]
    .boxed()
}

fn access() -> BoxedStrategy<GroupAccess> {
    prop_oneof![
        Just(GroupAccess::Member),
        Just(GroupAccess::Owner),
        Just(GroupAccess::Unknown)
    ]
    .boxed()
}

/// Targets: Ada's own, another person's, or made up on any plane.
fn target(known: Vec<Target>) -> BoxedStrategy<Target> {
    prop_oneof![
        3 => proptest::sample::select(known),
        1 => (id(), access()).prop_map(|(group_id, access)| Target::Group { group_id, access }),
        1 => (id(), prop_oneof![Just("/".to_owned()), id()]).prop_map(|(r, s)| Target::DirectoryRole {
            role_definition_id: r,
            directory_scope_id: s,
        }),
        1 => (
            prop_oneof![
                Just("/subscriptions/00000000-0000-0000-0000-000000000000".to_owned()),
                Just("/subscriptions/../../providers".to_owned()),
                id()
            ],
            id()
        )
            .prop_map(|(scope, role_definition_id)| Target::AzureRole {
                scope,
                role_definition_id,
            }),
    ]
    .boxed()
}

fn plane() -> BoxedStrategy<Plane> {
    prop_oneof![
        Just(Plane::Group),
        Just(Plane::DirectoryRole),
        Just(Plane::AzureRole)
    ]
    .boxed()
}

/// What the service has recorded: requests, and requests it refused before recording them.
async fn service_log(harness: &Harness) -> (usize, u64) {
    let log: Value = reqwest::get(format!("{}/_sandbox/requests", harness.sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        log["requests"].as_array().map_or(0, Vec::len),
        log["refusedBeforeRecording"]["total"].as_u64().unwrap_or(0),
    )
}

fn blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(|t| t.trim().is_empty())
}

/// Whether the client must refuse `input` itself, from what Ada's listing says of its policy.
fn must_refuse(input: &ActivationInput, listing: &[Eligibility]) -> bool {
    if input.duration_minutes == 0 {
        return true;
    }
    if let Some(start) = &input.start_at {
        if latchkey_core::time::parse_lenient(start).is_none() {
            return true;
        }
    }
    let Some(e) = listing.iter().find(|e| e.target == input.target) else {
        return false;
    };
    let r = &e.requirements;
    r.known
        && (r
            .max_duration_minutes
            .is_some_and(|m| input.duration_minutes > m)
            || (r.justification && blank(&input.justification))
            || (r.ticket && blank(&input.ticket_number)))
}

fn typed(what: &str, code: Option<ErrorCode>) -> Result<(), TestCaseError> {
    prop_assert!(
        code != Some(ErrorCode::Internal),
        "{what}: an internal error (a panic or a bug)"
    );
    Ok(())
}

fn outcome_code(outcome: &RequestOutcome) -> Result<Option<ErrorCode>, TestCaseError> {
    match (&outcome.status, &outcome.error, &outcome.request_id) {
        (Some(_), None, Some(_)) => Ok(None),
        (None, Some(e), None) => {
            prop_assert!(!e.message.trim().is_empty(), "an error says something");
            Ok(Some(e.code))
        }
        _ => Err(TestCaseError::fail(format!(
            "neither a status with a request id nor an error: {outcome:?}"
        ))),
    }
}

struct Setup {
    rt: tokio::runtime::Runtime,
    harness: Harness,
    ada: Arc<Latchkey>,
    listing: Vec<Eligibility>,
    /// Ada's eligible targets and Ben's (which Ada is not eligible for).
    targets: Vec<Target>,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (harness, ada, listing, targets) = rt.block_on(async {
        let harness = Harness::start(fast_options()).await;
        let ben = signed_in(&harness, "ben@fabrikam.example").await;
        let ben_targets: Vec<Target> = ben
            .list_eligibilities()
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.target)
            .collect();
        ben.sign_out().await.unwrap();
        let ada = signed_in(&harness, ADA).await;
        let listing = ada.list_eligibilities().await.unwrap().items;
        let mut targets: Vec<Target> = listing.iter().map(|e| e.target.clone()).collect();
        let others: Vec<Target> = ben_targets
            .into_iter()
            .filter(|t| !targets.contains(t))
            .collect();
        assert!(
            !others.is_empty(),
            "Ben is eligible for something Ada is not"
        );
        targets.extend(others);
        (harness, ada, listing, targets)
    });
    Setup {
        rt,
        harness,
        ada,
        listing,
        targets,
    }
}

fn target_named(listing: &[Eligibility], name: &str) -> Target {
    listing
        .iter()
        .find(|e| e.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{name} in Ada's listing"))
        .target
        .clone()
}

#[test]
fn hostile_input_to_every_command_ends_in_success_or_a_typed_error() {
    let Setup {
        rt,
        harness,
        ada,
        listing,
        targets,
    } = setup();
    let mut figures = Vec::new();

    // --- activate ---------------------------------------------------------------------------
    let strategy = (
        target(targets.clone()),
        duration(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        start_at(),
    )
        .prop_map(
            |(target, duration_minutes, justification, ticket_number, ticket_system, start_at)| {
                ActivationInput {
                    target,
                    duration_minutes,
                    justification,
                    ticket_number,
                    ticket_system,
                    start_at,
                }
            },
        );
    let (refused, sent) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner()
        .run(&strategy, |input| {
            rt.block_on(async {
                let before = service_log(&harness).await;
                let refuse = must_refuse(&input, &listing);
                let outcomes = tokio::time::timeout(DEADLINE, ada.activate(vec![input.clone()]))
                    .await
                    .map_err(|_| TestCaseError::fail("activate hung"))?;
                let after = service_log(&harness).await;
                let outcomes = match outcomes {
                    Ok(o) => o,
                    Err(e) => return typed("activate", Some(e.code)),
                };
                prop_assert_eq!(outcomes.len(), 1);
                let code = outcome_code(&outcomes[0])?;
                typed("activate", code)?;
                if refuse {
                    prop_assert_eq!(
                        code,
                        Some(ErrorCode::InvalidInput),
                        "must be refused: {:?}",
                        outcomes[0]
                    );
                }
                if code == Some(ErrorCode::InvalidInput) {
                    refused.set(refused.get() + 1);
                    prop_assert_eq!(
                        after,
                        before,
                        "refused by validation, yet something reached PIM"
                    );
                } else if code.is_none() {
                    sent.set(sent.get() + 1);
                    prop_assert_eq!(
                        after.0,
                        before.0 + 1,
                        "one success, one request: {:?}",
                        outcomes[0]
                    );
                }
                Ok(())
            })
        })
        .unwrap();
    figures.push(format!(
        "activate {} cases ({} refused before sending, {} accepted)",
        cases(),
        refused.get(),
        sent.get()
    ));

    // Something Ada asked for and waits for, so that decide can name a real (own) request.
    let pending = rt.block_on(async {
        let prod = target_named(&listing, PROD_DB);
        let _ = ada
            .cancel_request(Plane::Group, "00000000-0000-0000-0000-000000000000")
            .await;
        let outcome = ada
            .activate(vec![ActivationInput {
                target: prod,
                duration_minutes: 60,
                justification: Some("Restore drill".into()),
                ticket_number: Some("CHG-1".into()),
                ticket_system: None,
                start_at: None,
            }])
            .await
            .unwrap();
        outcome[0].request_id.clone()
    });

    // --- deactivate ---------------------------------------------------------------------------
    let on_call = target_named(&listing, ON_CALL);
    let mut known = targets.clone();
    known.push(on_call);
    runner()
        .run(&target(known), |target| {
            rt.block_on(async {
                let before = service_log(&harness).await;
                let result = tokio::time::timeout(DEADLINE, ada.deactivate(&target))
                    .await
                    .map_err(|_| TestCaseError::fail("deactivate hung"))?;
                let after = service_log(&harness).await;
                let code = match result {
                    Ok(outcome) => outcome_code(&outcome)?,
                    Err(e) => Some(e.code),
                };
                typed("deactivate", code)?;
                if code == Some(ErrorCode::InvalidInput) {
                    prop_assert_eq!(
                        after,
                        before,
                        "refused by validation, yet something reached PIM"
                    );
                }
                Ok(())
            })
        })
        .unwrap();
    figures.push(format!("deactivate {} cases", cases()));

    // --- cancel_request -------------------------------------------------------------------------
    let ids = {
        let mut own: Vec<String> = pending.iter().cloned().collect();
        own.push("00000000-0000-0000-0000-000000000000".into());
        prop_oneof![2 => id(), 1 => proptest::sample::select(own)].boxed()
    };
    let pending_id = pending.clone();
    runner()
        .run(&(plane(), ids.clone()), |(plane, request_id)| {
            // Ada's own pending request stays: only made-up ids here (canceling hers is fine,
            // but then decide below would have nothing real to try).
            if Some(&request_id) == pending_id.as_ref() && plane == Plane::Group {
                return Ok(());
            }
            rt.block_on(async {
                let trips = ada.round_trips();
                let result = tokio::time::timeout(DEADLINE, ada.cancel_request(plane, &request_id))
                    .await
                    .map_err(|_| TestCaseError::fail("cancel hung"))?;
                let code = result.err().map(|e| e.code);
                typed("cancel", code)?;
                let looks_like_id = !request_id.is_empty()
                    && request_id.len() <= 64
                    && request_id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-');
                if !looks_like_id {
                    prop_assert_eq!(code, Some(ErrorCode::InvalidInput));
                    prop_assert_eq!(ada.round_trips(), trips, "a bad id must not be sent");
                }
                prop_assert!(
                    code.is_some(),
                    "only made-up or foreign ids here: {request_id:?}"
                );
                Ok(())
            })
        })
        .unwrap();
    figures.push(format!("cancel {} cases", cases()));

    // --- decide ---------------------------------------------------------------------------------
    let strategy = (plane(), ids, any::<bool>(), text()).prop_map(
        |(plane, approval_id, approve, justification)| DecisionInput {
            plane,
            approval_id,
            approve,
            justification,
        },
    );
    runner()
        .run(&strategy, |input| {
            rt.block_on(async {
                let trips = ada.round_trips();
                let before = service_log(&harness).await;
                let result = tokio::time::timeout(DEADLINE, ada.decide(vec![input.clone()]))
                    .await
                    .map_err(|_| TestCaseError::fail("decide hung"))?;
                let outcomes = match result {
                    Ok(o) => o,
                    Err(e) => return typed("decide", Some(e.code)),
                };
                prop_assert_eq!(outcomes.len(), 1);
                let outcome = &outcomes[0];
                prop_assert!(!outcome.decided, "Ada decides nothing here: {outcome:?}");
                let code = outcome.error.as_ref().map(|e| e.code);
                prop_assert!(code.is_some(), "an undecided outcome carries an error");
                typed("decide", code)?;
                let bad_id = input.approval_id.is_empty()
                    || input.approval_id.len() > 64
                    || !input
                        .approval_id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-');
                if bad_id || input.justification.trim().chars().count() > 500 {
                    prop_assert_eq!(code, Some(ErrorCode::InvalidInput));
                    prop_assert_eq!(ada.round_trips(), trips, "refused by validation, yet sent");
                }
                prop_assert_eq!(service_log(&harness).await, before);
                Ok(())
            })
        })
        .unwrap();
    figures.push(format!("decide {} cases", cases()));

    // Still signed in and answering after all of it.
    rt.block_on(async {
        assert!(is_signed_in(&ada.snapshot().session));
        assert!(!groups_of(&ada).await.is_empty());
    });
    println!("hostile input: {}", figures.join("; "));
}

/// What the web view sends is decoded by serde before any of the core runs: durations that are
/// negative, fractional, too large or not numbers, and unknown planes or access kinds are
/// refused there, with an error, not a panic.
#[test]
fn the_ipc_decoding_refuses_impossible_arguments() {
    let group = json!({ "plane": "group", "groupId": "g", "access": "member" });
    let base = json!({ "target": group, "durationMinutes": 60 });
    assert!(
        serde_json::from_value::<ActivationInput>(base.clone()).is_ok(),
        "the well-formed input decodes (so the failures below are about the field): {base}"
    );
    for duration in [
        json!(-1),
        json!(-2147483648i64),
        json!(4294967296u64),
        json!(1e30),
        json!(1.5),
        json!("60"),
        json!(null),
    ] {
        let mut input = base.clone();
        input["durationMinutes"] = duration.clone();
        assert!(
            serde_json::from_value::<ActivationInput>(input).is_err(),
            "duration {duration} must not decode"
        );
    }
    for target in [
        json!({ "plane": "group", "groupId": "g", "access": "admin" }),
        json!({ "plane": "subscription", "id": "x" }),
        json!({ "plane": "group" }),
        json!("group"),
    ] {
        let mut input = base.clone();
        input["target"] = target.clone();
        assert!(
            serde_json::from_value::<ActivationInput>(input).is_err(),
            "target {target}"
        );
    }
    for plane in [json!("tenant"), json!(""), json!(3)] {
        let decision =
            json!({ "plane": plane, "approvalId": "a", "approve": true, "justification": "" });
        assert!(
            serde_json::from_value::<DecisionInput>(decision).is_err(),
            "plane {plane}"
        );
    }
    // Arbitrary JSON never panics the decoder.
    let mut runner = runner();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::String),
        Just(json!("group")),
        Just(json!("member")),
    ];
    let value = leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("target".to_owned()),
                    Just("kind".to_owned()),
                    Just("groupId".to_owned()),
                    Just("access".to_owned()),
                    Just("durationMinutes".to_owned()),
                    Just("plane".to_owned()),
                    Just("approvalId".to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    runner
        .run(&value, |v| {
            let _ = serde_json::from_value::<ActivationInput>(v.clone());
            let _ = serde_json::from_value::<DecisionInput>(v.clone());
            let _ = serde_json::from_value::<Target>(v);
            Ok(())
        })
        .unwrap();
}
