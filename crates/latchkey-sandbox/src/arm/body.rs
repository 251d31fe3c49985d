//! Parsing a `roleAssignmentScheduleRequest` PUT body: `{"properties":{…}}` with PascalCase
//! `requestType` and expiration types (any case accepted, as ARM does), into the engine's
//! [`NewRequest`]. Anything malformed is a 400 CloudError, never a 500.

use serde::Deserialize;

use super::error::CloudError;
use crate::graph::pim_body::{required, schedule, ScheduleInfo, TicketInfo};
use crate::pim::{Action, NewRequest, Target};

#[derive(Deserialize)]
struct Envelope {
    properties: Option<Properties>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Properties {
    principal_id: Option<String>,
    role_definition_id: Option<String>,
    request_type: Option<String>,
    linked_role_eligibility_schedule_id: Option<String>,
    justification: Option<String>,
    ticket_info: Option<TicketInfo>,
    schedule_info: Option<ScheduleInfo>,
}

/// A parsed PUT body: the engine's request and the eligibility schedule it names, if any.
pub struct ArmRequestBody {
    pub new: NewRequest,
    pub linked_schedule: Option<String>,
}

fn invalid_content(detail: impl std::fmt::Display) -> CloudError {
    CloudError::bad_request(
        "InvalidRequestContent",
        format!("The request content was invalid and could not be deserialized: '{detail}'."),
    )
}

/// Parses the body of `PUT {scope}/…/roleAssignmentScheduleRequests/{name}`.
pub fn parse(body: &[u8], scope: &str, name: &str) -> Result<ArmRequestBody, CloudError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(invalid_content)?;
    let p = envelope
        .properties
        .ok_or_else(|| invalid_content("the 'properties' object is required"))?;
    let request_type = required(&p.request_type, "requestType")?;
    let action = Action::parse(request_type).ok_or_else(|| {
        CloudError::bad_request(
            "InvalidRequestContent",
            format!("The value '{request_type}' is not valid for 'requestType'."),
        )
    })?;
    let (requested_start, expiration) = schedule(p.schedule_info.as_ref())?;
    let ticket = p.ticket_info.as_ref();
    Ok(ArmRequestBody {
        new: NewRequest {
            id: Some(name.to_owned()),
            action,
            principal_id: required(&p.principal_id, "principalId")?.to_owned(),
            target: Target::AzureRole {
                scope: scope.to_owned(),
                role_definition_id: required(&p.role_definition_id, "roleDefinitionId")?.to_owned(),
            },
            justification: p.justification,
            ticket_number: ticket.and_then(|t| t.ticket_number.clone()),
            ticket_system: ticket.and_then(|t| t.ticket_system.clone()),
            requested_start,
            expiration,
            is_validation_only: false,
        },
        linked_schedule: p.linked_role_eligibility_schedule_id,
    })
}
