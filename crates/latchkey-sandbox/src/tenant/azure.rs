//! The Azure half of the tenant file: subscriptions and their resource groups, built-in Azure
//! role definitions (their real GUIDs), eligibilities at a subscription or resource group (held
//! by a user directly or through a group), and which PIM policy governs each (scope, role).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{unique_by_key, GroupRecord, Policy, TenantError, UserRecord};

/// The `azure` section of the tenant file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AzureFile {
    #[serde(default, rename = "$comment")]
    _comment: Option<String>,
    #[serde(default)]
    subscriptions: Vec<SubscriptionRecord>,
    #[serde(default)]
    role_definitions: Vec<AzureRoleRecord>,
    #[serde(default)]
    eligibilities: Vec<AzureEligibilityRecord>,
    #[serde(default)]
    default_policy: Option<String>,
    #[serde(default)]
    policies: Vec<AzurePolicyRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubscriptionRecord {
    key: String,
    id: String,
    display_name: String,
    #[serde(default)]
    resource_groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AzureRoleRecord {
    key: String,
    id: String,
    display_name: String,
    #[serde(default)]
    description: String,
}

/// Where something applies: a subscription key and optionally one of its resource groups.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScopeRecord {
    subscription: String,
    #[serde(default)]
    resource_group: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AzureEligibilityRecord {
    id: String,
    /// The user who may activate it.
    principal: String,
    /// A group key when the eligibility is the group's and the user inherits it as a member.
    #[serde(default)]
    via_group: Option<String>,
    role: String,
    #[serde(flatten)]
    scope: ScopeRecord,
    start: Option<String>,
    end: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AzurePolicyRecord {
    role: String,
    #[serde(flatten)]
    scope: ScopeRecord,
    policy: String,
}

/// An Azure subscription with the names of its resource groups.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub display_name: String,
    pub resource_groups: Vec<String>,
}

/// A built-in Azure role (its id is the role's GUID, the same in every tenant).
#[derive(Debug, Clone)]
pub struct AzureRoleDefinition {
    pub id: String,
    pub display_name: String,
    pub description: String,
}

/// An eligible Azure role assignment at a scope.
#[derive(Debug, Clone)]
pub struct AzureEligibility {
    /// The schedule's GUID (also its instance's).
    pub id: String,
    /// The user who may activate it.
    pub principal_id: String,
    /// The group that holds it, when the user inherits it (`memberType` `Group`).
    pub via_group: Option<String>,
    /// The role's GUID.
    pub role_definition_id: String,
    /// `/subscriptions/{id}` or `/subscriptions/{id}/resourceGroups/{name}`.
    pub scope: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// How ARM names a scope in `expandedProperties.scope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeInfo {
    /// The scope id in the tenant's own spelling.
    pub id: String,
    pub display_name: String,
    /// `subscription` or `resourcegroup`, as ARM spells them.
    pub kind: &'static str,
}

/// Everything about Azure resource roles in a loaded tenant.
#[derive(Debug, Clone)]
pub struct AzureRoles {
    pub subscriptions: Vec<Subscription>,
    pub definitions: Vec<AzureRoleDefinition>,
    pub eligibilities: Vec<AzureEligibility>,
    /// (lower-case scope, lower-case role GUID) → policy key.
    policies: HashMap<(String, String), String>,
    /// For (scope, role) pairs no policy names (`defaultPolicy`, else Entra's default).
    pub default_policy: Policy,
}

/// The last path segment of an ARM id: role definition ids come prefixed by the scope they
/// were read at, so they are compared on this.
pub fn trailing_guid(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

/// Whether `scope` is `ancestor` or lies below it (segment-wise, ignoring case).
pub fn is_within(scope: &str, ancestor: &str) -> bool {
    let scope = scope.trim_end_matches('/').to_ascii_lowercase();
    let ancestor = ancestor.trim_end_matches('/').to_ascii_lowercase();
    ancestor.is_empty() || scope == ancestor || scope.starts_with(&format!("{ancestor}/"))
}

impl AzureRoles {
    /// A role definition by GUID or by any scope-prefixed id.
    pub fn definition(&self, id: &str) -> Option<&AzureRoleDefinition> {
        let guid = trailing_guid(id);
        self.definitions
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(guid))
    }

    /// The subscription or resource group a scope id names.
    pub fn scope_info(&self, scope: &str) -> Option<ScopeInfo> {
        let parts: Vec<&str> = scope.trim_matches('/').split('/').collect();
        let (sub_id, group) = match parts.as_slice() {
            [s, id] if s.eq_ignore_ascii_case("subscriptions") => (*id, None),
            [s, id, r, name]
                if s.eq_ignore_ascii_case("subscriptions")
                    && r.eq_ignore_ascii_case("resourceGroups") =>
            {
                (*id, Some(*name))
            }
            _ => return None,
        };
        let sub = self
            .subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(sub_id))?;
        match group {
            None => Some(ScopeInfo {
                id: format!("/subscriptions/{}", sub.id),
                display_name: sub.display_name.clone(),
                kind: "subscription",
            }),
            Some(name) => {
                let rg = sub
                    .resource_groups
                    .iter()
                    .find(|g| g.eq_ignore_ascii_case(name))?;
                Some(ScopeInfo {
                    id: format!("/subscriptions/{}/resourceGroups/{rg}", sub.id),
                    display_name: rg.clone(),
                    kind: "resourcegroup",
                })
            }
        }
    }

    /// The subscription a scope lies in (`/subscriptions/{id}`), for role definition ids.
    pub fn subscription_of(scope: &str) -> Option<String> {
        let mut parts = scope.trim_matches('/').split('/');
        match (parts.next(), parts.next()) {
            (Some(s), Some(id)) if s.eq_ignore_ascii_case("subscriptions") => {
                Some(format!("/subscriptions/{id}"))
            }
            _ => None,
        }
    }

    /// The policy key for activating `role` at `scope`: the one set at the scope itself, else
    /// the nearest one set above it (a resource group without its own settings follows its
    /// subscription's), else none (the default policy applies).
    pub fn policy_key(&self, scope: &str, role: &str) -> Option<&str> {
        let role = trailing_guid(role).to_ascii_lowercase();
        let mut scope = scope.trim_end_matches('/').to_ascii_lowercase();
        loop {
            if let Some(key) = self.policies.get(&(scope.clone(), role.clone())) {
                return Some(key);
            }
            // Drop two segments (`/resourceGroups/{name}`) to reach the parent scope.
            let parent = scope.rsplitn(3, '/').nth(2)?.to_owned();
            if parent.is_empty() {
                return None;
            }
            scope = parent;
        }
    }
}

/// Resolves the Azure records against the loaded users, groups and policies.
pub(super) fn load(
    file: AzureFile,
    users: &HashMap<&str, &UserRecord>,
    groups: &HashMap<&str, &GroupRecord>,
    policies: &[Policy],
    default_policy: Policy,
    resolve: impl Fn(&Option<String>) -> Result<Option<DateTime<Utc>>, TenantError>,
) -> Result<AzureRoles, TenantError> {
    let subscriptions = unique_by_key(&file.subscriptions, "subscription", |s| &s.key)?;
    let roles = unique_by_key(&file.role_definitions, "Azure role definition", |r| &r.key)?;
    let unknown = |kind: &'static str, key: &str| TenantError::UnknownReference {
        kind,
        key: key.to_owned(),
    };
    let scope_of = |record: &ScopeRecord| -> Result<String, TenantError> {
        let sub = subscriptions
            .get(record.subscription.as_str())
            .ok_or_else(|| unknown("subscription", &record.subscription))?;
        match &record.resource_group {
            None => Ok(format!("/subscriptions/{}", sub.id)),
            Some(rg) if sub.resource_groups.iter().any(|g| g == rg) => {
                Ok(format!("/subscriptions/{}/resourceGroups/{rg}", sub.id))
            }
            Some(rg) => Err(unknown("resource group", rg)),
        }
    };
    let known_policy = |key: &str| {
        policies
            .iter()
            .find(|p| p.key == key)
            .cloned()
            .ok_or_else(|| unknown("policy", key))
    };
    let mut eligibilities = Vec::with_capacity(file.eligibilities.len());
    for record in &file.eligibilities {
        let user = users
            .get(record.principal.as_str())
            .ok_or_else(|| unknown("user", &record.principal))?;
        let role = roles
            .get(record.role.as_str())
            .ok_or_else(|| unknown("Azure role definition", &record.role))?;
        let via_group = match &record.via_group {
            None => None,
            Some(key) => Some(
                groups
                    .get(key.as_str())
                    .ok_or_else(|| unknown("group", key))?
                    .id
                    .clone(),
            ),
        };
        eligibilities.push(AzureEligibility {
            id: record.id.clone(),
            principal_id: user.id.clone(),
            via_group,
            role_definition_id: role.id.clone(),
            scope: scope_of(&record.scope)?,
            start: resolve(&record.start)?,
            end: resolve(&record.end)?,
        });
    }
    let mut by_scope = HashMap::with_capacity(file.policies.len());
    for record in &file.policies {
        let role = roles
            .get(record.role.as_str())
            .ok_or_else(|| unknown("Azure role definition", &record.role))?;
        known_policy(&record.policy)?;
        by_scope.insert(
            (
                scope_of(&record.scope)?.to_ascii_lowercase(),
                role.id.to_ascii_lowercase(),
            ),
            record.policy.clone(),
        );
    }
    let default_policy = match &file.default_policy {
        Some(key) => known_policy(key)?,
        None => default_policy,
    };
    Ok(AzureRoles {
        subscriptions: file
            .subscriptions
            .into_iter()
            .map(|s| Subscription {
                id: s.id,
                display_name: s.display_name,
                resource_groups: s.resource_groups,
            })
            .collect(),
        definitions: file
            .role_definitions
            .into_iter()
            .map(|r| AzureRoleDefinition {
                id: r.id,
                display_name: r.display_name,
                description: r.description,
            })
            .collect(),
        eligibilities,
        policies: by_scope,
        default_policy,
    })
}
