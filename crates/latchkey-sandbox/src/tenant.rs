//! The demo tenant: users, groups, app registrations and PIM eligibilities, loaded from a JSON
//! file a person can read and edit (`data/demo-tenant.json` is built in).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::iso_duration;

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
        Ok(Tenant {
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

    /// Finds a group by object id.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id.eq_ignore_ascii_case(id))
    }

    /// Finds an app registration by client id.
    pub fn application(&self, client_id: &str) -> Option<&Application> {
        self.applications
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id.trim()))
    }
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
mod tests {
    use super::*;

    #[test]
    fn built_in_demo_tenant_loads_with_relative_times_resolved() {
        let now = Utc::now();
        let tenant = Tenant::from_json(DEMO_TENANT_JSON, now).expect("demo tenant loads");
        assert!(tenant.users.len() >= 6);
        assert!(tenant.groups.len() >= 10);
        let ada = tenant
            .user_by_upn("ADA@fabrikam.example")
            .expect("ada exists");
        let adas: Vec<_> = tenant
            .group_eligibilities
            .iter()
            .filter(|e| e.principal_id == ada.id)
            .collect();
        assert_eq!(adas.len(), 5);
        let soon = adas.iter().filter_map(|e| e.end).min().expect("some end");
        assert_eq!(soon, now + chrono::Duration::days(5));
        assert!(adas
            .iter()
            .any(|e| e.end.is_none() && e.access_id == "owner"));
    }

    #[test]
    fn unknown_references_and_bad_durations_are_reported() {
        let base = |elig: &str| {
            format!(
                r#"{{"tenant":{{"id":"t","displayName":"T","domain":"t.example"}},
                "users":[{{"key":"u","id":"1","userPrincipalName":"u@t","displayName":"U"}}],
                "groups":[{{"key":"g","id":"2","displayName":"G"}}],
                "groupEligibilities":[{elig}]}}"#
            )
        };
        let now = Utc::now();
        let err = Tenant::from_json(
            &base(r#"{"id":"e","principal":"nobody","group":"g","accessId":"member","start":null,"end":null}"#),
            now,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown user 'nobody'"), "{err}");
        let err = Tenant::from_json(
            &base(r#"{"id":"e","principal":"u","group":"g","accessId":"member","start":"soon","end":null}"#),
            now,
        )
        .unwrap_err();
        assert!(err.to_string().contains("'soon'"), "{err}");
    }
}
