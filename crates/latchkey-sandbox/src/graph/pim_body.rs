//! Parsing PIM request bodies as Graph does: enums in any case, lenient timestamps (0–7
//! fractional digits, with or without an offset), and a Graph-style 400 for anything malformed.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::error::GraphError;
use crate::pim::{Action, Expiration, NewRequest, Plane, Target};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    action: Option<String>,
    principal_id: Option<String>,
    group_id: Option<String>,
    access_id: Option<String>,
    role_definition_id: Option<String>,
    directory_scope_id: Option<String>,
    justification: Option<String>,
    ticket_info: Option<TicketInfo>,
    schedule_info: Option<ScheduleInfo>,
    #[serde(default)]
    is_validation_only: Option<bool>,
}

/// `ticketInfo`, the same on Graph and ARM.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TicketInfo {
    pub ticket_number: Option<String>,
    pub ticket_system: Option<String>,
}

/// `scheduleInfo`, the same on Graph and ARM (ARM spells the enum values in PascalCase).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScheduleInfo {
    start_date_time: Option<String>,
    expiration: Option<ExpirationBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpirationBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    duration: Option<String>,
    end_date_time: Option<String>,
}

const EXPIRATION_TYPES: [&str; 4] = [
    "notSpecified",
    "noExpiration",
    "afterDateTime",
    "afterDuration",
];

fn parse_time(text: &str, field: &str) -> Result<DateTime<Utc>, GraphError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f")
                .map(|n| n.and_utc())
        })
        .map_err(|_| {
            GraphError::bad_request(format!(
                "Cannot convert the literal '{text}' to the expected type 'Edm.DateTimeOffset' of {field}."
            ))
        })
}

/// A required string property, or Graph's 400 naming it.
pub(crate) fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, GraphError> {
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            GraphError::bad_request(format!("The request property '{name}' is required."))
        })
}

fn invalid_value(value: &str, property: &str) -> GraphError {
    GraphError::bad_request(format!(
        "The value '{value}' is not valid for the property '{property}'."
    ))
}

/// Parses a schedule request body for `plane` (`assignmentScheduleRequest` for groups,
/// `unifiedRoleAssignmentScheduleRequest` for directory roles).
pub fn parse_request(body: &[u8], plane: Plane) -> Result<NewRequest, GraphError> {
    let body: Body = serde_json::from_slice(body).map_err(|e| {
        GraphError::bad_request(format!(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ({e})"
        ))
    })?;
    let action_text = required(&body.action, "action")?;
    let action = Action::parse(action_text).ok_or_else(|| invalid_value(action_text, "action"))?;
    let target = match plane {
        Plane::Group => group_target(&body)?,
        Plane::DirectoryRole => role_target(&body)?,
        Plane::AzureRole => {
            return Err(GraphError::bad_request(
                "Azure resource roles are requested through Azure Resource Manager.",
            ))
        }
    };
    let (requested_start, expiration) = schedule(body.schedule_info.as_ref())?;
    let ticket = body.ticket_info.as_ref();
    Ok(NewRequest {
        id: None,
        action,
        principal_id: required(&body.principal_id, "principalId")?.to_owned(),
        target,
        justification: body.justification,
        ticket_number: ticket.and_then(|t| t.ticket_number.clone()),
        ticket_system: ticket.and_then(|t| t.ticket_system.clone()),
        requested_start,
        expiration,
        is_validation_only: body.is_validation_only.unwrap_or(false),
    })
}

/// The requested start and expiration of a `scheduleInfo`.
pub(crate) fn schedule(
    info: Option<&ScheduleInfo>,
) -> Result<(Option<DateTime<Utc>>, Option<Expiration>), GraphError> {
    let Some(info) = info else {
        return Ok((None, None));
    };
    Ok((
        info.start_date_time
            .as_deref()
            .map(|t| parse_time(t, "startDateTime"))
            .transpose()?,
        info.expiration.as_ref().map(expiration).transpose()?,
    ))
}

fn group_target(body: &Body) -> Result<Target, GraphError> {
    let access = required(&body.access_id, "accessId")?;
    let access_id = ["member", "owner"]
        .into_iter()
        .find(|a| a.eq_ignore_ascii_case(access))
        .ok_or_else(|| invalid_value(access, "accessId"))?;
    Ok(Target::Group {
        group_id: required(&body.group_id, "groupId")?.to_owned(),
        access_id: access_id.to_owned(),
    })
}

fn role_target(body: &Body) -> Result<Target, GraphError> {
    let scope = required(&body.directory_scope_id, "directoryScopeId")?;
    // Directory scopes are paths: `/`, `/administrativeUnits/{id}` or `/{objectId}`.
    if !scope.starts_with('/') {
        return Err(invalid_value(scope, "directoryScopeId"));
    }
    Ok(Target::DirectoryRole {
        role_definition_id: required(&body.role_definition_id, "roleDefinitionId")?.to_owned(),
        directory_scope_id: scope.to_owned(),
    })
}

fn expiration(e: &ExpirationBody) -> Result<Expiration, GraphError> {
    let kind_text = e.kind.as_deref().unwrap_or("notSpecified");
    let kind = EXPIRATION_TYPES
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(kind_text))
        .ok_or_else(|| invalid_value(kind_text, "type"))?;
    let duration = e
        .duration
        .as_deref()
        .map(|d| {
            iso_duration::parse(d).ok_or_else(|| {
                GraphError::bad_request(format!("The value '{d}' is not a valid duration."))
            })
        })
        .transpose()?;
    Ok(Expiration {
        kind: kind.to_owned(),
        duration,
        duration_text: e.duration.clone(),
        end: e
            .end_date_time
            .as_deref()
            .map(|t| parse_time(t, "endDateTime"))
            .transpose()?,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewBody {
    review_result: Option<String>,
    #[serde(default)]
    justification: Option<String>,
}

/// Parses a stage/step PATCH body: `reviewResult` `Approve`/`Deny` (past tense accepted).
pub fn parse_review(body: &[u8]) -> Result<(bool, String), GraphError> {
    let review: ReviewBody = serde_json::from_slice(body).map_err(|e| {
        GraphError::bad_request(format!("Unable to read JSON request payload. ({e})"))
    })?;
    let result = required(&review.review_result, "reviewResult")?;
    let approve = match result.to_ascii_lowercase().as_str() {
        "approve" | "approved" => true,
        "deny" | "denied" => false,
        _ => {
            return Err(GraphError::bad_request(format!(
                "The value '{result}' is not valid for 'reviewResult'; use Approve or Deny."
            )))
        }
    };
    Ok((approve, review.justification.unwrap_or_default()))
}
