//! The token endpoint's grants and the tokens they mint.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::error::AadError;
use super::scopes::{Resource, ScopeRequest};
use super::{public_client, Form};
use crate::state::{DeviceCodeStatus, RefreshGrant, SandboxState};
use crate::tenant::User;
use crate::token::{self, AccessClaims, IdClaims};

/// What a sign-in established, carried from grant to grant through the refresh token.
struct SignIn {
    user: User,
    client_id: String,
    amr: Vec<String>,
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code`.
pub(super) fn redeem_device_code(state: &SandboxState, form: &Form) -> Result<Value, AadError> {
    let app = public_client(state, form)?;
    let now = state.clock.now();
    let device_code = form
        .get("device_code")
        .ok_or_else(|| AadError::missing_parameter(now, "device_code"))?;
    let bad_code = || {
        AadError::bad_request(
            now,
            "bad_verification_code",
            70018,
            "Invalid verification code. The device_code sent to the token endpoint was not recognized.",
        )
    };
    let (user_id, scope) = {
        let mut codes = state.device_codes();
        let code = codes.get_mut(device_code).ok_or_else(bad_code)?;
        if !code.client_id.eq_ignore_ascii_case(&app.client_id) {
            return Err(bad_code());
        }
        let expired = now > code.expires_at;
        match (&code.status, expired) {
            (DeviceCodeStatus::Redeemed, _) => return Err(bad_code()),
            (_, true) => {
                return Err(AadError::bad_request(
                    now,
                    "expired_token",
                    70019,
                    "Verification code expired.",
                ))
            }
            (DeviceCodeStatus::Pending, false) => {
                return Err(AadError::bad_request(
                    now,
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                ))
            }
            // Microsoft documents `authorization_declined` but no AADSTS number for it; 70017
            // keeps `error_codes` non-empty like every other error body.
            (DeviceCodeStatus::Declined, false) => {
                return Err(AadError::bad_request(
                    now,
                    "authorization_declined",
                    70017,
                    "The end user denied the authorization request.",
                ))
            }
            (DeviceCodeStatus::Approved { user_id }, false) => {
                let user_id = user_id.clone();
                code.status = DeviceCodeStatus::Redeemed;
                (user_id, code.scope.clone())
            }
        }
    };
    let user = active_user(state, &user_id)?;
    let scopes = ScopeRequest::parse(&scope, now)?;
    let sign_in = SignIn {
        user,
        client_id: app.client_id,
        amr: vec!["pwd".to_owned()],
    };
    Ok(mint(state, &sign_in, &scopes, form))
}

/// `grant_type=refresh_token`: a new access token for any consented resource, and a new
/// refresh token (the old one stays valid, as on Entra).
pub(super) fn redeem_refresh_token(state: &SandboxState, form: &Form) -> Result<Value, AadError> {
    let app = public_client(state, form)?;
    let now = state.clock.now();
    let presented = form
        .get("refresh_token")
        .ok_or_else(|| AadError::missing_parameter(now, "refresh_token"))?;
    let scope = form
        .get("scope")
        .ok_or_else(|| AadError::missing_parameter(now, "scope"))?;
    let scopes = ScopeRequest::parse(scope, now)?;
    let grant = state.refresh_grant(presented).ok_or_else(|| {
        AadError::bad_request(
            now,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    })?;
    if grant.revoked {
        return Err(AadError::bad_request(
            now,
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        ));
    }
    if !grant.client_id.eq_ignore_ascii_case(&app.client_id) {
        return Err(AadError::bad_request(
            now,
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed.",
        ));
    }
    let user = active_user(state, &grant.user_id)?;
    let sign_in = SignIn {
        user,
        client_id: app.client_id,
        amr: grant.amr,
    };
    Ok(mint(state, &sign_in, &scopes, form))
}

fn active_user(state: &SandboxState, user_id: &str) -> Result<User, AadError> {
    let now = state.clock.now();
    let tenant = state.tenant();
    let user = tenant.user(user_id).cloned().ok_or_else(|| {
        AadError::bad_request(
            now,
            "invalid_grant",
            50034,
            "The user account does not exist in the directory. To sign into this application, the account must be added to the directory.",
        )
    })?;
    if !user.account_enabled {
        return Err(AadError::bad_request(
            now,
            "invalid_grant",
            50057,
            "The user account is disabled.",
        ));
    }
    Ok(user)
}

/// Client capabilities declared in the `claims` parameter (`access_token.xms_cc.values`).
fn client_capabilities(form: &Form) -> Vec<String> {
    form.get("claims")
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|c| c.pointer("/access_token/xms_cc/values").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

fn mint(state: &SandboxState, sign_in: &SignIn, scopes: &ScopeRequest, form: &Form) -> Value {
    let now = state.clock.now();
    let tenant_id = state.tenant().info.id.clone();
    let issued = now.timestamp();
    let lifetime = state.options.access_token_lifetime.as_secs() as i64;
    let user = &sign_in.user;
    let resource = scopes.resource.unwrap_or(Resource::Graph);
    let access = AccessClaims {
        aud: resource.audience().to_owned(),
        iss: format!("https://sts.windows.net/{tenant_id}/"),
        iat: issued,
        nbf: issued,
        exp: issued + lifetime,
        oid: user.id.clone(),
        tid: tenant_id.clone(),
        sub: user.id.clone(),
        name: user.display_name.clone(),
        preferred_username: user.user_principal_name.clone(),
        appid: sign_in.client_id.clone(),
        scp: scopes.granted.join(" "),
        amr: sign_in.amr.clone(),
        acrs: Vec::new(),
        xms_cc: client_capabilities(form),
        ver: "1.0".to_owned(),
        uti: token::opaque(16),
    };
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scopes.response_scope(),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": state.signer.sign(&access),
    });
    if scopes.offline_access {
        let refresh = token::opaque(48);
        state.remember_refresh_token(
            &refresh,
            RefreshGrant {
                user_id: user.id.clone(),
                client_id: sign_in.client_id.clone(),
                amr: sign_in.amr.clone(),
                revoked: false,
                issued_at: now,
            },
        );
        body["refresh_token"] = Value::String(refresh);
    }
    if scopes.openid {
        let id = IdClaims {
            aud: sign_in.client_id.clone(),
            iss: format!("{}/{tenant_id}/v2.0", state.base_url()),
            iat: issued,
            nbf: issued,
            exp: issued + lifetime,
            sub: user.id.clone(),
            oid: user.id.clone(),
            tid: tenant_id.clone(),
            name: user.display_name.clone(),
            preferred_username: user.user_principal_name.clone(),
            ver: "2.0".to_owned(),
        };
        body["id_token"] = Value::String(state.signer.sign(&id));
    }
    if form.get("client_info").is_some_and(|v| v == "1") {
        let info = json!({ "uid": user.id, "utid": tenant_id });
        body["client_info"] = Value::String(URL_SAFE_NO_PAD.encode(info.to_string()));
    }
    body
}
