//! PIM for Groups actions: activate, deactivate, cancel; what is active; my requests. A write
//! whose outcome is uncertain is reconciled by reading my requests, never blindly resent, so a
//! flaky network cannot create a duplicate activation request.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{GraphClient, WriteOutcome};
use crate::error::{Error, ErrorCode, Result};
use crate::ipc::AppError;
use crate::model::{
    ActivationInput, GroupAccess, GroupActivation, GroupRequest, RequestOutcome, RequestStatus,
    Requirements,
};
use crate::time::{lenient_option, parse_lenient, to_ipc};

const BASE: &str = "identityGovernance/privilegedAccess/group";
/// How far back a reconciliation looks for the request it may have created.
const RECONCILE_WINDOW: chrono::Duration = chrono::Duration::minutes(5);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstanceDto {
    id: String,
    group_id: String,
    #[serde(default)]
    access_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_option")]
    start_date_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_option")]
    end_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    group: Option<GroupName>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupName {
    #[serde(default)]
    display_name: Option<String>,
}

/// Reads a request object; tolerant of missing fields and unknown values.
fn request_from(v: &Value) -> Option<GroupRequest> {
    let text = |ptr: &str| v.pointer(ptr).and_then(Value::as_str).map(str::to_owned);
    Some(GroupRequest {
        id: text("/id")?,
        group_id: text("/groupId")?,
        group_name: text("/group/displayName"),
        access: GroupAccess::parse(&text("/accessId").unwrap_or_default()),
        action: text("/action").unwrap_or_default(),
        status: RequestStatus::parse(&text("/status").unwrap_or_default()),
        created_date_time: text("/createdDateTime")
            .as_deref()
            .and_then(parse_lenient)
            .map(to_ipc)
            .unwrap_or_default(),
        start_date_time: text("/scheduleInfo/startDateTime")
            .as_deref()
            .and_then(parse_lenient)
            .map(to_ipc),
        duration_minutes: text("/scheduleInfo/expiration/duration")
            .as_deref()
            .and_then(iso_duration::parse)
            .and_then(|d| u32::try_from(d.num_minutes()).ok()),
        justification: text("/justification"),
        ticket_number: text("/ticketInfo/ticketNumber"),
    })
}

fn outcome(group_id: &str, access: GroupAccess, result: Result<GroupRequest>) -> RequestOutcome {
    match result {
        Ok(request) => RequestOutcome {
            group_id: group_id.to_owned(),
            access,
            request_id: Some(request.id),
            status: Some(request.status),
            error: None,
        },
        Err(e) => RequestOutcome {
            group_id: group_id.to_owned(),
            access,
            request_id: None,
            status: None,
            error: Some(AppError::from(e)),
        },
    }
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidInput, message)
}

/// Checks an activation against what the policy is known to require, before anything is sent.
pub fn validate(input: &ActivationInput, requirements: &Requirements) -> Result<()> {
    if input.access.access_id().is_none() {
        return Err(invalid(
            "Latchkey can only activate a membership or an ownership.",
        ));
    }
    if input.duration_minutes == 0 {
        return Err(invalid("Choose a duration of at least one minute."));
    }
    if let Some(max) = requirements.max_duration_minutes {
        if input.duration_minutes > max {
            return Err(invalid(&format!(
                "The policy allows at most {}; choose a shorter duration.",
                crate::time::minutes_in_words(max)
            )));
        }
    }
    let blank = |t: &Option<String>| t.as_deref().is_none_or(|t| t.trim().is_empty());
    if requirements.justification && blank(&input.justification) {
        return Err(invalid("This activation needs a justification."));
    }
    if requirements.ticket && blank(&input.ticket_number) {
        return Err(invalid("This activation needs a ticket number."));
    }
    if let Some(start) = &input.start_at {
        parse_lenient(start)
            .ok_or_else(|| invalid("The start time is not a valid date and time."))?;
    }
    Ok(())
}

impl GraphClient {
    /// Memberships and ownerships active now.
    pub async fn my_group_activations(&self) -> Result<Vec<GroupActivation>> {
        let path = format!(
            "{BASE}/assignmentScheduleInstances/filterByCurrentUser(on='principal')?$expand=group($select=id,displayName)"
        );
        let instances: Vec<InstanceDto> = self.get_all(&path).await?;
        let mut list: Vec<GroupActivation> = instances
            .into_iter()
            .map(|i| GroupActivation {
                id: i.id,
                group_id: i.group_id,
                group_name: i.group.and_then(|g| g.display_name),
                access: GroupAccess::parse(i.access_id.as_deref().unwrap_or_default()),
                start_date_time: i.start_date_time.map(to_ipc).unwrap_or_default(),
                end_date_time: i.end_date_time.map(to_ipc),
            })
            .collect();
        list.sort_by(|a, b| a.end_date_time.cmp(&b.end_date_time).then(a.id.cmp(&b.id)));
        Ok(list)
    }

    /// My requests, newest first.
    pub async fn my_group_requests(&self) -> Result<Vec<GroupRequest>> {
        let path = format!(
            "{BASE}/assignmentScheduleRequests/filterByCurrentUser(on='principal')?$expand=group($select=id,displayName)"
        );
        let values: Vec<Value> = self.get_all(&path).await?;
        let mut list: Vec<GroupRequest> = values.iter().filter_map(request_from).collect();
        list.sort_by(|a, b| b.created_date_time.cmp(&a.created_date_time));
        Ok(list)
    }

    /// Asks PIM to activate a membership or ownership; the outcome is PIM's status, read from
    /// the response (201 alone means nothing).
    pub async fn activate_group(
        &self,
        input: &ActivationInput,
        requirements: &Requirements,
    ) -> RequestOutcome {
        let result = async {
            validate(input, requirements)?;
            let access = input.access.access_id().unwrap_or("member");
            let duration = iso_duration::format(chrono::Duration::minutes(i64::from(input.duration_minutes)));
            let mut schedule = json!({ "expiration": { "type": "afterDuration", "duration": duration } });
            if let Some(start) = input.start_at.as_deref().and_then(parse_lenient) {
                schedule["startDateTime"] = Value::String(to_ipc(start));
            }
            let mut body = json!({
                "action": "selfActivate",
                "principalId": self.principal_id(),
                "groupId": input.group_id,
                "accessId": access,
                "scheduleInfo": schedule,
            });
            if let Some(j) = input.justification.as_deref().map(str::trim).filter(|j| !j.is_empty()) {
                body["justification"] = Value::String(j.to_owned());
            }
            if let Some(t) = input.ticket_number.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                body["ticketInfo"] = json!({
                    "ticketNumber": t,
                    "ticketSystem": input.ticket_system.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                });
            }
            self.submit(&body, &input.group_id, access, "selfActivate").await
        }
        .await;
        outcome(&input.group_id, input.access, result)
    }

    /// Ends an activation early (refused by PIM in its first five minutes).
    pub async fn deactivate_group(&self, group_id: &str, access: GroupAccess) -> RequestOutcome {
        let result = async {
            let access_id = access.access_id().ok_or_else(|| {
                invalid("Latchkey can only deactivate a membership or an ownership.")
            })?;
            let body = json!({
                "action": "selfDeactivate",
                "principalId": self.principal_id(),
                "groupId": group_id,
                "accessId": access_id,
            });
            self.submit(&body, group_id, access_id, "selfDeactivate")
                .await
        }
        .await;
        outcome(group_id, access, result)
    }

    /// Cancels one of my pending requests.
    pub async fn cancel_group_request(&self, request_id: &str) -> Result<()> {
        if request_id.is_empty()
            || !request_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(invalid("That is not a request id."));
        }
        let path = format!("{BASE}/assignmentScheduleRequests/{request_id}/cancel");
        match self.write(Method::POST, &path, &json!({})).await {
            WriteOutcome::Done(_) => Ok(()),
            WriteOutcome::Refused(e) => Err(e),
            WriteOutcome::Uncertain(e) => {
                // Reconcile: read the request back before saying anything.
                let requests = self.my_group_requests().await.map_err(|_| e)?;
                match requests.iter().find(|r| r.id == request_id) {
                    Some(r) if r.status == RequestStatus::Canceled => Ok(()),
                    _ => Err(Error::new(
                        ErrorCode::ServiceError,
                        "Latchkey couldn't confirm the cancellation; the request is still pending. Try again.",
                    )),
                }
            }
        }
    }

    /// Sends a schedule request; when its fate is uncertain, looks for it among my requests.
    async fn submit(
        &self,
        body: &Value,
        group_id: &str,
        access_id: &str,
        action: &str,
    ) -> Result<GroupRequest> {
        let sent_at = Utc::now();
        let path = format!("{BASE}/assignmentScheduleRequests");
        match self.write(Method::POST, &path, body).await {
            WriteOutcome::Done(value) => request_from(&value).ok_or_else(|| {
                Error::new(ErrorCode::UnexpectedResponse, "PIM accepted the request but its answer was unreadable; refresh to see its state.")
            }),
            WriteOutcome::Refused(e) => Err(e),
            WriteOutcome::Uncertain(e) => {
                tracing::warn!(code = ?e.code, action, "request outcome uncertain; reconciling");
                let mine = self.my_group_requests().await.map_err(|_| {
                    Error::new(e.code, "Latchkey couldn't tell whether PIM received the request. Refresh before trying again.")
                })?;
                let since = to_ipc(sent_at - RECONCILE_WINDOW);
                mine.into_iter()
                    .find(|r| {
                        r.group_id.eq_ignore_ascii_case(group_id)
                            && r.access.access_id() == Some(access_id)
                            && r.action.eq_ignore_ascii_case(action)
                            && r.created_date_time >= since
                    })
                    .ok_or_else(|| {
                        Error::new(
                            e.code,
                            "The request did not reach PIM (it is not among your requests). Nothing was created; try again.",
                        )
                    })
            }
        }
    }
}
