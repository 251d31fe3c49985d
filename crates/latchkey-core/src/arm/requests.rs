//! Activate, deactivate and cancel on ARM. A request is a PUT under a GUID chosen once per
//! intent: the transport resends that same PUT after a lost answer or a 5xx (ARM answers the
//! second delivery with the request the first one made), and when the outcome stays unknown
//! the request is read back by that name before anything is said.

use reqwest::Method;
use serde_json::{json, Value};

use super::read::request_from;
use super::{ArmClient, API_VERSION, PROVIDER};
use crate::error::{Error, ErrorCode, Result};
use crate::graph::requests::{invalid, outcome, trimmed, validate};
use crate::model::{
    ActivationInput, PimRequest, RequestOutcome, RequestStatus, Requirements, Target,
};
use crate::rest::{Resend, WriteOutcome};
use crate::time::{parse_lenient, to_ipc};

fn scope_and_role(target: &Target) -> Result<(&str, &str)> {
    match target {
        Target::AzureRole {
            scope,
            role_definition_id,
        } => Ok((scope, role_definition_id)),
        _ => Err(invalid("That is not an Azure role.")),
    }
}

impl ArmClient {
    /// Asks PIM to activate an Azure role; `linked` is the eligibility schedule it draws on.
    pub async fn request_activation(
        &self,
        input: &ActivationInput,
        requirements: &Requirements,
        linked: Option<&str>,
    ) -> Result<PimRequest> {
        validate(input, requirements)?;
        let (_, role) = scope_and_role(&input.target)?;
        let duration =
            iso_duration::format(chrono::Duration::minutes(i64::from(input.duration_minutes)));
        let mut schedule =
            json!({ "expiration": { "type": "AfterDuration", "duration": duration } });
        if let Some(start) = input.start_at.as_deref().and_then(parse_lenient) {
            schedule["startDateTime"] = Value::String(to_ipc(start));
        }
        let mut properties = json!({
            "principalId": self.principal_id(),
            "roleDefinitionId": role,
            "requestType": "SelfActivate",
            "scheduleInfo": schedule,
        });
        if let Some(linked) = linked {
            properties["linkedRoleEligibilityScheduleId"] = json!(linked);
        }
        if let Some(j) = trimmed(&input.justification) {
            properties["justification"] = json!(j);
        }
        if let Some(t) = trimmed(&input.ticket_number) {
            properties["ticketInfo"] =
                json!({ "ticketNumber": t, "ticketSystem": trimmed(&input.ticket_system) });
        }
        self.put_request(&input.target, json!({ "properties": properties }))
            .await
    }

    /// Ends an Azure role's activation early (refused in its first five minutes).
    pub async fn deactivate(&self, target: &Target) -> RequestOutcome {
        let result = async {
            let (_, role) = scope_and_role(target)?;
            let body = json!({ "properties": {
                "principalId": self.principal_id(),
                "roleDefinitionId": role,
                "requestType": "SelfDeactivate",
            }});
            self.put_request(target, body).await
        }
        .await;
        outcome(target, result)
    }

    /// PUTs a schedule request under a new GUID, resending the same PUT while the outcome is
    /// unknown, then reading it back by name if it still is.
    async fn put_request(&self, target: &Target, body: Value) -> Result<PimRequest> {
        let (scope, _) = scope_and_role(target)?;
        let name = uuid::Uuid::new_v4();
        let path = format!("{scope}/{PROVIDER}/roleAssignmentScheduleRequests/{name}");
        let url = self.url(&path, API_VERSION, None)?;
        let unreadable = || {
            Error::new(
                ErrorCode::UnexpectedResponse,
                "PIM accepted the request but its answer was unreadable; refresh to see its state.",
            )
        };
        match self
            .rest
            .write(Method::PUT, url.clone(), &body, Resend::Idempotent)
            .await
        {
            WriteOutcome::Done(value) => request_from(&value).ok_or_else(unreadable),
            WriteOutcome::Refused(e) => Err(e),
            WriteOutcome::Uncertain(e) => {
                tracing::warn!(code = ?e.code, %name, "Azure request outcome uncertain; reading it back");
                match self.rest.read::<Value>(Method::GET, url, None).await {
                    Ok(value) => request_from(&value).ok_or_else(unreadable),
                    Err(read) if read.service_code.as_deref() == Some("ResourceNotFound") => Err(Error::new(
                        e.code,
                        "The request did not reach PIM (it is not among your requests). Nothing was created; try again.",
                    )),
                    Err(_) => Err(Error::outcome_unknown(
                        "Latchkey couldn't tell whether PIM received the request. Refresh before trying again.",
                    )),
                }
            }
        }
    }

    /// Cancels one of my pending Azure requests, by its full ARM id.
    pub async fn cancel_request(&self, request_id: &str) -> Result<()> {
        if !request_id
            .to_ascii_lowercase()
            .contains("/providers/microsoft.authorization/roleassignmentschedulerequests/")
        {
            return Err(invalid("That is not an Azure request id."));
        }
        let url = self.url(&format!("{request_id}/cancel"), API_VERSION, None)?;
        match self
            .rest
            .write(
                Method::POST,
                url,
                &json!({}),
                Resend::WhenRefusedUnprocessed,
            )
            .await
        {
            WriteOutcome::Done(_) => Ok(()),
            WriteOutcome::Refused(e) if e.is_not_found() => {
                Err(crate::graph::requests::not_my_request(e))
            }
            WriteOutcome::Refused(e) => Err(e),
            WriteOutcome::Uncertain(e) => {
                let url = self.url(request_id, API_VERSION, None)?;
                let read: Value = self
                    .rest
                    .read(Method::GET, url, None)
                    .await
                    .map_err(|read| {
                        tracing::info!(code = ?e.code, read = ?read.code, "Azure cancellation not reconciled");
                        Error::outcome_unknown("Latchkey couldn't tell whether the request was cancelled. Refresh before trying again.")
                    })?;
                match request_from(&read) {
                    Some(r) if r.status == RequestStatus::Canceled => Ok(()),
                    _ => Err(Error::new(
                        ErrorCode::ServiceError,
                        "Latchkey couldn't confirm the cancellation; the request is still pending. Try again.",
                    )),
                }
            }
        }
    }
}
