//! The directory objects PIM rows point to: `/roleManagement/directory/roleDefinitions[/{id}]`
//! and `/directory/administrativeUnits[/{id}]`.

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
