//! The Microsoft Graph client: one client with an injectable base URL, typed responses, paging
//! through one helper, retries for reads only, and Graph's error envelope mapped to codes.

pub mod approvals;
mod batch;
pub mod eligibilities;
pub mod pim_errors;
mod plane;
pub mod policies;
pub mod requests;
mod retry;

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use crate::auth::Resource;
use crate::error::{Error, ErrorCode, Result};
use crate::http::HttpClient;
use crate::session::Session;

/// Graph's error envelope.
#[derive(Debug, Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

/// Pages followed before a list is declared runaway (a server that links to itself forever).
pub(crate) const MAX_PAGES: usize = 1000;

/// Calls Microsoft Graph (v1.0) for a session.
#[derive(Clone)]
pub struct GraphClient {
    http: HttpClient,
    base: Url,
    session: Arc<Session>,
    /// `v1.0`, or `beta` where only beta has the API (directory-role approvals).
    version: &'static str,
}

impl GraphClient {
    /// A client for `base` (e.g. `https://graph.microsoft.com/`).
    pub fn new(http: HttpClient, base: Url, session: Arc<Session>) -> Self {
        Self {
            http,
            base,
            session,
            version: "v1.0",
        }
    }

    /// The session whose tokens this client sends.
    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    /// The same client on Graph's beta endpoint.
    pub fn beta(&self) -> Self {
        Self {
            version: "beta",
            ..self.clone()
        }
    }

    fn url(&self, path_and_query: &str) -> Result<Url> {
        self.base
            .join(&format!(
                "{}/{}",
                self.version,
                path_and_query.trim_start_matches('/')
            ))
            .map_err(|e| Error::internal(format!("bad Graph path {path_and_query}: {e}")))
    }

    /// GETs a collection and follows `@odata.nextLink` until the last page.
    pub async fn get_all<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<Vec<T>> {
        let mut url = self.url(path_and_query)?;
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: Page<T> = self.get(url.clone()).await?;
            items.extend(page.value);
            match page.next_link {
                None => return Ok(items),
                Some(next) => url = self.next_link(&next)?,
            }
        }
        Err(Error::new(
            ErrorCode::UnexpectedResponse,
            "Microsoft Graph kept sending more pages than any tenant has. Try again later.",
        ))
    }

    /// The next page's URL, only if it points at the same Graph host: the token must never be
    /// sent anywhere else.
    pub(crate) fn next_link(&self, next: &str) -> Result<Url> {
        let url = Url::parse(next).map_err(|_| {
            Error::new(
                ErrorCode::UnexpectedResponse,
                "Microsoft Graph sent an unreadable next-page link.",
            )
        })?;
        if url.origin() != self.base.origin() {
            return Err(Error::new(
                ErrorCode::UnexpectedResponse,
                format!("Microsoft Graph sent a next-page link to another host ({}); Latchkey did not follow it.", url.host_str().unwrap_or("?")),
            ));
        }
        Ok(url)
    }

    /// A GET with retries (429/503/504/transport) and one token refresh on 401.
    pub async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T> {
        self.read(Method::GET, url, None).await
    }

    /// A read (a GET, or a `$batch` of GETs) with retries (429/503/504/transport) and one
    /// token refresh on 401. Safe to resend: it changes nothing.
    async fn read<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<T> {
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let token = self.session.access_token(Resource::Graph).await?;
            let mut builder = self
                .http
                .reqwest()
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header("Accept", "application/json")
                .header("client-request-id", uuid::Uuid::new_v4().to_string());
            if let Some(body) = body {
                builder = builder.json(body);
            }
            let request = builder
                .build()
                .map_err(|e| Error::internal(format!("can't build a Graph request: {e}")))?;
            let response = match self.http.send(request).await {
                Ok(response) => response,
                Err(e) if attempt < retry::MAX_ATTEMPTS && !e.is_builder() => {
                    tracing::debug!(error = %e, attempt, "Graph read failed in transport; retrying");
                    tokio::time::sleep(retry::backoff(attempt)).await;
                    continue;
                }
                Err(e) => return Err(Error::from_transport("Microsoft Graph", &e)),
            };
            let status = response.status();
            if status.is_success() {
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|e| Error::from_transport("Microsoft Graph", &e))?;
                return serde_json::from_slice(&bytes).map_err(|e| {
                    tracing::warn!(error = %e, %url, "unreadable Graph response");
                    Error::new(
                        ErrorCode::UnexpectedResponse,
                        "Microsoft Graph sent an answer Latchkey can't read. Try again.",
                    )
                });
            }
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                self.session.invalidate(Resource::Graph, &token);
                continue;
            }
            if retry::is_retryable(status) && attempt < retry::MAX_ATTEMPTS {
                let retry_after = retry::parse_retry_after(
                    response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()),
                );
                if retry_after.is_none_or(|d| d <= retry::MAX_RETRY_AFTER) {
                    let wait = retry_after.unwrap_or_else(|| retry::backoff(attempt));
                    tracing::debug!(%status, ?wait, attempt, "Graph read throttled or unavailable; retrying");
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let bytes = response.bytes().await.unwrap_or_default();
            return Err(error_from_response(status, &bytes));
        }
    }
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

/// How a write ended.
#[derive(Debug)]
pub enum WriteOutcome {
    /// The service answered 2xx; the body (JSON, or `Null` for 204).
    Done(serde_json::Value),
    /// The service refused; nothing was changed.
    Refused(Error),
    /// No answer (transport failure, 5xx): the write may or may not have happened. The caller
    /// must reconcile by reading before sending anything again.
    Uncertain(Error),
}

impl GraphClient {
    /// The signed-in account's object id (the `principalId` of self-service requests).
    pub fn principal_id(&self) -> &str {
        &self.session.account().object_id
    }

    /// Sends a write (POST/PATCH). Resent only when the service certainly did not process it:
    /// after a 401 (with a refreshed token) and after a 429 (`Retry-After`).
    pub async fn write(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> WriteOutcome {
        let url = match self.url(path) {
            Ok(url) => url,
            Err(e) => return WriteOutcome::Refused(e),
        };
        let mut refreshed = false;
        for attempt in 1..=retry::MAX_ATTEMPTS {
            let token = match self.session.access_token(Resource::Graph).await {
                Ok(token) => token,
                Err(e) => return WriteOutcome::Refused(e),
            };
            let request = self
                .http
                .reqwest()
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header("Accept", "application/json")
                .header("client-request-id", uuid::Uuid::new_v4().to_string())
                .json(body)
                .build();
            let request = match request {
                Ok(request) => request,
                Err(e) => {
                    return WriteOutcome::Refused(Error::internal(format!(
                        "can't build a Graph request: {e}"
                    )))
                }
            };
            let response = match self.http.send(request).await {
                Ok(response) => response,
                Err(e) => {
                    return WriteOutcome::Uncertain(Error::from_transport("Microsoft Graph", &e))
                }
            };
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                self.session.invalidate(Resource::Graph, &token);
                continue;
            }
            if status == StatusCode::TOO_MANY_REQUESTS && attempt < retry::MAX_ATTEMPTS {
                let wait = retry::parse_retry_after(
                    response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()),
                )
                .unwrap_or_else(|| retry::backoff(attempt));
                if wait <= retry::MAX_RETRY_AFTER {
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let bytes = match response.bytes().await {
                Ok(bytes) => bytes,
                Err(e) => {
                    return WriteOutcome::Uncertain(Error::from_transport("Microsoft Graph", &e))
                }
            };
            if status.is_success() {
                if bytes.is_empty() {
                    return WriteOutcome::Done(serde_json::Value::Null);
                }
                return match serde_json::from_slice(&bytes) {
                    Ok(value) => WriteOutcome::Done(value),
                    Err(_) => WriteOutcome::Uncertain(Error::new(
                        ErrorCode::UnexpectedResponse,
                        "Microsoft Graph accepted the request but its answer was unreadable.",
                    )),
                };
            }
            let error = error_from_response(status, &bytes);
            return if status.is_server_error() {
                WriteOutcome::Uncertain(error)
            } else {
                WriteOutcome::Refused(error)
            };
        }
        WriteOutcome::Refused(Error::new(
            ErrorCode::Throttled,
            "Microsoft Graph is throttling requests. Wait a minute and try again.",
        ))
    }
}

/// Maps a failed Graph response to a code and a sentence.
pub(crate) fn error_from_response(status: StatusCode, body: &[u8]) -> Error {
    let envelope = serde_json::from_slice::<ErrorEnvelope>(body)
        .ok()
        .map(|e| e.error);
    if let Some(e) = &envelope {
        if let Some(pim) = pim_errors::classify(&e.code, &e.message, &String::from_utf8_lossy(body))
        {
            return pim;
        }
    }
    if status == StatusCode::CONFLICT {
        return Error::new(
            ErrorCode::AlreadyDecided,
            "Someone else already decided this request.",
        )
        .with_service_code(
            envelope
                .map(|e| e.code)
                .unwrap_or_else(|| "Conflict".to_owned()),
        );
    }
    let service_message = envelope
        .as_ref()
        .map(|e| e.message.as_str())
        .unwrap_or_default();
    let (code, message) = match status {
        StatusCode::UNAUTHORIZED => (
            ErrorCode::SessionExpired,
            "Microsoft Graph no longer accepts your sign-in. Sign in again.".to_owned(),
        ),
        StatusCode::FORBIDDEN => (
            ErrorCode::Forbidden,
            format!("Microsoft Graph refused: {service_message} An administrator may need to grant Latchkey's permissions (admin consent)."),
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            ErrorCode::Throttled,
            "Microsoft Graph is throttling requests. Wait a minute and try again.".to_owned(),
        ),
        s if s.is_server_error() => (
            ErrorCode::ServiceError,
            format!("Microsoft Graph is having trouble (HTTP {}). Try again in a moment.", s.as_u16()),
        ),
        s if envelope.is_none() => (
            ErrorCode::UnexpectedResponse,
            format!("Microsoft Graph answered HTTP {} with something Latchkey can't read.", s.as_u16()),
        ),
        _ => (ErrorCode::ServiceError, format!("Microsoft Graph refused the request: {service_message}")),
    };
    let error = Error::new(code, message);
    match envelope {
        Some(body) => error.with_service_code(body.code),
        None => error,
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
    fn graph_errors_keep_the_service_code_and_say_what_to_do() {
        let body = br#"{"error":{"code":"PermissionScopeNotGranted","message":"Authorization failed due to missing permission scope X.","innerError":{"request-id":"r"}}}"#;
        let e = error_from_response(StatusCode::FORBIDDEN, body);
        assert_eq!(e.code, ErrorCode::Forbidden);
        assert_eq!(e.service_code.as_deref(), Some("PermissionScopeNotGranted"));
        assert!(e.message.contains("admin consent"));
        let e = error_from_response(StatusCode::BAD_GATEWAY, b"<html>Bad gateway</html>");
        assert_eq!(e.code, ErrorCode::ServiceError);
        let e = error_from_response(StatusCode::BAD_REQUEST, b"<html>nope</html>");
        assert_eq!(e.code, ErrorCode::UnexpectedResponse);
    }
}
