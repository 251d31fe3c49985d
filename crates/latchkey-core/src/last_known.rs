//! The last known state of each account — its eligibilities and what was active — kept in the
//! platform cache dir so the window can paint it at once on the next start, marked as last
//! known, while the refresh runs. Names, ids, times and policy summaries only: nothing here is
//! a token or a secret (the types are the ones that cross to the web view anyway).
//!
//! One file per account, `<dir>/<account id, sanitised>.json`, written atomically (a temporary
//! file renamed over it) and versioned. A file that cannot be read, is damaged, has another
//! version or names another account is ignored with a warning: it is a cache, the refresh
//! replaces it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Activation, Eligibility, Target};

/// The file format's version; a file of any other version is ignored.
pub const LAST_KNOWN_VERSION: u32 = 1;

/// What the window shows before the first refresh of a start has answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "LastKnown.ts")]
pub struct LastKnown {
    /// When the eligibilities were last listed in full (RFC 3339); `None` if never.
    pub eligibilities_at: Option<String>,
    pub eligibilities: Vec<Eligibility>,
    /// When what is active was last listed in full (RFC 3339); `None` if never.
    pub activations_at: Option<String>,
    pub activations: Vec<Activation>,
}

impl LastKnown {
    /// The lower-case ids of the groups among the eligibilities (for policy prefetching).
    pub fn group_ids(&self) -> Vec<String> {
        self.eligibilities
            .iter()
            .filter_map(|e| match &e.target {
                Target::Group { group_id, .. } => Some(group_id.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    version: u32,
    account: String,
    #[serde(flatten)]
    state: LastKnown,
}

/// The directory of last-known files. Cloning shares the write order.
#[derive(Clone)]
pub struct LastKnownStore {
    dir: PathBuf,
    /// By account, the sequence number below which nothing may be written any more: the newest
    /// state written (so an older one never lands last), or the moment it was removed (so a
    /// write still under way at sign-out cannot bring the file back).
    written: Arc<Mutex<HashMap<String, u64>>>,
}

impl LastKnownStore {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            written: Arc::default(),
        }
    }

    /// Where `account`'s file lives: its id with anything but `[A-Za-z0-9._-]` replaced.
    pub fn path(&self, account: &str) -> PathBuf {
        let name: String = account
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}.json"))
    }

    /// `account`'s last known state; `None` when there is none or it cannot be used.
    pub fn load(&self, account: &str) -> Option<LastKnown> {
        let path = self.path(account);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(error = %e, "the last known state could not be read; ignored");
                return None;
            }
        };
        match serde_json::from_slice::<File>(&bytes) {
            Ok(file) if file.version == LAST_KNOWN_VERSION && file.account == account => {
                Some(file.state)
            }
            Ok(file) if file.version != LAST_KNOWN_VERSION => {
                tracing::warn!(
                    version = file.version,
                    "the last known state has another version; ignored"
                );
                None
            }
            Ok(_) => {
                tracing::warn!("the last known state names another account; ignored");
                None
            }
            Err(e) => {
                // serde_json's message says where, not what: no value from the file is logged.
                tracing::warn!(error = %e, "the last known state is damaged; ignored");
                None
            }
        }
    }

    /// Writes `state` as `account`'s, atomically, unless a newer `seq` was written already
    /// or the file was removed at or after `seq`.
    pub fn save(&self, account: &str, seq: u64, state: &LastKnown) -> std::io::Result<()> {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if written.get(account).is_some_and(|&w| seq <= w) {
            return Ok(());
        }
        let file = File {
            version: LAST_KNOWN_VERSION,
            account: account.to_owned(),
            state: state.clone(),
        };
        crate::json_file::write_compact_atomically(&self.path(account), &file)?;
        written.insert(account.to_owned(), seq);
        Ok(())
    }

    /// Forgets `account`'s last known state (it signed out); states numbered up to `seq`
    /// (taken before) are not written any more.
    pub fn remove(&self, account: &str, seq: u64) {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let floor = written.entry(account.to_owned()).or_default();
        *floor = (*floor).max(seq);
        match std::fs::remove_file(self.path(account)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(error = %e, "the last known state could not be removed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GroupAccess, Requirements};

    fn eligibility(group: &str) -> Eligibility {
        Eligibility {
            id: format!("e-{group}"),
            target: Target::Group {
                group_id: group.into(),
                access: GroupAccess::Member,
            },
            name: Some(format!("Group {group}")),
            description: None,
            scope_name: None,
            member_type: "Direct".into(),
            start_date_time: None,
            end_date_time: None,
            requirements: Requirements::unknown(),
        }
    }

    fn store() -> (LastKnownStore, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("latchkey-last-known-{}", uuid::Uuid::new_v4()));
        (LastKnownStore::new(dir.clone()), dir)
    }

    #[test]
    fn saves_and_loads_per_account_and_forgets_on_remove() {
        let (store, dir) = store();
        let account = "oid.tid@login.microsoftonline.com";
        assert_eq!(store.load(account), None, "nothing saved yet");
        let state = LastKnown {
            eligibilities_at: Some("2026-12-01T10:00:00.000Z".into()),
            eligibilities: vec![eligibility("G1"), eligibility("g2")],
            ..LastKnown::default()
        };
        store.save(account, 1, &state).unwrap();
        assert_eq!(store.load(account), Some(state.clone()));
        assert_eq!(store.load("other.tid@login.microsoftonline.com"), None);
        assert_eq!(state.group_ids(), ["g1", "g2"]);
        let path = store.path(account);
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            "oid.tid_login.microsoftonline.com.json"
        );
        assert!(
            !path.with_extension("json.tmp").exists(),
            "renamed into place"
        );
        // An older state arriving late does not overwrite a newer one.
        store.save(account, 1, &LastKnown::default()).unwrap();
        assert_eq!(store.load(account), Some(state));
        store.remove(account, 5);
        assert_eq!(store.load(account), None);
        store.remove(account, 5); // removing twice is fine
        store.save(account, 4, &LastKnown::default()).unwrap();
        assert_eq!(
            store.load(account),
            None,
            "a write from before the sign-out lands late: dropped"
        );
        store.save(account, 6, &LastKnown::default()).unwrap();
        assert_eq!(
            store.load(account),
            Some(LastKnown::default()),
            "signed in again later"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_damaged_file_another_version_or_another_account_is_ignored() {
        let (store, dir) = store();
        let account = "a.t@env";
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(store.path(account), b"{\"version\":1,\"acc").unwrap();
        assert_eq!(store.load(account), None, "truncated");
        std::fs::write(store.path(account), b"\x00\xff not json").unwrap();
        assert_eq!(store.load(account), None, "garbage");
        std::fs::write(
            store.path(account),
            br#"{"version":99,"account":"a.t@env","eligibilitiesAt":null,"eligibilities":[],"activationsAt":null,"activations":[]}"#,
        )
        .unwrap();
        assert_eq!(store.load(account), None, "another version");
        std::fs::write(
            store.path(account),
            br#"{"version":1,"account":"b.t@env","eligibilitiesAt":null,"eligibilities":[],"activationsAt":null,"activations":[]}"#,
        )
        .unwrap();
        assert_eq!(store.load(account), None, "another account's file");
        std::fs::write(
            store.path(account),
            br#"{"version":1,"account":"a.t@env","eligibilitiesAt":null,"eligibilities":[],"activationsAt":null,"activations":[]}"#,
        )
        .unwrap();
        assert_eq!(
            store.load(account),
            Some(LastKnown::default()),
            "a good one loads"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
