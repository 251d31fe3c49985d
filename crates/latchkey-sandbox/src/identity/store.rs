//! What the identity side remembers between requests, beside device codes and refresh tokens:
//! pending MFA approvals, issued authorization codes, and injected `slow_down` answers.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::claims::ClaimsRequest;

/// An MFA approval the sign-in page is waiting for: the person must enter `number`.
#[derive(Debug, Clone)]
pub struct MfaChallenge {
    pub user_id: String,
    pub number: u8,
    pub expires_at: DateTime<Utc>,
}

/// An authorization code from `/authorize`, until redeemed or expired.
#[derive(Debug, Clone)]
pub struct AuthorizationCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    /// The S256 `code_challenge` (base64url SHA-256 of the verifier).
    pub code_challenge: String,
    pub user_id: String,
    /// Whether the sign-in completed a second factor.
    pub mfa: bool,
    /// What `/authorize` asked for in `claims`.
    pub claims: ClaimsRequest,
    pub expires_at: DateTime<Utc>,
    pub redeemed: bool,
}

/// The identity side's own state, inside [`crate::state::SandboxState`].
#[derive(Debug, Default)]
pub struct IdentityStore {
    mfa: Mutex<HashMap<String, MfaChallenge>>,
    codes: Mutex<HashMap<String, AuthorizationCode>>,
    slow_downs: Mutex<u32>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl IdentityStore {
    /// Pending MFA approvals, keyed by challenge id.
    pub fn mfa_challenges(&self) -> MutexGuard<'_, HashMap<String, MfaChallenge>> {
        lock(&self.mfa)
    }

    /// Issued authorization codes, keyed by the code.
    pub fn authorization_codes(&self) -> MutexGuard<'_, HashMap<String, AuthorizationCode>> {
        lock(&self.codes)
    }

    /// Makes the next `count` device-code polls answer `slow_down`.
    pub fn add_slow_downs(&self, count: u32) {
        *lock(&self.slow_downs) += count;
    }

    /// Uses up one injected `slow_down`, if any is left.
    pub fn take_slow_down(&self) -> bool {
        let mut left = lock(&self.slow_downs);
        let take = *left > 0;
        if take {
            *left -= 1;
        }
        take
    }
}
