//! Adapts [`HttpClient`] to the `oauth2` crate, counting round trips and noticing when the
//! identity service stops answering. `oauth2`'s device-code loop retries transport errors until
//! the code expires; without this a stopped service would look like a sign-in that never ends.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};
use tokio::sync::Notify;

use crate::error::Error;
use crate::http::HttpClient;

/// A transport failure (no HTTP response at all).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(String);

/// How many transport failures in a row end a device-code flow.
const GIVE_UP_AFTER: u32 = 2;

/// The `oauth2` crate's HTTP client.
pub struct OAuthTransport<'a> {
    http: &'a HttpClient,
    failures: AtomicU32,
    last_failure: Mutex<Option<Error>>,
    gave_up: Notify,
}

impl<'a> OAuthTransport<'a> {
    /// A transport over `http`.
    pub fn new(http: &'a HttpClient) -> Self {
        Self {
            http,
            failures: AtomicU32::new(0),
            last_failure: Mutex::new(None),
            gave_up: Notify::new(),
        }
    }

    /// Resolves once transport failures in a row reach the limit.
    pub async fn gave_up(&self) {
        self.gave_up.notified().await
    }

    /// The last transport failure, classified for the user.
    pub fn last_failure(&self) -> Option<Error> {
        self.last_failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| TransportError(format!("invalid request: {e}")))?;
        let outcome = async {
            let response = self.http.send(request).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        }
        .await;
        match outcome {
            Ok((status, headers, body)) => {
                self.failures.store(0, Ordering::Relaxed);
                let mut response = HttpResponse::new(body.to_vec());
                *response.status_mut() = status;
                *response.headers_mut() = headers;
                Ok(response)
            }
            Err(e) => {
                let classified = Error::from_transport("the sign-in service", &e);
                let message = classified.message.clone();
                *self.last_failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(classified);
                if self.failures.fetch_add(1, Ordering::Relaxed) + 1 >= GIVE_UP_AFTER {
                    self.gave_up.notify_one();
                }
                Err(TransportError(message))
            }
        }
    }
}

impl<'c> AsyncHttpClient<'c> for OAuthTransport<'_> {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}
