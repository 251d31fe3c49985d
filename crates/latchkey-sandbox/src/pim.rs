//! PIM's request engine, independent of HTTP: schedule requests, the policy checks in the order
//! the reference documents (section 9.4), approvals, and active assignments that end at their
//! `endDateTime`. Time is whatever the caller says "now" is, so virtual time drives expiry.

use chrono::{DateTime, Duration, Utc};

use crate::tenant::{Policy, Tenant};

mod approval;
mod error;
mod log;
mod removal;
mod target;

pub use error::{PimError, Refusals};
pub use log::request_log_json;
pub use removal::{disable_user, remove_eligibility, Removal};
pub use target::{Plane, Target};

/// `scheduleRequestActions` (camelCase on the wire, any case accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SelfActivate,
    SelfDeactivate,
    SelfExtend,
    SelfRenew,
    AdminAssign,
    AdminUpdate,
    AdminRemove,
    AdminExtend,
    AdminRenew,
}

impl Action {
    const ALL: [Action; 9] = [
        Action::SelfActivate,
        Action::SelfDeactivate,
        Action::SelfExtend,
        Action::SelfRenew,
        Action::AdminAssign,
        Action::AdminUpdate,
        Action::AdminRemove,
        Action::AdminExtend,
        Action::AdminRenew,
    ];

    /// The camelCase name Graph emits.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SelfActivate => "selfActivate",
            Action::SelfDeactivate => "selfDeactivate",
            Action::SelfExtend => "selfExtend",
            Action::SelfRenew => "selfRenew",
            Action::AdminAssign => "adminAssign",
            Action::AdminUpdate => "adminUpdate",
            Action::AdminRemove => "adminRemove",
            Action::AdminExtend => "adminExtend",
            Action::AdminRenew => "adminRenew",
        }
    }

    /// Parses any case.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Request status (PascalCase on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    PendingApproval,
    /// An extend or renew request waiting for an administrator (decided only in the portal).
    PendingAdminDecision,
    Granted,
    Provisioned,
    Denied,
    Canceled,
    Revoked,
    TimedOut,
}

impl Status {
    /// As Graph spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::PendingApproval => "PendingApproval",
            Status::PendingAdminDecision => "PendingAdminDecision",
            Status::Granted => "Granted",
            Status::Provisioned => "Provisioned",
            Status::Denied => "Denied",
            Status::Canceled => "Canceled",
            Status::Revoked => "Revoked",
            Status::TimedOut => "TimedOut",
        }
    }

    fn is_pending(self) -> bool {
        matches!(
            self,
            Status::PendingApproval | Status::PendingAdminDecision | Status::Granted
        )
    }
}

/// `selfExtend` is offered this long before a time-bound eligibility ends (the portal's window).
pub const EXTENSION_WINDOW: Duration = Duration::days(14);

/// How long an approver has to decide (not configurable for Entra roles and groups).
pub const APPROVAL_WINDOW: Duration = Duration::hours(24);
/// Deactivation is refused this soon after activation.
pub const MINIMUM_ACTIVE: Duration = Duration::minutes(5);

/// An approver's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub approve: bool,
    pub by: String,
    pub at: DateTime<Utc>,
    pub justification: String,
}

/// The single approval stage of a request that needs approval.
#[derive(Debug, Clone)]
pub struct Approval {
    pub stage_id: String,
    pub approvers: Vec<String>,
    pub approver_justification_required: bool,
    pub deadline: DateTime<Utc>,
    pub decision: Option<Decision>,
    pub expired: bool,
}

/// The expiration a request asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiration {
    /// `afterDuration`, `afterDateTime`, `noExpiration`, `notSpecified` (camelCase).
    pub kind: String,
    pub duration: Option<Duration>,
    /// ISO text as sent, echoed back.
    pub duration_text: Option<String>,
    pub end: Option<DateTime<Utc>>,
}

/// A schedule request as submitted and as it stands.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    pub action: Action,
    pub principal_id: String,
    pub target: Target,
    pub status: Status,
    pub created: DateTime<Utc>,
    pub completed: Option<DateTime<Utc>>,
    pub justification: Option<String>,
    pub ticket_number: Option<String>,
    pub ticket_system: Option<String>,
    /// The start the schedule has (a past or missing requested start becomes the processing time).
    pub start: Option<DateTime<Utc>>,
    pub expiration: Option<Expiration>,
    pub approval: Option<Approval>,
    pub is_validation_only: bool,
}

impl Request {
    /// When access granted by this request ends.
    fn end(&self) -> Option<DateTime<Utc>> {
        let start = self.start?;
        let expiration = self.expiration.as_ref()?;
        match (expiration.duration, expiration.end) {
            (Some(duration), _) => Some(start + duration),
            (None, Some(end)) => Some(end),
            _ => None,
        }
    }
}

/// An active (activated) assignment.
#[derive(Debug, Clone)]
pub struct Activation {
    pub id: String,
    pub request_id: String,
    pub principal_id: String,
    pub target: Target,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What the caller's token says about how they signed in.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub user_id: String,
    pub mfa: bool,
    pub acrs: Vec<String>,
}

/// A request as the client sent it, already parsed from JSON.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// The id the client chose (ARM's request name); `None`: the service makes one (Graph).
    pub id: Option<String>,
    pub action: Action,
    pub principal_id: String,
    pub target: Target,
    pub justification: Option<String>,
    pub ticket_number: Option<String>,
    pub ticket_system: Option<String>,
    pub requested_start: Option<DateTime<Utc>>,
    pub expiration: Option<Expiration>,
    pub is_validation_only: bool,
}

/// All PIM requests and activations of the tenant.
#[derive(Debug, Default)]
pub struct Pim {
    pub requests: Vec<Request>,
    pub activations: Vec<Activation>,
    /// Submissions refused before being recorded.
    pub refusals: Refusals,
}

fn blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(|t| t.trim().is_empty())
}

impl Pim {
    /// Applies what time has done: scheduled starts begin, activations end, approvals time out.
    pub fn sweep(&mut self, now: DateTime<Utc>) {
        let mut starting = Vec::new();
        for request in &mut self.requests {
            if request.status == Status::PendingApproval {
                if let Some(approval) = &mut request.approval {
                    if approval.decision.is_none() && now >= approval.deadline {
                        approval.expired = true;
                        request.status = Status::TimedOut;
                        request.completed = Some(approval.deadline);
                    }
                }
            }
            if request.status == Status::Granted && request.start.is_some_and(|s| s <= now) {
                request.status = Status::Provisioned;
                starting.push(request.clone());
            }
        }
        for request in starting {
            self.start_activation(&request);
        }
        self.activations.retain(|a| a.end > now);
    }

    fn start_activation(&mut self, request: &Request) {
        let (Some(start), Some(end)) = (request.start, request.end()) else {
            return;
        };
        self.activations.push(Activation {
            id: request.target.schedule_id(&request.id),
            request_id: request.id.clone(),
            principal_id: request.principal_id.clone(),
            target: request.target.clone(),
            start,
            end,
        });
    }

    /// The caller's active assignment for a target.
    pub fn activation(&self, principal_id: &str, target: &Target) -> Option<&Activation> {
        self.activations
            .iter()
            .find(|a| a.principal_id.eq_ignore_ascii_case(principal_id) && a.target.same(target))
    }

    /// Validates and records a request; returns it as stored (or, for validation-only requests,
    /// as it would be stored).
    pub fn submit(
        &mut self,
        tenant: &Tenant,
        caller: &Caller,
        new: NewRequest,
        now: DateTime<Utc>,
    ) -> Result<Request, PimError> {
        self.sweep(now);
        let submitted = self.check_and_record(tenant, caller, new, now);
        if let Err(refused) = &submitted {
            self.refusals.count(refused);
        }
        submitted
    }

    fn check_and_record(
        &mut self,
        tenant: &Tenant,
        caller: &Caller,
        new: NewRequest,
        now: DateTime<Utc>,
    ) -> Result<Request, PimError> {
        if !new.principal_id.eq_ignore_ascii_case(&caller.user_id) {
            return Err(PimError::Forbidden(
                "The principalId of a self-service request must be the signed-in user.".to_owned(),
            ));
        }
        match new.action {
            Action::SelfActivate => self.activate(tenant, caller, new, now),
            Action::SelfDeactivate => self.deactivate(new, now),
            Action::SelfExtend | Action::SelfRenew => self.extend_or_renew(tenant, new, now),
            other => Err(PimError::BadRequest(format!(
                "The action '{}' is not supported for this request by the sandbox tenant.",
                other.as_str()
            ))),
        }
    }

    fn record(&mut self, new: NewRequest, status: Status, now: DateTime<Utc>) -> Request {
        let completed = matches!(status, Status::Provisioned | Status::Revoked).then_some(now);
        Request {
            id: new.id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            action: new.action,
            principal_id: new.principal_id,
            target: new.target,
            status,
            created: now,
            completed,
            justification: new.justification,
            ticket_number: new.ticket_number,
            ticket_system: new.ticket_system,
            start: None,
            expiration: new.expiration,
            approval: None,
            is_validation_only: new.is_validation_only,
        }
    }

    fn activate(
        &mut self,
        tenant: &Tenant,
        caller: &Caller,
        new: NewRequest,
        now: DateTime<Utc>,
    ) -> Result<Request, PimError> {
        if !new.target.is_eligible(tenant, &new.principal_id, now) {
            return Err(PimError::PolicyValidationFailed(vec!["EligibilityRule"]));
        }
        if self.activation(&new.principal_id, &new.target).is_some() {
            return Err(PimError::RoleAssignmentExists);
        }
        let pending = self.requests.iter().any(|r| {
            r.principal_id.eq_ignore_ascii_case(&new.principal_id)
                && r.target.same(&new.target)
                && r.action == Action::SelfActivate
                && r.status.is_pending()
        });
        if pending {
            return Err(PimError::PendingRoleAssignmentRequest);
        }
        let policy = new.target.policy(tenant);
        let start = new.requested_start.filter(|s| *s > now).unwrap_or(now);
        let failed = failed_rules(policy, caller, &new, start);
        if !failed.is_empty() {
            return Err(PimError::PolicyValidationFailed(failed));
        }
        if let Some(claim) = &policy.authentication_context {
            if !caller.acrs.iter().any(|a| a == claim) {
                return Err(PimError::AcrsValidationFailed {
                    claim_value: claim.clone(),
                });
            }
        }
        let future = start > now;
        let status = match (&policy.approval, future) {
            (Some(_), _) => Status::PendingApproval,
            (None, true) => Status::Granted,
            (None, false) => Status::Provisioned,
        };
        let approval = policy.approval.as_ref().map(|a| Approval {
            stage_id: uuid::Uuid::new_v4().to_string(),
            approvers: a.approvers.clone(),
            approver_justification_required: a.approver_justification_required,
            deadline: now + APPROVAL_WINDOW,
            decision: None,
            expired: false,
        });
        let validation_only = new.is_validation_only;
        let mut request = self.record(new, status, now);
        request.start = Some(start);
        request.approval = approval;
        if status == Status::Granted {
            request.completed = Some(start);
        }
        if validation_only {
            return Ok(request);
        }
        if status == Status::Provisioned {
            self.start_activation(&request);
        }
        self.requests.push(request.clone());
        Ok(request)
    }

    fn deactivate(&mut self, new: NewRequest, now: DateTime<Utc>) -> Result<Request, PimError> {
        let activation = self
            .activation(&new.principal_id, &new.target)
            .cloned()
            .ok_or(PimError::RoleAssignmentDoesNotExist)?;
        if now - activation.start < MINIMUM_ACTIVE {
            return Err(PimError::ActiveDurationTooShort);
        }
        let validation_only = new.is_validation_only;
        let request = self.record(new, Status::Revoked, now);
        if validation_only {
            return Ok(request);
        }
        self.activations.retain(|a| a.id != activation.id);
        self.requests.push(request.clone());
        Ok(request)
    }

    /// `selfExtend` (a time-bound eligibility within [`EXTENSION_WINDOW`] of its end) or
    /// `selfRenew` (one that has ended). Either asks an administrator, so the request waits in
    /// `PendingAdminDecision`: Graph and ARM cannot decide it, and nothing changes meanwhile —
    /// in particular a running activation keeps its end.
    fn extend_or_renew(
        &mut self,
        tenant: &Tenant,
        new: NewRequest,
        now: DateTime<Utc>,
    ) -> Result<Request, PimError> {
        let windows = new.target.eligibility_windows(tenant, &new.principal_id);
        if windows.is_empty() {
            return Err(PimError::RoleAssignmentDoesNotExist);
        }
        let extend = new.action == Action::SelfExtend;
        let in_window = windows.iter().any(|&(_, end)| match (end, extend) {
            (Some(end), true) => end > now && end - now <= EXTENSION_WINDOW,
            (Some(end), false) => end <= now,
            (None, _) => false,
        });
        if !in_window {
            return Err(PimError::OutsideExtensionWindow(if extend {
                format!(
                    "Only an eligible assignment that ends within {} days can be extended.",
                    EXTENSION_WINDOW.num_days()
                )
            } else {
                "Only an eligible assignment that has expired can be renewed.".to_owned()
            }));
        }
        let pending = self.requests.iter().any(|r| {
            r.principal_id.eq_ignore_ascii_case(&new.principal_id)
                && r.target.same(&new.target)
                && r.action == new.action
                && r.status.is_pending()
        });
        if pending {
            return Err(PimError::PendingRoleAssignmentRequest);
        }
        let policy = new.target.policy(tenant);
        let mut failed = Vec::new();
        if new.expiration.is_none() {
            failed.push("ExpirationRule");
        }
        if policy.require_justification && blank(&new.justification) {
            failed.push("JustificationRule");
        }
        if policy.require_ticket && blank(&new.ticket_number) {
            failed.push("TicketingRule");
        }
        if !failed.is_empty() {
            return Err(PimError::PolicyValidationFailed(failed));
        }
        let validation_only = new.is_validation_only;
        let start = new.requested_start.filter(|s| *s > now).unwrap_or(now);
        let mut request = self.record(new, Status::PendingAdminDecision, now);
        request.start = Some(start);
        if !validation_only {
            self.requests.push(request.clone());
        }
        Ok(request)
    }

    /// A request by id.
    pub fn request(&self, id: &str) -> Option<&Request> {
        self.requests.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// Cancels a pending (PendingApproval or Granted) request of the caller.
    pub fn cancel(
        &mut self,
        id: &str,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<(), PimError> {
        self.sweep(now);
        let request = self
            .requests
            .iter_mut()
            .find(|r| {
                r.id.eq_ignore_ascii_case(id)
                    && r.principal_id.eq_ignore_ascii_case(&caller.user_id)
            })
            .ok_or(PimError::NotFound)?;
        if !request.status.is_pending() {
            return Err(PimError::BadRequest(format!(
                "The request cannot be canceled because its status is {}.",
                request.status.as_str()
            )));
        }
        request.status = Status::Canceled;
        request.completed = Some(now);
        Ok(())
    }
}

/// The policy rules a self-activation breaks, in the order PIM lists them.
fn failed_rules(
    policy: &Policy,
    caller: &Caller,
    new: &NewRequest,
    start: DateTime<Utc>,
) -> Vec<&'static str> {
    let mut failed = Vec::new();
    let length = new
        .expiration
        .as_ref()
        .and_then(|e| match e.kind.to_ascii_lowercase().as_str() {
            "afterduration" => e.duration,
            "afterdatetime" => e.end.map(|end| end - start),
            _ => None,
        });
    if length.is_none_or(|l| l <= Duration::zero() || l > policy.max_duration) {
        failed.push("ExpirationRule");
    }
    if policy.require_justification && blank(&new.justification) {
        failed.push("JustificationRule");
    }
    if policy.require_ticket && blank(&new.ticket_number) {
        failed.push("TicketingRule");
    }
    if policy.require_mfa && !caller.mfa {
        failed.push("MfaRule");
    }
    failed
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
