//! `Latchkey`: one tenant, its sign-in state, and the PIM calls of the signed-in account. The app
//! shell (and later the command line) drives this; it owns no UI and no Tauri types. State
//! changes are published on a watch channel the shell forwards to the web view.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

mod accounts;
mod pim;

use crate::accounts::AccountDirectory;
use crate::arm::ArmClient;
use crate::auth::Authenticator;
use crate::clock::Clock;
use crate::endpoints::Endpoints;
use crate::error::{Error, ErrorCode, Result};
use crate::graph::GraphClient;
use crate::http::HttpClient;
use crate::ipc::{Account, AppError, AppSnapshot, DeviceCodePrompt, SessionState, TenantInfo};
use crate::last_known::{LastKnown, LastKnownStore};
use crate::model::{Requirements, Target};
use crate::policy_cache::{PolicyCache, POLICY_TTL};
use crate::secrets::SecretStore;
use crate::session::Session;
use crate::time::to_ipc;

/// What a `Latchkey` needs.
pub struct LatchkeyConfig {
    pub tenant: TenantInfo,
    pub endpoints: Endpoints,
    pub store: Arc<dyn SecretStore>,
    /// Where `accounts.json` lives.
    pub accounts_path: PathBuf,
    pub clock: Arc<dyn Clock>,
    /// Where each account's last known state is cached (no secrets; see [`crate::last_known`]);
    /// `None` keeps none.
    pub last_known_dir: Option<PathBuf>,
}

#[derive(Default)]
struct Inner {
    session: Option<Arc<Session>>,
    pending: Option<Pending>,
    /// Requirements from the last eligibility listing (by target key), so activation
    /// validates locally.
    requirements: HashMap<String, Requirements>,
    /// Names and scope names from the last eligibility listing (by target key), for
    /// activations and requests the service returned without them.
    names: HashMap<String, (Option<String>, Option<String>)>,
    /// The eligibility schedule each Azure target draws on (by target key), from the last
    /// listing: activations link to it, as ARM wants for group-inherited eligibilities.
    arm_schedules: HashMap<String, String>,
    /// What the last activations refused for a stronger sign-in asked for, when a silent
    /// step-up could not satisfy it.
    step_up_claims: Option<crate::auth::StepUpClaims>,
    /// Cancels the browser step-up under way.
    step_up_cancel: Option<CancellationToken>,
    /// The current account's last known state (from disk at sign-in, then each full listing).
    last_known: Option<LastKnown>,
    /// Numbers the last-known snapshots, so an older one is never written over a newer one.
    last_known_seq: u64,
}

impl Inner {
    fn fill_names(&self, target: &Target, name: &mut Option<String>, scope: &mut Option<String>) {
        if let Some((known_name, known_scope)) = self.names.get(&target.key()) {
            if name.is_none() {
                name.clone_from(known_name);
            }
            if known_scope.is_some() {
                scope.clone_from(known_scope);
            }
        }
    }
}

/// A sign-in under way (device code or browser); `id` tells a stale outcome from the current.
struct Pending {
    id: u64,
    cancel: CancellationToken,
}

static NEXT_SIGN_IN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The signed-in state of one tenant and its PIM calls.
pub struct Latchkey {
    tenant: TenantInfo,
    endpoints: Endpoints,
    http: HttpClient,
    auth: Arc<Authenticator>,
    store: Arc<dyn SecretStore>,
    accounts: AccountDirectory,
    clock: Arc<dyn Clock>,
    state: watch::Sender<SessionState>,
    inner: Mutex<Inner>,
    /// Policies read recently, so a refresh reads only the eligibilities.
    policies: PolicyCache,
    /// Request ids seen so far (ids are unique across accounts), for reconciliation.
    seen_requests: Arc<crate::graph::requests::SeenRequests>,
    /// Approvers' reasons for decided requests, read once each.
    decision_reasons: Arc<crate::graph::history::DecisionReasons>,
    /// Each account's last known state on disk, when configured.
    last_known: Option<LastKnownStore>,
}

impl Latchkey {
    /// A signed-out client; call [`Latchkey::restore`] to resume a stored session.
    pub fn new(config: LatchkeyConfig) -> Result<Arc<Self>> {
        let http = HttpClient::new()?;
        let auth = Arc::new(Authenticator::new(
            config.endpoints.clone(),
            http.clone(),
            config.clock.clone(),
        ));
        let (state, _) = watch::channel(SessionState::SignedOut { last_error: None });
        Ok(Arc::new(Self {
            tenant: config.tenant,
            endpoints: config.endpoints,
            http,
            auth,
            store: config.store,
            accounts: AccountDirectory::new(config.accounts_path),
            policies: PolicyCache::new(config.clock.clone(), POLICY_TTL),
            seen_requests: Arc::default(),
            decision_reasons: Arc::default(),
            last_known: config.last_known_dir.map(LastKnownStore::new),
            clock: config.clock,
            state,
            inner: Mutex::default(),
        }))
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Session state changes, for the shell to forward.
    pub fn subscribe(&self) -> watch::Receiver<SessionState> {
        self.state.subscribe()
    }

    /// What to draw now.
    pub fn snapshot(&self) -> AppSnapshot {
        AppSnapshot {
            tenant: self.tenant.clone(),
            session: self.state.borrow().clone(),
        }
    }

    /// HTTP requests sent so far (for benchmarks and diagnostics).
    pub fn round_trips(&self) -> u64 {
        self.http.round_trips()
    }

    /// Resumes the most recent stored account of this environment, if its refresh token still
    /// works. A refused token is removed; the user sees why and signs in again.
    pub async fn restore(&self) {
        let Some(account) = self
            .accounts
            .for_environment(self.endpoints.environment())
            .into_iter()
            .next()
        else {
            return;
        };
        self.state.send_replace(SessionState::Restoring);
        match Session::restore(
            account.clone(),
            self.auth.clone(),
            self.store.clone(),
            self.clock.clone(),
        )
        .await
        {
            Ok(session) => self.signed_in(Arc::new(session)),
            Err(e) => {
                tracing::info!(code = ?e.code, "stored session not restored");
                if e.code == ErrorCode::SessionExpired {
                    self.forget_last_known(&account.key);
                    let _ = self.accounts.remove(&account.key);
                }
                self.state.send_replace(SessionState::SignedOut {
                    last_error: Some(AppError::from(e)),
                });
            }
        }
    }

    fn signed_in(&self, session: Arc<Session>) {
        // Another account may see other policies (and PIM may hide some from some people).
        self.policies.clear();
        let account = Account::from(session.account());
        let last_known = self
            .last_known
            .as_ref()
            .and_then(|store| store.load(&session.account().key));
        if let Some(known) = &last_known {
            // Its groups' policies can be read while the first listing is on its way.
            self.policies.remember_groups(known.group_ids());
        }
        {
            let mut inner = self.inner();
            // What the last listing learned belongs to the account that listed it.
            inner.requirements.clear();
            inner.names.clear();
            inner.arm_schedules.clear();
            inner.step_up_claims = None;
            inner.last_known = last_known;
            if let Some(cancel) = inner.step_up_cancel.take() {
                cancel.cancel();
            }
            inner.session = Some(session);
        }
        self.state.send_replace(SessionState::SignedIn { account });
    }

    /// Replaces any sign-in under way with a new one; returns its id and cancellation.
    fn begin_sign_in(&self) -> (u64, CancellationToken) {
        let id = NEXT_SIGN_IN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let cancel = CancellationToken::new();
        let previous = self.inner().pending.replace(Pending {
            id,
            cancel: cancel.clone(),
        });
        if let Some(previous) = previous {
            previous.cancel.cancel();
        }
        (id, cancel)
    }

    /// Starts a device-code sign-in and polls for its outcome in the background; the outcome
    /// arrives as a state change. A sign-in already under way is cancelled first.
    pub async fn start_sign_in(self: &Arc<Self>) -> Result<DeviceCodePrompt> {
        let (id, cancel) = self.begin_sign_in();
        let grant = match self.auth.start_device_code().await {
            Ok(grant) => grant,
            Err(e) => {
                self.end_sign_in(id, Err(Error::new(e.code, e.message.clone())))
                    .await;
                return Err(e);
            }
        };
        let prompt = DeviceCodePrompt {
            user_code: grant.user_code.clone(),
            verification_uri: grant.verification_uri.clone(),
            expires_at: to_ipc(grant.expires_at),
            message: grant.message.clone(),
        };
        self.state.send_replace(SessionState::SigningIn {
            prompt: prompt.clone(),
        });
        let this = self.clone();
        tokio::spawn(async move {
            let tokens = this.auth.complete_device_code(&grant, &cancel).await;
            this.end_sign_in(id, tokens).await;
        });
        Ok(prompt)
    }

    /// Starts a browser sign-in (authorization code + PKCE on a loopback redirect) for tenants
    /// whose Conditional Access blocks device code; `open` shows the page in the system
    /// browser. The outcome arrives as a state change.
    pub async fn start_browser_sign_in(
        self: &Arc<Self>,
        open: impl FnOnce(&str) -> Result<()>,
    ) -> Result<()> {
        let (id, cancel) = self.begin_sign_in();
        let started = self.auth.start_browser_sign_in(None, None).await;
        let browser = match started {
            Ok(browser) => browser,
            Err(e) => {
                self.end_sign_in(id, Err(Error::new(e.code, e.message.clone())))
                    .await;
                return Err(e);
            }
        };
        if let Err(e) = open(browser.authorize_url().as_str()) {
            self.end_sign_in(id, Err(Error::new(e.code, e.message.clone())))
                .await;
            return Err(e);
        }
        self.state.send_replace(SessionState::SigningInBrowser);
        let this = self.clone();
        tokio::spawn(async move {
            let tokens = browser.complete(&cancel).await;
            this.end_sign_in(id, tokens).await;
        });
        Ok(())
    }

    /// Turns a finished sign-in into a session, unless a newer sign-in replaced it.
    async fn end_sign_in(&self, id: u64, tokens: Result<crate::auth::TokenSet>) {
        let outcome = match tokens {
            Ok(tokens) => {
                Session::establish(
                    self.auth.clone(),
                    self.store.clone(),
                    self.clock.clone(),
                    tokens,
                )
                .await
            }
            Err(e) => Err(e),
        };
        let current = {
            let mut inner = self.inner();
            let is_current = inner.pending.as_ref().is_some_and(|p| p.id == id);
            if is_current {
                inner.pending = None;
            }
            is_current
        };
        if !current {
            return;
        }
        match outcome {
            Ok(session) => {
                if let Err(e) = self.accounts.upsert(session.account()) {
                    tracing::warn!(error = %e, "could not record the account");
                }
                self.signed_in(Arc::new(session));
            }
            Err(e) => {
                tracing::info!(code = ?e.code, service_code = ?e.service_code, "sign-in did not complete");
                // Adding an account that did not sign in leaves the current one in use.
                if self.back_to_current() {
                    return;
                }
                let last_error = (e.code != ErrorCode::SignInCancelled).then(|| AppError::from(e));
                self.state
                    .send_replace(SessionState::SignedOut { last_error });
            }
        }
    }

    /// Stops a sign-in under way.
    pub fn cancel_sign_in(&self) {
        if let Some(pending) = self.inner().pending.take() {
            pending.cancel.cancel();
        }
        if matches!(
            *self.state.borrow(),
            SessionState::SigningIn { .. } | SessionState::SigningInBrowser
        ) && !self.back_to_current()
        {
            self.state
                .send_replace(SessionState::SignedOut { last_error: None });
        }
    }

    /// The current device-code prompt, if a sign-in is under way.
    pub fn current_prompt(&self) -> Option<DeviceCodePrompt> {
        match &*self.state.borrow() {
            SessionState::SigningIn { prompt } => Some(prompt.clone()),
            _ => None,
        }
    }

    /// Signs out: the refresh token leaves the keyring and the account is forgotten.
    pub async fn sign_out(&self) -> Result<()> {
        let session = self.inner().session.take();
        self.state
            .send_replace(SessionState::SignedOut { last_error: None });
        if let Some(session) = session {
            self.forget_last_known(&session.account().key);
            self.accounts.remove(&session.account().key)?;
            session.sign_out().await?;
        }
        Ok(())
    }

    /// The current account's last known state, to paint before the first refresh answers.
    pub fn last_known(&self) -> Option<LastKnown> {
        let inner = self.inner();
        inner.session.as_ref()?;
        inner.last_known.clone()
    }

    /// Updates the current account's last known state with `change` and writes it (off the
    /// async workers; a failure to write costs only the next start's early paint).
    pub(super) fn update_last_known(&self, change: impl FnOnce(&mut LastKnown)) {
        let Some(store) = self.last_known.clone() else {
            return;
        };
        let (account, seq, snapshot) = {
            let mut inner = self.inner();
            let Some(account) = inner.session.as_ref().map(|s| s.account().key.clone()) else {
                return;
            };
            let state = inner.last_known.get_or_insert_with(LastKnown::default);
            change(state);
            let snapshot = state.clone();
            inner.last_known_seq += 1;
            (account, inner.last_known_seq, snapshot)
        };
        let write = move || {
            if let Err(e) = store.save(&account, seq, &snapshot) {
                tracing::warn!(error = %e, "could not save the last known state");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn_blocking(write);
            }
            Err(_) => write(),
        }
    }

    /// Removes an account's last known state (signed out, or its session is gone).
    pub(super) fn forget_last_known(&self, account: &str) {
        if let Some(store) = &self.last_known {
            let seq = self.inner().last_known_seq;
            store.remove(account, seq);
        }
    }

    fn graph(&self) -> Result<GraphClient> {
        let session = self
            .inner()
            .session
            .clone()
            .ok_or_else(|| Error::new(ErrorCode::NotSignedIn, "Sign in first."))?;
        Ok(
            GraphClient::new(self.http.clone(), self.endpoints.graph.clone(), session)
                .with_seen(self.seen_requests.clone())
                .with_reasons(self.decision_reasons.clone()),
        )
    }

    fn arm(&self) -> Result<ArmClient> {
        let graph = self.graph()?;
        Ok(ArmClient::new(
            self.http.clone(),
            self.endpoints.arm.clone(),
            graph.session().clone(),
        ))
    }

    /// Notices a session the service no longer accepts.
    fn observe<T>(&self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            if e.code == ErrorCode::SessionExpired {
                self.session_ended(e);
            }
        }
        result
    }

    /// The service refused the session: forget it and tell the user why.
    fn session_ended(&self, error: &Error) {
        let session = self.inner().session.take();
        if let Some(session) = session {
            self.forget_last_known(&session.account().key);
            let _ = self.accounts.remove(&session.account().key);
        }
        self.state.send_replace(SessionState::SignedOut {
            last_error: Some(AppError::from(error)),
        });
    }
}
