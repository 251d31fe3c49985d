//! The one HTTP client: timeouts on every call, no redirects (tokens must not follow them), and a
//! round-trip counter so benchmarks can report how many requests a refresh took.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};

/// Shared HTTP client with a round-trip counter.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    round_trips: Arc<AtomicU64>,
}

impl HttpClient {
    /// A client with Latchkey's defaults: 10 s to connect, 30 s per request, no redirects.
    pub fn new() -> Result<Self> {
        let inner = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Latchkey/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("Can't set up HTTPS: {e}")))?;
        Ok(Self {
            inner,
            round_trips: Arc::default(),
        })
    }

    /// The underlying reqwest client.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.inner
    }

    /// Sends a request, counting it as one round trip.
    pub async fn send(&self, request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        self.inner.execute(request).await
    }

    /// Requests sent so far (all endpoints).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }
}
