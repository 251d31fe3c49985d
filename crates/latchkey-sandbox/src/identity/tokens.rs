//! The token endpoint's grants and the tokens they mint.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::claims::ClaimsRequest;
use super::error::AadError;
use super::scopes::{Resource, ScopeRequest};
use super::{public_client, Form};
use crate::state::{DeviceCodeStatus, RefreshGrant, SandboxState};
use crate::tenant::User;
use crate::token::{self, AccessClaims, IdClaims};

/// What a sign-in established, carried from grant to grant through the refresh token, and what
/// this token request proves on top of it.
pub(super) struct SignIn {
    pub user: User,
    pub client_id: String,
    /// Authentication methods: `pwd`, plus `mfa` after the MFA step.
    pub amr: Vec<String>,
    /// The claims of this request (and of the interactive step that led to it).
    pub claims: ClaimsRequest,
}

impl SignIn {
    fn has_mfa(&self) -> bool {
        self.amr.iter().any(|m| m == "mfa")
    }
}

/// `amr` of a sign-in: a password always (the sandbox's pick-a-person stands for one), and `mfa`
/// after the MFA step.
pub(super) fn methods(mfa: bool) -> Vec<String> {
    let mut amr = vec!["pwd".to_owned()];
    if mfa {
        amr.push("mfa".to_owned());
    }
    amr
}

/// The `claims` form field, with Entra's error for one that is not JSON.
pub(super) fn request_claims(state: &SandboxState, form: &Form) -> Result<ClaimsRequest, AadError> {
    ClaimsRequest::from_field(form.get("claims"))
        .map_err(|_| AadError::malformed_claims(state.clock.now()))
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
    let polled_claims = request_claims(state, form)?;
    if state.identity.take_slow_down() {
        // RFC 8628 §3.5; Entra does not document it, MSAL and oauth2 add 5 s to the interval.
        return Err(AadError::bad_request(
            now,
            "slow_down",
            70016,
            "OAuth 2.0 device flow error. Polling too fast: slow down.",
        ));
    }
    let (user_id, mfa, scope, claims) = {
        let mut codes = state.device_codes();
        let code = codes.get_mut(device_code).ok_or_else(bad_code)?;
        if !code.client_id.eq_ignore_ascii_case(&app.client_id) {
            return Err(bad_code());
        }
        // MSAL sends claims on the polls, not on /devicecode: remember them for the page.
        code.claims = std::mem::take(&mut code.claims).merged(&polled_claims);
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
            (DeviceCodeStatus::Approved { user_id, mfa }, false) => {
                let approved = (
                    user_id.clone(),
                    *mfa,
                    code.scope.clone(),
                    code.claims.clone(),
                );
                code.status = DeviceCodeStatus::Redeemed;
                approved
            }
        }
    };
    let user = active_user(state, &user_id)?;
    let scopes = ScopeRequest::parse(&scope, now)?;
    let sign_in = SignIn {
        user,
        client_id: app.client_id,
        amr: methods(mfa),
        claims,
    };
    // Claims that first arrived after the person approved without the MFA step.
    if sign_in.claims.needs_mfa() && !sign_in.has_mfa() {
        return Err(AadError::mfa_required(
            now,
            form.get("claims").map(String::as_str),
        ));
    }
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
        claims: request_claims(state, form)?,
    };
    // MSAL's silent step-up: a refresh token from an MFA sign-in satisfies `mfa` and (in the
    // sandbox) every authentication context; any other must go back to an interactive sign-in.
    if sign_in.claims.needs_mfa() && !sign_in.has_mfa() {
        return Err(AadError::mfa_required(
            now,
            form.get("claims").map(String::as_str),
        ));
    }
    Ok(mint(state, &sign_in, &scopes, form))
}

pub(super) fn active_user(state: &SandboxState, user_id: &str) -> Result<User, AadError> {
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

/// Issues the token response. `acrs` lists the requested contexts (all satisfied by the MFA the
/// callers checked); a later refresh without claims gets a token without them, as on Entra.
pub(super) fn mint(
    state: &SandboxState,
    sign_in: &SignIn,
    scopes: &ScopeRequest,
    form: &Form,
) -> Value {
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
        acrs: sign_in.claims.acrs.clone(),
        xms_cc: sign_in.claims.capabilities.clone(),
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
