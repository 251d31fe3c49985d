//! The directory-role half of the tenant file: role definitions (built-in template ids),
//! administrative units, role eligibilities and which PIM policy governs each role.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{unique_by_key, Policy, TenantError, UserRecord};

/// The directory-role parts of the tenant file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RolesFile {
    #[serde(default)]
    role_definitions: Vec<RoleDefinitionRecord>,
    #[serde(default)]
    administrative_units: Vec<AdministrativeUnitRecord>,
    #[serde(default)]
    role_eligibilities: Vec<RoleEligibilityRecord>,
    #[serde(default)]
    default_role_policy: Option<String>,
    #[serde(default)]
    role_policies: Vec<RolePolicyRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RoleDefinitionRecord {
    key: String,
    id: String,
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    allowed_resource_actions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdministrativeUnitRecord {
    key: String,
    id: String,
    display_name: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RoleEligibilityRecord {
    id: String,
    principal: String,
    role: String,
    /// Key of an administrative unit; absent means the whole directory (`/`).
    #[serde(default)]
    administrative_unit: Option<String>,
    start: Option<String>,
    end: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RolePolicyRecord {
    role: String,
    policy: String,
}

/// A directory role (Graph `unifiedRoleDefinition`); built-in roles use their template id as id.
#[derive(Debug, Clone)]
pub struct RoleDefinition {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub allowed_resource_actions: Vec<String>,
}

/// An administrative unit, a directory scope roles can be limited to.
#[derive(Debug, Clone)]
pub struct AdministrativeUnit {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
}

/// An eligible directory-role assignment of a user at a directory scope.
#[derive(Debug, Clone)]
pub struct RoleEligibility {
    pub id: String,
    pub principal_id: String,
    pub role_definition_id: String,
    /// `/` or `/administrativeUnits/{id}`.
    pub directory_scope_id: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// Everything about directory roles in a loaded tenant.
#[derive(Debug, Clone)]
pub struct DirectoryRoles {
    pub definitions: Vec<RoleDefinition>,
    pub administrative_units: Vec<AdministrativeUnit>,
    pub eligibilities: Vec<RoleEligibility>,
    /// Policy keys by role definition id; roles not listed use `default_policy`.
    pub policies: HashMap<String, String>,
    pub default_policy: Policy,
}

impl DirectoryRoles {
    /// A role definition by id (case-insensitive).
    pub fn definition(&self, id: &str) -> Option<&RoleDefinition> {
        self.definitions
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(id))
    }

    /// An administrative unit by id (case-insensitive).
    pub fn administrative_unit(&self, id: &str) -> Option<&AdministrativeUnit> {
        self.administrative_units
            .iter()
            .find(|a| a.id.eq_ignore_ascii_case(id))
    }

    /// The administrative unit a directory scope id names, if it names one.
    pub fn scope_unit(&self, directory_scope_id: &str) -> Option<&AdministrativeUnit> {
        let (prefix, id) = directory_scope_id.trim_start_matches('/').split_once('/')?;
        if !prefix.eq_ignore_ascii_case("administrativeUnits") {
            return None;
        }
        self.administrative_unit(id)
    }
}

/// Resolves the directory-role records against the already loaded users and policies.
pub(super) fn load(
    file: RolesFile,
    users: &HashMap<&str, &UserRecord>,
    policies: &[Policy],
    default_policy: Policy,
    resolve: impl Fn(&Option<String>) -> Result<Option<DateTime<Utc>>, TenantError>,
) -> Result<DirectoryRoles, TenantError> {
    let roles = unique_by_key(&file.role_definitions, "role definition", |r| &r.key)?;
    let units = unique_by_key(&file.administrative_units, "administrative unit", |a| {
        &a.key
    })?;
    let unknown = |kind: &'static str, key: &str| TenantError::UnknownReference {
        kind,
        key: key.to_owned(),
    };
    let find_policy = |key: &str| {
        policies
            .iter()
            .find(|p| p.key == key)
            .cloned()
            .ok_or_else(|| unknown("policy", key))
    };
    let mut eligibilities = Vec::with_capacity(file.role_eligibilities.len());
    for record in &file.role_eligibilities {
        let user = users
            .get(record.principal.as_str())
            .ok_or_else(|| unknown("user", &record.principal))?;
        let role = roles
            .get(record.role.as_str())
            .ok_or_else(|| unknown("role definition", &record.role))?;
        let directory_scope_id = match &record.administrative_unit {
            None => "/".to_owned(),
            Some(key) => {
                let unit = units
                    .get(key.as_str())
                    .ok_or_else(|| unknown("administrative unit", key))?;
                format!("/administrativeUnits/{}", unit.id)
            }
        };
        eligibilities.push(RoleEligibility {
            id: record.id.clone(),
            principal_id: user.id.clone(),
            role_definition_id: role.id.clone(),
            directory_scope_id,
            start: resolve(&record.start)?,
            end: resolve(&record.end)?,
        });
    }
    let mut role_policies = HashMap::with_capacity(file.role_policies.len());
    for record in &file.role_policies {
        let role = roles
            .get(record.role.as_str())
            .ok_or_else(|| unknown("role definition", &record.role))?;
        find_policy(&record.policy)?;
        role_policies.insert(role.id.to_ascii_lowercase(), record.policy.clone());
    }
    let default_policy = match &file.default_role_policy {
        Some(key) => find_policy(key)?,
        None => default_policy,
    };
    Ok(DirectoryRoles {
        definitions: file
            .role_definitions
            .into_iter()
            .map(|r| RoleDefinition {
                id: r.id,
                display_name: r.display_name,
                description: r.description,
                allowed_resource_actions: r.allowed_resource_actions,
            })
            .collect(),
        administrative_units: file
            .administrative_units
            .into_iter()
            .map(|a| AdministrativeUnit {
                id: a.id,
                display_name: a.display_name,
                description: a.description,
            })
            .collect(),
        eligibilities,
        policies: role_policies,
        default_policy,
    })
}
