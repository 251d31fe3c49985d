//! The Microsoft identity platform endpoints: OIDC discovery, device authorization, the browser
//! sign-in (`/authorize`, code + PKCE), the token endpoint (device_code, authorization_code and
//! refresh_token grants), the device-login page, and their control routes under `/_sandbox/`.

mod authorize;
pub mod claims;
mod code_grant;
mod control;
mod device_login;
pub mod error;
mod mfa;
mod pages;
pub mod redirect_uri;
pub mod scopes;
pub mod store;
mod tokens;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::state::{DeviceCode, DeviceCodeStatus, SandboxState};
use crate::tenant::Application;
use crate::token;
use error::AadError;
use scopes::ScopeRequest;

/// The grant type of device-code polling (RFC 8628).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Routes of the identity endpoints.
pub fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(device_authorization),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token_endpoint))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::show).post(authorize::submit),
        )
        .route(
            "/devicelogin",
            get(device_login::show).post(device_login::submit),
        )
        .route("/_sandbox/identity/slow-down", post(control::slow_down))
        .route(
            "/_sandbox/device-codes/{user_code}/complete",
            post(control::complete_device_code),
        )
        .route(
            "/_sandbox/device-codes/{user_code}/decline",
            post(control::decline_device_code),
        )
        .route("/_sandbox/authorize-as", post(control::authorize_as))
        .route(
            "/_sandbox/users/{user}/revoke-sessions",
            post(control::revoke_sessions),
        )
}

type Form = HashMap<String, String>;

fn parse_form(body: &Bytes) -> Form {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

fn check_tenant(state: &SandboxState, tenant: &str) -> Result<(), AadError> {
    if state.tenant().answers_to(tenant) {
        Ok(())
    } else {
        Err(AadError::bad_request(
            state.clock.now(),
            "invalid_request",
            90002,
            format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        ))
    }
}

/// Looks up the app named by `client_id`, with Entra's error for an unknown one.
fn find_application(state: &SandboxState, form: &Form) -> Result<Application, AadError> {
    let now = state.clock.now();
    let client_id = form
        .get("client_id")
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| AadError::missing_parameter(now, "client_id"))?;
    let tenant = state.tenant();
    let app = tenant.application(client_id).ok_or_else(|| {
        AadError::bad_request(
            now,
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", tenant.info.display_name),
        )
    })?;
    Ok(app.clone())
}

/// Looks up the calling public client, with Entra's errors for unknown and confidential apps.
fn public_client(state: &SandboxState, form: &Form) -> Result<Application, AadError> {
    let now = state.clock.now();
    let app = find_application(state, form)?;
    if !app.public_client {
        return Err(AadError {
            status: axum::http::StatusCode::UNAUTHORIZED,
            ..AadError::bad_request(
                now,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
        });
    }
    Ok(app)
}

async fn discovery(State(state): State<Arc<SandboxState>>, Path(tenant): Path<String>) -> Response {
    if let Err(e) = check_tenant(&state, &tenant) {
        return e.into_response();
    }
    let base = state.base_url();
    let issuer_tenant = if ["organizations", "common"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(&tenant))
    {
        "{tenantid}".to_owned()
    } else {
        state.tenant().info.id.clone()
    };
    Json(json!({
        "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tenant}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "tenant_region_scope": null,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net"
    }))
    .into_response()
}

/// Characters of user codes: upper-case letters and digits without look-alikes (0/O, 1/I).
const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn new_user_code() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..9)
        .map(|_| USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())] as char)
        .collect()
}

async fn device_authorization(
    State(state): State<Arc<SandboxState>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    match start_device_authorization(&state, &tenant, &parse_form(&body)) {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

fn start_device_authorization(
    state: &SandboxState,
    tenant: &str,
    form: &Form,
) -> Result<Response, AadError> {
    check_tenant(state, tenant)?;
    let app = public_client(state, form)?;
    let now = state.clock.now();
    let scope = form
        .get("scope")
        .ok_or_else(|| AadError::missing_parameter(now, "scope"))?;
    ScopeRequest::parse(scope, now)?;
    let claims = tokens::request_claims(state, form)?;

    let lifetime = state.options.device_code_lifetime;
    let expires_at = now + chrono::Duration::from_std(lifetime).unwrap_or_default();
    let mut codes = state.device_codes();
    let user_code = loop {
        let candidate = new_user_code();
        if !codes.values().any(|c| c.user_code == candidate) {
            break candidate;
        }
    };
    let device_code = token::opaque(96);
    codes.insert(
        device_code.clone(),
        DeviceCode {
            device_code: device_code.clone(),
            user_code: user_code.clone(),
            client_id: app.client_id,
            scope: scope.clone(),
            expires_at,
            status: DeviceCodeStatus::Pending,
            claims,
        },
    );
    let verification_uri = format!("{}/devicelogin", state.base_url());
    Ok(Json(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": lifetime.as_secs(),
        "interval": state.options.device_code_interval.as_secs(),
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
    }))
    .into_response())
}

async fn token_endpoint(
    State(state): State<Arc<SandboxState>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let result = check_tenant(&state, &tenant).and_then(|()| {
        let now = state.clock.now();
        let grant_type = form
            .get("grant_type")
            .ok_or_else(|| AadError::missing_parameter(now, "grant_type"))?;
        match grant_type.as_str() {
            DEVICE_CODE_GRANT => tokens::redeem_device_code(&state, &form),
            "refresh_token" => tokens::redeem_refresh_token(&state, &form),
            "authorization_code" => code_grant::redeem_authorization_code(&state, &form),
            other => Err(AadError::bad_request(
                now,
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            )),
        }
    });
    match result {
        Ok(body) => (
            [
                (axum::http::header::CACHE_CONTROL, "no-store"),
                (axum::http::header::PRAGMA, "no-cache"),
            ],
            Json(body),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
