//! Where Latchkey talks to: the identity authority, Microsoft Graph and ARM. Microsoft's URLs
//! appear here as defaults and nowhere else; the sandbox tenant and tests supply their own.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// Microsoft's identity authority.
pub const MICROSOFT_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Microsoft Graph.
pub const MICROSOFT_GRAPH: &str = "https://graph.microsoft.com";
/// Azure Resource Manager.
pub const MICROSOFT_ARM: &str = "https://management.azure.com";

/// Delegated Graph permissions Latchkey asks for (see the README for the app registration).
/// Resource identifiers stay Microsoft's even against the sandbox: they name the API, not a host.
pub const GRAPH_SCOPES: &[&str] = &[
    "https://graph.microsoft.com/User.Read",
    "https://graph.microsoft.com/Group.Read.All",
    "https://graph.microsoft.com/RoleManagement.Read.Directory",
    "https://graph.microsoft.com/RoleEligibilitySchedule.Read.Directory",
    "https://graph.microsoft.com/RoleAssignmentSchedule.ReadWrite.Directory",
    "https://graph.microsoft.com/RoleManagementPolicy.Read.Directory",
    "https://graph.microsoft.com/RoleManagementPolicy.Read.AzureADGroup",
    "https://graph.microsoft.com/PrivilegedEligibilitySchedule.Read.AzureADGroup",
    "https://graph.microsoft.com/PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
];

/// OpenID Connect scopes that come with every sign-in (id token, refresh token).
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access"];

/// The service endpoints and the app registration Latchkey signs in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// e.g. `https://login.microsoftonline.com`
    pub authority: Url,
    /// Tenant id, verified domain, or `organizations`.
    pub tenant: String,
    /// e.g. `https://graph.microsoft.com`
    pub graph: Url,
    /// e.g. `https://management.azure.com`
    pub arm: Url,
    /// The app registration's client id.
    pub client_id: String,
    /// Names this environment in stored account keys; defaults to the authority's host[:port].
    /// The embedded sandbox uses `sandbox`, whatever port it got.
    pub environment: String,
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => url.to_string(),
    }
}

impl Endpoints {
    /// Endpoints that send identity, Graph and ARM traffic to one base URL (the sandbox tenant).
    pub fn single_host(base: &str, tenant: &str, client_id: &str) -> Result<Self> {
        let base = parse_base(base, "sandbox URL")?;
        Ok(Self {
            environment: host_of(&base),
            authority: base.clone(),
            tenant: tenant.to_owned(),
            graph: base.clone(),
            arm: base,
            client_id: client_id.to_owned(),
        })
    }

    fn tenant_url(&self, path: &str) -> Result<Url> {
        self.authority
            .join(&format!("{}/{path}", self.tenant))
            .map_err(|e| {
                Error::new(
                    ErrorCode::InvalidInput,
                    format!("Bad tenant or authority: {e}"),
                )
            })
    }

    /// `{authority}/{tenant}/oauth2/v2.0/devicecode`
    pub fn device_code_url(&self) -> Result<Url> {
        self.tenant_url("oauth2/v2.0/devicecode")
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`
    pub fn token_url(&self) -> Result<Url> {
        self.tenant_url("oauth2/v2.0/token")
    }

    /// `{authority}/{tenant}/oauth2/v2.0/authorize`
    pub fn authorize_url(&self) -> Result<Url> {
        self.tenant_url("oauth2/v2.0/authorize")
    }

    /// The stable name of this environment, used to key stored accounts and secrets.
    pub fn environment(&self) -> &str {
        &self.environment
    }
}

fn parse_base(text: &str, what: &str) -> Result<Url> {
    let mut url = Url::parse(text.trim()).map_err(|e| {
        Error::new(
            ErrorCode::InvalidInput,
            format!("The {what} '{text}' is not a URL: {e}"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!(
                "The {what} '{text}' must start with https:// (or http:// for a local sandbox)."
            ),
        ));
    }
    // `Url::join` drops the last path segment unless the base ends with '/'.
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

/// A tenant configured by the user in `config.json`. Without one, Latchkey runs the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantConfig {
    /// Shown in the title bar, e.g. "Contoso production".
    #[serde(default)]
    pub label: Option<String>,
    /// Tenant id or verified domain.
    pub tenant: String,
    /// The app registration's client id.
    pub client_id: String,
    #[serde(default)]
    pub authority: Option<String>,
    #[serde(default)]
    pub graph: Option<String>,
    #[serde(default)]
    pub arm: Option<String>,
}

impl TenantConfig {
    /// Reads `config.json`; `Ok(None)` when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<Self>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!("Can't read {}: {e}", path.display()),
                ))
            }
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "{} is not a valid Latchkey configuration: {e}",
                    path.display()
                ),
            )
        })
    }

    /// The endpoints this configuration names, Microsoft's where it names none.
    pub fn endpoints(&self) -> Result<Endpoints> {
        let authority = parse_base(
            self.authority.as_deref().unwrap_or(MICROSOFT_AUTHORITY),
            "authority",
        )?;
        Ok(Endpoints {
            environment: host_of(&authority),
            authority,
            tenant: self.tenant.trim().to_owned(),
            graph: parse_base(
                self.graph.as_deref().unwrap_or(MICROSOFT_GRAPH),
                "Graph URL",
            )?,
            arm: parse_base(self.arm.as_deref().unwrap_or(MICROSOFT_ARM), "ARM URL")?,
            client_id: self.client_id.trim().to_owned(),
        })
    }
}

/// `$LATCHKEY_CONFIG`, else `<config dir>/latchkey/config.json`.
pub fn default_config_path() -> Option<PathBuf> {
    std::env::var_os("LATCHKEY_CONFIG")
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("latchkey").join("config.json")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_to_microsoft_and_builds_tenant_urls() {
        let config: TenantConfig =
            serde_json::from_str(r#"{"tenant":"contoso.example","clientId":"abc"}"#).unwrap();
        let e = config.endpoints().unwrap();
        assert_eq!(
            e.device_code_url().unwrap().as_str(),
            "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/devicecode"
        );
        assert_eq!(e.graph.as_str(), "https://graph.microsoft.com/");
        assert_eq!(e.environment(), "login.microsoftonline.com");
    }

    #[test]
    fn single_host_keeps_a_path_prefix_and_port() {
        let e =
            Endpoints::single_host("http://127.0.0.1:8400/prefix", "organizations", "c").unwrap();
        assert_eq!(
            e.token_url().unwrap().as_str(),
            "http://127.0.0.1:8400/prefix/organizations/oauth2/v2.0/token"
        );
        assert_eq!(e.environment(), "127.0.0.1:8400");
    }

    #[test]
    fn bad_config_is_reported_not_ignored() {
        let dir = std::env::temp_dir().join(format!("latchkey-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.json");
        assert_eq!(TenantConfig::load(&path).unwrap(), None);
        std::fs::write(&path, r#"{"tenant":"t","clientId":"c","tennant":"typo"}"#).unwrap();
        let err = TenantConfig::load(&path).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("tennant"), "{}", err.message);
        let config: TenantConfig =
            serde_json::from_str(r#"{"tenant":"t","clientId":"c","graph":"ftp://x"}"#).unwrap();
        assert!(config.endpoints().is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
