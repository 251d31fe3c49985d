//! Sign-in with the Microsoft identity platform through the `oauth2` crate: the device-code flow,
//! the browser flow (authorization code + PKCE on a loopback redirect) and the refresh-token
//! grant. Every token request declares client capability `cp1`, merged with a step-up challenge
//! when there is one, and asks for `client_info`, as MSAL does.

pub mod aadsts;
mod browser;
pub mod claims;
mod loopback;
mod transport;

pub use aadsts::Flow;
pub use browser::{BrowserSignIn, DEFAULT_BROWSER_TIMEOUT};
pub use claims::{request_claims, StepUpClaims};

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, DeviceAuthorizationResponse, DeviceAuthorizationUrl,
    EndpointNotSet, EndpointSet, ExtraDeviceAuthorizationFields, ExtraTokenFields, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::endpoints::Endpoints;
use crate::error::{Error, ErrorCode, Result};
use crate::http::HttpClient;
use crate::sensitive::Sensitive;
use transport::OAuthTransport;

/// Fields Entra adds to the token response.
#[derive(Clone, Deserialize, Serialize)]
pub struct EntraTokenFields {
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    client_info: Option<String>,
}

impl std::fmt::Debug for EntraTokenFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EntraTokenFields(<redacted>)")
    }
}

impl ExtraTokenFields for EntraTokenFields {}

/// Fields Entra adds to the device authorization response.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EntraDeviceFields {
    #[serde(default)]
    message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for EntraDeviceFields {}

type EntraTokenResponse = StandardTokenResponse<EntraTokenFields, BasicTokenType>;
type EntraClient = oauth2::Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Who signed in, from the id token (or `client_info`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub object_id: String,
    pub tenant_id: String,
    pub username: String,
    pub display_name: String,
}

/// Tokens from one grant.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: Sensitive<String>,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: Option<Sensitive<String>>,
    pub identity: Option<Identity>,
}

/// A device code the user is entering in a browser.
#[derive(Debug, Clone)]
pub struct DeviceCodeGrant {
    details: DeviceAuthorizationResponse<EntraDeviceFields>,
    /// The code the user types.
    pub user_code: String,
    /// Where the user types it.
    pub verification_uri: String,
    /// When the code stops working.
    pub expires_at: DateTime<Utc>,
    /// The service's instruction text.
    pub message: String,
    /// The step-up this sign-in asks for, sent on every poll.
    claims: Option<StepUpClaims>,
}

impl DeviceCodeGrant {
    /// The step-up claims this sign-in asks for, if any.
    pub fn claims(&self) -> Option<&StepUpClaims> {
        self.claims.as_ref()
    }
}

/// Which API a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Graph,
    Arm,
}

impl Resource {
    /// The scopes requested for this resource on a refresh.
    pub fn scopes(self) -> Vec<String> {
        match self {
            Resource::Graph => crate::endpoints::GRAPH_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            Resource::Arm => vec!["https://management.azure.com/user_impersonation".to_owned()],
        }
    }
}

/// Runs sign-in flows against one authority and app registration.
#[derive(Clone)]
pub struct Authenticator {
    endpoints: Endpoints,
    http: HttpClient,
    clock: Arc<dyn Clock>,
}

impl Authenticator {
    /// An authenticator for `endpoints`.
    pub fn new(endpoints: Endpoints, http: HttpClient, clock: Arc<dyn Clock>) -> Self {
        Self {
            endpoints,
            http,
            clock,
        }
    }

    /// The endpoints in use.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    fn client(&self) -> Result<EntraClient> {
        Ok(
            oauth2::Client::new(ClientId::new(self.endpoints.client_id.clone()))
                .set_auth_type(AuthType::RequestBody)
                .set_auth_uri(AuthUrl::from_url(self.endpoints.authorize_url()?))
                .set_token_uri(TokenUrl::from_url(self.endpoints.token_url()?))
                .set_device_authorization_url(DeviceAuthorizationUrl::from_url(
                    self.endpoints.device_code_url()?,
                )),
        )
    }

    /// Asks for a device code (step 1 of the device-code flow).
    pub async fn start_device_code(&self) -> Result<DeviceCodeGrant> {
        self.start_device_code_with_claims(None).await
    }

    /// Asks for a device code whose sign-in must satisfy `claims` (an interactive step-up).
    /// As MSAL does (reference §1.7), the claims go only on the token polls, not on
    /// `/devicecode`; the grant keeps them for [`Authenticator::complete_device_code`].
    pub async fn start_device_code_with_claims(
        &self,
        claims: Option<&StepUpClaims>,
    ) -> Result<DeviceCodeGrant> {
        let transport = OAuthTransport::new(&self.http);
        let scopes = crate::endpoints::GRAPH_SCOPES
            .iter()
            .chain(crate::endpoints::OIDC_SCOPES)
            .map(|s| Scope::new((*s).to_owned()));
        let client = self.client()?;
        let request = client.exchange_device_code().add_scopes(scopes);
        let details: DeviceAuthorizationResponse<EntraDeviceFields> = request
            .request_async(&transport)
            .await
            .map_err(|e| map_request_error(Flow::DeviceCode, e, transport.last_failure()))?;
        let now = self.clock.now();
        let expires_at = now + chrono::Duration::from_std(details.expires_in()).unwrap_or_default();
        Ok(DeviceCodeGrant {
            user_code: details.user_code().secret().clone(),
            verification_uri: details.verification_uri().to_string(),
            expires_at,
            message: details.extra_fields().message.clone().unwrap_or_default(),
            details,
            claims: claims.cloned(),
        })
    }

    /// Polls until the user finishes in the browser, the code expires, the service stops
    /// answering, or `cancel` fires (step 2).
    pub async fn complete_device_code(
        &self,
        grant: &DeviceCodeGrant,
        cancel: &CancellationToken,
    ) -> Result<TokenSet> {
        let transport = OAuthTransport::new(&self.http);
        let client = self.client()?;
        let clock = self.clock.clone();
        let poll = client
            .exchange_device_access_token(&grant.details)
            .add_extra_param("claims", request_claims(grant.claims.as_ref()))
            .add_extra_param("client_info", "1")
            .set_time_fn(move || clock.now())
            .request_async(&transport, tokio::time::sleep, None);
        let response = tokio::select! {
            response = poll => response.map_err(|e| map_request_error(Flow::DeviceCode, e, transport.last_failure()))?,
            () = cancel.cancelled() => {
                return Err(Error::new(ErrorCode::SignInCancelled, "Sign-in was cancelled."));
            }
            () = transport.gave_up() => {
                return Err(transport.last_failure().unwrap_or_else(|| {
                    Error::new(ErrorCode::Network, "Can't reach the sign-in service. Check your network connection, then try again.")
                }));
            }
        };
        Ok(self.token_set(&response))
    }

    /// Redeems a refresh token for an access token to `resource`; the response usually carries
    /// a new refresh token that replaces the old one.
    pub async fn refresh(
        &self,
        refresh_token: &Sensitive<String>,
        resource: Resource,
    ) -> Result<TokenSet> {
        self.refresh_with_claims(refresh_token, resource, None)
            .await
    }

    /// A refresh that must satisfy `claims` (MSAL's silent step-up). When the service wants
    /// the person back (MFA not done in this session) the error is `StepUpRequired`.
    pub async fn refresh_with_claims(
        &self,
        refresh_token: &Sensitive<String>,
        resource: Resource,
        claims: Option<&StepUpClaims>,
    ) -> Result<TokenSet> {
        let flow = if claims.is_some() {
            Flow::SilentStepUp
        } else {
            Flow::Refresh
        };
        let transport = OAuthTransport::new(&self.http);
        let token = RefreshToken::new(refresh_token.expose().clone());
        let response = self
            .client()?
            .exchange_refresh_token(&token)
            .add_scopes(resource.scopes().into_iter().map(Scope::new))
            .add_scope(Scope::new("offline_access".to_owned()))
            .add_extra_param("claims", request_claims(claims))
            .add_extra_param("client_info", "1")
            .request_async(&transport)
            .await
            .map_err(|e| map_request_error(flow, e, transport.last_failure()))?;
        Ok(self.token_set(&response))
    }

    fn token_set(&self, response: &EntraTokenResponse) -> TokenSet {
        // Entra always sends expires_in; an hour is its usual lifetime if it ever does not.
        let lifetime = response.expires_in().unwrap_or(Duration::from_secs(3600));
        let extra = response.extra_fields();
        TokenSet {
            access_token: Sensitive::new(response.access_token().secret().clone()),
            expires_at: self.clock.now() + chrono::Duration::from_std(lifetime).unwrap_or_default(),
            refresh_token: response
                .refresh_token()
                .map(|t| Sensitive::new(t.secret().clone())),
            identity: extra
                .id_token
                .as_deref()
                .and_then(identity_from_id_token)
                .or_else(|| {
                    extra
                        .client_info
                        .as_deref()
                        .and_then(identity_from_client_info)
                }),
        }
    }
}

fn map_request_error<RE: std::error::Error + 'static, T: oauth2::ErrorResponse + 'static>(
    flow: Flow,
    error: RequestTokenError<RE, T>,
    transport_failure: Option<Error>,
) -> Error {
    match error {
        RequestTokenError::ServerResponse(response) => {
            // Both error-response types serialize to {error, error_description, error_uri}.
            let value = serde_json::to_value(&response).unwrap_or_default();
            aadsts::for_flow(
                flow,
                aadsts::classify(
                    value["error"].as_str().unwrap_or("unknown_error"),
                    value["error_description"].as_str(),
                ),
            )
        }
        RequestTokenError::Request(_) => transport_failure.unwrap_or_else(|| {
            Error::new(ErrorCode::Network, "Can't reach the sign-in service. Check your network connection, then try again.")
        }),
        RequestTokenError::Parse(_, _) => Error::new(
            ErrorCode::UnexpectedResponse,
            "The sign-in service sent an answer Latchkey can't read. Try again; if it keeps happening, check the authority URL in config.json.",
        ),
        RequestTokenError::Other(detail) => Error::new(
            ErrorCode::UnexpectedResponse,
            format!("Sign-in failed unexpectedly: {detail}"),
        ),
    }
}

#[derive(Deserialize)]
struct IdTokenClaims {
    oid: Option<String>,
    sub: Option<String>,
    tid: Option<String>,
    preferred_username: Option<String>,
    name: Option<String>,
}

/// Reads who signed in from an id token. Like MSAL, the client does not verify the signature:
/// the token came straight from the token endpoint over TLS.
fn identity_from_id_token(id_token: &str) -> Option<Identity> {
    let payload = id_token.split('.').nth(1)?;
    let claims: IdTokenClaims =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let object_id = claims.oid.or(claims.sub)?;
    let username = claims
        .preferred_username
        .unwrap_or_else(|| object_id.clone());
    Some(Identity {
        display_name: claims.name.unwrap_or_else(|| username.clone()),
        tenant_id: claims.tid?,
        object_id,
        username,
    })
}

fn identity_from_client_info(client_info: &str) -> Option<Identity> {
    #[derive(Deserialize)]
    struct ClientInfo {
        uid: String,
        utid: String,
    }
    let info: ClientInfo =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(client_info).ok()?).ok()?;
    Some(Identity {
        username: info.uid.clone(),
        display_name: info.uid.clone(),
        object_id: info.uid,
        tenant_id: info.utid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_comes_from_the_id_token_or_client_info() {
        let payload = URL_SAFE_NO_PAD.encode(
            r#"{"oid":"o1","tid":"t1","preferred_username":"ada@fabrikam.example","name":"Ada Okafor","aud":"c"}"#,
        );
        let identity = identity_from_id_token(&format!("e30.{payload}.sig")).unwrap();
        assert_eq!(identity.object_id, "o1");
        assert_eq!(identity.display_name, "Ada Okafor");
        assert_eq!(identity_from_id_token("garbage"), None);
        let info = URL_SAFE_NO_PAD.encode(r#"{"uid":"o2","utid":"t2"}"#);
        let identity = identity_from_client_info(&info).unwrap();
        assert_eq!(
            (identity.object_id.as_str(), identity.tenant_id.as_str()),
            ("o2", "t2")
        );
    }
}
