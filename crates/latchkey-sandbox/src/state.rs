//! Everything the running sandbox remembers: the tenant, virtual time, pending device codes and
//! issued refresh tokens.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
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
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            device_code_lifetime: Duration::from_secs(900),
            device_code_interval: Duration::from_secs(5),
            access_token_lifetime: Duration::from_secs(3599),
            page_size: 100,
        }
    }
}

/// Where a device code stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceCodeStatus {
    Pending,
    Approved { user_id: String },
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
}

/// What a refresh token stands for.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub user_id: String,
    pub client_id: String,
    pub amr: Vec<String>,
    pub revoked: bool,
}

/// The sandbox's shared state, behind an `Arc` in the router.
#[derive(Debug)]
pub struct SandboxState {
    pub options: SandboxOptions,
    pub clock: Clock,
    pub signer: TokenSigner,
    tenant: RwLock<Tenant>,
    base_url: OnceLock<String>,
    device_codes: Mutex<HashMap<String, DeviceCode>>,
    refresh_tokens: Mutex<HashMap<String, RefreshGrant>>,
}

impl SandboxState {
    /// New state for `tenant`.
    pub fn new(tenant: Tenant, options: SandboxOptions) -> Self {
        Self {
            options,
            clock: Clock::default(),
            signer: TokenSigner::random(),
            tenant: RwLock::new(tenant),
            base_url: OnceLock::new(),
            device_codes: Mutex::default(),
            refresh_tokens: Mutex::default(),
        }
    }

    /// The tenant, for reading.
    pub fn tenant(&self) -> RwLockReadGuard<'_, Tenant> {
        self.tenant.read().unwrap_or_else(|e| e.into_inner())
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

    /// Pending device codes, keyed by `device_code`.
    pub fn device_codes(&self) -> MutexGuard<'_, HashMap<String, DeviceCode>> {
        self.device_codes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Issued refresh tokens, keyed by the token itself.
    pub fn refresh_tokens(&self) -> MutexGuard<'_, HashMap<String, RefreshGrant>> {
        self.refresh_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}
