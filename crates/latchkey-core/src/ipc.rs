//! The shapes that cross to the web view (generated into `ui/src/lib/bindings/`). No token can
//! appear here: these types hold only names, codes and times.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode};

/// An error as the UI sees it: branch on `code`, show `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "AppError.ts")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&Error> for AppError {
    fn from(e: &Error) -> Self {
        Self {
            code: e.code,
            message: e.message.clone(),
        }
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        Self::from(&e)
    }
}

/// Whether Latchkey runs against its built-in sandbox or a configured tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "TenantKind.ts")]
pub enum TenantKind {
    Sandbox,
    Configured,
}

/// The tenant Latchkey talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "TenantInfo.ts")]
pub struct TenantInfo {
    pub kind: TenantKind,
    /// "Sandbox tenant" for the embedded sandbox, else the configured label or tenant.
    pub label: String,
    pub tenant: String,
}

/// What the user needs to finish a device-code sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "DeviceCodePrompt.ts")]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// RFC 3339.
    pub expires_at: String,
    pub message: String,
}

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Account.ts")]
pub struct Account {
    /// Stable id (`{objectId}.{tenantId}@{environment}`).
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub tenant_id: String,
}

impl From<&crate::accounts::AccountRecord> for Account {
    fn from(record: &crate::accounts::AccountRecord) -> Self {
        Self {
            id: record.key.clone(),
            username: record.username.clone(),
            display_name: record.display_name.clone(),
            tenant_id: record.tenant_id.clone(),
        }
    }
}

/// An account with a session in the keyring, and whether it is the one in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "StoredAccount.ts")]
pub struct StoredAccount {
    #[serde(flatten)]
    #[ts(flatten)]
    pub account: Account,
    pub current: bool,
}

/// Where sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "camelCase")]
#[ts(export_to = "SessionState.ts")]
pub enum SessionState {
    SignedOut {
        #[serde(rename = "lastError")]
        #[ts(rename = "lastError")]
        last_error: Option<AppError>,
    },
    SigningIn {
        prompt: DeviceCodePrompt,
    },
    /// A browser sign-in is open; the person finishes it there.
    SigningInBrowser,
    /// A stored session is being checked at start-up.
    Restoring,
    SignedIn {
        account: Account,
    },
}

/// Everything the UI needs to draw its first frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "AppSnapshot.ts")]
pub struct AppSnapshot {
    pub tenant: TenantInfo,
    pub session: SessionState,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::favourites::Favourite;
    use crate::last_known::LastKnown;
    use crate::model::{
        Activation, ActivationInput, ApprovalItem, DecisionInput, DecisionOutcome, Eligibility,
        GroupAccess, Listing, Person, PimRequest, Plane, PlaneFailure, RequestOutcome,
        RequestStatus, RequesterHistory, Requirements, Target,
    };
    use crate::settings::Settings;
    use std::path::PathBuf;
    use ts_rs::{Config, TS};

    fn bindings_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings")
    }

    fn generated() -> Vec<(&'static str, String)> {
        let cfg = Config::default();
        macro_rules! all {
            ($($t:ty),* $(,)?) => {
                vec![$((stringify!($t), <$t as TS>::export_to_string(&cfg).expect(stringify!($t)))),*]
            };
        }
        let mut list = all![
            ErrorCode,
            AppError,
            TenantKind,
            TenantInfo,
            DeviceCodePrompt,
            Account,
            StoredAccount,
            SessionState,
            AppSnapshot,
            GroupAccess,
            Plane,
            Target,
            Eligibility,
            Requirements,
            RequestStatus,
            Activation,
            PimRequest,
            ActivationInput,
            RequestOutcome,
            PlaneFailure,
            Person,
            ApprovalItem,
            DecisionInput,
            DecisionOutcome,
            RequesterHistory,
            Settings,
            Favourite,
            LastKnown,
        ];
        // A generic type is exported once, as its declaration (`Listing<T>`).
        list.push((
            "Listing",
            <Listing<ts_rs::Dummy> as TS>::export_to_string(&cfg).expect("Listing"),
        ));
        list
    }

    /// The committed TypeScript bindings must match the Rust types. Regenerate with
    /// `UPDATE_BINDINGS=1 cargo test -p latchkey-core bindings`.
    #[test]
    fn bindings_are_up_to_date() {
        let dir = bindings_dir();
        let update = std::env::var_os("UPDATE_BINDINGS").is_some();
        let mut stale = Vec::new();
        for (name, text) in generated() {
            let path = dir.join(format!("{name}.ts"));
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(name);
            }
        }
        assert!(
            stale.is_empty(),
            "stale TypeScript bindings for {stale:?}; run UPDATE_BINDINGS=1 cargo test -p latchkey-core bindings"
        );
    }

    #[test]
    fn session_state_serializes_with_a_state_tag() {
        let json = serde_json::to_value(SessionState::SignedOut {
            last_error: Some(AppError {
                code: ErrorCode::SignInCodeExpired,
                message: "m".into(),
            }),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"state":"signedOut","lastError":{"code":"signInCodeExpired","message":"m"}})
        );
        let json = serde_json::to_value(SessionState::Restoring).unwrap();
        assert_eq!(json, serde_json::json!({"state":"restoring"}));
    }
}
