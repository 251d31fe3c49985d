//! Microsoft Graph, as far as PIM clients use it. One handler takes every `/v1.0/…` and
//! `/beta/…` request, authenticates it, and dispatches on the decoded, case-insensitive path
//! the way Graph's own URL parser does (so `filterByCurrentUser(on='principal')` and its
//! percent-encoded forms are the same route).

mod batch;
mod directory;
pub mod error;
mod groups;
pub mod odata;
pub(crate) mod pim_body;
pub(crate) mod pim_json;
pub(crate) mod policies;
mod role_requests;
mod roles;
pub(crate) mod schedule_requests;
mod schedules;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::identity::scopes::Resource;
use crate::state::SandboxState;
use crate::token::AccessClaims;
use error::{GraphError, RequestContext};
use odata::{Query, Segment};

/// Graph API versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    fn prefix(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// Routes for `/v1.0/*` and `/beta/*`.
pub fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route(
            "/v1.0/{*path}",
            any(|s, m, u, h, b| handle(ApiVersion::V1, s, m, u, h, b)),
        )
        .route(
            "/beta/{*path}",
            any(|s, m, u, h, b| handle(ApiVersion::Beta, s, m, u, h, b)),
        )
}

/// One authenticated Graph request, as the endpoint modules see it.
pub struct GraphRequest<'a> {
    pub state: &'a SandboxState,
    pub version: ApiVersion,
    pub caller: AccessClaims,
    pub method: Method,
    pub uri: &'a Uri,
    pub segments: Vec<Segment>,
    pub query: Query,
    pub body: Bytes,
}

async fn handle(
    version: ApiVersion,
    State(state): State<Arc<SandboxState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = RequestContext::new(&headers, state.clock.now());
    let is_batch = uri
        .path()
        .splitn(3, '/')
        .nth(2)
        .is_some_and(|p| p.eq_ignore_ascii_case("$batch"));
    let result = if is_batch {
        match (method == Method::POST, authenticate(&state, &headers)) {
            (false, _) => Err(GraphError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Request_BadRequest",
                "Batches are sent with POST.",
            )),
            (true, Err(e)) => Err(e),
            (true, Ok(_)) => batch::run(&state, version, &headers, &body).await,
        }
    } else {
        serve(&state, version, method, &uri, &headers, body)
    };
    let mut response = match result {
        Ok(response) => response,
        Err(error) => error.into_response(&ctx),
    };
    ctx.decorate(&mut response);
    response
}

fn serve(
    state: &SandboxState,
    version: ApiVersion,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let caller = authenticate(state, headers)?;
    let path = uri.path().splitn(3, '/').nth(2).unwrap_or_default();
    let request = GraphRequest {
        state,
        version,
        caller,
        method,
        uri,
        segments: odata::segments(path)?,
        query: Query::parse(uri.query())?,
        body,
    };
    groups::route(&request)
        .or_else(|| roles::route(&request))
        .or_else(|| policies::route(&request))
        .or_else(|| directory::route(&request))
        .unwrap_or_else(|| Err(not_found(&request.segments)))
}

/// Graph answers an unknown path with 400 and the first segment it could not resolve.
pub(crate) fn not_found(segments: &[Segment]) -> GraphError {
    let name = segments
        .first()
        .map(|s| s.name.as_str())
        .unwrap_or_default();
    GraphError::bad_request(format!("Resource not found for the segment '{name}'."))
}

fn authenticate(state: &SandboxState, headers: &HeaderMap) -> Result<AccessClaims, GraphError> {
    authenticate_for(state, headers, Resource::Graph)
}

/// Checks a bearer token for `resource` (Graph or ARM): signature, audience, lifetime, and that
/// its user still exists. A token for the other resource is refused as Entra's resources do.
pub(crate) fn authenticate_for(
    state: &SandboxState,
    headers: &HeaderMap,
    resource: Resource,
) -> Result<AccessClaims, GraphError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| GraphError::unauthenticated("Access token is empty."))?;
    let claims: AccessClaims = state
        .signer
        .verify(token)
        .map_err(|e| GraphError::unauthenticated(e.to_string()))?;
    if claims.aud != resource.audience() {
        return Err(GraphError::unauthenticated(
            "Access token validation failure. Invalid audience.",
        ));
    }
    if claims.exp <= state.clock.now().timestamp() {
        return Err(GraphError::unauthenticated(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    if state
        .tenant()
        .user(&claims.oid)
        .is_none_or(|u| !u.account_enabled)
    {
        return Err(GraphError::unauthenticated(
            "The user or administrator has revoked this token.",
        ));
    }
    Ok(claims)
}

/// Refuses a call whose token lacks every one of `accepted` (least-privileged first).
pub fn require_scope(request: &GraphRequest<'_>, accepted: &[&str]) -> Result<(), GraphError> {
    if request.caller.has_any_scope(accepted) {
        Ok(())
    } else {
        Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "PermissionScopeNotGranted",
            format!(
                "Authorization failed due to missing permission scope {}.",
                accepted.join(",")
            ),
        ))
    }
}

/// Refuses methods a path does not support.
pub fn require_method(request: &GraphRequest<'_>, method: Method) -> Result<(), GraphError> {
    if request.method == method {
        Ok(())
    } else {
        Err(GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            format!(
                "The HTTP method '{}' is not allowed for this resource.",
                request.method
            ),
        ))
    }
}

/// A single-entity response with its `@odata.context` (`context` follows `$metadata#`).
pub fn entity(
    request: &GraphRequest<'_>,
    status: StatusCode,
    mut body: Value,
    context: &str,
) -> Response {
    let base = request.state.base_url();
    let version = request.version.prefix();
    body["@odata.context"] = Value::String(format!("{base}/{version}/$metadata#{context}"));
    (status, Json(body)).into_response()
}

/// Formats a timestamp as Graph does: whole seconds bare, otherwise seven fractional digits.
pub fn timestamp(at: DateTime<Utc>) -> String {
    if at.timestamp_subsec_nanos() == 0 {
        at.to_rfc3339_opts(SecondsFormat::Secs, true)
    } else {
        format!(
            "{}.{:07}Z",
            at.format("%Y-%m-%dT%H:%M:%S"),
            at.timestamp_subsec_nanos() / 100
        )
    }
}

/// A collection response: filtered, paged (`$top` or the sandbox's page size), projected.
pub fn collection(
    request: &GraphRequest<'_>,
    context: &str,
    items: Vec<Value>,
    keep: &[&str],
) -> Response {
    let query = &request.query;
    let page_size = query.top.unwrap_or(request.state.options.page_size).max(1);
    let matching: Vec<Value> = items.into_iter().filter(|i| query.matches(i)).collect();
    let total = matching.len();
    let page: Vec<Value> = matching
        .into_iter()
        .skip(query.skip)
        .take(page_size)
        .map(|item| odata::project(item, query.select.as_deref(), keep))
        .collect();
    let base = request.state.base_url();
    let version = request.version.prefix();
    let mut body = json!({
        "@odata.context": format!("{base}/{version}/$metadata#{context}"),
        "value": page,
    });
    let next = query.skip + page_size;
    if next < total {
        let mut pairs = query.base_pairs.clone();
        pairs.push(("$skiptoken".to_owned(), next.to_string()));
        let query_string = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        body["@odata.nextLink"] =
            Value::String(format!("{base}{}?{query_string}", request.uri.path()));
    }
    (StatusCode::OK, Json(body)).into_response()
}
