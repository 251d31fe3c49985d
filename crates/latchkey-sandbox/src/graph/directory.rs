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
    let roles = &tenant.directory_roles;
    match rest {
        [] => Ok(collection(
            request,
            "roleManagement/directory/roleDefinitions",
            roles.definitions.iter().map(role_definition_json).collect(),
            &[],
        )),
        [id] => {
            let found = roles
                .definition(&id.name)
                .ok_or_else(|| no_such_object(&id.name))?;
            let item = super::odata::project(
                role_definition_json(found),
                request.query.select.as_deref(),
                &[],
            );
            Ok(entity(
                request,
                StatusCode::OK,
                item,
                "roleManagement/directory/roleDefinitions/$entity",
            ))
        }
        _ => Err(super::not_found(&rest[1..])),
    }
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
    let roles = &tenant.directory_roles;
    match rest {
        [] => Ok(collection(
            request,
            "directory/administrativeUnits",
            roles
                .administrative_units
                .iter()
                .map(administrative_unit_json)
                .collect(),
            &[],
        )),
        [id] => {
            let found = roles
                .administrative_unit(&id.name)
                .ok_or_else(|| no_such_object(&id.name))?;
            let item = super::odata::project(
                administrative_unit_json(found),
                request.query.select.as_deref(),
                &[],
            );
            Ok(entity(
                request,
                StatusCode::OK,
                item,
                "directory/administrativeUnits/$entity",
            ))
        }
        _ => Err(super::not_found(&rest[1..])),
    }
}
