//! What must hold after every step of the property test, and what an accepted or refused
//! answer implies about the request that got it.

use proptest::prelude::*;

use super::super::*;
use super::World;

/// An activation the engine accepted satisfied its policy, and got the status PIM gives it.
pub(super) fn accepted_activation(
    policy: &Policy,
    caller: &Caller,
    new: &NewRequest,
    stored: &Request,
) -> Result<(), TestCaseError> {
    let duration = new
        .expiration
        .as_ref()
        .and_then(|e| e.duration)
        .unwrap_or_default();
    prop_assert!(
        duration <= policy.max_duration,
        "accepted {duration} over the maximum {}",
        policy.max_duration
    );
    prop_assert!(!policy.require_justification || new.justification.is_some());
    prop_assert!(!policy.require_ticket || new.ticket_number.is_some());
    prop_assert!(!policy.require_mfa || caller.mfa, "accepted without MFA");
    prop_assert!(policy
        .authentication_context
        .as_ref()
        .is_none_or(|c| caller.acrs.contains(c)));
    let expected = match (&policy.approval, new.requested_start.is_some()) {
        (Some(_), _) => Status::PendingApproval,
        (None, true) => Status::Granted,
        (None, false) => Status::Provisioned,
    };
    prop_assert_eq!(stored.status, expected);
    Ok(())
}

/// A deactivation is accepted exactly when something had been active for five minutes.
pub(super) fn deactivation(
    active: Option<&Activation>,
    answer: &Result<Request, PimError>,
    now: DateTime<Utc>,
) -> Result<(), TestCaseError> {
    match (active, answer) {
        (Some(a), Ok(r)) => {
            prop_assert!(now - a.start >= MINIMUM_ACTIVE);
            prop_assert_eq!(r.status, Status::Revoked);
        }
        (Some(a), Err(PimError::ActiveDurationTooShort)) => {
            prop_assert!(now - a.start < MINIMUM_ACTIVE)
        }
        (None, Err(PimError::RoleAssignmentDoesNotExist)) => {}
        (active, answer) => {
            prop_assert!(false, "deactivating {active:?} answered {answer:?}")
        }
    }
    Ok(())
}

fn is_terminal(status: Status) -> bool {
    !matches!(status, Status::PendingApproval | Status::Granted)
}

/// The invariants over the whole state, updating what the world remembers of history.
pub(super) fn check(world: &mut World) -> Result<(), String> {
    let pim = &world.pim;
    let now = world.now;
    for (i, a) in pim.activations.iter().enumerate() {
        if pim.activations[..i].iter().any(|b| {
            b.principal_id.eq_ignore_ascii_case(&a.principal_id) && b.target.same(&a.target)
        }) {
            return Err(format!(
                "two active instances of {:?} for {}",
                a.target, a.principal_id
            ));
        }
        let request = pim
            .request(&a.request_id)
            .ok_or_else(|| format!("activation {} has no request", a.id))?;
        if request.status != Status::Provisioned || request.is_validation_only {
            return Err(format!(
                "activation {} comes from a {:?} request",
                a.id, request.status
            ));
        }
        if request.end() != Some(a.end) || a.end <= now {
            return Err(format!(
                "activation {} ends {} (request: {:?}), now {now}",
                a.id,
                a.end,
                request.end()
            ));
        }
        if world
            .disabled
            .iter()
            .any(|d| d.eq_ignore_ascii_case(&a.principal_id))
        {
            return Err(format!("disabled {} still holds {}", a.principal_id, a.id));
        }
    }
    for r in &pim.requests {
        if pim.requests.iter().filter(|o| o.id == r.id).count() != 1 {
            return Err(format!("request id {} recorded twice", r.id));
        }
        if let Some(before) = world.seen.insert(r.id.clone(), r.status) {
            if is_terminal(before) && before != r.status {
                return Err(format!(
                    "request {} went from {before:?} to {:?}",
                    r.id, r.status
                ));
            }
        }
        if r.status.is_pending()
            && world
                .disabled
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&r.principal_id))
        {
            return Err(format!(
                "disabled {} still has pending request {}",
                r.principal_id, r.id
            ));
        }
        check_approval(world, r)?;
    }
    check_log(world)
}

/// A request needing approval is granted only by someone else's approval, decided once.
fn check_approval(world: &World, r: &Request) -> Result<(), String> {
    let Some(approval) = &r.approval else {
        return Ok(());
    };
    if matches!(r.status, Status::Provisioned | Status::Granted) {
        let approved_by_other = approval.decision.as_ref().is_some_and(|d| {
            d.approve
                && !d.by.eq_ignore_ascii_case(&r.principal_id)
                && approval
                    .approvers
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&d.by))
        });
        if !approved_by_other {
            return Err(format!(
                "request {} is {:?} without another approver's approval: {:?}",
                r.id, r.status, approval.decision
            ));
        }
    }
    if let (Some(first), Some(now)) = (world.decisions.get(&r.id), &approval.decision) {
        if first != now {
            return Err(format!(
                "decision on {} changed from {first:?} to {now:?}",
                r.id
            ));
        }
    }
    Ok(())
}

/// The request log says what the engine holds, in order.
fn check_log(world: &mut World) -> Result<(), String> {
    for r in &world.pim.requests {
        if let Some(d) = r.approval.as_ref().and_then(|a| a.decision.clone()) {
            world.decisions.entry(r.id.clone()).or_insert(d);
        }
    }
    let log = request_log_json(&world.tenant, &world.pim, None);
    let logged: Vec<(String, String)> = log["requests"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["id"].as_str().unwrap_or_default().to_owned(),
                        r["status"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let held: Vec<(String, String)> = world
        .pim
        .requests
        .iter()
        .map(|r| (r.id.clone(), r.status.as_str().to_owned()))
        .collect();
    if logged != held {
        return Err(format!(
            "the log lists {logged:?}, the engine holds {held:?}"
        ));
    }
    let active: Vec<&str> = log["activeAssignments"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["requestId"].as_str()).collect())
        .unwrap_or_default();
    let engine: Vec<&str> = world
        .pim
        .activations
        .iter()
        .map(|a| a.request_id.as_str())
        .collect();
    if active != engine {
        return Err(format!(
            "the log's active assignments {active:?} are not the engine's {engine:?}"
        ));
    }
    if log["refusedBeforeRecording"]["total"].as_u64() != Some(world.refused) {
        return Err(format!(
            "the log counts {} refusals, the test saw {}",
            log["refusedBeforeRecording"]["total"], world.refused
        ));
    }
    Ok(())
}
