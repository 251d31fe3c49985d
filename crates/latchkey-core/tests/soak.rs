//! Chaos soak: Ada, Ben, Chloé and Elena drive the core against the sandbox at the same time
//! while about 20% of every request on every route (identity, Graph, ARM) is spoiled — 429
//! with and without `Retry-After`, 500/503/504, lost answers, resets, truncated and malformed
//! bodies, latency and slow bodies. A seeded RNG per user picks activations, deactivations,
//! cancels, decisions (Chloé and Elena approve) and refreshes; every intent and what the
//! client reported is recorded. Then faults stop and the record is checked against the
//! sandbox's request log.
//!
//! Definitions (per user, target and action — `selfActivate` or `selfDeactivate`):
//! - an intent is *applied* when the client reported a PIM status with a request id;
//!   *uncertain* when it reported an error telling the person to refresh; *failed* when it
//!   reported any other error (the person reads "nothing was created" or a refusal).
//! - **lost**: an intent reported applied whose request id is not in the service's log, or is
//!   also claimed by an earlier intent (the later one was never sent, yet the person was told
//!   it was); a request in the log that only a *failed* intent can explain (the person was told
//!   nothing happened, but it did); a cancel or decision reported done that the log does not
//!   show.
//! - **duplicated**: a request in the log that no intent explains: more requests for a target
//!   and action than applied intents claim plus uncertain and failed intents could have left.
//!
//! Also checked: every operation returns within its deadline (no hung task; a panic in the
//! client fails the test), and after faults stop one refresh shows exactly the service's
//! active instances.
//!
//! `LATCHKEY_SOAK_OPS` (default 240) sets the number of operations; `LATCHKEY_SOAK_SEED` the
//! seed. `scripts/soak.sh` runs the long mode.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;

const PROD_DB: &str = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd";
use latchkey_core::model::{
    ActivationInput, DecisionInput, Eligibility, Plane, RequestOutcome, RequestStatus, Target,
};
use latchkey_core::Latchkey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// Longest an operation may take. The client's own limits: 30 s per HTTP exchange, 4 attempts
/// with backoff capped at 10 s, `Retry-After` honoured up to 60 s; the faults here never hold
/// a connection open for long, so an operation that is still running after this is hung.
const DEADLINE: Duration = Duration::from_secs(90);

/// The faults: rates summing to 0.2 of every request, each with its own seed.
fn faults(seed: u64) -> Vec<Value> {
    let kinds = [
        (json!({"throttle": {"retryAfter": 1}}), 0.025),
        (json!({"throttle": {}}), 0.02),
        (json!("serverError"), 0.02),
        (json!("unavailable"), 0.02),
        (json!("gatewayTimeout"), 0.015),
        (json!("loseResponse"), 0.03),
        (json!("reset"), 0.02),
        (json!("truncated"), 0.015),
        (json!("malformed"), 0.015),
        (json!({"slowBody": {"ms": 150}}), 0.01),
        (json!({"latency": {"ms": 120}}), 0.01),
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, (kind, rate))| json!({ "kind": kind, "rate": rate, "seed": seed + i as u64 }))
        .collect()
}

/// What a person asked for.
#[derive(Debug, Clone)]
enum Intent {
    Activate(Target),
    Deactivate(Target),
    Cancel { request_id: String },
    Decide { request_id: String, approve: bool },
}

/// What the client told the person.
#[derive(Debug, Clone)]
enum Report {
    Applied {
        request_id: String,
    },
    /// An error that tells the person to refresh: the outcome is unknown.
    Uncertain,
    Failed,
    /// A cancel or decision the client says was recorded.
    Done,
}

#[derive(Debug, Clone)]
struct Record {
    user: &'static str,
    intent: Intent,
    report: Report,
}

struct User {
    upn: &'static str,
    oid: &'static str,
    latchkey: Arc<Latchkey>,
    eligible: Vec<Eligibility>,
    approver: bool,
}

#[derive(Default)]
struct Tally {
    operations: u64,
    refreshes: u64,
    refresh_failures: u64,
}

fn report_of(outcome: &RequestOutcome) -> Report {
    match (&outcome.request_id, &outcome.error) {
        (Some(id), None) => Report::Applied {
            request_id: id.clone(),
        },
        (_, Some(e)) if e.message.to_lowercase().contains("refresh") => Report::Uncertain,
        (_, Some(_)) => Report::Failed,
        _ => panic!("an outcome with neither a request nor an error: {outcome:?}"),
    }
}

/// An activation the service accepts absent faults: within policy, justification and ticket.
fn activation(e: &Eligibility, rng: &mut StdRng) -> ActivationInput {
    let max = e.requirements.max_duration_minutes.unwrap_or(60).min(120);
    ActivationInput {
        target: e.target.clone(),
        duration_minutes: rng.gen_range(30..=max.max(30)),
        justification: Some("Soak test".into()),
        ticket_number: Some("SOAK-1".into()),
        ticket_system: Some("Soak".into()),
        start_at: None,
    }
}

async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, f)
        .await
        .unwrap_or_else(|_| panic!("{what} did not return within {DEADLINE:?}: a hung task"))
}

/// One user's run of `ops` seeded random operations.
async fn drive(
    harness: Arc<Harness>,
    user: Arc<User>,
    ops: usize,
    seed: u64,
) -> (Vec<Record>, Tally) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut records = Vec::new();
    let mut tally = Tally::default();
    // The user's view as of the last successful listing.
    let mut active: Vec<Target> = Vec::new();
    let mut pending: Vec<(Plane, String)> = Vec::new();
    let lk = &user.latchkey;
    for _ in 0..ops {
        tally.operations += 1;
        let roll: u32 = rng.gen_range(0..100);
        match roll {
            0..=34 => {
                let e = &user.eligible[rng.gen_range(0..user.eligible.len())];
                let input = activation(e, &mut rng);
                let target = input.target.clone();
                let outcome = within("activate", lk.activate(vec![input]))
                    .await
                    .expect("activate returns outcomes");
                records.push(Record {
                    user: user.upn,
                    intent: Intent::Activate(target),
                    report: report_of(&outcome[0]),
                });
            }
            35..=54 => {
                if rng.gen_bool(0.5) {
                    // Past the five-minute rule, so deactivations are not all refused.
                    control(&harness, "/_sandbox/clock/advance", json!({"by": "PT6M"})).await;
                }
                let target = match active.is_empty() {
                    true => user.eligible[rng.gen_range(0..user.eligible.len())]
                        .target
                        .clone(),
                    false => active.swap_remove(rng.gen_range(0..active.len())),
                };
                let outcome = within("deactivate", lk.deactivate(&target))
                    .await
                    .expect("deactivate returns an outcome");
                records.push(Record {
                    user: user.upn,
                    intent: Intent::Deactivate(target),
                    report: report_of(&outcome),
                });
            }
            55..=64 if !pending.is_empty() => {
                let (plane, request_id) = pending.swap_remove(rng.gen_range(0..pending.len()));
                let result = within("cancel", lk.cancel_request(plane, &request_id)).await;
                let report = match result {
                    Ok(()) => Report::Done,
                    Err(e) if e.message.to_lowercase().contains("refresh") => Report::Uncertain,
                    Err(_) => Report::Failed,
                };
                records.push(Record {
                    user: user.upn,
                    intent: Intent::Cancel { request_id },
                    report,
                });
            }
            65..=79 if user.approver => {
                let Ok(inbox) = within("list approvals", lk.list_approvals()).await else {
                    tally.refresh_failures += 1;
                    continue;
                };
                let Some(item) = inbox.items.first().cloned() else {
                    continue;
                };
                let approve = rng.gen_bool(0.7);
                let outcome = within(
                    "decide",
                    lk.decide(vec![DecisionInput {
                        plane: item.target.plane(),
                        approval_id: item.approval_id.clone(),
                        approve,
                        justification: "Soak test decision".into(),
                    }]),
                )
                .await
                .expect("decide returns outcomes");
                let report = match &outcome[0] {
                    o if o.decided => Report::Done,
                    o => {
                        let e = o.error.as_ref().expect("an undecided outcome says why");
                        match e.message.to_lowercase().contains("refresh") {
                            true => Report::Uncertain,
                            false => Report::Failed,
                        }
                    }
                };
                records.push(Record {
                    user: user.upn,
                    intent: Intent::Decide {
                        request_id: item.request_id,
                        approve,
                    },
                    report,
                });
            }
            _ => {
                tally.refreshes += 1;
                let (eligibilities, activations, requests) = within("refresh", async {
                    tokio::join!(
                        lk.list_eligibilities(),
                        lk.list_activations(),
                        lk.list_requests()
                    )
                })
                .await;
                if eligibilities.is_err() {
                    tally.refresh_failures += 1;
                }
                match activations {
                    Ok(list) if list.unavailable.is_empty() => {
                        active = list.items.into_iter().map(|a| a.target).collect();
                    }
                    _ => tally.refresh_failures += 1,
                }
                match requests {
                    Ok(list) if list.unavailable.is_empty() => {
                        pending = list
                            .items
                            .into_iter()
                            .filter(|r| r.status == RequestStatus::PendingApproval)
                            .map(|r| (r.target.plane(), r.id))
                            .collect();
                    }
                    _ => tally.refresh_failures += 1,
                }
            }
        }
    }
    (records, tally)
}

/// Whether the client's id (ARM: a full resource id) names the sandbox's request `id`.
fn names(client_id: &str, id: &str) -> bool {
    let client_id = client_id.to_ascii_lowercase();
    let id = id.to_ascii_lowercase();
    client_id == id || client_id.ends_with(&format!("/{id}"))
}

/// Lost and duplicated intents, by the definitions at the top; with one line per finding.
fn audit(
    records: &[Record],
    requests: &HashMap<&'static str, Vec<latchkey_core::model::PimRequest>>,
) -> (usize, usize, Vec<String>) {
    let (mut lost, mut duplicated, mut findings) = (0, 0, Vec::new());
    // (user, target key, action) -> (claimed ids in order, uncertain, failed)
    type Key = (&'static str, String, &'static str);
    let mut by_key: BTreeMap<Key, (Vec<String>, usize, usize)> = BTreeMap::new();
    for r in records {
        let (target, action) = match &r.intent {
            Intent::Activate(t) => (t, "selfactivate"),
            Intent::Deactivate(t) => (t, "selfdeactivate"),
            _ => continue,
        };
        let entry = by_key.entry((r.user, target.key(), action)).or_default();
        match &r.report {
            Report::Applied { request_id } => entry.0.push(request_id.clone()),
            Report::Uncertain => entry.1 += 1,
            Report::Failed => entry.2 += 1,
            Report::Done => unreachable!("activations report a status or an error"),
        }
    }
    for ((user, key, action), (claimed, uncertain, failed)) in &by_key {
        let logged: Vec<&latchkey_core::model::PimRequest> = requests[user]
            .iter()
            .filter(|q| q.target.key() == *key && q.action.eq_ignore_ascii_case(action))
            .collect();
        let mut seen = HashSet::new();
        for id in claimed {
            if !seen.insert(id.to_ascii_lowercase()) {
                lost += 1;
                findings.push(format!(
                    "lost: {user} {action} {key}: {id} reported for two intents"
                ));
            } else if !logged.iter().any(|q| q.id.eq_ignore_ascii_case(id)) {
                lost += 1;
                findings.push(format!(
                    "lost: {user} {action} {key}: reported {id}, not in the log"
                ));
            }
        }
        let unexplained = logged
            .iter()
            .filter(|q| !seen.contains(&q.id.to_ascii_lowercase()))
            .count();
        let misreported = unexplained.saturating_sub(*uncertain).min(*failed);
        let extra = unexplained.saturating_sub(uncertain + failed);
        if misreported > 0 {
            lost += misreported;
            findings.push(format!(
                "lost: {user} {action} {key}: {misreported} request(s) exist that were reported as not created"
            ));
        }
        if extra > 0 {
            duplicated += extra;
            findings.push(format!(
                "duplicated: {user} {action} {key}: {} logged, {} claimed, {uncertain} uncertain, {failed} failed",
                logged.len(),
                claimed.len()
            ));
        }
    }
    // A request made by no intent at all (a target this run never asked for).
    for (user, list) in requests {
        for q in list {
            let key = (*user, q.target.key(), action_key(&q.action));
            if !by_key.contains_key(&key) {
                duplicated += 1;
                findings.push(format!("duplicated: {user}: {} made by no intent", q.id));
            }
        }
    }
    for r in records {
        match (&r.intent, &r.report) {
            (Intent::Cancel { request_id, .. }, Report::Done) => {
                let status = requests[r.user]
                    .iter()
                    .find(|q| q.id.eq_ignore_ascii_case(request_id))
                    .map(|q| q.status);
                if status != Some(RequestStatus::Canceled) {
                    lost += 1;
                    findings.push(format!(
                        "lost: cancel of {request_id} reported done, log says {status:?}"
                    ));
                }
            }
            (
                Intent::Decide {
                    request_id,
                    approve,
                },
                Report::Done,
            ) => {
                let status = requests
                    .values()
                    .flatten()
                    .find(|q| q.id.eq_ignore_ascii_case(request_id))
                    .map(|q| q.status);
                let recorded = match status {
                    Some(RequestStatus::Denied) => !approve,
                    Some(RequestStatus::PendingApproval | RequestStatus::Canceled) | None => false,
                    Some(_) => *approve,
                };
                if !recorded {
                    lost += 1;
                    findings.push(format!(
                        "lost: decision (approve {approve}) on {request_id} reported done, log says {status:?}"
                    ));
                }
            }
            _ => {}
        }
    }
    (lost, duplicated, findings)
}

fn action_key(action: &str) -> &'static str {
    match action.to_ascii_lowercase().as_str() {
        "selfactivate" => "selfactivate",
        "selfdeactivate" => "selfdeactivate",
        _ => "other",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_soak_loses_and_doubles_nothing() {
    let ops: usize = std::env::var("LATCHKEY_SOAK_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(240);
    let seed: u64 = std::env::var("LATCHKEY_SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_240_601);
    let harness = Arc::new(Harness::start(fast_options()).await);
    // Who, their object id in the demo tenant, and whether they approve (Chloé and Elena
    // approve production databases, approval-gated roles and Azure owners).
    let people = [
        ("ada@fabrikam.example", ADA_ID, false),
        (
            "ben@fabrikam.example",
            "fcbaf935-79fa-4c94-80bb-e882741ba324",
            false,
        ),
        (
            "chloe@fabrikam.example",
            "b34a9392-473f-4a62-be71-8ef714fc9234",
            true,
        ),
        (
            "elena@fabrikam.example",
            "d90bb2c9-b6ad-4629-8538-45e395808c25",
            true,
        ),
    ];
    let mut users = Vec::new();
    for (upn, oid, approver) in people {
        let latchkey = signed_in(&harness, upn).await;
        let listing = latchkey.list_eligibilities().await.expect("eligibilities");
        // Targets that need no step-up: the soak is about the network, not the browser.
        let eligible: Vec<Eligibility> = listing
            .items
            .into_iter()
            .filter(|e| !e.requirements.mfa && e.requirements.authentication_context.is_none())
            .collect();
        users.push(Arc::new(User {
            upn,
            oid,
            latchkey,
            eligible,
            approver,
        }));
    }
    let users: Vec<Arc<User>> = users
        .into_iter()
        .filter(|u| !u.eligible.is_empty())
        .collect();
    for fault in faults(seed) {
        control(&harness, "/_sandbox/faults", fault).await;
    }

    let started = Instant::now();
    let round_trips_before: u64 = users.iter().map(|u| u.latchkey.round_trips()).sum();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, user) in users.iter().enumerate() {
        let share = ops / users.len() + usize::from(i < ops % users.len());
        tasks.spawn(drive(
            harness.clone(),
            user.clone(),
            share,
            seed ^ (i as u64 + 1),
        ));
    }
    let (mut records, mut tally) = (Vec::new(), Tally::default());
    while let Some(joined) = tasks.join_next().await {
        let (r, t) = joined.expect("a user's run panicked");
        records.extend(r);
        tally.operations += t.operations;
        tally.refreshes += t.refreshes;
        tally.refresh_failures += t.refresh_failures;
    }
    let round_trips =
        users.iter().map(|u| u.latchkey.round_trips()).sum::<u64>() - round_trips_before;

    let counters: Value = reqwest::get(format!("{}/_sandbox/faults", harness.sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let injected: u64 = counters["injected"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0);
    reqwest::Client::new()
        .delete(format!("{}/_sandbox/faults", harness.sandbox.base_url()))
        .send()
        .await
        .unwrap();

    // Faults off: one refresh per user must show the service exactly.
    let mut requests = HashMap::new();
    for user in &users {
        let listed = within("final requests", user.latchkey.list_requests())
            .await
            .expect("requests list without faults");
        assert!(listed.unavailable.is_empty(), "{:?}", listed.unavailable);
        let activations = within("final activations", user.latchkey.list_activations())
            .await
            .expect("activations list without faults");
        assert!(activations.unavailable.is_empty());
        assert!(
            matches!(
                user.latchkey.snapshot().session,
                latchkey_core::ipc::SessionState::SignedIn { .. }
            ),
            "{} was signed out by the faults",
            user.upn
        );
        let pim = harness.sandbox.state().pim();
        let mine = |p: &str| p.eq_ignore_ascii_case(user.oid);
        let mut service: Vec<String> = pim
            .activations
            .iter()
            .filter(|a| mine(&a.principal_id))
            .map(|a| a.id.to_ascii_lowercase())
            .collect();
        service.sort();
        assert_eq!(
            activations.items.len(),
            service.len(),
            "{}: the client shows {:?}, the service {service:?}",
            user.upn,
            activations.items
        );
        for a in &activations.items {
            assert!(
                service.iter().any(|s| names(&a.id, s)),
                "{}: the client shows {}, the service does not",
                user.upn,
                a.id
            );
        }
        let logged = pim
            .requests
            .iter()
            .filter(|r| mine(&r.principal_id))
            .count();
        assert_eq!(
            listed.items.len(),
            logged,
            "{}: the client lists every request in the log",
            user.upn
        );
        drop(pim);
        requests.insert(user.upn, listed.items);
    }

    let (lost, duplicated, findings) = audit(&records, &requests);
    let count = |f: fn(&Report) -> bool| records.iter().filter(|r| f(&r.report)).count();
    println!(
        "chaos soak (seed {seed}, {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("  operations          {}", tally.operations);
    println!("  intents recorded    {}", records.len());
    println!(
        "    applied / done    {}",
        count(|r| matches!(r, Report::Applied { .. } | Report::Done))
    );
    println!(
        "    uncertain         {}",
        count(|r| matches!(r, Report::Uncertain))
    );
    println!(
        "    failed            {}",
        count(|r| matches!(r, Report::Failed))
    );
    println!(
        "  refreshes           {} ({} partly failed)",
        tally.refreshes, tally.refresh_failures
    );
    println!("  faults injected     {injected} {}", counters["injected"]);
    println!("  client round trips  {round_trips}");
    // The core logs a reconciliation but exposes no counter; "uncertain" above and the
    // loseResponse/truncated/malformed counts bound it.
    println!("  reconciliations     not observable through the public API");
    println!(
        "  requests in log     {}",
        requests.values().map(Vec::len).sum::<usize>()
    );
    println!("  lost                {lost}");
    println!("  duplicated          {duplicated}");
    for f in &findings {
        println!("  {f}");
    }
    assert!(injected > 0, "no fault fired: the soak proved nothing");
    assert_eq!((lost, duplicated), (0, 0), "{findings:#?}");
}

/// The soak's first finding, pinned: Ada asks for Prod DB, cancels, asks again, and the second
/// POST is refused with a 500 before PIM processes it. Reconciling must not mistake the
/// canceled first request for the second (the window of "recent requests" alone cannot tell
/// them apart): nothing was created, and Ada must be told so.
#[tokio::test]
async fn a_reconciliation_never_claims_an_earlier_request() {
    let harness = Harness::start(fast_options()).await;
    let ada = signed_in(&harness, ADA).await;
    ada.list_eligibilities().await.unwrap();
    let prod_db = |ticket: &str| ActivationInput {
        target: group_target(PROD_DB, latchkey_core::model::GroupAccess::Member),
        duration_minutes: 60,
        justification: Some("Migrating the orders table".into()),
        ticket_number: Some(ticket.into()),
        ticket_system: None,
        start_at: None,
    };
    let first = ada.activate(vec![prod_db("CHG-1")]).await.unwrap();
    assert_eq!(status(&first[0]), Ok(RequestStatus::PendingApproval));
    let first_id = first[0].request_id.clone().unwrap();
    ada.cancel_request(Plane::Group, &first_id).await.unwrap();

    control(
        &harness,
        "/_sandbox/faults",
        json!({"method": "POST", "pathContains": "assignmentScheduleRequests", "kind": "serverError", "count": 1}),
    )
    .await;
    let second = ada.activate(vec![prod_db("CHG-2")]).await.unwrap();
    assert_ne!(
        second[0].request_id.as_deref(),
        Some(first_id.as_str()),
        "the canceled request was reported as the new one: {second:?}"
    );
    let error = second[0].error.as_ref().expect("the 500 is reported");
    assert!(error.message.contains("Nothing was created"), "{error:?}");
    let logged = harness.sandbox.state().pim().requests.len();
    assert_eq!(logged, 1, "only the first (canceled) request exists");
}
