//! Step-up for PIM: when an activation is refused for MFA (`MfaRule`) or an authentication
//! context (`RoleAssignmentRequestAcrsValidationFailed`), get a Graph token that carries it.
//! First silently (the refresh grant with claims, as MSAL does); when the service wants the
//! person back, interactively (device code or browser, with the same claims). The resulting
//! token is what [`Session::graph_token`] returns until it expires.
//!
//! ```text
//! let claims = StepUpClaims::from_pim_error_body(&body)?;      // or ::from_error(&err)
//! match session.step_up_silently(&claims).await {
//!     Ok(()) => resend(),
//!     Err(StepUpError::InteractionRequired(_)) => {
//!         let browser = session.start_browser_step_up(&claims).await?;
//!         open(browser.authorize_url());
//!         session.complete_browser_step_up(browser, &cancel).await?;
//!         resend()
//!     }
//!     Err(StepUpError::Failed(e)) => show(e),
//! }
//! ```

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::{Session, REFRESH_MARGIN};
use crate::auth::{BrowserSignIn, DeviceCodeGrant, Resource, StepUpClaims, TokenSet};
use crate::error::{Error, ErrorCode, Result};
use crate::sensitive::Sensitive;

/// A Graph token obtained for step-up claims.
#[derive(Debug, Clone)]
pub(super) struct StepUpToken {
    token: Sensitive<String>,
    expires_at: DateTime<Utc>,
    claims: StepUpClaims,
    /// Obtained by a silent refresh: the service may have issued it without the claim
    /// (MSAL.NET#4908), so a second refusal for the same claims goes interactive.
    silent: bool,
}

/// Why a silent step-up did not produce a token.
#[derive(Debug, thiserror::Error)]
pub enum StepUpError {
    /// The person must sign in interactively with the claims (code `StepUpRequired`, the claims
    /// in `claims_challenge`): use the device-code or browser step-up.
    #[error("{0}")]
    InteractionRequired(Error),
    /// Anything else: network, a revoked session (`SessionExpired`, keyring entry removed)…
    #[error("{0}")]
    Failed(Error),
}

impl From<StepUpError> for Error {
    fn from(error: StepUpError) -> Self {
        match error {
            StepUpError::InteractionRequired(e) | StepUpError::Failed(e) => e,
        }
    }
}

fn interaction_required(claims: &StepUpClaims, cause: Option<Error>) -> StepUpError {
    let mut error = cause.unwrap_or_else(|| {
        Error::new(
            ErrorCode::StepUpRequired,
            "PIM still wants a stronger sign-in. Sign in again when Latchkey asks, then it resends the request.",
        )
    });
    error.code = ErrorCode::StepUpRequired;
    error.claims_challenge = Some(claims.to_json());
    StepUpError::InteractionRequired(error)
}

impl Session {
    pub(super) fn step_up_token(&self, resource: Resource) -> Option<Sensitive<String>> {
        let mut held = self.step_up.lock().unwrap_or_else(|e| e.into_inner());
        match held.get(&resource) {
            Some(t) if t.expires_at - REFRESH_MARGIN > self.clock.now() => Some(t.token.clone()),
            Some(_) => {
                held.remove(&resource);
                None
            }
            None => None,
        }
    }

    /// Forgets the step-up token of `resource` (all of them with `None`).
    pub(super) fn drop_step_up(&self, resource: Option<Resource>) {
        let mut held = self.step_up.lock().unwrap_or_else(|e| e.into_inner());
        match resource {
            Some(resource) => {
                held.remove(&resource);
            }
            None => held.clear(),
        }
    }

    /// The claims of the step-up token held for Graph, if one is held and still valid.
    pub fn step_up_claims(&self) -> Option<StepUpClaims> {
        self.step_up_token(Resource::Graph)?;
        let held = self.step_up.lock().unwrap_or_else(|e| e.into_inner());
        held.get(&Resource::Graph).map(|t| t.claims.clone())
    }

    /// Tries the refresh grant with `claims` for Graph; see [`Session::step_up_silently_for`].
    pub async fn step_up_silently(&self, claims: &StepUpClaims) -> Result<(), StepUpError> {
        self.step_up_silently_for(Resource::Graph, claims).await
    }

    /// Tries the refresh grant with `claims` for `resource` (ARM refuses Azure role activations
    /// the same way Graph does). `InteractionRequired` when the service needs the person (or
    /// when a silently obtained token for these claims was already refused).
    pub async fn step_up_silently_for(
        &self,
        resource: Resource,
        claims: &StepUpClaims,
    ) -> Result<(), StepUpError> {
        let already_silent = {
            let held = self.step_up.lock().unwrap_or_else(|e| e.into_inner());
            held.get(&resource)
                .is_some_and(|t| t.silent && &t.claims == claims)
        };
        if already_silent && self.step_up_token(resource).is_some() {
            return Err(interaction_required(claims, None));
        }
        let mut refresh_token = self.refresh_token.lock().await;
        match self
            .redeem(&mut refresh_token, resource, Some(claims))
            .await
        {
            Ok(tokens) => {
                self.hold(resource, &tokens, claims, true);
                Ok(())
            }
            Err(e) if e.code == ErrorCode::StepUpRequired => {
                Err(interaction_required(claims, Some(e)))
            }
            Err(e) => Err(StepUpError::Failed(e)),
        }
    }

    /// Starts an interactive step-up with the device-code flow; show the code, then call
    /// [`Session::complete_device_code_step_up`].
    pub async fn start_device_code_step_up(
        &self,
        claims: &StepUpClaims,
    ) -> Result<DeviceCodeGrant> {
        self.auth.start_device_code_with_claims(Some(claims)).await
    }

    /// Waits for the device-code step-up and keeps its token for Graph.
    pub async fn complete_device_code_step_up(
        &self,
        grant: &DeviceCodeGrant,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let claims = grant.claims().cloned().unwrap_or_else(StepUpClaims::mfa);
        let tokens = self.auth.complete_device_code(grant, cancel).await?;
        self.adopt(tokens, &claims).await
    }

    /// Starts an interactive step-up in the browser, for this session's account; open
    /// [`BrowserSignIn::authorize_url`], then call [`Session::complete_browser_step_up`].
    pub async fn start_browser_step_up(&self, claims: &StepUpClaims) -> Result<BrowserSignIn> {
        self.auth
            .start_browser_sign_in(Some(claims), Some(&self.account.username))
            .await
    }

    /// Waits for the browser step-up and keeps its token for Graph.
    pub async fn complete_browser_step_up(
        &self,
        sign_in: BrowserSignIn,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let claims = sign_in.claims().cloned().unwrap_or_else(StepUpClaims::mfa);
        let tokens = sign_in.complete(cancel).await?;
        self.adopt(tokens, &claims).await
    }

    /// Takes an interactive step-up's tokens, if they are this session's account.
    async fn adopt(&self, tokens: TokenSet, claims: &StepUpClaims) -> Result<()> {
        if let Some(who) = &tokens.identity {
            if who.object_id != self.account.object_id || who.tenant_id != self.account.tenant_id {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "You confirmed as {}, but Latchkey is signed in as {}. Confirm with that account.",
                        who.username, self.account.username
                    ),
                ));
            }
        }
        let mut refresh_token = self.refresh_token.lock().await;
        // The new refresh token comes from an MFA sign-in: later silent step-ups can succeed.
        self.keep_rotated(&mut refresh_token, &tokens).await?;
        // Interactive sign-ins ask for Graph's scopes; other resources step up silently
        // from the new refresh token when they need to.
        self.hold(Resource::Graph, &tokens, claims, false);
        Ok(())
    }

    fn hold(&self, resource: Resource, tokens: &TokenSet, claims: &StepUpClaims, silent: bool) {
        self.step_up
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                resource,
                StepUpToken {
                    token: tokens.access_token.clone(),
                    expires_at: tokens.expires_at,
                    claims: claims.clone(),
                    silent,
                },
            );
    }
}
