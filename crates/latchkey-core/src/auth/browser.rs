//! Browser sign-in: authorization code + PKCE (S256) on a loopback redirect. Core builds the
//! authorize URL and waits for the redirect; the app opens the URL in the system browser.

use std::borrow::Cow;
use std::time::Duration;

use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::claims::{request_claims, StepUpClaims};
use super::loopback::{self, Redirect};
use super::transport::OAuthTransport;
use super::{map_request_error, Authenticator, Flow, TokenSet};
use crate::error::{Error, ErrorCode, Result};

/// How long [`BrowserSignIn::complete`] waits for the browser by default.
pub const DEFAULT_BROWSER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A browser sign-in in progress: open [`BrowserSignIn::authorize_url`], then await
/// [`BrowserSignIn::complete`].
pub struct BrowserSignIn {
    authorize_url: Url,
    redirect_uri: RedirectUrl,
    listener: TcpListener,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    claims: Option<StepUpClaims>,
    auth: Authenticator,
    timeout: Duration,
}

impl std::fmt::Debug for BrowserSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserSignIn")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Starts a browser sign-in: binds `127.0.0.1:0` and builds the authorize URL (PKCE S256,
    /// `state`, `cp1` merged with `claims`, `login_hint` to preselect the account).
    pub async fn start_browser_sign_in(
        &self,
        claims: Option<&StepUpClaims>,
        login_hint: Option<&str>,
    ) -> Result<BrowserSignIn> {
        let (listener, port) = loopback::bind().await?;
        let redirect_uri = RedirectUrl::new(format!("http://localhost:{port}/"))
            .map_err(|e| Error::internal(format!("bad loopback redirect URI: {e}")))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let scopes = crate::endpoints::GRAPH_SCOPES
            .iter()
            .chain(crate::endpoints::OIDC_SCOPES)
            .map(|s| Scope::new((*s).to_owned()));
        let client = self.client()?;
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes)
            .set_pkce_challenge(challenge)
            .set_redirect_uri(Cow::Borrowed(&redirect_uri))
            .add_extra_param("claims", request_claims(claims));
        request = match login_hint {
            Some(hint) => request.add_extra_param("login_hint", hint.to_owned()),
            None => request.add_extra_param("prompt", "select_account"),
        };
        let (authorize_url, state) = request.url();
        Ok(BrowserSignIn {
            authorize_url,
            redirect_uri,
            listener,
            state,
            verifier,
            claims: claims.cloned(),
            auth: self.clone(),
            timeout: DEFAULT_BROWSER_TIMEOUT,
        })
    }

    async fn redeem_code(
        &self,
        code: String,
        verifier: PkceCodeVerifier,
        redirect_uri: &RedirectUrl,
        claims: Option<&StepUpClaims>,
    ) -> Result<TokenSet> {
        let transport = OAuthTransport::new(&self.http);
        let response = self
            .client()?
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .set_redirect_uri(Cow::Borrowed(redirect_uri))
            .add_extra_param("claims", request_claims(claims))
            .add_extra_param("client_info", "1")
            .request_async(&transport)
            .await
            .map_err(|e| map_request_error(Flow::Browser, e, transport.last_failure()))?;
        Ok(self.token_set(&response))
    }
}

impl BrowserSignIn {
    /// The URL to open in the system browser.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The loopback address the browser comes back to (`http://localhost:PORT/`).
    pub fn redirect_uri(&self) -> &str {
        self.redirect_uri.as_str()
    }

    /// The step-up claims this sign-in asks for, if any.
    pub fn claims(&self) -> Option<&StepUpClaims> {
        self.claims.as_ref()
    }

    /// Waits at most `timeout` for the browser instead of [`DEFAULT_BROWSER_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Waits for the redirect (checking `state`), answers the browser, and redeems the code with
    /// the PKCE verifier. Ends early on `cancel`, and with `Timeout` after the timeout.
    pub async fn complete(self, cancel: &CancellationToken) -> Result<TokenSet> {
        let wait = loopback::wait_for_redirect(&self.listener, self.state.secret());
        let redirect = tokio::select! {
            redirect = tokio::time::timeout(self.timeout, wait) => redirect.map_err(|_| {
                Error::new(
                    ErrorCode::Timeout,
                    format!(
                        "The browser sign-in didn't finish within {} minutes. Start it again when you're ready.",
                        self.timeout.as_secs().div_ceil(60)
                    ),
                )
            })?,
            () = cancel.cancelled() => {
                return Err(Error::new(ErrorCode::SignInCancelled, "Sign-in was cancelled."));
            }
        };
        let code = match redirect {
            Redirect::Code(code) => code,
            Redirect::Refused(error) => return Err(super::aadsts::for_flow(Flow::Browser, error)),
        };
        drop(self.listener);
        self.auth
            .redeem_code(
                code,
                self.verifier,
                &self.redirect_uri,
                self.claims.as_ref(),
            )
            .await
    }
}
