//! Signed-in accounts: who, in which tenant and environment. Only non-secret facts, in a readable
//! `accounts.json` in the data directory; the refresh token is in the keyring under `key`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::auth::Identity;
use crate::error::{Error, Result};

/// One signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRecord {
    /// `{objectId}.{tenantId}@{environment}`: the keyring entry name and the stable id.
    pub key: String,
    pub object_id: String,
    pub tenant_id: String,
    pub username: String,
    pub display_name: String,
    pub environment: String,
}

impl AccountRecord {
    /// The record for `identity` in `environment`.
    pub fn new(identity: &Identity, environment: &str) -> Self {
        Self {
            key: format!(
                "{}.{}@{environment}",
                identity.object_id, identity.tenant_id
            ),
            object_id: identity.object_id.clone(),
            tenant_id: identity.tenant_id.clone(),
            username: identity.username.clone(),
            display_name: identity.display_name.clone(),
            environment: environment.to_owned(),
        }
    }
}

/// The `accounts.json` file.
#[derive(Debug, Clone)]
pub struct AccountDirectory {
    path: PathBuf,
}

impl AccountDirectory {
    /// The directory stored at `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// All accounts; a missing or unreadable file is an empty list (it holds nothing secret and
    /// is rebuilt by the next sign-in).
    pub fn load(&self) -> Vec<AccountRecord> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %self.path.display(), error = %e, "ignoring unreadable accounts file");
                Vec::new()
            }),
            Err(_) => Vec::new(),
        }
    }

    /// The accounts for one environment (authority host).
    pub fn for_environment(&self, environment: &str) -> Vec<AccountRecord> {
        self.load()
            .into_iter()
            .filter(|a| a.environment == environment)
            .collect()
    }

    /// Adds or replaces an account (most recent first).
    pub fn upsert(&self, record: &AccountRecord) -> Result<()> {
        let mut all = self.load();
        all.retain(|a| a.key != record.key);
        all.insert(0, record.clone());
        self.save(&all)
    }

    /// Removes an account.
    pub fn remove(&self, key: &str) -> Result<()> {
        let mut all = self.load();
        all.retain(|a| a.key != key);
        self.save(&all)
    }

    fn save(&self, all: &[AccountRecord]) -> Result<()> {
        crate::json_file::write_atomically(&self.path, all)
            .map_err(|e| Error::internal(format!("Can't save {}: {e}", self.path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_replaces_and_orders_most_recent_first() {
        let dir = std::env::temp_dir().join(format!("latchkey-accounts-{}", uuid::Uuid::new_v4()));
        let directory = AccountDirectory::new(dir.join("accounts.json"));
        assert!(directory.load().is_empty());
        let identity = |oid: &str| Identity {
            object_id: oid.into(),
            tenant_id: "t".into(),
            username: format!("{oid}@t"),
            display_name: oid.into(),
        };
        let a = AccountRecord::new(&identity("a"), "env");
        let b = AccountRecord::new(&identity("b"), "other");
        directory.upsert(&a).unwrap();
        directory.upsert(&b).unwrap();
        directory.upsert(&a).unwrap();
        let all = directory.load();
        assert_eq!(
            all.iter().map(|r| r.object_id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(directory.for_environment("other"), vec![b.clone()]);
        directory.remove(&a.key).unwrap();
        assert_eq!(directory.load(), vec![b]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
