//! The request log a test reads through `GET /_sandbox/requests`: every recorded request of every
//! plane in the order it was made, the active assignments, and the refusals, straight from the
//! engine so invariants can be checked without going through Graph or ARM.

use serde_json::{json, Value};

use super::{Activation, Pim, Request, Target};
use crate::graph::timestamp;
use crate::tenant::Tenant;

/// The log, limited to `principal_id`'s requests and assignments when given (refusals are
/// tenant-wide: they are counted before anyone's request exists).
pub fn request_log_json(tenant: &Tenant, pim: &Pim, principal_id: Option<&str>) -> Value {
    let included = |p: &str| principal_id.is_none_or(|w| w.eq_ignore_ascii_case(p));
    let requests: Vec<Value> = pim
        .requests
        .iter()
        .filter(|r| included(&r.principal_id))
        .map(|r| request_json(tenant, r))
        .collect();
    let active: Vec<Value> = pim
        .activations
        .iter()
        .filter(|a| included(&a.principal_id))
        .map(activation_json)
        .collect();
    json!({
        "requests": requests,
        "activeAssignments": active,
        "refusedBeforeRecording": {
            "total": pim.refusals.total(),
            "byCode": pim.refusals.by_code,
            "byPolicyRule": pim.refusals.by_rule,
        },
    })
}

fn request_json(tenant: &Tenant, r: &Request) -> Value {
    let approval = r.approval.as_ref().map(|a| {
        json!({
            "approvers": a.approvers,
            "deadline": timestamp(a.deadline),
            "decision": a.decision.as_ref().map(|d| json!({
                "approve": d.approve,
                "by": d.by,
                "at": timestamp(d.at),
            })),
        })
    });
    json!({
        "id": r.id,
        "plane": r.target.plane().as_str(),
        "principalId": r.principal_id,
        "principalName": tenant.user(&r.principal_id).map(|u| u.user_principal_name.as_str()),
        "target": target_json(&r.target),
        "action": r.action.as_str(),
        "status": r.status.as_str(),
        "createdDateTime": timestamp(r.created),
        "completedDateTime": r.completed.map(timestamp),
        "startDateTime": r.start.map(timestamp),
        "endDateTime": r.end().map(timestamp),
        "justification": r.justification,
        "approval": approval,
    })
}

/// One active assignment as the log lists it.
fn activation_json(a: &Activation) -> Value {
    json!({
        "id": a.id,
        "requestId": a.request_id,
        "plane": a.target.plane().as_str(),
        "principalId": a.principal_id,
        "target": target_json(&a.target),
        "startDateTime": timestamp(a.start),
        "endDateTime": timestamp(a.end),
    })
}

fn target_json(target: &Target) -> Value {
    match target {
        Target::Group {
            group_id,
            access_id,
        } => json!({ "groupId": group_id, "accessId": access_id }),
        Target::DirectoryRole {
            role_definition_id,
            directory_scope_id,
        } => {
            json!({ "roleDefinitionId": role_definition_id, "directoryScopeId": directory_scope_id })
        }
        Target::AzureRole {
            scope,
            role_definition_id,
        } => json!({ "scope": scope, "roleDefinitionId": role_definition_id }),
    }
}
