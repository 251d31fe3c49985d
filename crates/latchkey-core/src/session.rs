//! A signed-in session: the account, its refresh token (kept in the keyring and in memory) and
//! access tokens per resource (memory only), refreshed silently before they expire. A step-up
//! token (MFA / authentication context, see [`step_up`]) is preferred for Graph while it lasts.

mod step_up;

pub use step_up::StepUpError;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use crate::accounts::AccountRecord;
use crate::auth::{Authenticator, Resource, StepUpClaims, TokenSet};
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::secrets::{self, SecretStore};
use crate::sensitive::Sensitive;
use crate::STARTUP_TARGET as STARTUP;

/// Access tokens are renewed this long before they expire, so a request never carries one that
/// lapses in flight.
const REFRESH_MARGIN: Duration = Duration::minutes(5);

#[derive(Debug, Clone)]
struct CachedToken {
    token: Sensitive<String>,
    expires_at: DateTime<Utc>,
}

/// One signed-in account.
pub struct Session {
    account: AccountRecord,
    auth: Arc<Authenticator>,
    store: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    /// Also the single-flight lock: one refresh at a time.
    refresh_token: tokio::sync::Mutex<Sensitive<String>>,
    tokens: Mutex<HashMap<Resource, CachedToken>>,
    /// The Graph token from the last step-up, kept until it expires: a plain refresh would
    /// replace it with one lacking the claims PIM asked for.
    /// Step-up tokens (MFA / authentication context) by resource, preferred while they last.
    step_up: Mutex<HashMap<Resource, step_up::StepUpToken>>,
    persisted: bool,
    /// Set by [`Session::sign_out`] under the refresh lock: a refresh still in flight then must
    /// not put its rotated token back into the keyring, and no new one starts.
    signed_out: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", &self.account.key)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session from a fresh sign-in. The refresh token goes to the keyring; if there is no
    /// keyring the session still works, in memory only ([`Session::is_persisted`] says which).
    pub async fn establish(
        auth: Arc<Authenticator>,
        store: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
        tokens: TokenSet,
    ) -> Result<Self> {
        let identity = tokens.identity.clone().ok_or_else(|| {
            Error::new(
                ErrorCode::UnexpectedResponse,
                "The sign-in service did not say who signed in (no id token). Check that the app registration allows the openid and profile scopes.",
            )
        })?;
        let refresh_token = tokens.refresh_token.clone().ok_or_else(|| {
            Error::new(
                ErrorCode::UnexpectedResponse,
                "The sign-in service did not issue a refresh token. Check that the app registration allows offline_access.",
            )
        })?;
        let account = AccountRecord::new(&identity, auth.endpoints().environment());
        let persisted = match secrets::set(&store, &account.key, &refresh_token).await {
            Ok(()) => true,
            Err(e) if e.code == ErrorCode::KeyringUnavailable => {
                tracing::warn!("no keyring: keeping the session in memory only");
                false
            }
            Err(e) => return Err(e),
        };
        let session = Self::new(account, auth, store, clock, refresh_token, persisted);
        session.cache(Resource::Graph, &tokens);
        Ok(session)
    }

    /// A session for a stored account, validated by redeeming its refresh token. A refresh token
    /// the service refuses (`SessionExpired`) is removed from the keyring.
    pub async fn restore(
        account: AccountRecord,
        auth: Arc<Authenticator>,
        store: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        tracing::debug!(target: STARTUP, phase = "keyring read begun", "startup phase");
        let refresh_token = secrets::get(&store, &account.key).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::SessionExpired,
                "Your saved sign-in is gone from the keyring. Sign in again.",
            )
        })?;
        tracing::debug!(target: STARTUP, phase = "keyring read done", "startup phase");
        let session = Self::new(account, auth, store, clock, refresh_token, true);
        session.access_token(Resource::Graph).await?;
        tracing::debug!(target: STARTUP, phase = "token granted", "startup phase");
        Ok(session)
    }

    fn new(
        account: AccountRecord,
        auth: Arc<Authenticator>,
        store: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
        refresh_token: Sensitive<String>,
        persisted: bool,
    ) -> Self {
        Self {
            account,
            auth,
            store,
            clock,
            refresh_token: tokio::sync::Mutex::new(refresh_token),
            tokens: Mutex::default(),
            step_up: Mutex::default(),
            persisted,
            signed_out: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Who is signed in.
    pub fn account(&self) -> &AccountRecord {
        &self.account
    }

    /// Whether the refresh token is in the OS keyring (false: memory only).
    pub fn is_persisted(&self) -> bool {
        self.persisted
    }

    fn cached(&self, resource: Resource) -> Option<Sensitive<String>> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let cached = tokens.get(&resource)?;
        (cached.expires_at - REFRESH_MARGIN > self.clock.now()).then(|| cached.token.clone())
    }

    fn cache(&self, resource: Resource, tokens: &TokenSet) {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                resource,
                CachedToken {
                    token: tokens.access_token.clone(),
                    expires_at: tokens.expires_at,
                },
            );
    }

    /// Drops a cached access token the service refused (HTTP 401), so the next call refreshes.
    /// Only that token: calls racing on one expired token then share a single refresh instead
    /// of each discarding the token the first one fetched.
    pub fn invalidate(&self, resource: Resource, refused: &Sensitive<String>) {
        if self
            .step_up_token(resource)
            .is_some_and(|t| t.expose() == refused.expose())
        {
            self.drop_step_up(Some(resource));
        }
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if tokens
            .get(&resource)
            .is_some_and(|c| c.token.expose() == refused.expose())
        {
            tokens.remove(&resource);
        }
    }

    /// A valid access token for `resource`, refreshed silently when needed: the step-up token
    /// while one is held for it.
    pub async fn access_token(&self, resource: Resource) -> Result<Sensitive<String>> {
        if let Some(token) = self.step_up_token(resource) {
            return Ok(token);
        }
        if let Some(token) = self.cached(resource) {
            return Ok(token);
        }
        let mut refresh_token = self.refresh_token.lock().await;
        // Another caller may have refreshed while this one waited for the lock.
        if let Some(token) = self.cached(resource) {
            return Ok(token);
        }
        let tokens = self.redeem(&mut refresh_token, resource, None).await?;
        self.cache(resource, &tokens);
        Ok(tokens.access_token)
    }

    /// The token for Graph calls: the step-up token while one is held, else the usual one.
    pub async fn graph_token(&self) -> Result<Sensitive<String>> {
        self.access_token(Resource::Graph).await
    }

    /// Redeems the refresh token (with `claims` for a step-up), keeps the rotated one, and
    /// removes a refresh token the service refuses from the keyring.
    async fn redeem(
        &self,
        refresh_token: &mut Sensitive<String>,
        resource: Resource,
        claims: Option<&StepUpClaims>,
    ) -> Result<TokenSet> {
        if self.is_signed_out() {
            return Err(Error::new(ErrorCode::NotSignedIn, "Sign in first."));
        }
        let redeemed = self
            .auth
            .refresh_with_claims(refresh_token, resource, claims)
            .await;
        let tokens = match redeemed {
            Ok(tokens) => tokens,
            Err(e) if e.code == ErrorCode::SessionExpired => {
                // A dead refresh token must not linger in the keyring.
                if let Err(delete_error) = secrets::delete(&self.store, &self.account.key).await {
                    tracing::warn!(error = %delete_error, "could not remove a revoked refresh token");
                }
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        self.keep_rotated(refresh_token, &tokens).await?;
        Ok(tokens)
    }

    /// Replaces the refresh token with the one a grant returned (memory and keyring).
    async fn keep_rotated(
        &self,
        refresh_token: &mut Sensitive<String>,
        tokens: &TokenSet,
    ) -> Result<()> {
        if let Some(rotated) = &tokens.refresh_token {
            if self.persisted && !self.is_signed_out() {
                secrets::set(&self.store, &self.account.key, rotated).await?;
            }
            *refresh_token = rotated.clone();
        }
        Ok(())
    }

    fn is_signed_out(&self) -> bool {
        self.signed_out.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Forgets the session: the refresh token leaves the keyring. Waits for a refresh in
    /// flight (the refresh lock), so its rotated token cannot land in the keyring afterwards.
    pub async fn sign_out(&self) -> Result<()> {
        let _refresh = self.refresh_token.lock().await;
        self.signed_out
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.drop_step_up(None);
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        secrets::delete(&self.store, &self.account.key).await
    }
}
