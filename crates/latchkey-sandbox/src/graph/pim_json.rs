//! The JSON side of PIM requests: parsing request bodies (enums in any case, lenient
//! timestamps), rendering requests and approvals as Graph does, and PIM errors as Graph's codes.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::GraphError;
use super::{timestamp, ApiVersion};
use crate::pim::{Action, Caller, Expiration, GroupTarget, NewRequest, PimError, Request};
use crate::token::AccessClaims;

/// Who is calling, as PIM's rules see it.
pub fn caller(claims: &AccessClaims) -> Caller {
    Caller {
        user_id: claims.oid.clone(),
        mfa: claims.amr.iter().any(|m| m.eq_ignore_ascii_case("mfa")),
        acrs: claims.acrs.clone(),
    }
}

/// Graph's errors for what the engine refused.
pub fn pim_error(error: PimError) -> GraphError {
    let bad = |code: &str, message: &str| GraphError::new(StatusCode::BAD_REQUEST, code, message);
    match error {
        PimError::PolicyValidationFailed(rules) => bad(
            "RoleAssignmentRequestPolicyValidationFailed",
            &format!(
                "The following policy rules failed: [{}]",
                rules
                    .iter()
                    .map(|r| format!("\"{r}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ),
        PimError::AcrsValidationFailed { claim_value } => {
            // As observed: a URL-encoded claims fragment, with a space after the comma.
            let claims = format!(
                r#"{{"access_token":{{"acrs":{{"essential":true, "value":"{claim_value}"}}}}}}"#
            );
            let encoded: String =
                percent_encoding::utf8_percent_encode(&claims, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            bad(
                "RoleAssignmentRequestAcrsValidationFailed",
                &format!("&claims={encoded}"),
            )
        }
        PimError::RoleAssignmentExists => bad(
            "RoleAssignmentExists",
            "The role assignment already exists.",
        ),
        PimError::PendingRoleAssignmentRequest => bad(
            "PendingRoleAssignmentRequest",
            "There is already an existing pending Role assignment request.",
        ),
        PimError::RoleAssignmentDoesNotExist => bad(
            "RoleAssignmentDoesNotExist",
            "The Role assignment does not exist.",
        ),
        PimError::ActiveDurationTooShort => bad(
            "ActiveDurationTooShort",
            "The Active duration is too short. Miniumum Required is 5 minutes.",
        ),
        PimError::BadRequest(message) => GraphError::bad_request(message),
        PimError::NotFound => GraphError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            "The requested resource does not exist.",
        ),
        PimError::Forbidden(message) => {
            GraphError::new(StatusCode::FORBIDDEN, "AccessDenied", message)
        }
        PimError::Conflict(message) => GraphError::new(StatusCode::CONFLICT, "Conflict", message),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    action: Option<String>,
    principal_id: Option<String>,
    group_id: Option<String>,
    access_id: Option<String>,
    justification: Option<String>,
    ticket_info: Option<TicketInfo>,
    schedule_info: Option<ScheduleInfo>,
    #[serde(default)]
    is_validation_only: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TicketInfo {
    ticket_number: Option<String>,
    ticket_system: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScheduleInfo {
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
            chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc())
        })
        .map_err(|_| GraphError::bad_request(format!("Cannot convert the literal '{text}' to the expected type 'Edm.DateTimeOffset' of {field}.")))
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, GraphError> {
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            GraphError::bad_request(format!("The request property '{name}' is required."))
        })
}

/// Parses a PIM-for-Groups `assignmentScheduleRequest` body.
pub fn parse_group_request(body: &[u8]) -> Result<NewRequest, GraphError> {
    let body: Body = serde_json::from_slice(body).map_err(|e| {
        GraphError::bad_request(format!(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ({e})"
        ))
    })?;
    let action_text = required(&body.action, "action")?;
    let action = Action::parse(action_text).ok_or_else(|| {
        GraphError::bad_request(format!(
            "The value '{action_text}' is not valid for the property 'action'."
        ))
    })?;
    let access = required(&body.access_id, "accessId")?;
    let access_id = ["member", "owner"]
        .into_iter()
        .find(|a| a.eq_ignore_ascii_case(access))
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "The value '{access}' is not valid for the property 'accessId'."
            ))
        })?;
    let (requested_start, expiration) = match &body.schedule_info {
        None => (None, None),
        Some(info) => {
            let start = info
                .start_date_time
                .as_deref()
                .map(|t| parse_time(t, "startDateTime"))
                .transpose()?;
            let expiration = match &info.expiration {
                None => None,
                Some(e) => {
                    let kind_text = e.kind.as_deref().unwrap_or("notSpecified");
                    let kind = EXPIRATION_TYPES
                        .into_iter()
                        .find(|k| k.eq_ignore_ascii_case(kind_text))
                        .ok_or_else(|| {
                            GraphError::bad_request(format!(
                                "The value '{kind_text}' is not valid for the property 'type'."
                            ))
                        })?;
                    let duration = e
                        .duration
                        .as_deref()
                        .map(|d| {
                            iso_duration::parse(d).ok_or_else(|| {
                                GraphError::bad_request(format!(
                                    "The value '{d}' is not a valid duration."
                                ))
                            })
                        })
                        .transpose()?;
                    let end = e
                        .end_date_time
                        .as_deref()
                        .map(|t| parse_time(t, "endDateTime"))
                        .transpose()?;
                    Some(Expiration {
                        kind: kind.to_owned(),
                        duration,
                        duration_text: e.duration.clone(),
                        end,
                    })
                }
            };
            (start, expiration)
        }
    };
    Ok(NewRequest {
        action,
        principal_id: required(&body.principal_id, "principalId")?.to_owned(),
        target: GroupTarget {
            group_id: required(&body.group_id, "groupId")?.to_owned(),
            access_id: access_id.to_owned(),
        },
        justification: body.justification,
        ticket_number: body
            .ticket_info
            .as_ref()
            .and_then(|t| t.ticket_number.clone()),
        ticket_system: body
            .ticket_info
            .as_ref()
            .and_then(|t| t.ticket_system.clone()),
        requested_start,
        expiration,
        is_validation_only: body.is_validation_only.unwrap_or(false),
    })
}

/// A `privilegedAccessGroupAssignmentScheduleRequest` as Graph renders it.
pub fn group_request_json(r: &Request) -> Value {
    let expiration = r.expiration.as_ref().map(|e| {
        json!({
            "type": e.kind,
            "endDateTime": e.end.map(timestamp),
            "duration": e.duration_text,
        })
    });
    json!({
        "@odata.type": "#microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest",
        "id": r.id,
        "status": r.status.as_str(),
        "completedDateTime": r.completed.map(timestamp),
        "createdDateTime": timestamp(r.created),
        "approvalId": r.approval.as_ref().map(|_| r.id.clone()),
        "customData": null,
        "createdBy": { "application": null, "device": null, "user": { "displayName": null, "id": r.principal_id } },
        "action": r.action.as_str(),
        "isValidationOnly": r.is_validation_only,
        "justification": r.justification,
        "scheduleInfo": {
            "startDateTime": r.start.map(timestamp),
            "recurrence": null,
            "expiration": expiration,
        },
        "ticketInfo": { "ticketNumber": r.ticket_number, "ticketSystem": r.ticket_system },
        "accessId": r.target.access_id,
        "principalId": r.principal_id,
        "groupId": r.target.group_id,
        "targetScheduleId": format!("{}_{}_{}", r.target.group_id, r.target.access_id, r.id),
    })
}

/// An approval stage (v1.0) or step (beta) as the caller sees it.
pub fn stage_json(r: &Request, caller_id: &str) -> Option<Value> {
    let approval = r.approval.as_ref()?;
    let status = match (&approval.decision, approval.expired) {
        (Some(_), _) => "Completed",
        (None, true) => "Expired",
        (None, false) => "InProgress",
    };
    let review_result = match &approval.decision {
        None => "NotReviewed",
        Some(d) if d.approve => "Approve",
        Some(_) => "Deny",
    };
    let assigned_to_me = approval
        .approvers
        .iter()
        .any(|a| a.eq_ignore_ascii_case(caller_id))
        && !r.principal_id.eq_ignore_ascii_case(caller_id);
    Some(json!({
        "id": approval.stage_id,
        "displayName": null,
        "status": status,
        "assignedToMe": assigned_to_me,
        "reviewResult": review_result,
        "reviewedDateTime": approval.decision.as_ref().map(|d| timestamp(d.at)),
        "justification": approval.decision.as_ref().map(|d| d.justification.clone()).unwrap_or_default(),
        "reviewedBy": approval.decision.as_ref().map(|d| json!({ "id": d.by, "displayName": null })),
    }))
}

/// The approval's stage collection: `stages` on v1.0, `steps` on beta.
pub fn stages_property(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "stages",
        ApiVersion::Beta => "steps",
    }
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
