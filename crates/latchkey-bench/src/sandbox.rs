//! The sandbox a benchmark talks to: a generated tenant on 127.0.0.1:0, a latency fault on
//! every route standing in for the network, and the device-code sign-in done over HTTP the way
//! a person's browser would (written once here, for both the app's client and the baseline).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use latchkey_core::clock::{Clock, SystemClock};
use latchkey_core::endpoints::Endpoints;
use latchkey_core::ipc::{SessionState, TenantInfo, TenantKind};
use latchkey_core::secrets::{MemoryStore, SecretStore};
use latchkey_core::{Latchkey, LatchkeyConfig};
use latchkey_sandbox::tenant::GENERATED_USER;
use latchkey_sandbox::{Sandbox, SandboxOptions, Tenant, DEMO_CLIENT_ID};
use serde_json::{json, Value};

/// Longest wait for a sign-in to finish; the sandbox answers in milliseconds.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(30);

/// A running sandbox with a generated tenant, and a scratch place for Latchkey's state.
pub struct BenchSandbox {
    pub sandbox: Sandbox,
    store: Arc<dyn SecretStore>,
    accounts_path: PathBuf,
    http: reqwest::Client,
    /// The clock every Latchkey made here reads: the system's, plus a skip the benchmark
    /// sets to age the policy cache without waiting.
    pub clock: Arc<SkippingClock>,
}

/// The system clock moved forward by a settable number of seconds.
#[derive(Default)]
pub struct SkippingClock {
    skipped_seconds: std::sync::atomic::AtomicI64,
}

impl SkippingClock {
    /// Moves this clock `by` forward (for every Latchkey reading it).
    pub fn skip(&self, by: chrono::Duration) {
        self.skipped_seconds
            .fetch_add(by.num_seconds(), std::sync::atomic::Ordering::Relaxed);
    }
}

impl Clock for SkippingClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        SystemClock.now()
            + chrono::Duration::seconds(
                self.skipped_seconds
                    .load(std::sync::atomic::Ordering::Relaxed),
            )
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl BenchSandbox {
    /// Starts a sandbox whose user holds `eligibilities` eligibilities (`seed` fixes which).
    pub async fn start(eligibilities: usize, seed: u64) -> Result<Self, BoxError> {
        let tenant = Tenant::generate(eligibilities, seed, chrono::Utc::now());
        let options = SandboxOptions {
            device_code_interval: Duration::from_secs(1),
            ..SandboxOptions::default()
        };
        let sandbox =
            Sandbox::start(tenant, options, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let dir = std::env::temp_dir().join(format!("latchkey-bench-{}", uuid::Uuid::new_v4()));
        Ok(Self {
            sandbox,
            store: Arc::new(MemoryStore::default()),
            accounts_path: dir.join("accounts.json"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()?,
            clock: Arc::new(SkippingClock::default()),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// Replaces every fault with a latency of `rtt` on every route.
    pub async fn set_latency(&self, rtt: Duration) -> Result<(), BoxError> {
        self.http
            .delete(self.url("/_sandbox/faults"))
            .send()
            .await?
            .error_for_status()?;
        if rtt.is_zero() {
            return Ok(());
        }
        let fault = json!({ "kind": { "latency": { "ms": rtt.as_millis() as u64 } } });
        self.http
            .post(self.url("/_sandbox/faults"))
            .json(&fault)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// A new Latchkey (an app start) sharing this sandbox's secret store and accounts file.
    pub fn latchkey(&self) -> Result<Arc<Latchkey>, BoxError> {
        let endpoints =
            Endpoints::single_host(self.sandbox.base_url(), "organizations", DEMO_CLIENT_ID)?;
        Ok(Latchkey::new(LatchkeyConfig {
            tenant: TenantInfo {
                kind: TenantKind::Sandbox,
                label: "Benchmark tenant".into(),
                tenant: "organizations".into(),
            },
            endpoints,
            store: self.store.clone(),
            accounts_path: self.accounts_path.clone(),
            clock: self.clock.clone(),
            last_known_dir: None,
        })?)
    }

    /// Signs the generated user in through Latchkey's device-code flow.
    pub async fn sign_in(&self, latchkey: &Arc<Latchkey>) -> Result<(), BoxError> {
        let mut states = latchkey.subscribe();
        let prompt = latchkey.start_sign_in().await?;
        self.approve(&prompt.verification_uri, &prompt.user_code)
            .await?;
        tokio::time::timeout(SIGN_IN_TIMEOUT, async {
            loop {
                match &*states.borrow_and_update() {
                    SessionState::SignedIn { .. } => return Ok(()),
                    SessionState::SignedOut {
                        last_error: Some(e),
                    } => return Err(format!("sign-in failed: {}", e.message)),
                    _ => {}
                }
                if states.changed().await.is_err() {
                    return Err("the session state channel closed".to_owned());
                }
            }
        })
        .await
        .map_err(|_| "sign-in did not finish in time")??;
        Ok(())
    }

    /// Approves a device code on the sandbox's verification page, as a browser form would.
    async fn approve(&self, verification_uri: &str, user_code: &str) -> Result<(), BoxError> {
        let page = self
            .http
            .post(verification_uri)
            .form(&[
                ("user_code", user_code),
                ("login_hint", GENERATED_USER),
                ("decision", "approve"),
            ])
            .send()
            .await?
            .text()
            .await?;
        if !page.contains(r#"data-outcome="approved""#) {
            return Err(format!("the sign-in page did not approve the code: {page}").into());
        }
        Ok(())
    }

    /// An access token for Graph, obtained as a script would: device code, approval, one poll.
    pub async fn script_token(&self) -> Result<String, BoxError> {
        let scope = "https://graph.microsoft.com/.default offline_access";
        let code: Value = self
            .http
            .post(self.url("/organizations/oauth2/v2.0/devicecode"))
            .form(&[("client_id", DEMO_CLIENT_ID), ("scope", scope)])
            .send()
            .await?
            .json()
            .await?;
        let field = |name: &str| {
            code[name]
                .as_str()
                .map(str::to_owned)
                .ok_or(format!("devicecode: no {name} in {code}"))
        };
        self.approve(&field("verification_uri")?, &field("user_code")?)
            .await?;
        let tokens: Value = self
            .http
            .post(self.url("/organizations/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", DEMO_CLIENT_ID),
                ("device_code", &field("device_code")?),
            ])
            .send()
            .await?
            .json()
            .await?;
        Ok(tokens["access_token"]
            .as_str()
            .ok_or(format!("token: {tokens}"))?
            .to_owned())
    }
}

impl Drop for BenchSandbox {
    fn drop(&mut self) {
        if let Some(dir) = self.accounts_path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
