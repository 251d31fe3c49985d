//! PIM for Groups: `/identityGovernance/privilegedAccess/group/…`.

use axum::http::Method;
use axum::response::Response;
use serde_json::{json, Value};

use super::error::GraphError;
use super::odata::EntityType;
use super::{collection, require_method, require_scope, timestamp, GraphRequest};
use crate::tenant::{Group, User};

const ELIGIBILITY_INSTANCE: EntityType = EntityType {
    name: "microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance",
    properties: &[
        "id",
        "startDateTime",
        "endDateTime",
        "accessId",
        "principalId",
        "memberType",
        "groupId",
        "eligibilityScheduleId",
    ],
    navigations: &["group", "principal"],
};

/// Dispatches the paths this module owns; `None` when the path is not ours.
pub(super) fn route(request: &GraphRequest<'_>) -> Option<Result<Response, GraphError>> {
    let s = &request.segments;
    if s.len() < 4
        || !s[0].is("identityGovernance")
        || !s[1].is("privilegedAccess")
        || !s[2].is("group")
    {
        return None;
    }
    match &s[3..] {
        [collection, function]
            if collection.is("eligibilityScheduleInstances")
                && function.is("filterByCurrentUser") =>
        {
            Some(my_eligibility_instances(request, function.arg("on")))
        }
        _ => None,
    }
}

fn my_eligibility_instances(
    request: &GraphRequest<'_>,
    on: Option<&str>,
) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(
        request,
        &[
            "PrivilegedEligibilitySchedule.Read.AzureADGroup",
            "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
            "PrivilegedAccess.Read.AzureADGroup",
            "PrivilegedAccess.ReadWrite.AzureADGroup",
        ],
    )?;
    match on {
        Some(on) if on.eq_ignore_ascii_case("principal") => {}
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "The parameter 'on' has an unsupported value '{other}'. Supported: 'principal'."
            )))
        }
        None => {
            return Err(GraphError::bad_request(
                "The parameter 'on' of function 'filterByCurrentUser' is required.",
            ))
        }
    }
    request.query.validate(&ELIGIBILITY_INSTANCE)?;
    // `$expand=group` needs a permission to read groups; without one Graph leaves it out,
    // which is the "null group" that field reports describe.
    let can_read_groups = request.caller.has_any_scope(&[
        "Group.Read.All",
        "GroupMember.Read.All",
        "Directory.Read.All",
    ]);
    let now = request.state.clock.now();
    let tenant = request.state.tenant();
    let mut items: Vec<Value> = tenant
        .group_eligibilities
        .iter()
        .filter(|e| e.principal_id.eq_ignore_ascii_case(&request.caller.oid))
        .filter(|e| e.start.is_none_or(|s| s <= now) && e.end.is_none_or(|end| end > now))
        .map(|e| {
            let mut item = json!({
                "@odata.type": "#microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance",
                "id": format!("{}_{}_{}", e.group_id, e.access_id, e.id),
                "startDateTime": e.start.map(timestamp),
                "endDateTime": e.end.map(timestamp),
                "accessId": e.access_id,
                "principalId": e.principal_id,
                "memberType": "Direct",
                "groupId": e.group_id,
                "eligibilityScheduleId": e.id,
            });
            if let Some(expand) = request.query.expands("group") {
                let group = tenant
                    .group(&e.group_id)
                    .filter(|_| can_read_groups)
                    .map(|g| super::odata::project(group_json(g), expand.select.as_deref(), &[]));
                item["group"] = group.unwrap_or(Value::Null);
            }
            if let Some(expand) = request.query.expands("principal") {
                let principal = tenant
                    .user(&e.principal_id)
                    .map(|u| super::odata::project(user_json(u), expand.select.as_deref(), &[]));
                item["principal"] = principal.unwrap_or(Value::Null);
            }
            item
        })
        .collect();
    items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Ok(collection(
        request,
        "Collection(microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance)",
        items,
        &["group", "principal"],
    ))
}

/// A group as Graph's `group` resource shows it.
pub fn group_json(g: &Group) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.group",
        "id": g.id,
        "displayName": g.display_name,
        "description": g.description,
        "mail": null,
        "mailEnabled": false,
        "mailNickname": g.display_name.to_ascii_lowercase().replace(' ', "-"),
        "securityEnabled": true,
        "groupTypes": [],
        "isAssignableToRole": g.is_assignable_to_role,
        "visibility": "Private",
    })
}

/// A user as Graph's `user` resource shows it.
pub fn user_json(u: &User) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": u.id,
        "displayName": u.display_name,
        "userPrincipalName": u.user_principal_name,
        "mail": u.user_principal_name,
        "jobTitle": u.job_title,
        "accountEnabled": u.account_enabled,
    })
}
