//! What a PIM request is for. Every plane (groups, directory roles, later Azure resource roles)
//! is one variant; the engine's rules are the same for all of them, only "who is eligible",
//! "which policy" and the ids differ, and those live here.

use chrono::{DateTime, Utc};

use crate::tenant::{trailing_guid, AzureEligibility, Policy, Tenant};

/// When an eligibility starts and ends (`None`: open-ended).
pub type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The thing a request activates, compared case-insensitively as Entra compares ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// PIM for Groups: membership or ownership of a group.
    Group {
        group_id: String,
        /// `member` or `owner`.
        access_id: String,
    },
    /// PIM for Microsoft Entra roles: a directory role at a directory scope.
    DirectoryRole {
        role_definition_id: String,
        /// `/` or `/administrativeUnits/{id}` (or `/{objectId}`), exactly as in the eligibility.
        directory_scope_id: String,
    },
    /// PIM for Azure resources (through ARM): an Azure role at a subscription or resource group.
    AzureRole {
        /// `/subscriptions/{id}[/resourceGroups/{name}]`, compared without case.
        scope: String,
        /// As the client sent it (often prefixed by a scope); compared on its trailing GUID.
        role_definition_id: String,
    },
}

/// Which API plane a target belongs to, so each plane's endpoints see only their own requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plane {
    Group,
    DirectoryRole,
    AzureRole,
}

impl Plane {
    /// The name the request log uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Plane::Group => "group",
            Plane::DirectoryRole => "directoryRole",
            Plane::AzureRole => "azureRole",
        }
    }
}

impl Target {
    /// The plane whose endpoints serve this target.
    pub fn plane(&self) -> Plane {
        match self {
            Target::Group { .. } => Plane::Group,
            Target::DirectoryRole { .. } => Plane::DirectoryRole,
            Target::AzureRole { .. } => Plane::AzureRole,
        }
    }

    /// Same target, ignoring case (a client may send ids in any case).
    pub fn same(&self, other: &Target) -> bool {
        match (self, other) {
            (
                Target::Group {
                    group_id: g1,
                    access_id: a1,
                },
                Target::Group {
                    group_id: g2,
                    access_id: a2,
                },
            ) => g1.eq_ignore_ascii_case(g2) && a1.eq_ignore_ascii_case(a2),
            (
                Target::DirectoryRole {
                    role_definition_id: r1,
                    directory_scope_id: s1,
                },
                Target::DirectoryRole {
                    role_definition_id: r2,
                    directory_scope_id: s2,
                },
            ) => r1.eq_ignore_ascii_case(r2) && s1.eq_ignore_ascii_case(s2),
            (
                Target::AzureRole {
                    scope: s1,
                    role_definition_id: r1,
                },
                Target::AzureRole {
                    scope: s2,
                    role_definition_id: r2,
                },
            ) => {
                s1.trim_end_matches('/')
                    .eq_ignore_ascii_case(s2.trim_end_matches('/'))
                    && trailing_guid(r1).eq_ignore_ascii_case(trailing_guid(r2))
            }
            _ => false,
        }
    }

    /// The schedule (and instance) id an accepted request creates. Groups prefix the group and
    /// access; directory roles reuse the request id, as Graph's examples show.
    pub fn schedule_id(&self, request_id: &str) -> String {
        match self {
            Target::Group {
                group_id,
                access_id,
            } => format!("{group_id}_{access_id}_{request_id}"),
            Target::DirectoryRole { .. } | Target::AzureRole { .. } => request_id.to_owned(),
        }
    }

    /// Whether `principal_id` holds a current eligibility for this target.
    pub fn is_eligible(&self, tenant: &Tenant, principal_id: &str, now: DateTime<Utc>) -> bool {
        self.eligibility_windows(tenant, principal_id)
            .into_iter()
            .any(|(start, end)| start.is_none_or(|s| s <= now) && end.is_none_or(|e| e > now))
    }

    /// `(start, end)` of every eligibility `principal_id` holds (or held) for this target,
    /// current, future or ended; `None` is open-ended.
    pub fn eligibility_windows(&self, tenant: &Tenant, principal_id: &str) -> Vec<Window> {
        let mine = |p: &str| p.eq_ignore_ascii_case(principal_id);
        match self {
            Target::Group {
                group_id,
                access_id,
            } => tenant
                .group_eligibilities
                .iter()
                .filter(|e| {
                    mine(&e.principal_id)
                        && e.group_id.eq_ignore_ascii_case(group_id)
                        && e.access_id.eq_ignore_ascii_case(access_id)
                })
                .map(|e| (e.start, e.end))
                .collect(),
            Target::DirectoryRole {
                role_definition_id,
                directory_scope_id,
            } => tenant
                .directory_roles
                .eligibilities
                .iter()
                .filter(|e| {
                    mine(&e.principal_id)
                        && e.role_definition_id
                            .eq_ignore_ascii_case(role_definition_id)
                        && e.directory_scope_id
                            .eq_ignore_ascii_case(directory_scope_id)
                })
                .map(|e| (e.start, e.end))
                .collect(),
            Target::AzureRole { .. } => tenant
                .azure
                .eligibilities
                .iter()
                .filter(|e| self.is_azure_eligibility_of(e, principal_id))
                .map(|e| (e.start, e.end))
                .collect(),
        }
    }

    /// The Azure eligibility of `principal_id` (direct or through a group) this target uses.
    pub fn azure_eligibility<'t>(
        &self,
        tenant: &'t Tenant,
        principal_id: &str,
        now: DateTime<Utc>,
    ) -> Option<&'t AzureEligibility> {
        tenant.azure.eligibilities.iter().find(|e| {
            self.is_azure_eligibility_of(e, principal_id)
                && e.start.is_none_or(|s| s <= now)
                && e.end.is_none_or(|end| end > now)
        })
    }

    /// Whether `e` is `principal_id`'s eligibility for this (Azure) target, at any time.
    fn is_azure_eligibility_of(&self, e: &AzureEligibility, principal_id: &str) -> bool {
        let Target::AzureRole {
            scope,
            role_definition_id,
        } = self
        else {
            return false;
        };
        e.principal_id.eq_ignore_ascii_case(principal_id)
            && e.role_definition_id
                .eq_ignore_ascii_case(trailing_guid(role_definition_id))
            && e.scope.eq_ignore_ascii_case(scope.trim_end_matches('/'))
    }

    /// The policy (role settings) that governs activating this target.
    pub fn policy<'t>(&self, tenant: &'t Tenant) -> &'t Policy {
        match self {
            Target::Group {
                group_id,
                access_id,
            } => tenant.group_policy(group_id, access_id),
            Target::DirectoryRole {
                role_definition_id, ..
            } => tenant.role_policy(role_definition_id),
            Target::AzureRole {
                scope,
                role_definition_id,
            } => tenant.azure_policy(scope, role_definition_id),
        }
    }
}
