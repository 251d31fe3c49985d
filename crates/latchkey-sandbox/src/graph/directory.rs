//! The directory objects PIM rows point to: `/roleManagement/directory/roleDefinitions[/{id}]`,
//! `/directory/administrativeUnits[/{id}]`, `/groups` (with `$filter=id in (…)`, the name
//! fallback when `$expand=group` comes back empty) and `/me`.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::error::GraphError;
use super::odata::{EntityType, Segment};
use super::role_requests::DEFINITION_READ;
use super::{collection, entity, require_method, require_scope, GraphRequest};
use crate::tenant::{AdministrativeUnit, RoleDefinition};

const ROLE_DEFINITION: EntityType = EntityType {
    name: "microsoft.graph.unifiedRoleDefinition",
    properties: &[
        "id",
        "description",
        "displayName",
        "isBuiltIn",
        "isEnabled",
        "resourceScopes",
        "rolePermissions",
        "templateId",
        "version",
    ],
    navigations: &["inheritsPermissionsFrom"],
};

const ADMINISTRATIVE_UNIT: EntityType = EntityType {
    name: "microsoft.graph.administrativeUnit",
    properties: &["id", "displayName", "description", "visibility"],
    navigations: &["members", "scopedRoleMembers"],
};

const GROUP: EntityType = EntityType {
    name: "microsoft.graph.group",
    properties: &[
        "id",
        "displayName",
        "description",
        "mail",
        "mailEnabled",
        "mailNickname",
        "securityEnabled",
        "groupTypes",
        "isAssignableToRole",
        "visibility",
    ],
    navigations: &["members", "owners"],
};

const USER: EntityType = EntityType {
    name: "microsoft.graph.user",
    properties: &[
        "id",
        "displayName",
        "userPrincipalName",
        "mail",
        "jobTitle",
        "accountEnabled",
    ],
    navigations: &["memberOf", "manager"],
};

/// Scopes that may read groups' names.
const GROUP_READ: &[&str] = &[
    "Group.Read.All",
    "GroupMember.Read.All",
    "Directory.Read.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];

/// Scopes that may read the signed-in user.
const ME_READ: &[&str] = &[
    "User.Read",
    "User.ReadBasic.All",
    "User.Read.All",
    "Directory.Read.All",
];

/// `GET /me` and `GET /groups[/{id}]`; `None` when the path is not one of them.
pub(super) fn route(request: &GraphRequest<'_>) -> Option<Result<Response, GraphError>> {
    match request.segments.as_slice() {
        [me] if me.is("me") => Some(me_json(request)),
        [groups, rest @ ..] if groups.is("groups") => Some(groups_json(request, rest)),
        _ => None,
    }
}

fn me_json(request: &GraphRequest<'_>) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, ME_READ)?;
    request.query.validate(&USER)?;
    let tenant = request.state.tenant();
    let user = tenant
        .user(&request.caller.oid)
        .ok_or_else(|| no_such_object(&request.caller.oid))?;
    let body = super::odata::project(
        super::groups::user_json(user),
        request.query.select.as_deref(),
        &[],
    );
    Ok(entity(request, StatusCode::OK, body, "users/$entity"))
}

fn groups_json(request: &GraphRequest<'_>, rest: &[Segment]) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, GROUP_READ)?;
    request.query.validate(&GROUP)?;
    let tenant = request.state.tenant();
    list_or_one(
        request,
        rest,
        "groups",
        &tenant.groups,
        |g| &g.id,
        super::groups::group_json,
    )
}

/// Scopes that may read administrative units.
const UNIT_READ: &[&str] = &[
    "AdministrativeUnit.Read.All",
    "Directory.Read.All",
    "AdministrativeUnit.ReadWrite.All",
    "Directory.ReadWrite.All",
];

/// A role definition as Graph's `unifiedRoleDefinition` shows a built-in role.
pub fn role_definition_json(d: &RoleDefinition) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.unifiedRoleDefinition",
        "id": d.id,
        "displayName": d.display_name,
        "description": d.description,
        "isBuiltIn": true,
        "isEnabled": true,
        "templateId": d.id,
        "version": "1",
        "resourceScopes": ["/"],
        "rolePermissions": [{ "allowedResourceActions": d.allowed_resource_actions, "condition": null }],
    })
}

/// An administrative unit as Graph's `administrativeUnit` shows it.
pub fn administrative_unit_json(u: &AdministrativeUnit) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.administrativeUnit",
        "id": u.id,
        "displayName": u.display_name,
        "description": u.description,
        "visibility": null,
    })
}

/// Graph's answer for a directory object id it does not know.
fn no_such_object(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

/// `GET /roleManagement/directory/roleDefinitions[/{id}]`
pub(super) fn role_definitions(
    request: &GraphRequest<'_>,
    rest: &[Segment],
) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, DEFINITION_READ)?;
    request.query.validate(&ROLE_DEFINITION)?;
    let tenant = request.state.tenant();
    let definitions = &tenant.directory_roles.definitions;
    list_or_one(
        request,
        rest,
        "roleManagement/directory/roleDefinitions",
        definitions,
        |d| &d.id,
        role_definition_json,
    )
}

/// `GET /directory/administrativeUnits[/{id}]`
pub(super) fn administrative_units(
    request: &GraphRequest<'_>,
    rest: &[Segment],
) -> Result<Response, GraphError> {
    require_method(request, Method::GET)?;
    require_scope(request, UNIT_READ)?;
    request.query.validate(&ADMINISTRATIVE_UNIT)?;
    let tenant = request.state.tenant();
    let units = &tenant.directory_roles.administrative_units;
    list_or_one(
        request,
        rest,
        "directory/administrativeUnits",
        units,
        |u| &u.id,
        administrative_unit_json,
    )
}

/// The entity set `set` (no `rest`) or one of its members by id (case-insensitive).
fn list_or_one<T>(
    request: &GraphRequest<'_>,
    rest: &[Segment],
    set: &str,
    items: &[T],
    id: fn(&T) -> &String,
    render: fn(&T) -> Value,
) -> Result<Response, GraphError> {
    match rest {
        [] => Ok(collection(
            request,
            set,
            items.iter().map(render).collect(),
            &[],
        )),
        [wanted] => {
            let found = items
                .iter()
                .find(|item| id(item).eq_ignore_ascii_case(&wanted.name))
                .ok_or_else(|| no_such_object(&wanted.name))?;
            let item = super::odata::project(render(found), request.query.select.as_deref(), &[]);
            Ok(entity(
                request,
                StatusCode::OK,
                item,
                &format!("{set}/$entity"),
            ))
        }
        _ => Err(super::not_found(&rest[1..])),
    }
}
