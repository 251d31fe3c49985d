//! The approver's side on every plane: requests waiting for my decision, and deciding them.
//! A decision is a PATCH on the approval's stage (v1.0 `stages` for groups, beta `steps` for
//! directory roles); one whose answer was lost is reconciled by reading the stage back.

use reqwest::Method;
use serde_json::{json, Value};

use super::plane::{self, name_from, scope_name_from, target_from};
use super::{GraphClient, WriteOutcome};
use crate::error::{Error, ErrorCode, Result};
use crate::ipc::AppError;
use crate::model::{ApprovalItem, DecisionInput, DecisionOutcome, Person, Plane, RequestStatus};
use crate::time::{parse_lenient, to_ipc};

/// How long approvers have to decide (not configurable for roles and groups, reference §2.6).
pub(crate) const APPROVAL_WINDOW: chrono::Duration = chrono::Duration::hours(24);

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|t| !t.is_empty())
}

/// Reads a pending request from the approver's queue.
fn approval_item_from(plane: Plane, v: &Value) -> Option<ApprovalItem> {
    let status = RequestStatus::parse(&text(v, "/status").unwrap_or_default());
    if status != RequestStatus::PendingApproval {
        return None;
    }
    let target = target_from(plane, v)?;
    let request_id = text(v, "/id")?;
    let created = text(v, "/createdDateTime")
        .as_deref()
        .and_then(parse_lenient)?;
    let requester_id = text(v, "/principalId").or_else(|| text(v, "/createdBy/user/id"))?;
    Some(ApprovalItem {
        approval_id: text(v, "/approvalId").unwrap_or_else(|| request_id.clone()),
        request_id,
        name: name_from(plane, v),
        scope_name: scope_name_from(&target, v),
        target,
        requester: Person {
            id: requester_id,
            display_name: text(v, "/principal/displayName")
                .or_else(|| text(v, "/createdBy/user/displayName")),
            mail: text(v, "/principal/mail").or_else(|| text(v, "/principal/userPrincipalName")),
        },
        created_date_time: to_ipc(created),
        start_date_time: text(v, "/scheduleInfo/startDateTime")
            .as_deref()
            .and_then(parse_lenient)
            .map(to_ipc),
        duration_minutes: text(v, "/scheduleInfo/expiration/duration")
            .as_deref()
            .and_then(iso_duration::parse)
            .and_then(|d| u32::try_from(d.num_minutes()).ok()),
        justification: text(v, "/justification"),
        ticket_number: text(v, "/ticketInfo/ticketNumber"),
        ticket_system: text(v, "/ticketInfo/ticketSystem"),
        expires_date_time: to_ipc(created + APPROVAL_WINDOW),
    })
}

/// How a decision on `input` ended, for the UI.
pub(crate) fn decision_outcome(input: &DecisionInput, result: Result<()>) -> DecisionOutcome {
    DecisionOutcome {
        plane: input.plane,
        approval_id: input.approval_id.clone(),
        approve: input.approve,
        decided: result.is_ok(),
        error: result.err().map(AppError::from),
    }
}

/// The stage waiting for me: in progress and assigned to me.
pub(crate) fn my_open_stage(stages: &[Value]) -> Option<String> {
    stages
        .iter()
        .find(|s| {
            text(s, "/status").is_some_and(|st| st.eq_ignore_ascii_case("InProgress"))
                && s["assignedToMe"].as_bool() == Some(true)
        })
        .and_then(|s| text(s, "/id"))
}

/// Why a request with no stage open for me left my inbox, as its stages tell: another approver
/// decided it (and how), its 24 hours ran out, or (nothing recorded) it was withdrawn.
pub(crate) fn no_longer_waiting(stages: &[Value]) -> Error {
    let message = if let Some(approved) = stages.iter().find_map(reviewed) {
        if approved {
            "Already decided by someone else: another approver approved it. Nothing for you to do."
        } else {
            "Already decided by someone else: another approver denied it. Nothing for you to do."
        }
    } else if stages
        .iter()
        .any(|s| text(s, "/status").is_some_and(|st| st.eq_ignore_ascii_case("Expired")))
    {
        "Nobody decided this request within its 24 hours, so it expired."
    } else {
        "This request no longer waits for your decision: it was decided elsewhere, canceled, or it expired."
    };
    Error::new(ErrorCode::AlreadyDecided, message)
}

/// The review result in a stage, as "approved" (`true`) or "denied" (`false`).
fn reviewed(stage: &Value) -> Option<bool> {
    let result = text(stage, "/reviewResult")?.to_ascii_lowercase();
    match result.as_str() {
        "approve" | "approved" => Some(true),
        "deny" | "denied" => Some(false),
        _ => None,
    }
}

/// After a decision whose answer was lost (`cause`): what the stage read back says. Recorded
/// as I decided → done; decided the other way → someone else was first; undecided → it did
/// not reach PIM. Shared by Graph's and ARM's approvals.
pub(crate) fn reconcile_decision(
    stages: Result<Vec<Value>>,
    stage_id: &str,
    approve: bool,
    cause: &Error,
) -> Result<()> {
    tracing::warn!(code = ?cause.code, "decision outcome uncertain; reconciling");
    let stages = stages.map_err(|_| {
        Error::outcome_unknown("Latchkey couldn't tell whether your decision was recorded. Refresh before deciding again.")
    })?;
    let stage = stages
        .iter()
        .find(|s| text(s, "/id").as_deref() == Some(stage_id));
    match stage.and_then(reviewed) {
        Some(result) if result == approve => Ok(()),
        Some(_) => Err(Error::new(
            ErrorCode::AlreadyDecided,
            "Already decided by someone else: another approver decided it first. Nothing for you to do.",
        )),
        None => Err(Error::new(
            cause.code,
            "Your decision did not reach PIM; the request still waits. Try again.",
        )),
    }
}

impl GraphClient {
    fn for_approvals(&self, plane: Plane) -> GraphClient {
        if plane::paths(plane).is_ok_and(|p| p.approvals_on_beta) {
            self.beta()
        } else {
            self.clone()
        }
    }

    /// Requests in `plane` waiting for my decision, the soonest to expire first.
    pub async fn approval_queue(&self, plane: Plane) -> Result<Vec<ApprovalItem>> {
        let mut values: Vec<Value> = self.get_all(plane::paths(plane)?.approver_queue).await?;
        if plane == Plane::Group {
            self.fill_group_names(&mut values).await;
        }
        let me = self.principal_id().to_owned();
        let mut items: Vec<ApprovalItem> = values
            .iter()
            .filter_map(|v| approval_item_from(plane, v))
            // Nobody approves their own request; a service that lists them anyway is ignored.
            .filter(|item| !item.requester.id.eq_ignore_ascii_case(&me))
            .collect();
        items.sort_by(|a, b| a.expires_date_time.cmp(&b.expires_date_time));
        Ok(items)
    }

    /// The stages of an approval.
    pub(crate) async fn stages(&self, plane: Plane, approval_id: &str) -> Result<Vec<Value>> {
        let paths = plane::paths(plane)?;
        let url = self.for_approvals(plane).url(&format!(
            "{}/{approval_id}/{}",
            paths.approvals, paths.stages
        ))?;
        let page: Value = self.for_approvals(plane).get(url).await?;
        Ok(page["value"].as_array().cloned().unwrap_or_default())
    }

    /// Approves or denies one request.
    pub async fn decide(&self, input: &DecisionInput) -> DecisionOutcome {
        decision_outcome(input, self.try_decide(input).await)
    }

    async fn try_decide(&self, input: &DecisionInput) -> Result<()> {
        super::check_id(&input.approval_id, "an approval id")?;
        let justification = input.justification.trim();
        if justification.chars().count() > 500 {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "Keep the reason under 500 characters.",
            ));
        }
        let plane = input.plane;
        let stages = self
            .stages(plane, &input.approval_id)
            .await
            .map_err(not_mine_to_decide)?;
        let Some(stage_id) = my_open_stage(&stages) else {
            return Err(no_longer_waiting(&stages));
        };
        let paths = plane::paths(plane)?;
        let path = format!(
            "{}/{}/{}/{stage_id}",
            paths.approvals, input.approval_id, paths.stages
        );
        let body = json!({
            "reviewResult": if input.approve { "Approve" } else { "Deny" },
            "justification": justification,
        });
        match self
            .for_approvals(plane)
            .write(Method::PATCH, &path, &body)
            .await
        {
            WriteOutcome::Done(_) => Ok(()),
            WriteOutcome::Refused(e) => Err(e),
            WriteOutcome::Uncertain(e) => {
                let stages = self.stages(plane, &input.approval_id).await;
                reconcile_decision(stages, &stage_id, input.approve, &e)
            }
        }
    }
}

/// Reading an approval PIM answered with 404: it is not one the caller approves (PIM shows an
/// approval to its requester and approvers only), or there is none. Other errors pass.
pub(crate) fn not_mine_to_decide(answer: Error) -> Error {
    if !answer.is_not_found() {
        return answer;
    }
    Error {
        code: ErrorCode::Forbidden,
        message: "This request isn't waiting for your decision: you are not one of its approvers, or it no longer exists. Refresh the inbox.".to_owned(),
        ..answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_queue_entry_and_skips_what_is_not_pending() {
        let v: Value = serde_json::from_str(
            r#"{"id":"6aacaee8-4089-4048-9510-3119367fc943","status":"PendingApproval",
                "approvalId":"6aacaee8-4089-4048-9510-3119367fc943",
                "createdDateTime":"2023-02-07T07:05:53.7895614Z","action":"selfActivate",
                "principalId":"3cce9d87","accessId":"member","groupId":"2b5ed229",
                "principal":{"displayName":"Ada Okafor","userPrincipalName":"ada@fabrikam.example"},
                "group":{"displayName":"Prod DB Admins"},"justification":"INC-42 failover",
                "scheduleInfo":{"startDateTime":null,"expiration":{"type":"afterDuration","duration":"PT2H"}},
                "ticketInfo":{"ticketNumber":"CHG-7","ticketSystem":"ServiceNow"}}"#,
        )
        .unwrap();
        let item = approval_item_from(Plane::Group, &v).unwrap();
        assert_eq!(item.requester.display_name.as_deref(), Some("Ada Okafor"));
        assert_eq!(item.requester.mail.as_deref(), Some("ada@fabrikam.example"));
        assert_eq!(item.duration_minutes, Some(120));
        assert_eq!(item.start_date_time, None);
        assert_eq!(item.expires_date_time, "2023-02-08T07:05:53.789Z");
        assert_eq!(item.ticket_system.as_deref(), Some("ServiceNow"));
        let mut denied = v.clone();
        denied["status"] = json!("Denied");
        assert!(approval_item_from(Plane::Group, &denied).is_none());
    }

    #[test]
    fn finds_my_open_stage_and_reads_review_results_in_both_tenses() {
        let stages: Vec<Value> = serde_json::from_str(
            r#"[{"id":"a","status":"Completed","assignedToMe":true,"reviewResult":"Approved"},
                {"id":"b","status":"InProgress","assignedToMe":false},
                {"id":"c","status":"inProgress","assignedToMe":true,"reviewResult":"NotReviewed"}]"#,
        )
        .unwrap();
        assert_eq!(my_open_stage(&stages).as_deref(), Some("c"));
        assert_eq!(reviewed(&stages[0]), Some(true));
        assert_eq!(reviewed(&json!({"reviewResult":"Deny"})), Some(false));
        assert_eq!(reviewed(&stages[2]), None);
    }

    #[test]
    fn a_request_that_left_the_inbox_says_who_or_what_took_it() {
        let by_someone = no_longer_waiting(&[json!({"status":"Completed","reviewResult":"Deny"})]);
        assert_eq!(by_someone.code, ErrorCode::AlreadyDecided);
        assert!(
            by_someone
                .message
                .contains("Already decided by someone else"),
            "{}",
            by_someone.message
        );
        assert!(by_someone.message.contains("denied"));
        let expired =
            no_longer_waiting(&[json!({"status":"Expired","reviewResult":"NotReviewed"})]);
        assert!(expired.message.contains("expired"), "{}", expired.message);
        assert!(!expired.message.contains("someone else"));
        let withdrawn = no_longer_waiting(&[]);
        assert_eq!(withdrawn.code, ErrorCode::AlreadyDecided);
    }
}
