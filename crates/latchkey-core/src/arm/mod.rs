//! The Azure Resource Manager client for PIM on Azure resources: its own ARM-audience token
//! from the same session, the shared REST transport (retries, `nextLink` on the same host),
//! requests PUT under a GUID chosen once per intent so a resend can never duplicate them.

pub mod approvals;
pub mod read;
pub mod requests;

use std::sync::Arc;

use url::Url;

use crate::auth::Resource;
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::rest::Rest;
use crate::session::Session;

/// The schedule, instance and policy API version every client uses.
pub(crate) const API_VERSION: &str = "2020-10-01";
/// Approvals exist only in this preview.
pub(crate) const APPROVAL_API_VERSION: &str = "2021-01-01-preview";
/// The provider of every PIM resource type.
pub(crate) const PROVIDER: &str = "providers/Microsoft.Authorization";

/// Whether `path` is an ARM id Latchkey may put in a URL: absolute, ARM's name characters,
/// no `..`, no query or fragment.
pub fn is_arm_path(path: &str) -> bool {
    path.starts_with('/')
        && path.len() <= 1024
        && !path.contains("..")
        && !path.contains("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./()".contains(c))
}

/// Calls Azure Resource Manager for a session.
#[derive(Clone)]
pub struct ArmClient {
    rest: Rest,
}

impl ArmClient {
    /// A client for `base` (e.g. `https://management.azure.com/`).
    pub fn new(http: HttpClient, base: Url, session: Arc<Session>) -> Self {
        Self {
            rest: Rest {
                http,
                base,
                session,
                resource: Resource::Arm,
                service: "Azure Resource Manager",
            },
        }
    }

    /// The signed-in account's object id: requests always carry it, even for an eligibility
    /// inherited through a group (whose rows name the group).
    pub fn principal_id(&self) -> &str {
        &self.rest.session.account().object_id
    }

    /// `{base}{path}?api-version={version}[&$filter={filter}]`; `path` is an ARM id path.
    pub(crate) fn url(&self, path: &str, version: &str, filter: Option<&str>) -> Result<Url> {
        if !is_arm_path(path) {
            return Err(Error::new(
                crate::ErrorCode::InvalidInput,
                "That is not an Azure resource id.",
            ));
        }
        let mut url = self
            .rest
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::internal(format!("bad ARM path {path}: {e}")))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("api-version", version);
            if let Some(filter) = filter {
                query.append_pair("$filter", filter);
            }
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_arm_ids_reach_a_url() {
        assert!(is_arm_path(
            "/subscriptions/5f1c/resourceGroups/rg-data_prod.(1)/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/x"
        ));
        for bad in [
            "",
            "subscriptions/x",
            "/subscriptions/../x",
            "/a?b",
            "/a#b",
            "/a%2e",
            "//evil.example/x",
        ] {
            assert!(!is_arm_path(bad), "{bad}");
        }
    }
}
