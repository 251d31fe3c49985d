//! The JSON side of PIM requests: rendering requests and approvals as Graph does, and PIM
//! errors as Graph's codes. Parsing request bodies is `pim_body`'s job.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::error::GraphError;
use super::timestamp;
use crate::pim::{Caller, PimError, Request, Target};
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
    let code = error.code();
    let bad = |message: &str| GraphError::new(StatusCode::BAD_REQUEST, code, message);
    match error {
        PimError::PolicyValidationFailed(rules) => bad(&format!(
            "The following policy rules failed: [{}]",
            rules
                .iter()
                .map(|r| format!("\"{r}\""))
                .collect::<Vec<_>>()
                .join(",")
        )),
        PimError::AcrsValidationFailed { claim_value } => {
            // As observed: a URL-encoded claims fragment, with a space after the comma.
            let claims = format!(
                r#"{{"access_token":{{"acrs":{{"essential":true, "value":"{claim_value}"}}}}}}"#
            );
            let encoded: String =
                percent_encoding::utf8_percent_encode(&claims, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            bad(&format!("&claims={encoded}"))
        }
        PimError::RoleAssignmentExists => bad("The role assignment already exists."),
        PimError::PendingRoleAssignmentRequest => {
            bad("There is already an existing pending Role assignment request.")
        }
        PimError::RoleAssignmentDoesNotExist => bad("The Role assignment does not exist."),
        PimError::ActiveDurationTooShort => {
            bad("The Active duration is too short. Miniumum Required is 5 minutes.")
        }
        PimError::OutsideExtensionWindow(message) => bad(&message),
        PimError::BadRequest(message) => GraphError::bad_request(message),
        PimError::NotFound => GraphError::new(
            StatusCode::NOT_FOUND,
            code,
            "The requested resource does not exist.",
        ),
        PimError::Forbidden(message) => GraphError::new(StatusCode::FORBIDDEN, code, message),
        PimError::Conflict(message) => GraphError::new(StatusCode::CONFLICT, code, message),
    }
}

/// A schedule request as Graph renders it: the shared `request` fields, then the plane's own
/// (`privilegedAccessGroupAssignmentScheduleRequest` or `unifiedRoleAssignmentScheduleRequest`).
pub fn request_json(r: &Request) -> Value {
    let expiration = r.expiration.as_ref().map(|e| {
        json!({
            "type": e.kind,
            "endDateTime": e.end.map(timestamp),
            "duration": e.duration_text,
        })
    });
    let mut item = json!({
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
        "principalId": r.principal_id,
        "targetScheduleId": r.target.schedule_id(&r.id),
    });
    let plane = match &r.target {
        Target::Group {
            group_id,
            access_id,
        } => json!({
            "@odata.type": "#microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest",
            "accessId": access_id,
            "groupId": group_id,
        }),
        Target::DirectoryRole {
            role_definition_id,
            directory_scope_id,
        } => json!({
            "@odata.type": "#microsoft.graph.unifiedRoleAssignmentScheduleRequest",
            "roleDefinitionId": role_definition_id,
            "directoryScopeId": directory_scope_id,
            "appScopeId": null,
        }),
        // Graph's endpoints list only their own planes; ARM renders Azure requests itself.
        Target::AzureRole { .. } => Value::Object(Default::default()),
    };
    if let (Value::Object(item), Value::Object(plane)) = (&mut item, plane) {
        item.extend(plane);
    }
    item
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
