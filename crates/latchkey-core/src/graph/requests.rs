//! PIM actions on every plane: activate, deactivate, cancel; what is active; my requests. A
//! write whose outcome is uncertain is reconciled by reading my requests, never blindly resent,
//! so a flaky network cannot create a duplicate activation request.

use chrono::Utc;
use reqwest::Method;
use serde_json::{json, Value};

use super::plane::{self, name_from, scope_name_from, target_from};
use super::{GraphClient, WriteOutcome};
use crate::error::{Error, ErrorCode, Result};
use crate::ipc::AppError;
use crate::model::{
    Activation, ActivationInput, PimRequest, Plane, RequestOutcome, RequestStatus, Requirements,
    Target,
};
use crate::time::{parse_lenient, to_ipc};

/// How far back a reconciliation looks for the request it may have created.
const RECONCILE_WINDOW: chrono::Duration = chrono::Duration::minutes(5);

pub(crate) fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

pub(crate) fn time(v: &Value, pointer: &str) -> Option<String> {
    text(v, pointer)
        .as_deref()
        .and_then(parse_lenient)
        .map(to_ipc)
}

/// Reads a request object of `plane`; tolerant of missing fields and unknown values.
pub(crate) fn request_from(plane: Plane, v: &Value) -> Option<PimRequest> {
    let target = target_from(plane, v)?;
    Some(PimRequest {
        id: text(v, "/id")?,
        name: name_from(plane, v),
        scope_name: scope_name_from(&target, v),
        target,
        action: text(v, "/action").unwrap_or_default(),
        status: RequestStatus::parse(&text(v, "/status").unwrap_or_default()),
        created_date_time: time(v, "/createdDateTime").unwrap_or_default(),
        start_date_time: time(v, "/scheduleInfo/startDateTime"),
        duration_minutes: text(v, "/scheduleInfo/expiration/duration")
            .as_deref()
            .and_then(iso_duration::parse)
            .and_then(|d| u32::try_from(d.num_minutes()).ok()),
        justification: text(v, "/justification"),
        ticket_number: text(v, "/ticketInfo/ticketNumber"),
        decision_reason: None,
    })
}

/// Reads an assignment schedule instance of `plane`.
fn activation_from(plane: Plane, v: &Value) -> Option<Activation> {
    let target = target_from(plane, v)?;
    Some(Activation {
        id: text(v, "/id")?,
        name: name_from(plane, v),
        scope_name: scope_name_from(&target, v),
        target,
        start_date_time: time(v, "/startDateTime").unwrap_or_default(),
        end_date_time: time(v, "/endDateTime"),
    })
}

/// The outcome shown for one request.
pub(crate) fn outcome(target: &Target, result: Result<PimRequest>) -> RequestOutcome {
    match result {
        Ok(request) => RequestOutcome {
            target: target.clone(),
            request_id: Some(request.id),
            status: Some(request.status),
            error: None,
        },
        Err(e) => RequestOutcome {
            target: target.clone(),
            request_id: None,
            status: None,
            error: Some(AppError::from(e)),
        },
    }
}

/// A cancel PIM answered with 404: the id is someone else's request, or none at all.
pub(crate) fn not_my_request(answer: Error) -> Error {
    Error {
        code: ErrorCode::InvalidInput,
        message: "Latchkey can't find this request among yours: it is someone else's or no longer exists. Refresh to see your requests.".to_owned(),
        ..answer
    }
}

pub(crate) fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidInput, message)
}

fn cannot_request(target: &Target) -> Error {
    match target {
        Target::Group { .. } => invalid("Latchkey can only activate a membership or an ownership."),
        Target::DirectoryRole { .. } | Target::AzureRole { .. } => {
            invalid("That role cannot be requested.")
        }
    }
}

/// Checks an activation against what the policy is known to require, before anything is sent.
pub fn validate(input: &ActivationInput, requirements: &Requirements) -> Result<()> {
    let requestable = match &input.target {
        Target::AzureRole {
            scope,
            role_definition_id,
        } => crate::arm::is_arm_path(scope) && !role_definition_id.trim().is_empty(),
        other => plane::target_fields(other).is_some(),
    };
    if !requestable {
        return Err(cannot_request(&input.target));
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

pub(crate) fn trimmed(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

impl GraphClient {
    /// What is active for me now in `plane`, ending soonest first.
    pub async fn my_activations(&self, plane: Plane) -> Result<Vec<Activation>> {
        let mut values: Vec<Value> = self.get_all(plane::paths(plane)?.my_activations).await?;
        if plane == Plane::Group {
            self.fill_group_names(&mut values).await;
        }
        let mut list: Vec<Activation> = values
            .iter()
            .filter(|v| {
                // Also filtered here: a service that ignores `$filter` must not turn permanent
                // role assignments into countdowns.
                plane == Plane::Group
                    || text(v, "/assignmentType")
                        .is_none_or(|t| t.eq_ignore_ascii_case("Activated"))
            })
            .filter_map(|v| activation_from(plane, v))
            .collect();
        list.sort_by(|a, b| a.end_date_time.cmp(&b.end_date_time).then(a.id.cmp(&b.id)));
        Ok(list)
    }

    /// My requests in `plane`, newest first.
    pub async fn my_requests(&self, plane: Plane) -> Result<Vec<PimRequest>> {
        let mut values: Vec<Value> = self.get_all(plane::paths(plane)?.my_requests).await?;
        if plane == Plane::Group {
            self.fill_group_names(&mut values).await;
        }
        let mut list: Vec<PimRequest> = values
            .iter()
            .filter_map(|v| request_from(plane, v))
            .collect();
        for request in &list {
            self.seen.insert(&request.id);
        }
        self.fill_decision_reasons(plane, &values, &mut list).await;
        list.sort_by(|a, b| b.created_date_time.cmp(&a.created_date_time));
        Ok(list)
    }

    /// The approver's reason on each denied request of mine (read from its approval, §4.2), so
    /// the requester learns why without asking.
    async fn fill_decision_reasons(&self, plane: Plane, values: &[Value], list: &mut [PimRequest]) {
        for request in list
            .iter_mut()
            .filter(|r| r.status == RequestStatus::Denied)
        {
            let approval = values
                .iter()
                .find(|v| text(v, "/id").as_deref() == Some(request.id.as_str()))
                .and_then(|v| text(v, "/approvalId"));
            if let Some(approval) = approval {
                request.decision_reason = self.decision_reason_of(plane, &approval).await;
            }
        }
    }

    /// Asks PIM to activate; the outcome is PIM's status, read from the response (201 alone
    /// means nothing).
    pub async fn activate(
        &self,
        input: &ActivationInput,
        requirements: &Requirements,
    ) -> RequestOutcome {
        outcome(
            &input.target,
            self.request_activation(input, requirements).await,
        )
    }

    /// [`GraphClient::activate`], keeping the error whole (a step-up's claims travel in it).
    pub async fn request_activation(
        &self,
        input: &ActivationInput,
        requirements: &Requirements,
    ) -> Result<PimRequest> {
        validate(input, requirements)?;
        let fields =
            plane::target_fields(&input.target).ok_or_else(|| cannot_request(&input.target))?;
        let duration =
            iso_duration::format(chrono::Duration::minutes(i64::from(input.duration_minutes)));
        let mut schedule =
            json!({ "expiration": { "type": "afterDuration", "duration": duration } });
        if let Some(start) = input.start_at.as_deref().and_then(parse_lenient) {
            schedule["startDateTime"] = Value::String(to_ipc(start));
        }
        let mut body = Value::Object(fields);
        body["action"] = json!("selfActivate");
        body["principalId"] = json!(self.principal_id());
        body["scheduleInfo"] = schedule;
        if let Some(j) = trimmed(&input.justification) {
            body["justification"] = Value::String(j.to_owned());
        }
        if let Some(t) = trimmed(&input.ticket_number) {
            body["ticketInfo"] = json!({
                "ticketNumber": t,
                "ticketSystem": trimmed(&input.ticket_system),
            });
        }
        self.submit(&body, &input.target, "selfActivate").await
    }

    /// Ends an activation early (refused by PIM in its first five minutes).
    pub async fn deactivate(&self, target: &Target) -> RequestOutcome {
        let result = async {
            let fields = plane::target_fields(target).ok_or_else(|| cannot_request(target))?;
            let mut body = Value::Object(fields);
            body["action"] = json!("selfDeactivate");
            body["principalId"] = json!(self.principal_id());
            self.submit(&body, target, "selfDeactivate").await
        }
        .await;
        outcome(target, result)
    }

    /// Cancels one of my pending requests in `plane`.
    pub async fn cancel_request(&self, plane: Plane, request_id: &str) -> Result<()> {
        super::check_id(request_id, "a request id")?;
        let path = format!("{}/{request_id}/cancel", plane::paths(plane)?.requests);
        match self.write(Method::POST, &path, &json!({})).await {
            WriteOutcome::Done(_) => Ok(()),
            WriteOutcome::Refused(e) if e.is_not_found() => Err(not_my_request(e)),
            WriteOutcome::Refused(e) => Err(e),
            WriteOutcome::Uncertain(e) => {
                // Reconcile: read the request back before saying anything.
                let requests = self.my_requests(plane).await.map_err(|read| {
                    tracing::info!(code = ?e.code, read = ?read.code, "cancellation not reconciled");
                    Error::outcome_unknown("Latchkey couldn't tell whether the request was cancelled. Refresh before trying again.")
                })?;
                match requests.iter().find(|r| r.id.eq_ignore_ascii_case(request_id)) {
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
    /// Graph lets the client name nothing in the request, so "mine, same target and action,
    /// recent" alone could also match an earlier one (a request canceled a minute ago, then
    /// asked for again). Two things rule those out without a read before every send: a request
    /// this client has already seen (listed, or answered to it) is never the new one, and a new
    /// request cannot already be finished (canceled, denied, timed out, failed).
    async fn submit(&self, body: &Value, target: &Target, action: &str) -> Result<PimRequest> {
        let sent_at = Utc::now();
        let plane = target.plane();
        match self
            .write(Method::POST, plane::paths(plane)?.requests, body)
            .await
        {
            WriteOutcome::Done(value) => {
                let request = request_from(plane, &value).ok_or_else(|| {
                    Error::new(ErrorCode::UnexpectedResponse, "PIM accepted the request but its answer was unreadable; refresh to see its state.")
                })?;
                self.seen.insert(&request.id);
                Ok(request)
            }
            WriteOutcome::Refused(e) => Err(e),
            WriteOutcome::Uncertain(e) => {
                tracing::warn!(code = ?e.code, action, "request outcome uncertain; reconciling");
                let unknown = || {
                    Error::outcome_unknown("Latchkey couldn't tell whether PIM received the request. Refresh before trying again.")
                };
                let mine = self.my_requests(plane).await.map_err(|_| unknown())?;
                let since = to_ipc(sent_at - RECONCILE_WINDOW);
                let found = mine.into_iter().find(|r| {
                    r.target.same(target)
                        && r.action.eq_ignore_ascii_case(action)
                        && r.created_date_time >= since
                        && could_be_new(r.status)
                        && !self.seen.contains_before(&r.id, sent_at)
                });
                match found {
                    Some(request) => {
                        self.seen.insert(&request.id);
                        Ok(request)
                    }
                    None => Err(Error::new(
                        e.code,
                        "The request did not reach PIM (it is not among your requests). Nothing was created; try again.",
                    )),
                }
            }
        }
    }
}

/// Whether a request in `status` could be one created a moment ago: finished ones cannot.
fn could_be_new(status: RequestStatus) -> bool {
    !matches!(
        status,
        RequestStatus::Canceled
            | RequestStatus::Denied
            | RequestStatus::TimedOut
            | RequestStatus::Failed
    )
}

/// Request ids a client has seen, with when it first saw each.
#[derive(Debug, Default)]
pub struct SeenRequests(std::sync::Mutex<std::collections::HashMap<String, chrono::DateTime<Utc>>>);

impl SeenRequests {
    fn ids(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, chrono::DateTime<Utc>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers `id` (first sighting wins).
    pub fn insert(&self, id: &str) {
        self.ids()
            .entry(id.to_ascii_lowercase())
            .or_insert_with(Utc::now);
    }

    /// Whether `id` was seen before `at` (so it cannot be a request sent at `at`).
    pub fn contains_before(&self, id: &str, at: chrono::DateTime<Utc>) -> bool {
        self.ids()
            .get(&id.to_ascii_lowercase())
            .is_some_and(|seen| *seen < at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_role_request() {
        // §2.5's response, PascalCase action as list outputs show it.
        let v: Value = serde_json::from_str(
            r#"{"id":"911bab8a-6912-4de2-9dc0-2648ede7dd6d","status":"Granted",
                "createdDateTime":"2022-04-13T08:52:32.6485851Z","action":"SelfActivate",
                "principalId":"p","roleDefinitionId":"8424c6f0-a189-499e-bbd0-26c1753c96d4",
                "directoryScopeId":"/","justification":"Rotate",
                "scheduleInfo":{"startDateTime":"2022-04-14T00:00:00Z","recurrence":null,
                  "expiration":{"type":"afterDuration","endDateTime":null,"duration":"PT5H"}},
                "ticketInfo":{"ticketNumber":"CONTOSO:Normal-67890","ticketSystem":"MS Project"}}"#,
        )
        .unwrap();
        let r = request_from(Plane::DirectoryRole, &v).unwrap();
        assert_eq!(r.status, RequestStatus::Granted);
        assert_eq!(r.duration_minutes, Some(300));
        assert_eq!(r.scope_name.as_deref(), Some("Directory"));
        assert_eq!(r.created_date_time, "2022-04-13T08:52:32.648Z");
        assert_eq!(r.ticket_number.as_deref(), Some("CONTOSO:Normal-67890"));
        // A group request is not a role request.
        assert!(request_from(Plane::Group, &v).is_none());
    }
}
