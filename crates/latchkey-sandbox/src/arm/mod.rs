//! Azure Resource Manager, as far as PIM for Azure resources uses it: everything under
//! `[/{scope}]/providers/Microsoft.Authorization/…`. One handler authenticates (ARM-audience
//! tokens only), checks `api-version` as ARM does, splits the path into the scope and the
//! provider's segments, and dispatches. Errors are ARM's CloudError, `{"error":{"code","message"}}`.

mod approvals;
mod body;
pub mod error;
mod instances;
mod json;
mod policies;
mod requests;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::identity::scopes::Resource;
use crate::state::SandboxState;
use crate::token::AccessClaims;
use error::CloudError;

/// The provider every PIM resource type lives in.
const PROVIDER: &str = "/providers/Microsoft.Authorization/";

/// API versions of the schedule, instance and policy types (2020-10-01 is what clients use).
const SCHEDULE_VERSIONS: &[&str] = &["2020-10-01", "2020-10-01-preview", "2022-04-01"];
/// Approvals exist only in the preview API.
const APPROVAL_VERSIONS: &[&str] = &["2021-01-01-preview"];

/// Routes for the tenant root provider and for every subscription below.
pub fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/providers/{*path}", any(handle))
        .route("/subscriptions/{*path}", any(handle))
}

/// One authenticated ARM request, as the resource modules see it.
pub struct ArmRequest<'a> {
    pub state: &'a SandboxState,
    pub caller: AccessClaims,
    pub method: Method,
    /// `""` for the tenant root, else `/subscriptions/{id}[/resourceGroups/{name}]` as sent.
    pub scope: String,
    /// Segments after `providers/Microsoft.Authorization/`.
    pub segments: Vec<String>,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    pub path: String,
    pub body: Bytes,
}

impl ArmRequest<'_> {
    /// A query parameter, by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the path below the provider is `names` (case-insensitive, `*` matches any).
    fn is(&self, names: &[&str]) -> bool {
        self.segments.len() == names.len()
            && self
                .segments
                .iter()
                .zip(names)
                .all(|(s, n)| *n == "*" || s.eq_ignore_ascii_case(n))
    }

    /// Refuses other methods, with ARM's answer.
    pub fn require_method(&self, allowed: &[Method]) -> Result<(), CloudError> {
        if allowed.contains(&self.method) {
            Ok(())
        } else {
            Err(CloudError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                format!(
                    "The requested resource does not support http method '{}'.",
                    self.method
                ),
            ))
        }
    }
}

async fn handle(
    State(state): State<Arc<SandboxState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = serve(&state, method, &uri, &headers, body);
    let mut response = result.unwrap_or_else(CloudError::into_response);
    if let Ok(id) = axum::http::HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("x-ms-request-id", id.clone());
        response
            .headers_mut()
            .insert("x-ms-correlation-request-id", id);
    }
    response
}

fn serve(
    state: &SandboxState,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, CloudError> {
    let caller = crate::graph::authenticate_for(state, headers, Resource::Arm)?;
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    let (scope, provider_path) = split_scope(&path).ok_or_else(|| unknown_type(&path))?;
    let query: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or_default())
        .map_err(|_| {
            CloudError::bad_request("InvalidQueryParameter", "The query string is malformed.")
        })?;
    let request = ArmRequest {
        state,
        caller,
        method,
        scope: scope.trim_end_matches('/').to_owned(),
        segments: provider_path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        query,
        path: path.clone(),
        body,
    };
    check_api_version(&request)?;
    check_scope(&request)?;
    dispatch(&request)
}

/// Splits `/{scope}/providers/Microsoft.Authorization/{rest}` (any case).
fn split_scope(path: &str) -> Option<(&str, &str)> {
    let lower = path.to_ascii_lowercase();
    let at = lower.find(&PROVIDER.to_ascii_lowercase())?;
    Some((&path[..at], &path[at + PROVIDER.len()..]))
}

fn unknown_type(path: &str) -> CloudError {
    CloudError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceType",
        format!("The resource type could not be found in the namespace 'Microsoft.Authorization' for the path '{path}'."),
    )
}

fn check_api_version(request: &ArmRequest<'_>) -> Result<(), CloudError> {
    let Some(version) = request.param("api-version") else {
        return Err(CloudError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let is_approval = request
        .segments
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("roleAssignmentApprovals"));
    let supported = if is_approval {
        APPROVAL_VERSIONS
    } else {
        SCHEDULE_VERSIONS
    };
    if supported.contains(&version) {
        return Ok(());
    }
    let kind = request.segments.first().map(String::as_str).unwrap_or("");
    Err(CloudError::bad_request(
        "NoRegisteredProviderFound",
        format!(
            "No registered resource provider found for API version '{version}' and type '{kind}'. The supported api-versions are '{}'.",
            supported.join(", ")
        ),
    ))
}

/// A subscription or resource group the tenant does not have is ARM's 404.
fn check_scope(request: &ArmRequest<'_>) -> Result<(), CloudError> {
    if request.scope.is_empty() {
        return Ok(());
    }
    let tenant = request.state.tenant();
    if tenant.azure.scope_info(&request.scope).is_some() {
        return Ok(());
    }
    let subscription = crate::tenant::AzureRoles::subscription_of(&request.scope);
    let known_subscription = subscription
        .as_deref()
        .is_some_and(|s| tenant.azure.scope_info(s).is_some());
    Err(if known_subscription {
        CloudError::new(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            format!(
                "Resource group of scope '{}' could not be found.",
                request.scope
            ),
        )
    } else {
        CloudError::new(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!(
                "The subscription of scope '{}' could not be found.",
                request.scope
            ),
        )
    })
}

fn dispatch(request: &ArmRequest<'_>) -> Result<Response, CloudError> {
    if request.is(&["roleEligibilityScheduleInstances"]) {
        instances::eligibilities(request)
    } else if request.is(&["roleAssignmentScheduleInstances"]) {
        instances::assignments(request)
    } else if request.is(&["roleManagementPolicyAssignments"]) {
        policies::assignments(request)
    } else if request
        .segments
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("roleAssignmentScheduleRequests"))
    {
        requests::route(request, &request.segments[1..])
    } else if request
        .segments
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("roleAssignmentApprovals"))
    {
        approvals::route(request, &request.segments[1..])
    } else {
        Err(unknown_type(&request.path))
    }
}

/// A collection: `value` and, when more remain, a `nextLink` with `$skipToken`.
pub fn page(request: &ArmRequest<'_>, items: Vec<Value>) -> Response {
    let size = request.state.options.page_size.max(1);
    let skip: usize = request
        .param("$skipToken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(skip).take(size).collect();
    let mut body = json!({ "value": value });
    if skip + size < total {
        let mut pairs: Vec<(String, String)> = request
            .query
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("$skipToken"))
            .cloned()
            .collect();
        pairs.push(("$skipToken".to_owned(), (skip + size).to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        body["nextLink"] = Value::String(format!(
            "{}{}?{query}",
            request.state.base_url(),
            request.path
        ));
    }
    (StatusCode::OK, Json(body)).into_response()
}

/// `$filter` terms ARM's PIM types take: `asTarget()`, `asRequestor()`, `asApprover()`,
/// `atScope()`, and `property eq 'value'`, joined by `and`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub functions: Vec<String>,
    pub equals: Vec<(String, String)>,
}

impl Filter {
    /// Parses `$filter`; anything else is ARM's 400.
    pub fn parse(request: &ArmRequest<'_>) -> Result<Self, CloudError> {
        let mut filter = Filter::default();
        let Some(text) = request.param("$filter") else {
            return Ok(filter);
        };
        let invalid = || {
            CloudError::bad_request(
                "InvalidFilter",
                format!("The filter '{text}' is not supported."),
            )
        };
        for term in split_and(text) {
            let term = term.trim();
            if let Some(name) = term.strip_suffix("()") {
                let known = ["asTarget", "asRequestor", "asApprover", "atScope"];
                let name = known
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(name))
                    .ok_or_else(invalid)?;
                filter.functions.push((*name).to_owned());
            } else {
                let (property, value) = term.split_once(" eq ").ok_or_else(invalid)?;
                let value = value
                    .trim()
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .ok_or_else(invalid)?;
                filter
                    .equals
                    .push((property.trim().to_owned(), value.replace("''", "'")));
            }
        }
        Ok(filter)
    }

    /// Whether `name()` was asked for.
    pub fn has(&self, name: &str) -> bool {
        self.functions.iter().any(|f| f.eq_ignore_ascii_case(name))
    }

    /// The value of `property eq '…'`.
    pub fn equal(&self, property: &str) -> Option<&str> {
        self.equals
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(property))
            .map(|(_, v)| v.as_str())
    }
}

fn split_and(text: &str) -> Vec<&str> {
    let lower = text.to_ascii_lowercase();
    let mut parts = Vec::new();
    let mut start = 0;
    while let Some(at) = lower[start..].find(" and ") {
        parts.push(&text[start..start + at]);
        start += at + 5;
    }
    parts.push(&text[start..]);
    parts
}

/// What a caller without `asTarget()`-style filters meets: they may not read the whole scope.
pub fn not_authorized(request: &ArmRequest<'_>, action: &str) -> CloudError {
    let scope = if request.scope.is_empty() {
        "/"
    } else {
        &request.scope
    };
    CloudError::new(
        StatusCode::FORBIDDEN,
        "AuthorizationFailed",
        format!(
            "The client '{}' with object id '{}' does not have authorization to perform action 'Microsoft.Authorization/{action}' over scope '{scope}' or the scope is invalid.",
            request.caller.preferred_username, request.caller.oid
        ),
    )
}
