//! Which tenant Latchkey talks to: the one in `config.json`, or — with none configured — the
//! sandbox tenant, started in-process on loopback. Both go through the same core code; only the
//! base URLs differ.

use std::sync::Arc;

use latchkey_core::clock::SystemClock;
use latchkey_core::endpoints::{default_config_path, TenantConfig};
use latchkey_core::ipc::{TenantInfo, TenantKind};
use latchkey_core::secrets::KeyringStore;
use latchkey_core::{Error, Latchkey, LatchkeyConfig};
use latchkey_sandbox::{Sandbox, SandboxOptions, DEMO_CLIENT_ID};

/// The keyring service name of every Latchkey secret.
pub const KEYRING_SERVICE: &str = "latchkey";

/// The running tenant connection; keeps the embedded sandbox alive as long as the app runs.
pub struct Connection {
    pub latchkey: Arc<Latchkey>,
    /// `Some` when the sandbox tenant is embedded.
    pub sandbox: Option<Sandbox>,
}

/// Reads the configuration and connects: to the configured tenant, or to a new embedded sandbox.
pub async fn connect() -> Result<Connection, Error> {
    let config = match default_config_path() {
        Some(path) => {
            let config = TenantConfig::load(&path)?;
            if config.is_some() {
                tracing::info!(path = %path.display(), "using the configured tenant");
            }
            config
        }
        None => None,
    };
    let (tenant, endpoints, sandbox) = match config {
        Some(config) => {
            let endpoints = config.endpoints()?;
            let label = config
                .label
                .clone()
                .unwrap_or_else(|| config.tenant.clone());
            (
                TenantInfo {
                    kind: TenantKind::Configured,
                    label,
                    tenant: config.tenant,
                },
                endpoints,
                None,
            )
        }
        None => {
            // Issued refresh tokens (as hashes) survive restarts, so a restart keeps you signed in.
            let options = SandboxOptions {
                state_file: Some(data_dir().join("sandbox-state.json")),
                ..SandboxOptions::default()
            };
            let sandbox = Sandbox::start_demo(options).await.map_err(|e| {
                Error::internal(format!("Can't start the sandbox tenant on 127.0.0.1: {e}"))
            })?;
            tracing::info!(
                url = sandbox.base_url(),
                "no tenant configured: running the embedded sandbox tenant"
            );
            let domain = sandbox.state().tenant().info.domain.clone();
            let mut endpoints = latchkey_core::endpoints::Endpoints::single_host(
                sandbox.base_url(),
                &domain,
                DEMO_CLIENT_ID,
            )?;
            // Its port changes at every start; stored accounts must still match.
            endpoints.environment = "sandbox".to_owned();
            (
                TenantInfo {
                    kind: TenantKind::Sandbox,
                    label: "Sandbox tenant".to_owned(),
                    tenant: domain,
                },
                endpoints,
                Some(sandbox),
            )
        }
    };
    let latchkey = Latchkey::new(LatchkeyConfig {
        tenant,
        endpoints,
        store: Arc::new(KeyringStore::new(KEYRING_SERVICE)),
        accounts_path: data_dir().join("accounts.json"),
        clock: Arc::new(SystemClock),
        last_known_dir: Some(last_known_dir()),
    })?;
    Ok(Connection { latchkey, sandbox })
}

/// `<data dir>/latchkey`: accounts and other non-secret state.
pub fn data_dir() -> std::path::PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("latchkey")
}

/// `<cache dir>/latchkey/last-known`: each account's last known listing (no secrets), painted
/// at start before the refresh answers.
pub fn last_known_dir() -> std::path::PathBuf {
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("latchkey")
        .join("last-known")
}
