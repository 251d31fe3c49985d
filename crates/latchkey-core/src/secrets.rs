//! Where refresh tokens live: the OS keyring, behind a small trait so unit tests can use memory.
//! Keyring calls block (D-Bus, Keychain), so callers use the async helpers, which run them on a
//! blocking thread.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{Error, ErrorCode, Result};
use crate::sensitive::Sensitive;

/// Secret storage keyed by a string. A missing entry is `Ok(None)`, never an error.
pub trait SecretStore: Send + Sync + 'static {
    /// Reads a secret.
    fn get(&self, key: &str) -> Result<Option<Sensitive<String>>>;
    /// Writes (or replaces) a secret.
    fn set(&self, key: &str, secret: &Sensitive<String>) -> Result<()>;
    /// Removes a secret; removing a missing one succeeds.
    fn delete(&self, key: &str) -> Result<()>;
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// Entries under the keyring service name `service` (Latchkey uses `latchkey`).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, key).map_err(keyring_error)
    }
}

fn keyring_error(error: keyring::Error) -> Error {
    match error {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => Error::new(
            ErrorCode::KeyringUnavailable,
            "No OS keyring is available, so Latchkey keeps your session in memory only and you will need to sign in again next time. On Linux, install and unlock a Secret Service keyring (GNOME Keyring or KWallet).",
        ),
        other => Error::internal(format!("The OS keyring refused the request: {other}")),
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<Sensitive<String>>> {
        match self.entry(key)?.get_password() {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, key: &str, secret: &Sensitive<String>) -> Result<()> {
        self.entry(key)?
            .set_password(secret.expose())
            .map_err(keyring_error)
    }

    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// An in-memory store for unit tests of pure logic.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Sensitive<String>>>,
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<Sensitive<String>>> {
        Ok(self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned())
    }

    fn set(&self, key: &str, secret: &Sensitive<String>) -> Result<()> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_owned(), secret.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<()> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
        Ok(())
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::internal(format!("keyring task failed: {e}")))?
}

/// [`SecretStore::get`] on a blocking thread.
pub async fn get(store: &Arc<dyn SecretStore>, key: &str) -> Result<Option<Sensitive<String>>> {
    let (store, key) = (store.clone(), key.to_owned());
    blocking(move || store.get(&key)).await
}

/// [`SecretStore::set`] on a blocking thread.
pub async fn set(
    store: &Arc<dyn SecretStore>,
    key: &str,
    secret: &Sensitive<String>,
) -> Result<()> {
    let (store, key, secret) = (store.clone(), key.to_owned(), secret.clone());
    blocking(move || store.set(&key, &secret)).await
}

/// [`SecretStore::delete`] on a blocking thread.
pub async fn delete(store: &Arc<dyn SecretStore>, key: &str) -> Result<()> {
    let (store, key) = (store.clone(), key.to_owned());
    blocking(move || store.delete(&key)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_treats_missing_entries_as_none() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        assert!(get(&store, "k").await.unwrap().is_none());
        set(&store, "k", &Sensitive::new("v".to_owned()))
            .await
            .unwrap();
        assert_eq!(get(&store, "k").await.unwrap().unwrap().expose(), "v");
        delete(&store, "k").await.unwrap();
        delete(&store, "k").await.unwrap();
        assert!(get(&store, "k").await.unwrap().is_none());
    }
}
