//! JSON batching: `POST /v1.0/$batch` with up to 20 sub-requests, each run through the same
//! code as a standalone request. Malformed batches get an outer 400; otherwise the outer answer
//! is 200 and each sub-response carries its own status. A request whose `dependsOn` failed gets
//! 424 without running.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::GraphError;
use super::{serve, ApiVersion};
use crate::faults::{FaultKind, Refusal};
use crate::state::SandboxState;

/// Graph's limit on sub-requests per batch.
pub const MAX_REQUESTS: usize = 20;

#[derive(Deserialize)]
struct BatchBody {
    requests: Vec<SubRequest>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubRequest {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
}

fn invalid(message: impl Into<String>) -> GraphError {
    GraphError::bad_request(message)
}

/// Checks the batch as Graph does before running anything.
fn validate(requests: &[SubRequest]) -> Result<(), GraphError> {
    if requests.is_empty() {
        return Err(invalid("The batch request contains no requests."));
    }
    if requests.len() > MAX_REQUESTS {
        return Err(invalid(format!(
            "The number of batch requests exceeds the limit of {MAX_REQUESTS}."
        )));
    }
    for (index, request) in requests.iter().enumerate() {
        if request.id.trim().is_empty() {
            return Err(invalid("Every request in a batch needs an id."));
        }
        let earlier = &requests[..index];
        if earlier
            .iter()
            .any(|r| r.id.eq_ignore_ascii_case(&request.id))
        {
            return Err(invalid(format!(
                "The batch contains the id '{}' twice.",
                request.id
            )));
        }
        for dependency in &request.depends_on {
            if !earlier
                .iter()
                .any(|r| r.id.eq_ignore_ascii_case(dependency))
            {
                return Err(invalid(format!(
                    "Request '{}' depends on '{dependency}', which is not an earlier request of the batch.",
                    request.id
                )));
            }
        }
        if request.url.contains("://") {
            return Err(invalid(format!(
                "Request '{}' must use a relative URL.",
                request.id
            )));
        }
        let has_content_type = request
            .headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("content-type"));
        if request.body.is_some() && !has_content_type {
            return Err(invalid(format!(
                "Request '{}' has a body but no Content-Type header.",
                request.id
            )));
        }
    }
    Ok(())
}

/// Runs a batch for an already authenticated caller (`outer` carries its headers).
pub(super) async fn run(
    state: &SandboxState,
    version: ApiVersion,
    outer: &HeaderMap,
    body: &Bytes,
) -> Result<Response, GraphError> {
    let batch: BatchBody = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("Unable to read the batch request payload. ({e})")))?;
    validate(&batch.requests)?;
    let prefix = match version {
        ApiVersion::V1 => "/v1.0",
        ApiVersion::Beta => "/beta",
    };
    let mut statuses: HashMap<String, u16> = HashMap::new();
    let mut responses = Vec::with_capacity(batch.requests.len());
    for request in &batch.requests {
        let failed_dependency = request.depends_on.iter().any(|d| {
            statuses
                .get(&d.to_ascii_lowercase())
                .is_none_or(|status| *status >= 400)
        });
        let (status, headers, body) = if failed_dependency {
            (
                424,
                json!({ "Content-Type": "application/json" }),
                json!({ "error": { "code": "FailedDependency", "message": "A request this one depends on failed." } }),
            )
        } else {
            run_one(state, version, prefix, outer, request).await
        };
        statuses.insert(request.id.to_ascii_lowercase(), status);
        let mut response = json!({ "id": request.id, "status": status, "headers": headers });
        if !body.is_null() {
            response["body"] = body;
        }
        responses.push(response);
    }
    Ok((StatusCode::OK, Json(json!({ "responses": responses }))).into_response())
}

async fn run_one(
    state: &SandboxState,
    version: ApiVersion,
    prefix: &str,
    outer: &HeaderMap,
    request: &SubRequest,
) -> (u16, Value, Value) {
    let fail = |e: GraphError| {
        (
            e.status.as_u16(),
            json!({ "Content-Type": "application/json" }),
            json!({ "error": { "code": e.code, "message": e.message } }),
        )
    };
    let Ok(method) = Method::from_bytes(request.method.trim().to_ascii_uppercase().as_bytes())
    else {
        return fail(invalid(format!(
            "'{}' is not an HTTP method.",
            request.method
        )));
    };
    // Batch URLs are often written with literal spaces in $filter; encode them as a URL would.
    let path = format!(
        "{prefix}/{}",
        request.url.trim_start_matches('/').replace(' ', "%20")
    );
    let Ok(uri) = path.parse::<Uri>() else {
        return fail(invalid(format!("'{}' is not a valid URL.", request.url)));
    };
    let mut headers = outer.clone();
    for (name, value) in &request.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    let body = request
        .body
        .as_ref()
        .map(|b| Bytes::from(b.to_string()))
        .unwrap_or_default();
    // Faults apply to sub-requests one by one, as Graph throttles them inside a batch.
    let fault = crate::faults::take_for_batch_item(state, method.as_str(), uri.path());
    if let Some(refusal) = fault.and_then(Refusal::before) {
        let mut headers = json!({ "Content-Type": "application/json" });
        if let Some(seconds) = refusal.retry_after {
            headers["Retry-After"] = Value::String(seconds.to_string());
        }
        return (refusal.status.as_u16(), headers, refusal.body());
    }
    let response = match serve(state, version, method, &uri, &headers, body) {
        Ok(response) => response,
        Err(error) => return fail(error),
    };
    if fault == Some(FaultKind::LoseResponse) {
        let lost = Refusal::lost();
        return (
            lost.status.as_u16(),
            json!({ "Content-Type": "application/json" }),
            lost.body(),
        );
    }
    let status = response.status().as_u16();
    let mut sub_headers = Map::new();
    for name in ["content-type", "retry-after", "location"] {
        if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            sub_headers.insert(name.to_owned(), Value::String(value.to_owned()));
        }
    }
    let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    (status, Value::Object(sub_headers), body)
}
