//! Latchkey's sandbox tenant: a local emulation of Entra ID sign-in, Microsoft Graph PIM and
//! Azure Resource Manager PIM, with a demo tenant. It is the app's embedded default, a standalone binary for scripts, and the
//! service every test talks to. It follows `shared/reference/graph-pim-api.md`: where it is
//! more lenient than Microsoft, clients tuned to it would break on the real service.

pub mod arm;
pub mod clock;
pub mod control;
pub mod faults;
pub mod graph;
mod html;
pub mod identity;
pub mod pim;
pub mod state;
pub mod tenant;
pub mod tls;
pub mod token;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::{Json, Router};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use state::{SandboxOptions, SandboxState};
pub use tenant::Tenant;
pub use tls::SandboxCa;

/// The client id of Latchkey's app registration in the demo tenant.
pub const DEMO_CLIENT_ID: &str = "3c283852-3d99-4261-9837-92c6a96d53fd";

/// The whole HTTP surface: identity, Graph, ARM and the control API. Faults are layered on
/// the whole router, so every route merged here (and the fallback) can be faulted alike.
pub fn router(state: Arc<SandboxState>) -> Router {
    let app = Router::new()
        .merge(identity::routes())
        .merge(graph::routes())
        .merge(arm::routes())
        .merge(control::routes())
        .fallback(unknown_route);
    with_faults(app, state.clone()).with_state(state)
}

/// Layers fault injection on `router` (any routes, any state type).
pub fn with_faults<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    state: Arc<SandboxState>,
) -> Router<S> {
    router.layer(axum::middleware::from_fn_with_state(state, faults::apply))
}

/// Unknown paths get a readable answer naming the request, so a failing test says what it called.
async fn unknown_route(method: Method, uri: Uri) -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({
            "error": {
                "code": "NotFound",
                "message": format!("The sandbox tenant has no endpoint for {method} {uri}."),
            }
        })),
    )
}

/// A running sandbox; stops when [`Sandbox::stop`] is called or when dropped.
#[derive(Debug)]
pub struct Sandbox {
    base_url: String,
    state: Arc<SandboxState>,
    /// Set when serving HTTPS: the CA that signed the server certificate.
    ca: Option<SandboxCa>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `addr` (use port 0 for any free port) and serves plain HTTP until stopped.
    pub async fn start(
        tenant: Tenant,
        options: SandboxOptions,
        addr: SocketAddr,
    ) -> std::io::Result<Self> {
        let listener = faults::connection::ResettableListener(TcpListener::bind(addr).await?);
        let local = listener.0.local_addr()?;
        let base_url = format!("http://{local}");
        let state = Self::new_state(tenant, options, &base_url);
        // Connection info gives the `reset` fault a handle on the TCP connection.
        let app = router(state.clone())
            .into_make_service_with_connect_info::<faults::connection::ConnectionControl>();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped with an error");
            }
        });
        Ok(Self::running(base_url, state, None, tx, task))
    }

    /// Like [`Sandbox::start`], but serves HTTPS with a certificate from a CA made for this run
    /// (see [`Sandbox::ca_pem`]); every URL the sandbox hands out then starts with `https://`.
    /// The `reset` fault degrades to a failing body here (TLS hides the TCP stream).
    pub async fn start_tls(
        tenant: Tenant,
        options: SandboxOptions,
        addr: SocketAddr,
    ) -> std::io::Result<Self> {
        let ca = SandboxCa::generate()?;
        let tcp = TcpListener::bind(addr).await?;
        let local = tcp.local_addr()?;
        let listener = tls::TlsListener::new(tcp, &ca)?;
        let base_url = format!("https://{local}");
        let state = Self::new_state(tenant, options, &base_url);
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped with an error");
            }
        });
        Ok(Self::running(base_url, state, Some(ca), tx, task))
    }

    fn new_state(tenant: Tenant, options: SandboxOptions, base_url: &str) -> Arc<SandboxState> {
        let state = Arc::new(SandboxState::new(tenant, options));
        // Discovery, `verification_uri`, `@odata.nextLink` and ARM `nextLink` are all built
        // from this, so the scheme is right everywhere.
        state.set_base_url(base_url.to_owned());
        state
    }

    fn running(
        base_url: String,
        state: Arc<SandboxState>,
        ca: Option<SandboxCa>,
        shutdown: oneshot::Sender<()>,
        task: JoinHandle<()>,
    ) -> Self {
        tracing::info!(%base_url, "sandbox tenant listening");
        Self {
            base_url,
            state,
            ca,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// Starts the demo tenant on a free loopback port.
    pub async fn start_demo(options: SandboxOptions) -> std::io::Result<Self> {
        let tenant = Tenant::demo(chrono::Utc::now());
        Self::start(tenant, options, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// `http://127.0.0.1:PORT` (`https://` from [`Sandbox::start_tls`]) — the authority, Graph
    /// and ARM base URL alike.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The PEM of the CA that clients must trust; `None` when serving plain HTTP.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca.as_ref().map(SandboxCa::ca_pem)
    }

    /// The live state (virtual clock, tenant), for tests and embedding.
    pub fn state(&self) -> &Arc<SandboxState> {
        &self.state
    }

    /// Stops serving and waits for open connections to finish.
    pub async fn stop(mut self) {
        self.shutdown().await;
    }

    /// Stops serving (in place, for owners that cannot give the sandbox away).
    pub async fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
