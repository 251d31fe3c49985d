//! Scope strings as the v2 endpoint takes them: OIDC scopes plus the permissions of exactly one
//! resource (Graph or ARM), by short name or fully qualified.

use super::error::AadError;
use chrono::{DateTime, Utc};

/// The resource a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Graph,
    Arm,
}

impl Resource {
    /// The `aud` claim of tokens for this resource.
    pub fn audience(self) -> &'static str {
        match self {
            Resource::Graph => "https://graph.microsoft.com",
            Resource::Arm => "https://management.azure.com",
        }
    }

    fn prefixes(self) -> &'static [&'static str] {
        match self {
            Resource::Graph => &[
                "https://graph.microsoft.com/",
                "00000003-0000-0000-c000-000000000000/",
            ],
            Resource::Arm => &[
                "https://management.azure.com/",
                "https://management.core.windows.net/",
            ],
        }
    }

    fn known_scopes(self) -> &'static [&'static str] {
        match self {
            Resource::Graph => GRAPH_SCOPES,
            Resource::Arm => &["user_impersonation"],
        }
    }
}

/// Delegated Graph permissions the sandbox's tenant has consented for every app (admin consent).
pub const GRAPH_SCOPES: &[&str] = &[
    "User.Read",
    "Group.Read.All",
    "GroupMember.Read.All",
    "Directory.Read.All",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
    "RoleEligibilitySchedule.Read.Directory",
    "RoleEligibilitySchedule.ReadWrite.Directory",
    "RoleAssignmentSchedule.Read.Directory",
    "RoleAssignmentSchedule.ReadWrite.Directory",
    "RoleManagementPolicy.Read.Directory",
    "RoleManagementPolicy.ReadWrite.Directory",
    "RoleManagementPolicy.Read.AzureADGroup",
    "RoleManagementPolicy.ReadWrite.AzureADGroup",
    "PrivilegedEligibilitySchedule.Read.AzureADGroup",
    "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
    "PrivilegedAssignmentSchedule.Read.AzureADGroup",
    "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
    "PrivilegedAccess.Read.AzureADGroup",
    "PrivilegedAccess.ReadWrite.AzureADGroup",
];

/// A parsed `scope` parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeRequest {
    pub resource: Option<Resource>,
    /// Granted resource scopes, short names in their canonical spelling.
    pub granted: Vec<&'static str>,
    pub openid: bool,
    pub profile: bool,
    pub email: bool,
    pub offline_access: bool,
}

impl ScopeRequest {
    /// Parses a space-separated scope list the way the v2 endpoint does.
    pub fn parse(scope: &str, at: DateTime<Utc>) -> Result<Self, AadError> {
        let mut request = ScopeRequest::default();
        let invalid = |s: &str| {
            AadError::bad_request(
                at,
                "invalid_scope",
                70011,
                format!("The provided value for the input parameter 'scope' is not valid. The scope '{s}' is not valid."),
            )
        };
        for item in scope.split_whitespace() {
            match item.to_ascii_lowercase().as_str() {
                "openid" => request.openid = true,
                "profile" => request.profile = true,
                "email" => request.email = true,
                "offline_access" => request.offline_access = true,
                _ => {
                    let (resource, name) = split_resource(item).ok_or_else(|| invalid(item))?;
                    if request.resource.is_some_and(|r| r != resource) {
                        return Err(AadError::bad_request(
                            at,
                            "invalid_scope",
                            28000,
                            format!("Provided value for the input parameter scope '{scope}' is not valid because it contains more than one resource. Scope {scope} is not valid."),
                        ));
                    }
                    request.resource = Some(resource);
                    if name.eq_ignore_ascii_case(".default") {
                        request.granted.extend(resource.known_scopes());
                    } else {
                        let known = resource
                            .known_scopes()
                            .iter()
                            .find(|k| k.eq_ignore_ascii_case(name))
                            .ok_or_else(|| invalid(item))?;
                        request.granted.push(known);
                    }
                }
            }
        }
        request.granted.sort_unstable();
        request.granted.dedup();
        if request.resource.is_none() && !request.openid && !request.offline_access {
            return Err(invalid(scope));
        }
        Ok(request)
    }

    /// The `scope` value of the token response: fully qualified resource scopes plus OIDC ones.
    pub fn response_scope(&self) -> String {
        let resource = self.resource.unwrap_or(Resource::Graph);
        let mut parts: Vec<String> = self
            .granted
            .iter()
            .map(|s| format!("{}/{s}", resource.audience()))
            .collect();
        for (on, name) in [
            (self.openid, "openid"),
            (self.profile, "profile"),
            (self.email, "email"),
            (self.offline_access, "offline_access"),
        ] {
            if on {
                parts.push(name.to_owned());
            }
        }
        parts.join(" ")
    }
}

fn split_resource(item: &str) -> Option<(Resource, &str)> {
    for resource in [Resource::Graph, Resource::Arm] {
        for prefix in resource.prefixes() {
            if item.len() > prefix.len() && item[..prefix.len()].eq_ignore_ascii_case(prefix) {
                return Some((resource, &item[prefix.len()..]));
            }
        }
    }
    // A bare name ("User.Read") means Microsoft Graph, as on the real endpoint.
    (!item.contains('/') && !item.contains(':')).then_some((Resource::Graph, item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_qualified_graph_scopes_mean_the_same() {
        let now = Utc::now();
        let a = ScopeRequest::parse("User.Read offline_access openid", now).unwrap();
        let b = ScopeRequest::parse(
            "https://graph.microsoft.com/user.read offline_access openid",
            now,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.granted, vec!["User.Read"]);
        assert_eq!(a.resource, Some(Resource::Graph));
        assert_eq!(
            a.response_scope(),
            "https://graph.microsoft.com/User.Read openid offline_access"
        );
    }

    #[test]
    fn default_scope_grants_everything_consented() {
        let r = ScopeRequest::parse("https://management.azure.com/.default", Utc::now()).unwrap();
        assert_eq!(r.resource, Some(Resource::Arm));
        assert_eq!(r.granted, vec!["user_impersonation"]);
    }

    #[test]
    fn unknown_scopes_and_two_resources_are_refused_like_entra() {
        let now = Utc::now();
        let e = ScopeRequest::parse("User.Read Mail.Send.Everything", now).unwrap_err();
        assert_eq!((e.error, e.aadsts), ("invalid_scope", 70011));
        let e = ScopeRequest::parse(
            "User.Read https://management.azure.com/user_impersonation",
            now,
        )
        .unwrap_err();
        assert_eq!((e.error, e.aadsts), ("invalid_scope", 28000));
        let e = ScopeRequest::parse("", now).unwrap_err();
        assert_eq!(e.aadsts, 70011);
        let e = ScopeRequest::parse("https://evil.example/x", now).unwrap_err();
        assert_eq!(e.aadsts, 70011);
    }
}
