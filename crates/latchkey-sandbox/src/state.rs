//! Everything the running sandbox remembers: the tenant, virtual time, pending device codes and
//! issued refresh tokens.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::faults::FaultRegistry;
use crate::identity::claims::ClaimsRequest;
use crate::identity::store::IdentityStore;
use crate::pim::Pim;
use crate::tenant::Tenant;
use crate::token::TokenSigner;

/// How the sandbox behaves; the defaults match Entra's documented values.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Lifetime of a device code (`expires_in`); Entra uses 900 s.
    pub device_code_lifetime: Duration,
    /// Minimum polling interval (`interval`); Entra uses 5 s.
    pub device_code_interval: Duration,
    /// Access-token lifetime; Entra issues 60–90 min tokens. Short values exercise refresh.
    pub access_token_lifetime: Duration,
    /// Items per Graph page before `@odata.nextLink`; small values force paging in tests.
    pub page_size: usize,
    /// Where issued refresh tokens are remembered across restarts (as hashes, never the tokens).
    /// `None`: a restart forgets every session, as if all were revoked.
    pub state_file: Option<PathBuf>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            device_code_lifetime: Duration::from_secs(900),
            device_code_interval: Duration::from_secs(5),
            access_token_lifetime: Duration::from_secs(3599),
            page_size: 100,
            state_file: None,
        }
    }
}

/// Where a device code stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceCodeStatus {
    Pending,
    /// `mfa`: the person also completed the MFA step the claims asked for.
    Approved {
        user_id: String,
        mfa: bool,
    },
    Declined,
    Redeemed,
}

/// One device authorization in progress.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: String,
    pub client_id: String,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
    pub status: DeviceCodeStatus,
    /// What the client asked for in `claims` (on `/devicecode` and on every poll so far); the
    /// verification page adds an MFA step when it needs one.
    pub claims: ClaimsRequest,
}

/// What a refresh token stands for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshGrant {
    pub user_id: String,
    pub client_id: String,
    pub amr: Vec<String>,
    pub revoked: bool,
    pub issued_at: DateTime<Utc>,
}

/// Refresh tokens unused this long are forgotten (Entra's inactivity lifetime is about 90 days).
const REFRESH_TOKEN_INACTIVITY: chrono::Duration = chrono::Duration::days(90);

/// The file behind [`SandboxOptions::state_file`].
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedState {
    /// Keyed by the SHA-256 of the token (base64url): the file cannot be used to sign in.
    refresh_tokens: HashMap<String, RefreshGrant>,
}

fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// The sandbox's shared state, behind an `Arc` in the router.
#[derive(Debug)]
pub struct SandboxState {
    pub options: SandboxOptions,
    pub clock: Clock,
    pub signer: TokenSigner,
    /// Pending MFA approvals, authorization codes and injected identity faults.
    pub identity: IdentityStore,
    tenant: RwLock<Tenant>,
    base_url: OnceLock<String>,
    device_codes: Mutex<HashMap<String, DeviceCode>>,
    /// Keyed by [`token_hash`], as a token service stores them.
    refresh_tokens: Mutex<HashMap<String, RefreshGrant>>,
    pim: Mutex<Pim>,
    faults: Mutex<FaultRegistry>,
    /// The field-reported quirk: `$expand=group` answers `null` even when groups are readable.
    null_group_expansions: std::sync::atomic::AtomicBool,
}

impl SandboxState {
    /// New state for `tenant`.
    pub fn new(tenant: Tenant, options: SandboxOptions) -> Self {
        let now = Utc::now();
        let mut refresh_tokens = options
            .state_file
            .as_deref()
            .map(load_state)
            .unwrap_or_default()
            .refresh_tokens;
        refresh_tokens.retain(|_, grant| now - grant.issued_at < REFRESH_TOKEN_INACTIVITY);
        Self {
            options,
            clock: Clock::default(),
            signer: TokenSigner::random(),
            identity: IdentityStore::default(),
            tenant: RwLock::new(tenant),
            base_url: OnceLock::new(),
            device_codes: Mutex::default(),
            refresh_tokens: Mutex::new(refresh_tokens),
            pim: Mutex::default(),
            faults: Mutex::default(),
            null_group_expansions: Default::default(),
        }
    }

    /// The tenant, for reading.
    pub fn tenant(&self) -> RwLockReadGuard<'_, Tenant> {
        self.tenant.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The tenant, for the control API's directory changes (take it before [`Self::pim`], as
    /// every handler does, so the two locks are always taken in one order).
    pub fn tenant_mut(&self) -> RwLockWriteGuard<'_, Tenant> {
        self.tenant.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the address the listener got (known only after binding port 0).
    pub fn set_base_url(&self, url: String) {
        let _ = self.base_url.set(url);
    }

    /// The sandbox's own origin, e.g. `http://127.0.0.1:41234`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.base_url
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1")
    }

    /// Makes every `$expand=group` answer `null`, as several clients report of Graph, so a
    /// client's `/groups?$filter=id in (…)` fallback can be tested.
    pub fn set_null_group_expansions(&self, on: bool) {
        self.null_group_expansions
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether `$expand=group` answers `null` (see [`Self::set_null_group_expansions`]).
    pub fn null_group_expansions(&self) -> bool {
        self.null_group_expansions
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Pending device codes, keyed by `device_code`.
    pub fn device_codes(&self) -> MutexGuard<'_, HashMap<String, DeviceCode>> {
        self.device_codes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registered faults and their counters.
    pub fn faults(&self) -> MutexGuard<'_, FaultRegistry> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// PIM requests and activations, swept up to the current virtual time.
    pub fn pim(&self) -> MutexGuard<'_, Pim> {
        let mut pim = self.pim.lock().unwrap_or_else(|e| e.into_inner());
        pim.sweep(self.clock.now());
        pim
    }

    fn refresh_tokens(&self) -> MutexGuard<'_, HashMap<String, RefreshGrant>> {
        self.refresh_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// What an issued refresh token stands for.
    pub fn refresh_grant(&self, token: &str) -> Option<RefreshGrant> {
        self.refresh_tokens().get(&token_hash(token)).cloned()
    }

    /// Records a newly issued refresh token.
    pub fn remember_refresh_token(&self, token: &str, grant: RefreshGrant) {
        let mut tokens = self.refresh_tokens();
        tokens.insert(token_hash(token), grant);
        self.save(&tokens);
    }

    /// Revokes every refresh token of `user_id` (Graph's `revokeSignInSessions`); returns how
    /// many were live.
    pub fn revoke_refresh_tokens(&self, user_id: &str) -> usize {
        let mut tokens = self.refresh_tokens();
        let mut revoked = 0;
        for grant in tokens.values_mut() {
            if grant.user_id.eq_ignore_ascii_case(user_id) && !grant.revoked {
                grant.revoked = true;
                revoked += 1;
            }
        }
        self.save(&tokens);
        revoked
    }

    fn save(&self, tokens: &HashMap<String, RefreshGrant>) {
        let Some(path) = &self.options.state_file else {
            return;
        };
        let state = PersistedState {
            refresh_tokens: tokens.clone(),
        };
        let write = || -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let temp = path.with_extension("tmp");
            std::fs::write(
                &temp,
                serde_json::to_vec(&state).map_err(std::io::Error::other)?,
            )?;
            std::fs::rename(&temp, path)
        };
        if let Err(e) = write() {
            tracing::warn!(path = %path.display(), error = %e, "could not save the sandbox state");
        }
    }
}

fn load_state(path: &Path) -> PersistedState {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), error = %e, "ignoring an unreadable sandbox state file");
            PersistedState::default()
        }),
        Err(_) => PersistedState::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_survive_a_restart_as_hashes_only() {
        let dir =
            std::env::temp_dir().join(format!("latchkey-sandbox-state-{}", uuid::Uuid::new_v4()));
        let options = SandboxOptions {
            state_file: Some(dir.join("state.json")),
            ..SandboxOptions::default()
        };
        let grant = |issued_at| RefreshGrant {
            user_id: "u".into(),
            client_id: "c".into(),
            amr: vec!["pwd".into()],
            revoked: false,
            issued_at,
        };
        let first = SandboxState::new(Tenant::demo(Utc::now()), options.clone());
        first.remember_refresh_token("fresh-token", grant(Utc::now()));
        first.remember_refresh_token(
            "stale-token",
            grant(Utc::now() - chrono::Duration::days(91)),
        );
        let file = std::fs::read_to_string(dir.join("state.json")).unwrap();
        assert!(
            !file.contains("fresh-token"),
            "the file must not hold usable tokens: {file}"
        );

        let second = SandboxState::new(Tenant::demo(Utc::now()), options);
        assert_eq!(
            second.refresh_grant("fresh-token").map(|g| g.user_id),
            Some("u".into())
        );
        assert!(
            second.refresh_grant("stale-token").is_none(),
            "inactive tokens are forgotten"
        );
        assert!(second.refresh_grant("never-issued").is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
