//! The REST transport Microsoft Graph and Azure Resource Manager share: bearer tokens for one
//! resource from the session, reads retried (429 with `Retry-After`, 503, 504, transport) with
//! one token refresh on 401, pages followed on the same host only, writes sent without blind
//! resends (or, for ARM's name-idempotent PUTs, resent as they are), and the services' common
//! error envelope `{"error":{"code","message"}}` mapped to codes.

pub(crate) mod retry;

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use crate::auth::Resource;
use crate::error::{Error, ErrorCode, Result};
use crate::http::HttpClient;
use crate::session::Session;

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

/// A page of a collection: Graph links the next one in `@odata.nextLink`, ARM in `nextLink`.
#[derive(Debug, Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", alias = "nextLink")]
    next_link: Option<String>,
}

/// Pages followed before a list is declared runaway (a server that links to itself forever).
pub(crate) const MAX_PAGES: usize = 1000;

/// How a write ended.
#[derive(Debug)]
pub enum WriteOutcome {
    /// The service answered 2xx; the body (JSON, or `Null` for an empty body).
    Done(serde_json::Value),
    /// The service refused; nothing was changed.
    Refused(Error),
    /// No answer (transport failure, 5xx): the write may or may not have happened. The caller
    /// must reconcile by reading before sending anything again.
    Uncertain(Error),
}

/// Whether a write may be resent when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Only when the service certainly did not process it (401, 429): Graph's POSTs.
    WhenRefusedUnprocessed,
    /// Also after transport failures and 5xx: ARM's PUTs, whose client-chosen name makes a
    /// second delivery return the first request instead of creating another.
    Idempotent,
}

/// One service (Graph or ARM) reached with one resource's tokens.
#[derive(Clone)]
pub(crate) struct Rest {
    pub http: HttpClient,
    pub base: Url,
    pub session: Arc<Session>,
    pub resource: Resource,
    /// How people call the service, in messages ("Microsoft Graph").
    pub service: &'static str,
}

impl Rest {
    /// GETs a collection and follows its next links until the last page.
    pub async fn get_all<T: DeserializeOwned>(&self, mut url: Url) -> Result<Vec<T>> {
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: Page<T> = self.read(Method::GET, url.clone(), None).await?;
            items.extend(page.value);
            match page.next_link {
                None => return Ok(items),
                Some(next) => url = self.next_link(&next)?,
            }
        }
        Err(Error::new(
            ErrorCode::UnexpectedResponse,
            format!(
                "{} kept sending more pages than any tenant has. Try again later.",
                self.service
            ),
        ))
    }

    /// The next page's URL, only if it points at the same host: the token must never be sent
    /// anywhere else.
    pub fn next_link(&self, next: &str) -> Result<Url> {
        let url = Url::parse(next).map_err(|_| {
            Error::new(
                ErrorCode::UnexpectedResponse,
                format!("{} sent an unreadable next-page link.", self.service),
            )
        })?;
        if url.origin() != self.base.origin() {
            return Err(Error::new(
                ErrorCode::UnexpectedResponse,
                format!(
                    "{} sent a next-page link to another host ({}); Latchkey did not follow it.",
                    self.service,
                    url.host_str().unwrap_or("?")
                ),
            ));
        }
        Ok(url)
    }

    fn request(
        &self,
        method: &Method,
        url: &Url,
        token: &crate::sensitive::Sensitive<String>,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Request> {
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
        builder
            .build()
            .map_err(|e| Error::internal(format!("can't build a {} request: {e}", self.service)))
    }

    /// A read (a GET, or a `$batch` of GETs) with retries (429/503/504/transport) and one
    /// token refresh on 401. Safe to resend: it changes nothing.
    pub async fn read<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<T> {
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let token = self.session.access_token(self.resource).await?;
            let request = self.request(&method, &url, &token, body)?;
            let response = match self.http.send(request).await {
                Ok(response) => response,
                Err(e) if attempt < retry::MAX_ATTEMPTS && !e.is_builder() => {
                    tracing::debug!(error = %e, attempt, service = self.service, "read failed in transport; retrying");
                    tokio::time::sleep(retry::backoff(attempt)).await;
                    continue;
                }
                Err(e) => return Err(Error::from_transport(self.service, &e)),
            };
            let status = response.status();
            if status.is_success() {
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|e| Error::from_transport(self.service, &e))?;
                return serde_json::from_slice(&bytes).map_err(|e| {
                    tracing::warn!(error = %e, %url, "unreadable response");
                    Error::new(
                        ErrorCode::UnexpectedResponse,
                        format!(
                            "{} sent an answer Latchkey can't read. Try again.",
                            self.service
                        ),
                    )
                });
            }
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                self.session.invalidate(self.resource, &token);
                continue;
            }
            if retry::is_retryable(status) && attempt < retry::MAX_ATTEMPTS {
                if let Some(wait) = retry::wait_for(&response, attempt) {
                    tracing::debug!(%status, ?wait, attempt, service = self.service, "read throttled or unavailable; retrying");
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let bytes = response.bytes().await.unwrap_or_default();
            return Err(error_from_response(self.service, status, &bytes));
        }
    }

    /// Sends a write. Always resent after a 401 (with a refreshed token) and a 429
    /// (`Retry-After`); with [`Resend::Idempotent`] also after transport failures and 5xx.
    pub async fn write(
        &self,
        method: Method,
        url: Url,
        body: &serde_json::Value,
        resend: Resend,
    ) -> WriteOutcome {
        let mut refreshed = false;
        let mut last_uncertain = None;
        for attempt in 1..=retry::MAX_ATTEMPTS {
            let token = match self.session.access_token(self.resource).await {
                Ok(token) => token,
                Err(e) => return WriteOutcome::Refused(e),
            };
            let request = match self.request(&method, &url, &token, Some(body)) {
                Ok(request) => request,
                Err(e) => return WriteOutcome::Refused(e),
            };
            let outcome = match self.http.send(request).await {
                Err(e) => WriteOutcome::Uncertain(Error::from_transport(self.service, &e)),
                Ok(response) => {
                    let status = response.status();
                    if status == StatusCode::UNAUTHORIZED && !refreshed {
                        refreshed = true;
                        self.session.invalidate(self.resource, &token);
                        continue;
                    }
                    if status == StatusCode::TOO_MANY_REQUESTS && attempt < retry::MAX_ATTEMPTS {
                        if let Some(wait) = retry::wait_for(&response, attempt) {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    self.write_outcome(status, response).await
                }
            };
            match outcome {
                WriteOutcome::Uncertain(e)
                    if resend == Resend::Idempotent && attempt < retry::MAX_ATTEMPTS =>
                {
                    tracing::info!(code = ?e.code, attempt, service = self.service, "write outcome uncertain; resending the same idempotent request");
                    tokio::time::sleep(retry::backoff(attempt)).await;
                    last_uncertain = Some(e);
                }
                // An earlier attempt may have been processed: a refusal of a resend (a 429 on
                // the last try, say) says nothing about it. Still uncertain; the caller reads
                // the request back.
                WriteOutcome::Refused(refusal) => {
                    return match last_uncertain {
                        Some(e) => {
                            tracing::info!(code = ?refusal.code, "a resend was refused after an uncertain attempt; still uncertain");
                            WriteOutcome::Uncertain(e)
                        }
                        None => WriteOutcome::Refused(refusal),
                    };
                }
                outcome => return outcome,
            }
        }
        match last_uncertain {
            Some(e) => WriteOutcome::Uncertain(e),
            None => WriteOutcome::Refused(Error::new(
                ErrorCode::Throttled,
                format!(
                    "{} is throttling requests. Wait a minute and try again.",
                    self.service
                ),
            )),
        }
    }

    async fn write_outcome(&self, status: StatusCode, response: reqwest::Response) -> WriteOutcome {
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return WriteOutcome::Uncertain(Error::from_transport(self.service, &e)),
        };
        if status.is_success() {
            if bytes.is_empty() {
                return WriteOutcome::Done(serde_json::Value::Null);
            }
            return match serde_json::from_slice(&bytes) {
                Ok(value) => WriteOutcome::Done(value),
                Err(_) => WriteOutcome::Uncertain(Error::new(
                    ErrorCode::UnexpectedResponse,
                    format!(
                        "{} accepted the request but its answer was unreadable.",
                        self.service
                    ),
                )),
            };
        }
        let error = error_from_response(self.service, status, &bytes);
        if status.is_server_error() {
            WriteOutcome::Uncertain(error)
        } else {
            WriteOutcome::Refused(error)
        }
    }
}

/// Maps a failed response of `service` to a code and a sentence.
pub(crate) fn error_from_response(service: &str, status: StatusCode, body: &[u8]) -> Error {
    Error {
        http_status: Some(status.as_u16()),
        ..classify_response(service, status, body)
    }
}

fn classify_response(service: &str, status: StatusCode, body: &[u8]) -> Error {
    let envelope = serde_json::from_slice::<ErrorEnvelope>(body)
        .ok()
        .map(|e| e.error);
    if let Some(e) = &envelope {
        if let Some(pim) =
            crate::graph::pim_errors::classify(&e.code, &e.message, &String::from_utf8_lossy(body))
        {
            return pim;
        }
    }
    if status == StatusCode::CONFLICT {
        return Error::new(
            ErrorCode::AlreadyDecided,
            "Already decided by someone else: another approver was first. Nothing for you to do.",
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
            format!("{service} no longer accepts your sign-in. Sign in again."),
        ),
        StatusCode::FORBIDDEN => (
            ErrorCode::Forbidden,
            format!("{service} refused: {service_message} An administrator may need to grant Latchkey's permissions (admin consent)."),
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            ErrorCode::Throttled,
            format!("{service} is throttling requests. Wait a minute and try again."),
        ),
        s if s.is_server_error() => (
            ErrorCode::ServiceError,
            format!("{service} is having trouble (HTTP {}). Try again in a moment.", s.as_u16()),
        ),
        s if envelope.is_none() => (
            ErrorCode::UnexpectedResponse,
            format!("{service} answered HTTP {} with something Latchkey can't read.", s.as_u16()),
        ),
        _ => (ErrorCode::ServiceError, format!("{service} refused the request: {service_message}")),
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
    fn errors_keep_the_service_code_and_say_what_to_do() {
        let body = br#"{"error":{"code":"PermissionScopeNotGranted","message":"Authorization failed due to missing permission scope X.","innerError":{"request-id":"r"}}}"#;
        let e = error_from_response("Microsoft Graph", StatusCode::FORBIDDEN, body);
        assert_eq!(e.code, ErrorCode::Forbidden);
        assert_eq!(e.service_code.as_deref(), Some("PermissionScopeNotGranted"));
        assert!(e.message.contains("admin consent"));
        let e = error_from_response(
            "Microsoft Graph",
            StatusCode::BAD_GATEWAY,
            b"<html>Bad gateway</html>",
        );
        assert_eq!(e.code, ErrorCode::ServiceError);
        let e = error_from_response(
            "Azure Resource Manager",
            StatusCode::BAD_REQUEST,
            b"<html>nope</html>",
        );
        assert_eq!(e.code, ErrorCode::UnexpectedResponse);
        assert!(e.message.starts_with("Azure Resource Manager"));
    }

    #[test]
    fn graph_and_arm_pages_both_link_onwards() {
        let graph: Page<u8> =
            serde_json::from_str(r#"{"value":[1],"@odata.nextLink":"g"}"#).unwrap();
        let arm: Page<u8> = serde_json::from_str(r#"{"value":[2],"nextLink":"a"}"#).unwrap();
        assert_eq!(
            (graph.next_link.as_deref(), arm.next_link.as_deref()),
            (Some("g"), Some("a"))
        );
    }
}
