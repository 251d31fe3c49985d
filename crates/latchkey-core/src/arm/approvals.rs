//! The approver's side on ARM: requests waiting for my decision (`asApprover()`), and the
//! decision as a PUT on the approval's stage (2021-01-01-preview). A decision whose answer was
//! lost is reconciled by reading the stage back, as on Graph.

use reqwest::Method;
use serde_json::{json, Value};

use super::read::{minutes, name_from, request_from, scope_name_from, target_from};
use super::{is_arm_path, ArmClient, APPROVAL_API_VERSION};
use crate::error::{Error, ErrorCode, Result};
use crate::graph::approvals::{my_open_stage, no_longer_waiting, APPROVAL_WINDOW};
use crate::graph::requests::{text, time};
use crate::model::{ApprovalItem, DecisionInput, Person, RequestStatus};
use crate::rest::{Resend, WriteOutcome};
use crate::time::{parse_lenient, to_ipc};

fn approval_item_from(v: &Value) -> Option<ApprovalItem> {
    let request = request_from(v)?;
    if request.status != RequestStatus::PendingApproval {
        return None;
    }
    let created = text(v, "/properties/createdOn")
        .as_deref()
        .and_then(parse_lenient)?;
    Some(ApprovalItem {
        approval_id: text(v, "/properties/approvalId")?,
        request_id: request.id,
        name: name_from(v),
        scope_name: scope_name_from(v),
        target: target_from(v)?,
        requester: Person {
            id: text(v, "/properties/principalId")?,
            display_name: text(v, "/properties/expandedProperties/principal/displayName"),
            mail: text(v, "/properties/expandedProperties/principal/email"),
        },
        created_date_time: to_ipc(created),
        start_date_time: time(v, "/properties/scheduleInfo/startDateTime"),
        duration_minutes: minutes(v, "/properties/scheduleInfo/expiration/duration"),
        justification: request.justification,
        ticket_number: request.ticket_number,
        ticket_system: text(v, "/properties/ticketInfo/ticketSystem"),
        expires_date_time: to_ipc(created + APPROVAL_WINDOW),
    })
}

/// A stage as Graph's helpers read it: its properties, with the full stage id as `id`.
fn flat_stage(stage: &Value) -> Value {
    let mut flat = stage["properties"].clone();
    flat["id"] = stage["id"].clone();
    flat
}

impl ArmClient {
    /// Azure requests waiting for my decision, the soonest to expire first.
    pub async fn approval_queue(&self) -> Result<Vec<ApprovalItem>> {
        let values = self
            .list("roleAssignmentScheduleRequests", "asApprover()")
            .await?;
        let me = self.principal_id().to_owned();
        let mut items: Vec<ApprovalItem> = values
            .iter()
            .filter_map(approval_item_from)
            .filter(|i| !i.requester.id.eq_ignore_ascii_case(&me))
            .collect();
        items.sort_by(|a, b| a.expires_date_time.cmp(&b.expires_date_time));
        Ok(items)
    }

    async fn stages(&self, approval_id: &str) -> Result<Vec<Value>> {
        let url = self.url(approval_id, APPROVAL_API_VERSION, None)?;
        let approval: Value = self.rest.read(Method::GET, url, None).await?;
        Ok(approval
            .pointer("/properties/stages")
            .and_then(Value::as_array)
            .map(|s| s.iter().map(flat_stage).collect())
            .unwrap_or_default())
    }

    /// Approves or denies one Azure request.
    pub async fn try_decide(&self, input: &DecisionInput) -> Result<()> {
        if !is_arm_path(&input.approval_id) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "That is not an approval id.",
            ));
        }
        let justification = input.justification.trim();
        let stages = self
            .stages(&input.approval_id)
            .await
            .map_err(crate::graph::approvals::not_mine_to_decide)?;
        let Some(stage_id) = my_open_stage(&stages) else {
            return Err(no_longer_waiting(&stages));
        };
        let url = self.url(&stage_id, APPROVAL_API_VERSION, None)?;
        let body = json!({ "properties": {
            "reviewResult": if input.approve { "Approve" } else { "Deny" },
            "justification": justification,
        }});
        match self
            .rest
            .write(Method::PUT, url, &body, Resend::WhenRefusedUnprocessed)
            .await
        {
            WriteOutcome::Done(_) => Ok(()),
            WriteOutcome::Refused(e) => Err(e),
            WriteOutcome::Uncertain(e) => {
                let stages = self.stages(&input.approval_id).await;
                crate::graph::approvals::reconcile_decision(stages, &stage_id, input.approve, &e)
            }
        }
    }
}
