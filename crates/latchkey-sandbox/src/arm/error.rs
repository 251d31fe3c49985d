//! ARM's CloudError: `{"error":{"code","message"}}`, with the same PIM codes Graph uses. The
//! engine's refusals are mapped once, by Graph's mapper, and renamed where ARM names them
//! differently (`AuthorizationFailed` for 403s).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::graph::error::GraphError;
use crate::pim::PimError;

/// An ARM error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl CloudError {
    /// An error with any status and code.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// A 400 with `code`.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The response; 401s carry ARM's `WWW-Authenticate` challenge.
    pub fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    r#"Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid.""#,
                ),
            );
        }
        response
    }
}

impl From<GraphError> for CloudError {
    fn from(e: GraphError) -> Self {
        let code = match (e.status, e.code.as_str()) {
            (StatusCode::FORBIDDEN, _) => "AuthorizationFailed",
            (StatusCode::NOT_FOUND, _) => "ResourceNotFound",
            (_, code) => code,
        };
        Self::new(e.status, code, e.message)
    }
}

impl From<PimError> for CloudError {
    fn from(e: PimError) -> Self {
        crate::graph::pim_json::pim_error(e).into()
    }
}
