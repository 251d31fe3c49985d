//! Approvals: one stage, decided by the first approver who answers; nobody decides their own
//! request, and the request times out after [`APPROVAL_WINDOW`](super::APPROVAL_WINDOW).

use chrono::{DateTime, Utc};

use super::{Caller, Decision, Pim, PimError, Status};

impl Pim {
    /// Records an approver's decision on the request whose approval id is `id`.
    pub fn decide(
        &mut self,
        id: &str,
        stage_id: &str,
        caller: &Caller,
        approve: bool,
        justification: String,
        now: DateTime<Utc>,
    ) -> Result<(), PimError> {
        self.sweep(now);
        let index = self
            .requests
            .iter()
            .position(|r| r.id.eq_ignore_ascii_case(id) && r.approval.is_some())
            .ok_or(PimError::NotFound)?;
        let request = &mut self.requests[index];
        let approval = request.approval.as_mut().ok_or(PimError::NotFound)?;
        if !approval.stage_id.eq_ignore_ascii_case(stage_id) {
            return Err(PimError::NotFound);
        }
        if !approval
            .approvers
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&caller.user_id))
        {
            return Err(PimError::Forbidden(
                "You are not an approver of this request.".to_owned(),
            ));
        }
        if request.principal_id.eq_ignore_ascii_case(&caller.user_id) {
            return Err(PimError::Forbidden(
                "Approvers cannot approve their own requests.".to_owned(),
            ));
        }
        if approval.decision.is_some() || request.status != Status::PendingApproval {
            return Err(PimError::Conflict(
                "This approval stage has already been completed.".to_owned(),
            ));
        }
        if approval.approver_justification_required && justification.trim().is_empty() {
            return Err(PimError::BadRequest(
                "A justification is required to review this request.".to_owned(),
            ));
        }
        approval.decision = Some(Decision {
            approve,
            by: caller.user_id.clone(),
            at: now,
            justification,
        });
        if !approve {
            request.status = Status::Denied;
            request.completed = Some(now);
            return Ok(());
        }
        // Approved: the clock for the activation starts now unless a later start was asked for.
        let start = request.start.filter(|s| *s > now).unwrap_or(now);
        request.start = Some(start);
        if start > now {
            request.status = Status::Granted;
            request.completed = Some(start);
        } else {
            request.status = Status::Provisioned;
            request.completed = Some(now);
            let request = request.clone();
            self.start_activation(&request);
        }
        Ok(())
    }
}
