//! Property test of the engine: random sequences of what people, approvers, administrators and
//! time do, across users and all three planes, with PIM's invariants checked after every step.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;

mod invariants;
mod ops;

use ops::{op, Decider, Op};

/// An eligibility as the test picks it (the tenant's lists shrink as eligibilities are removed,
/// so the test keeps the original list and lets the engine refuse what is gone).
#[derive(Debug, Clone)]
struct Eligible {
    id: String,
    principal_id: String,
    target: Target,
}

/// The engine, the tenant, and what the test remembers to check history-dependent invariants.
struct World {
    tenant: Tenant,
    pim: Pim,
    now: DateTime<Utc>,
    users: Vec<String>,
    eligible: Vec<Eligible>,
    disabled: Vec<String>,
    /// Each request's status when last seen.
    seen: HashMap<String, Status>,
    /// The first decision seen on each request.
    decisions: HashMap<String, Decision>,
    refused: u64,
}

impl World {
    fn new() -> Self {
        let now = Utc
            .with_ymd_and_hms(2025, 3, 3, 9, 0, 0)
            .single()
            .unwrap_or_default();
        let tenant = Tenant::demo(now);
        let mut eligible: Vec<Eligible> = tenant
            .group_eligibilities
            .iter()
            .map(|e| Eligible {
                id: e.id.clone(),
                principal_id: e.principal_id.clone(),
                target: Target::Group {
                    group_id: e.group_id.clone(),
                    access_id: e.access_id.clone(),
                },
            })
            .collect();
        eligible.extend(
            tenant
                .directory_roles
                .eligibilities
                .iter()
                .map(|e| Eligible {
                    id: e.id.clone(),
                    principal_id: e.principal_id.clone(),
                    target: Target::DirectoryRole {
                        role_definition_id: e.role_definition_id.clone(),
                        directory_scope_id: e.directory_scope_id.clone(),
                    },
                }),
        );
        eligible.extend(tenant.azure.eligibilities.iter().map(|e| Eligible {
            id: e.id.clone(),
            principal_id: e.principal_id.clone(),
            target: Target::AzureRole {
                scope: e.scope.clone(),
                role_definition_id: e.role_definition_id.clone(),
            },
        }));
        Self {
            users: tenant.users.iter().map(|u| u.id.clone()).collect(),
            tenant,
            pim: Pim::default(),
            now,
            eligible,
            disabled: Vec::new(),
            seen: HashMap::new(),
            decisions: HashMap::new(),
            refused: 0,
        }
    }

    fn user(&self, index: usize) -> String {
        self.users[index % self.users.len()].clone()
    }

    fn is_disabled(&self, user_id: &str) -> bool {
        self.disabled
            .iter()
            .any(|d| d.eq_ignore_ascii_case(user_id))
    }

    /// Applies `op`; the engine's answer must agree with the policy the op ran into.
    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match op.clone() {
            Op::Activate {
                eligibility,
                impostor,
                minutes,
                justification,
                ticket,
                mfa,
                acrs,
                start_in_minutes,
            } => {
                let picked = self.eligible[eligibility % self.eligible.len()].clone();
                let principal = impostor.map_or(picked.principal_id.clone(), |i| self.user(i));
                if self.is_disabled(&principal) {
                    // Their token is refused before the engine is reached; nothing to do here.
                    return Ok(());
                }
                let policy = picked.target.policy(&self.tenant).clone();
                let caller = Caller {
                    user_id: principal.clone(),
                    mfa,
                    acrs: if acrs {
                        policy.authentication_context.iter().cloned().collect()
                    } else {
                        vec![]
                    },
                };
                let new = NewRequest {
                    id: None,
                    action: Action::SelfActivate,
                    principal_id: principal,
                    target: picked.target,
                    justification: justification.then(|| "Investigate the incident".to_owned()),
                    ticket_number: ticket.then(|| "INC-7".to_owned()),
                    ticket_system: ticket.then(|| "Jira".to_owned()),
                    requested_start: start_in_minutes.map(|m| self.now + Duration::minutes(m)),
                    expiration: Some(Expiration {
                        kind: "afterDuration".to_owned(),
                        duration: Some(Duration::minutes(minutes)),
                        duration_text: None,
                        end: None,
                    }),
                    is_validation_only: false,
                };
                let answer = self
                    .pim
                    .submit(&self.tenant, &caller, new.clone(), self.now);
                match answer {
                    Ok(stored) => invariants::accepted_activation(&policy, &caller, &new, &stored)?,
                    Err(_) => self.refused += 1,
                }
            }
            Op::Deactivate { active } => {
                let picked = match self
                    .pim
                    .activations
                    .get(active % self.pim.activations.len().max(1))
                {
                    Some(a) => Eligible {
                        id: String::new(),
                        principal_id: a.principal_id.clone(),
                        target: a.target.clone(),
                    },
                    None => self.eligible[active % self.eligible.len()].clone(),
                };
                if self.is_disabled(&picked.principal_id) {
                    return Ok(());
                }
                self.pim.sweep(self.now);
                let active = self
                    .pim
                    .activation(&picked.principal_id, &picked.target)
                    .cloned();
                let caller = Caller {
                    user_id: picked.principal_id.clone(),
                    ..Caller::default()
                };
                let new = NewRequest {
                    id: None,
                    action: Action::SelfDeactivate,
                    principal_id: picked.principal_id,
                    target: picked.target,
                    justification: None,
                    ticket_number: None,
                    ticket_system: None,
                    requested_start: None,
                    expiration: None,
                    is_validation_only: false,
                };
                let answer = self.pim.submit(&self.tenant, &caller, new, self.now);
                if answer.is_err() {
                    self.refused += 1;
                }
                invariants::deactivation(active.as_ref(), &answer, self.now)?;
            }
            Op::Cancel {
                request,
                by_owner,
                user,
            } => {
                if self.pim.requests.is_empty() {
                    return Ok(());
                }
                let target = self.pim.requests[request % self.pim.requests.len()].clone();
                let by = if by_owner {
                    target.principal_id.clone()
                } else {
                    self.user(user)
                };
                if self.is_disabled(&by) {
                    return Ok(());
                }
                let caller = Caller {
                    user_id: by.clone(),
                    ..Caller::default()
                };
                let before = self.pim.request(&target.id).map(|r| r.status);
                let answer = self.pim.cancel(&target.id, &caller, self.now);
                let owner = target.principal_id.eq_ignore_ascii_case(&by);
                prop_assert!(
                    answer.is_err() || (owner && before.is_some_and(Status::is_pending)),
                    "cancel of {} by {by} accepted: owner {owner}, status {before:?}",
                    target.id
                );
            }
            Op::Decide {
                request,
                by,
                approve,
                justification,
            } => {
                let pending: Vec<Request> = self
                    .pim
                    .requests
                    .iter()
                    .filter(|r| r.approval.is_some())
                    .cloned()
                    .collect();
                if pending.is_empty() {
                    return Ok(());
                }
                let target = &pending[request % pending.len()];
                let approvers = target
                    .approval
                    .as_ref()
                    .map(|a| a.approvers.clone())
                    .unwrap_or_default();
                let by = match by {
                    Decider::Approver(i) if !approvers.is_empty() => {
                        approvers[i % approvers.len()].clone()
                    }
                    Decider::Requester => target.principal_id.clone(),
                    Decider::Approver(i) | Decider::Anyone(i) => self.user(i),
                };
                if self.is_disabled(&by) {
                    return Ok(());
                }
                let stage = target
                    .approval
                    .as_ref()
                    .map(|a| a.stage_id.clone())
                    .unwrap_or_default();
                let caller = Caller {
                    user_id: by.clone(),
                    ..Caller::default()
                };
                let text = if justification { "Looks right" } else { "" }.to_owned();
                let had_decision = self.decisions.contains_key(&target.id);
                let answer = self
                    .pim
                    .decide(&target.id, &stage, &caller, approve, text, self.now);
                prop_assert!(
                    answer.is_err() || !had_decision,
                    "a second decision on {} was accepted",
                    target.id
                );
                prop_assert!(
                    answer.is_err() || !target.principal_id.eq_ignore_ascii_case(&by),
                    "{by} decided their own request {}",
                    target.id
                );
            }
            Op::Advance { minutes } => self.now += Duration::minutes(minutes),
            Op::Disable { user } => {
                let user_id = self.user(user);
                let removal = disable_user(&mut self.tenant, &mut self.pim, &user_id, self.now);
                prop_assert!(removal.is_some(), "a tenant user was not found to disable");
                if !self.is_disabled(&user_id) {
                    self.disabled.push(user_id);
                }
            }
            Op::RemoveEligibility { eligibility } => {
                let picked = self.eligible[eligibility % self.eligible.len()].clone();
                let removal =
                    remove_eligibility(&mut self.tenant, &mut self.pim, &picked.id, self.now);
                prop_assert!(
                    removal.is_some(),
                    "removing {} again must not be an error",
                    picked.id
                );
                prop_assert!(
                    self.pim
                        .activation(&picked.principal_id, &picked.target)
                        .is_none(),
                    "{} still active through the removed eligibility {}",
                    picked.principal_id,
                    picked.id
                );
                prop_assert!(
                    !picked
                        .target
                        .is_eligible(&self.tenant, &picked.principal_id, self.now)
                        || self.eligible.iter().any(|e| e.id != picked.id
                            && e.principal_id == picked.principal_id
                            && e.target.same(&picked.target)),
                    "{} is still eligible after its eligibility {} was removed",
                    picked.principal_id,
                    picked.id
                );
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn pim_keeps_its_invariants_whatever_happens(ops in prop::collection::vec(op(), 1..=40)) {
        let mut world = World::new();
        for op in &ops {
            world.apply(op)?;
            // Every HTTP read sweeps first (`SandboxState::pim`); check what a reader would see.
            world.pim.sweep(world.now);
            invariants::check(&mut world).map_err(|e| TestCaseError::fail(format!("after {op:?}: {e}")))?;
        }
    }
}
