//! Access ending because the directory changed, not because the person asked: an account
//! disabled for a leaver, or an administrator removing one eligibility. Entra ends the affected
//! activations at once and records the removal as an `adminRemove` request with status
//! `Revoked` (what a deactivation records), leaving the original `Provisioned` request as it was;
//! requests still waiting (approval, scheduled start) are `Canceled`.

use chrono::{DateTime, Utc};

use super::{Action, Pim, Request, Status, Target};
use crate::tenant::Tenant;

/// What a removal did, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removal {
    /// Eligibility (schedule) ids taken from the tenant.
    pub eligibilities: Vec<String>,
    /// Active assignments (instances) that ended.
    pub ended_activations: Vec<String>,
    /// The `adminRemove` requests recorded for them.
    pub revocations: Vec<String>,
    /// Pending requests canceled.
    pub canceled_requests: Vec<String>,
}

impl Removal {
    fn absorb(&mut self, other: Removal) {
        self.eligibilities.extend(other.eligibilities);
        self.ended_activations.extend(other.ended_activations);
        self.revocations.extend(other.revocations);
        self.canceled_requests.extend(other.canceled_requests);
    }
}

/// One eligibility as the engine sees it.
struct Eligibility {
    id: String,
    principal_id: String,
    target: Target,
}

/// Disables the account of `user_id` and removes everything PIM gave it on every plane. `None`
/// when there is no such user; a second call finds nothing left and changes nothing.
pub fn disable_user(
    tenant: &mut Tenant,
    pim: &mut Pim,
    user_id: &str,
    now: DateTime<Utc>,
) -> Option<Removal> {
    let user = tenant
        .users
        .iter_mut()
        .find(|u| u.id.eq_ignore_ascii_case(user_id))?;
    user.account_enabled = false;
    let user_id = user.id.clone();
    let taken = take_eligibilities(tenant, |e| e.principal_id.eq_ignore_ascii_case(&user_id));
    let mut removal = pim.end_access(&user_id, |_| true, now, "The account was disabled.");
    removal.eligibilities = taken.into_iter().map(|e| e.id).collect();
    Some(removal)
}

/// Removes the eligibility `id` (whichever plane holds it) and ends what was activated through
/// it. `None` for an id the tenant never had; removing it again changes nothing.
pub fn remove_eligibility(
    tenant: &mut Tenant,
    pim: &mut Pim,
    id: &str,
    now: DateTime<Utc>,
) -> Option<Removal> {
    if tenant
        .removed_eligibilities
        .iter()
        .any(|r| r.eq_ignore_ascii_case(id))
    {
        return Some(Removal::default());
    }
    let taken = take_eligibilities(tenant, |e| e.id.eq_ignore_ascii_case(id));
    if taken.is_empty() {
        return None;
    }
    let mut removal = Removal::default();
    for eligibility in taken {
        // The sandbox links an activation to the eligibility covering its target (as
        // `activatedUsing` does), so everything of that person on that target ends.
        removal.absorb(pim.end_access(
            &eligibility.principal_id,
            |t| t.same(&eligibility.target),
            now,
            "The eligibility was removed by an administrator.",
        ));
        removal.eligibilities.push(eligibility.id);
    }
    Some(removal)
}

/// Takes every eligibility `chosen` picks out of the tenant, remembering their ids.
fn take_eligibilities(
    tenant: &mut Tenant,
    chosen: impl Fn(&Eligibility) -> bool,
) -> Vec<Eligibility> {
    let mut taken = Vec::new();
    let mut take = |e: Eligibility| {
        let pick = chosen(&e);
        if pick {
            taken.push(e);
        }
        !pick
    };
    tenant.group_eligibilities.retain(|e| {
        take(Eligibility {
            id: e.id.clone(),
            principal_id: e.principal_id.clone(),
            target: Target::Group {
                group_id: e.group_id.clone(),
                access_id: e.access_id.clone(),
            },
        })
    });
    tenant.directory_roles.eligibilities.retain(|e| {
        take(Eligibility {
            id: e.id.clone(),
            principal_id: e.principal_id.clone(),
            target: Target::DirectoryRole {
                role_definition_id: e.role_definition_id.clone(),
                directory_scope_id: e.directory_scope_id.clone(),
            },
        })
    });
    tenant.azure.eligibilities.retain(|e| {
        take(Eligibility {
            id: e.id.clone(),
            principal_id: e.principal_id.clone(),
            target: Target::AzureRole {
                scope: e.scope.clone(),
                role_definition_id: e.role_definition_id.clone(),
            },
        })
    });
    for e in &taken {
        if !tenant
            .removed_eligibilities
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&e.id))
        {
            tenant.removed_eligibilities.push(e.id.clone());
        }
    }
    taken
}

impl Pim {
    /// Ends now `principal_id`'s activations of every target `covers` accepts (recording an
    /// `adminRemove` request with `reason` for each) and cancels their pending requests.
    pub fn end_access(
        &mut self,
        principal_id: &str,
        covers: impl Fn(&Target) -> bool,
        now: DateTime<Utc>,
        reason: &str,
    ) -> Removal {
        self.sweep(now);
        let theirs = |p: &str, t: &Target| p.eq_ignore_ascii_case(principal_id) && covers(t);
        let mut removal = Removal::default();
        for request in &mut self.requests {
            if request.status.is_pending() && theirs(&request.principal_id, &request.target) {
                request.status = Status::Canceled;
                request.completed = Some(now);
                removal.canceled_requests.push(request.id.clone());
            }
        }
        let (ending, staying) = std::mem::take(&mut self.activations)
            .into_iter()
            .partition(|a| theirs(&a.principal_id, &a.target));
        self.activations = staying;
        for activation in ending {
            let revocation = Request {
                id: uuid::Uuid::new_v4().to_string(),
                action: Action::AdminRemove,
                principal_id: activation.principal_id,
                target: activation.target,
                status: Status::Revoked,
                created: now,
                completed: Some(now),
                justification: Some(reason.to_owned()),
                ticket_number: None,
                ticket_system: None,
                start: None,
                expiration: None,
                approval: None,
                is_validation_only: false,
            };
            removal.ended_activations.push(activation.id);
            removal.revocations.push(revocation.id.clone());
            self.requests.push(revocation);
        }
        removal
    }
}
