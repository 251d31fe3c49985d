//! The Microsoft Graph client: one client with an injectable base URL, typed responses, paging
//! through one helper, retries for reads only, and Graph's error envelope mapped to codes.

pub mod approvals;
mod batch;
pub mod eligibilities;
mod group_names;
pub mod history;
pub mod pim_errors;
mod plane;
pub mod policies;
pub mod requests;

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::auth::Resource;
use crate::error::{Error, ErrorCode, Result};
use crate::http::HttpClient;
pub use crate::rest::WriteOutcome;
use crate::rest::{Resend, Rest};
use crate::session::Session;

/// How people call the service, in messages.
const SERVICE: &str = "Microsoft Graph";

/// Calls Microsoft Graph (v1.0) for a session.
#[derive(Clone)]
pub struct GraphClient {
    rest: Rest,
    /// `v1.0`, or `beta` where only beta has the API (directory-role approvals).
    version: &'static str,
    /// Request ids this client has already seen, so reconciling a lost answer never takes an
    /// earlier request for the one just sent.
    seen: Arc<requests::SeenRequests>,
    /// Approvers' reasons for decided requests, read once each.
    reasons: Arc<history::DecisionReasons>,
}

impl GraphClient {
    /// A client for `base` (e.g. `https://graph.microsoft.com/`).
    pub fn new(http: HttpClient, base: Url, session: Arc<Session>) -> Self {
        Self {
            rest: Rest {
                http,
                base,
                session,
                resource: Resource::Graph,
                service: SERVICE,
            },
            version: "v1.0",
            seen: Arc::default(),
            reasons: Arc::default(),
        }
    }

    /// The same client, remembering approvers' reasons in `reasons` (shared across calls).
    pub fn with_reasons(mut self, reasons: Arc<history::DecisionReasons>) -> Self {
        self.reasons = reasons;
        self
    }

    /// The same client, remembering seen request ids in `seen` (shared across calls).
    pub fn with_seen(mut self, seen: Arc<requests::SeenRequests>) -> Self {
        self.seen = seen;
        self
    }

    /// The session whose tokens this client sends.
    pub fn session(&self) -> &Arc<Session> {
        &self.rest.session
    }

    /// The same client on Graph's beta endpoint.
    pub fn beta(&self) -> Self {
        Self {
            version: "beta",
            ..self.clone()
        }
    }

    fn url(&self, path_and_query: &str) -> Result<Url> {
        self.rest
            .base
            .join(&format!(
                "{}/{}",
                self.version,
                path_and_query.trim_start_matches('/')
            ))
            .map_err(|e| Error::internal(format!("bad Graph path {path_and_query}: {e}")))
    }

    /// GETs a collection and follows `@odata.nextLink` until the last page.
    pub async fn get_all<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<Vec<T>> {
        self.rest.get_all(self.url(path_and_query)?).await
    }

    /// The next page's URL, only if it points at the same Graph host.
    pub(crate) fn next_link(&self, next: &str) -> Result<Url> {
        self.rest.next_link(next)
    }

    /// A GET with retries (429/503/504/transport) and one token refresh on 401.
    pub async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T> {
        self.rest.read(Method::GET, url, None).await
    }

    /// A read that is not a GET (a `$batch` of GETs), retried like one.
    async fn read<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<T> {
        self.rest.read(method, url, body).await
    }

    /// The signed-in account's object id (the `principalId` of self-service requests).
    pub fn principal_id(&self) -> &str {
        &self.rest.session.account().object_id
    }

    /// Sends a write (POST/PATCH). Resent only when the service certainly did not process it:
    /// after a 401 (with a refreshed token) and after a 429 (`Retry-After`).
    pub async fn write(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> WriteOutcome {
        match self.url(path) {
            Ok(url) => {
                self.rest
                    .write(method, url, body, Resend::WhenRefusedUnprocessed)
                    .await
            }
            Err(e) => WriteOutcome::Refused(e),
        }
    }
}

/// Maps a failed Graph response to a code and a sentence.
pub(crate) fn error_from_response(status: StatusCode, body: &[u8]) -> Error {
    crate::rest::error_from_response(SERVICE, status, body)
}

/// An id as Graph makes them (GUIDs, or the letters, digits and dashes of one); anything else
/// never reaches a URL path. `what` names it in the error ("a request id").
pub(crate) fn check_id(id: &str, what: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidInput,
            format!("That is not {what}."),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_never_reach_a_url_unless_they_look_like_ids() {
        assert!(check_id("6aacaee8-4089-4048-9510-3119367fc943", "a request id").is_ok());
        for bad in ["", "../me", "a/b", "x?y", &"a".repeat(65)] {
            let e = check_id(bad, "a request id").unwrap_err();
            assert_eq!(e.message, "That is not a request id.", "{bad}");
        }
    }

    #[test]
    fn graph_errors_name_graph() {
        let e = error_from_response(StatusCode::UNAUTHORIZED, b"");
        assert_eq!(e.code, crate::error::ErrorCode::SessionExpired);
        assert!(e.message.starts_with("Microsoft Graph"));
    }
}
