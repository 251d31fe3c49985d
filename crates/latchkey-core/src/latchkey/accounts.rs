//! Several accounts (and tenants) side by side: every signed-in account keeps its record in
//! `accounts.json` and its refresh token in its own keyring entry; one of them is *current*, the
//! one whose session the PIM calls use. Switching restores another account's session from its
//! keyring entry without signing in again.

use std::sync::Arc;

use crate::error::{Error, ErrorCode, Result};
use crate::ipc::{Account, DeviceCodePrompt, SessionState, StoredAccount};
use crate::secrets;
use crate::session::Session;

use super::Latchkey;

impl Latchkey {
    /// The accounts of this environment, most recently used first, marking the current one.
    pub fn list_accounts(&self) -> Vec<StoredAccount> {
        let current = self.current_account_id();
        self.accounts
            .for_environment(self.endpoints.environment())
            .iter()
            .map(|record| StoredAccount {
                account: Account::from(record),
                current: current.as_deref() == Some(record.key.as_str()),
            })
            .collect()
    }

    fn current_account_id(&self) -> Option<String> {
        self.inner()
            .session
            .as_ref()
            .map(|s| s.account().key.clone())
    }

    /// Starts a device-code sign-in for another account; the accounts already signed in stay
    /// in the keyring. Until it completes the current account stays current, and a cancelled
    /// or failed sign-in returns to it.
    pub async fn add_account(self: &Arc<Self>) -> Result<DeviceCodePrompt> {
        self.start_sign_in().await
    }

    /// Makes a stored account current, from its keyring entry (no sign-in). The previous
    /// account stays current until the new session is ready; when the stored session is dead
    /// (`SessionExpired`: revoked, disabled, keyring entry gone) that account alone is removed
    /// and the previous one stays current.
    pub async fn switch_account(&self, account_id: &str) -> Result<()> {
        if self.current_account_id().as_deref() == Some(account_id) {
            return Ok(());
        }
        let record = self
            .accounts
            .for_environment(self.endpoints.environment())
            .into_iter()
            .find(|a| a.key == account_id)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidInput,
                    "That account is not signed in on this computer. Add it first.",
                )
            })?;
        self.cancel_sign_in();
        match Session::restore(
            record.clone(),
            self.auth.clone(),
            self.store.clone(),
            self.clock.clone(),
        )
        .await
        {
            Ok(session) => {
                // Most recent first: the next start resumes this one.
                if let Err(e) = self.accounts.upsert(&record) {
                    tracing::warn!(error = %e, "could not record the account switch");
                }
                self.signed_in(Arc::new(session));
                Ok(())
            }
            Err(e) => {
                tracing::info!(code = ?e.code, "stored account not restored");
                if e.code == ErrorCode::SessionExpired {
                    // Session::restore has removed a refused refresh token already.
                    self.forget_last_known(&record.key);
                    let _ = self.accounts.remove(&record.key);
                    let _ = secrets::delete(&self.store, &record.key).await;
                    return Err(Error::new(
                        ErrorCode::SessionExpired,
                        format!(
                            "The saved sign-in of {} no longer works, so Latchkey removed it. Add the account again to use it.",
                            record.username
                        ),
                    ));
                }
                Err(e)
            }
        }
    }

    /// Signs one account out: its keyring entry and record go, the others stay. Signing out the
    /// current account is [`Latchkey::sign_out`].
    pub async fn sign_out_account(&self, account_id: &str) -> Result<()> {
        if self.current_account_id().as_deref() == Some(account_id) {
            return self.sign_out().await;
        }
        let known = self
            .accounts
            .for_environment(self.endpoints.environment())
            .iter()
            .any(|a| a.key == account_id);
        if !known {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "That account is not signed in on this computer.",
            ));
        }
        self.forget_last_known(account_id);
        self.accounts.remove(account_id)?;
        secrets::delete(&self.store, account_id).await
    }

    /// After a sign-in that did not complete: back to the current account, if there is one.
    pub(super) fn back_to_current(&self) -> bool {
        let account = self
            .inner()
            .session
            .as_ref()
            .map(|s| Account::from(s.account()));
        match account {
            Some(account) => {
                self.state.send_replace(SessionState::SignedIn { account });
                true
            }
            None => false,
        }
    }
}
