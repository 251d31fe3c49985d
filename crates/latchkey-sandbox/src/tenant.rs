//! The demo tenant: users, groups, app registrations and PIM eligibilities, loaded from a JSON
//! file a person can read and edit (`data/demo-tenant.json` is built in).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

mod azure;
mod generate;
mod roles;

pub use azure::{
    is_within, trailing_guid, AzureEligibility, AzureRoleDefinition, AzureRoles, ScopeInfo,
    Subscription,
};
pub use generate::{generate_json, GENERATED_APPROVER, GENERATED_USER};
pub use roles::{AdministrativeUnit, DirectoryRoles, RoleDefinition, RoleEligibility};

/// The built-in demo tenant.
pub const DEMO_TENANT_JSON: &str = include_str!("../data/demo-tenant.json");

/// Why a tenant file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("the tenant file is not valid JSON for a tenant: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the tenant file refers to unknown {kind} '{key}'")]
    UnknownReference { kind: &'static str, key: String },
    #[error("'{0}' is not an ISO-8601 duration such as P5D, -P30D or PT8H")]
    BadDuration(String),
    #[error("duplicate {kind} '{key}' in the tenant file")]
    Duplicate { kind: &'static str, key: String },
    #[error("policy '{policy}': '{rule}' is not a rule (use Justification, Ticketing or MultiFactorAuthentication)")]
    UnknownRule { policy: String, rule: String },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantFile {
    tenant: TenantInfo,
    #[serde(default)]
    applications: Vec<Application>,
    #[serde(default)]
    users: Vec<UserRecord>,
    #[serde(default)]
    groups: Vec<GroupRecord>,
    #[serde(default)]
    group_eligibilities: Vec<GroupEligibilityRecord>,
    #[serde(default)]
    policies: Vec<PolicyRecord>,
    #[serde(default)]
    default_group_policy: Option<String>,
    #[serde(default)]
    group_policies: Vec<GroupPolicyRecord>,
    #[serde(flatten)]
    roles: roles::RolesFile,
    #[serde(default)]
    azure: azure::AzureFile,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PolicyRecord {
    key: String,
    max_duration: String,
    #[serde(default)]
    require: Vec<String>,
    #[serde(default)]
    authentication_context: Option<String>,
    #[serde(default)]
    approval: Option<ApprovalRecord>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApprovalRecord {
    approvers: Vec<String>,
    #[serde(default)]
    approver_justification_required: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GroupPolicyRecord {
    group: String,
    access_id: String,
    policy: String,
}

/// A PIM policy (role settings) for activations: the end-user rules of Graph's
/// `unifiedRoleManagementPolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// A GUID derived from the key, stable across restarts.
    pub guid: String,
    pub key: String,
    /// `Expiration_EndUser_Assignment.maximumDuration`.
    pub max_duration: chrono::Duration,
    /// `Enablement_EndUser_Assignment.enabledRules` contains `Justification`.
    pub require_justification: bool,
    /// ... contains `Ticketing`.
    pub require_ticket: bool,
    /// ... contains `MultiFactorAuthentication`.
    pub require_mfa: bool,
    /// `AuthenticationContext_EndUser_Assignment.claimValue` when enabled.
    pub authentication_context: Option<String>,
    /// `Approval_EndUser_Assignment` when approval is required.
    pub approval: Option<ApprovalPolicy>,
}

/// Who approves (single stage, 24-hour timeout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPolicy {
    /// User object ids.
    pub approvers: Vec<String>,
    pub approver_justification_required: bool,
}

/// Which policy governs a group's member or owner activations.
#[derive(Debug, Clone)]
pub struct GroupPolicy {
    pub group_id: String,
    pub access_id: String,
    pub policy_key: String,
}

/// The tenant's identity.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInfo {
    pub id: String,
    pub display_name: String,
    pub domain: String,
}

/// An app registration that may sign users in.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub client_id: String,
    pub display_name: String,
    #[serde(default)]
    pub public_client: bool,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserRecord {
    key: String,
    id: String,
    user_principal_name: String,
    display_name: String,
    #[serde(default)]
    job_title: Option<String>,
    #[serde(default = "yes")]
    account_enabled: bool,
}

fn yes() -> bool {
    true
}

/// A person in the tenant.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub job_title: Option<String>,
    pub account_enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupRecord {
    key: String,
    id: String,
    display_name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    is_assignable_to_role: bool,
}

/// A security group.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub is_assignable_to_role: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupEligibilityRecord {
    id: String,
    principal: String,
    group: String,
    access_id: String,
    start: Option<String>,
    end: Option<String>,
}

/// An eligible membership or ownership of a group (PIM for Groups).
#[derive(Debug, Clone)]
pub struct GroupEligibility {
    pub id: String,
    pub principal_id: String,
    pub group_id: String,
    pub access_id: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// A loaded tenant, with relative times resolved against the moment it was loaded.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub info: TenantInfo,
    pub applications: Vec<Application>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub group_eligibilities: Vec<GroupEligibility>,
    pub policies: Vec<Policy>,
    pub default_group_policy: Policy,
    pub group_policies: Vec<GroupPolicy>,
    pub directory_roles: DirectoryRoles,
    pub azure: AzureRoles,
    /// Ids of eligibilities an administrator removed, so removing one again is not an error.
    pub removed_eligibilities: Vec<String>,
}

/// Entra's default role setting when a file names none: 8 hours, justification.
fn builtin_default_policy() -> Policy {
    Policy {
        guid: guid_from("default"),
        key: "default".to_owned(),
        max_duration: chrono::Duration::hours(8),
        require_justification: true,
        require_ticket: false,
        require_mfa: false,
        authentication_context: None,
        approval: None,
    }
}

/// A GUID-shaped id derived from text, so ids stay stable across restarts.
fn guid_from(text: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(text.as_bytes());
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
        u16::from_be_bytes([h[4], h[5]]),
        u16::from_be_bytes([h[6], h[7]]) & 0x0fff,
        u16::from_be_bytes([h[8], h[9]]) & 0x0fff,
        u64::from_be_bytes([0, 0, h[10], h[11], h[12], h[13], h[14], h[15]])
    )
}

impl Tenant {
    /// Loads the built-in demo tenant.
    pub fn demo(now: DateTime<Utc>) -> Self {
        // The built-in file is covered by a unit test, so this cannot fail at run time.
        Self::from_json(DEMO_TENANT_JSON, now).unwrap_or_else(|e| panic!("demo tenant: {e}"))
    }

    /// Loads a tenant file; relative times are resolved against `now`.
    pub fn from_json(text: &str, now: DateTime<Utc>) -> Result<Self, TenantError> {
        let file: TenantFile = serde_json::from_str(text)?;
        let users = unique_by_key(&file.users, "user", |u| &u.key)?;
        let groups = unique_by_key(&file.groups, "group", |g| &g.key)?;
        let resolve = |offset: &Option<String>| -> Result<Option<DateTime<Utc>>, TenantError> {
            offset
                .as_deref()
                .map(|text| {
                    iso_duration::parse(text)
                        .map(|d| now + d)
                        .ok_or_else(|| TenantError::BadDuration(text.to_owned()))
                })
                .transpose()
        };
        let mut group_eligibilities = Vec::with_capacity(file.group_eligibilities.len());
        for record in &file.group_eligibilities {
            let user = users.get(record.principal.as_str()).ok_or_else(|| {
                TenantError::UnknownReference {
                    kind: "user",
                    key: record.principal.clone(),
                }
            })?;
            let group =
                groups
                    .get(record.group.as_str())
                    .ok_or_else(|| TenantError::UnknownReference {
                        kind: "group",
                        key: record.group.clone(),
                    })?;
            group_eligibilities.push(GroupEligibility {
                id: record.id.clone(),
                principal_id: user.id.clone(),
                group_id: group.id.clone(),
                access_id: record.access_id.to_ascii_lowercase(),
                start: resolve(&record.start)?,
                end: resolve(&record.end)?,
            });
        }
        let mut policies = Vec::with_capacity(file.policies.len());
        for record in &file.policies {
            let policy = policy_from(record, &users)?;
            if policies.iter().any(|p: &Policy| p.key == policy.key) {
                return Err(TenantError::Duplicate {
                    kind: "policy",
                    key: policy.key,
                });
            }
            policies.push(policy);
        }
        let find_policy = |key: &str| {
            policies
                .iter()
                .find(|p| p.key == key)
                .cloned()
                .ok_or_else(|| TenantError::UnknownReference {
                    kind: "policy",
                    key: key.to_owned(),
                })
        };
        let default_group_policy = match &file.default_group_policy {
            Some(key) => find_policy(key)?,
            None => builtin_default_policy(),
        };
        let mut group_policies = Vec::with_capacity(file.group_policies.len());
        for record in &file.group_policies {
            let group =
                groups
                    .get(record.group.as_str())
                    .ok_or_else(|| TenantError::UnknownReference {
                        kind: "group",
                        key: record.group.clone(),
                    })?;
            find_policy(&record.policy)?;
            group_policies.push(GroupPolicy {
                group_id: group.id.clone(),
                access_id: record.access_id.to_ascii_lowercase(),
                policy_key: record.policy.clone(),
            });
        }
        let directory_roles = roles::load(
            file.roles,
            &users,
            &policies,
            builtin_default_policy(),
            resolve,
        )?;
        let azure = azure::load(
            file.azure,
            &users,
            &groups,
            &policies,
            builtin_default_policy(),
            resolve,
        )?;
        Ok(Tenant {
            directory_roles,
            azure,
            policies,
            default_group_policy,
            group_policies,
            info: file.tenant,
            applications: file.applications,
            users: file
                .users
                .into_iter()
                .map(|u| User {
                    id: u.id,
                    user_principal_name: u.user_principal_name,
                    display_name: u.display_name,
                    job_title: u.job_title,
                    account_enabled: u.account_enabled,
                })
                .collect(),
            groups: file
                .groups
                .into_iter()
                .map(|g| Group {
                    id: g.id,
                    display_name: g.display_name,
                    description: g.description,
                    is_assignable_to_role: g.is_assignable_to_role,
                })
                .collect(),
            group_eligibilities,
            removed_eligibilities: Vec::new(),
        })
    }

    /// Whether `tenant` (a path segment of the identity endpoints) names this tenant.
    pub fn answers_to(&self, tenant: &str) -> bool {
        ["organizations", "common"]
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tenant))
            || tenant.eq_ignore_ascii_case(&self.info.id)
            || tenant.eq_ignore_ascii_case(&self.info.domain)
    }

    /// Finds a user by object id.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id.eq_ignore_ascii_case(id))
    }

    /// Finds a user by sign-in name (UPN), case-insensitively, as Entra does.
    pub fn user_by_upn(&self, upn: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.user_principal_name.eq_ignore_ascii_case(upn.trim()))
    }

    /// Finds a user by UPN or object id, as the control API names people.
    pub fn user_by_upn_or_id(&self, who: &str) -> Option<&User> {
        self.user_by_upn(who).or_else(|| self.user(who))
    }

    /// Finds a group by object id.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id.eq_ignore_ascii_case(id))
    }

    /// The policy for activating `access_id` (member/owner) of a group.
    pub fn group_policy(&self, group_id: &str, access_id: &str) -> &Policy {
        self.group_policies
            .iter()
            .find(|gp| {
                gp.group_id.eq_ignore_ascii_case(group_id)
                    && gp.access_id.eq_ignore_ascii_case(access_id)
            })
            .and_then(|gp| self.policies.iter().find(|p| p.key == gp.policy_key))
            .unwrap_or(&self.default_group_policy)
    }

    /// The policy for activating a directory role (at any directory scope: Entra keeps role
    /// settings per role, not per scope).
    pub fn role_policy(&self, role_definition_id: &str) -> &Policy {
        let roles = &self.directory_roles;
        roles
            .policies
            .get(&role_definition_id.to_ascii_lowercase())
            .and_then(|key| self.policies.iter().find(|p| &p.key == key))
            .unwrap_or(&roles.default_policy)
    }

    /// The policy for activating an Azure role (GUID or any prefixed id) at `scope`.
    pub fn azure_policy(&self, scope: &str, role_definition_id: &str) -> &Policy {
        self.azure
            .policy_key(scope, role_definition_id)
            .and_then(|key| self.policies.iter().find(|p| p.key == key))
            .unwrap_or(&self.azure.default_policy)
    }

    /// Finds an app registration by client id.
    pub fn application(&self, client_id: &str) -> Option<&Application> {
        self.applications
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id.trim()))
    }
}

fn policy_from(
    record: &PolicyRecord,
    users: &HashMap<&str, &UserRecord>,
) -> Result<Policy, TenantError> {
    let max_duration = iso_duration::parse(&record.max_duration)
        .filter(|d| *d > chrono::Duration::zero())
        .ok_or_else(|| TenantError::BadDuration(record.max_duration.clone()))?;
    let mut policy = Policy {
        guid: guid_from(&record.key),
        key: record.key.clone(),
        max_duration,
        require_justification: false,
        require_ticket: false,
        require_mfa: false,
        authentication_context: record.authentication_context.clone(),
        approval: None,
    };
    for rule in &record.require {
        match rule.to_ascii_lowercase().as_str() {
            "justification" => policy.require_justification = true,
            "ticketing" => policy.require_ticket = true,
            "multifactorauthentication" => policy.require_mfa = true,
            _ => {
                return Err(TenantError::UnknownRule {
                    policy: record.key.clone(),
                    rule: rule.clone(),
                })
            }
        }
    }
    if let Some(approval) = &record.approval {
        let approvers = approval
            .approvers
            .iter()
            .map(|key| {
                users
                    .get(key.as_str())
                    .map(|u| u.id.clone())
                    .ok_or_else(|| TenantError::UnknownReference {
                        kind: "user",
                        key: key.clone(),
                    })
            })
            .collect::<Result<_, _>>()?;
        policy.approval = Some(ApprovalPolicy {
            approvers,
            approver_justification_required: approval.approver_justification_required,
        });
    }
    Ok(policy)
}

fn unique_by_key<'a, T>(
    items: &'a [T],
    kind: &'static str,
    key: impl Fn(&T) -> &String,
) -> Result<HashMap<&'a str, &'a T>, TenantError> {
    let mut map = HashMap::with_capacity(items.len());
    for item in items {
        if map.insert(key(item).as_str(), item).is_some() {
            return Err(TenantError::Duplicate {
                kind,
                key: key(item).clone(),
            });
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests;
