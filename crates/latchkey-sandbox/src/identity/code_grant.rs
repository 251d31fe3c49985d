//! `grant_type=authorization_code` with PKCE: the code from `/authorize`, its S256 verifier, the
//! same redirect URI and client, once, within 10 minutes. AADSTS numbers: 54005 (already
//! redeemed), 501481 (verifier mismatch), 70008 (expired) and 500112 (reply address mismatch) are
//! Entra's documented ones; 50148 for a verifier that is not RFC 7636-shaped, 9002313 for an
//! unknown code and 70000 for another client's code are assumptions.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::AadError;
use super::scopes::ScopeRequest;
use super::store::AuthorizationCode;
use super::tokens::{active_user, methods, mint, request_claims, SignIn};
use super::{public_client, Form};
use crate::state::SandboxState;

/// RFC 7636 §4.1: 43–128 characters of `[A-Za-z0-9-._~]`.
fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks a presented code against what `/authorize` issued and marks it used.
fn take_code(
    state: &SandboxState,
    form: &Form,
    client_id: &str,
) -> Result<AuthorizationCode, AadError> {
    let now = state.clock.now();
    let field = |name: &str| {
        form.get(name)
            .ok_or_else(|| AadError::missing_parameter(now, name))
    };
    let (code, redirect_uri, verifier) = (
        field("code")?,
        field("redirect_uri")?,
        field("code_verifier")?,
    );
    let invalid = |aadsts, description: String| {
        AadError::bad_request(now, "invalid_grant", aadsts, description)
    };
    let mut codes = state.identity.authorization_codes();
    codes.retain(|_, c| now - c.expires_at < chrono::Duration::hours(1));
    let issued = codes.get_mut(code).ok_or_else(|| {
        invalid(
            9002313,
            "Invalid request. Request is malformed or invalid.".into(),
        )
    })?;
    if !issued.client_id.eq_ignore_ascii_case(client_id) {
        return Err(invalid(
            70000,
            "Provided grant is invalid or malformed.".into(),
        ));
    }
    if issued.redeemed {
        return Err(invalid(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.".into()));
    }
    if now > issued.expires_at {
        return Err(invalid(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.".into()));
    }
    if *redirect_uri != issued.redirect_uri {
        return Err(invalid(500112, format!("The reply address '{redirect_uri}' does not match the reply address '{}' provided when requesting Authorization code.", issued.redirect_uri)));
    }
    if !is_verifier(verifier) {
        return Err(invalid(50148, "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.".into()));
    }
    if s256(verifier) != issued.code_challenge {
        return Err(invalid(501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.".into()));
    }
    issued.redeemed = true;
    Ok(issued.clone())
}

/// `grant_type=authorization_code`.
pub(super) fn redeem_authorization_code(
    state: &SandboxState,
    form: &Form,
) -> Result<Value, AadError> {
    let app = public_client(state, form)?;
    let now = state.clock.now();
    let token_claims = request_claims(state, form)?;
    let code = take_code(state, form, &app.client_id)?;
    // v2 lets the redemption name the scopes again; the code's scopes otherwise.
    let scopes = ScopeRequest::parse(form.get("scope").unwrap_or(&code.scope), now)?;
    let sign_in = SignIn {
        user: active_user(state, &code.user_id)?,
        client_id: app.client_id,
        amr: methods(code.mfa),
        claims: code.claims.merged(&token_claims),
    };
    if sign_in.claims.needs_mfa() && !code.mfa {
        return Err(AadError::mfa_required(
            now,
            form.get("claims").map(String::as_str),
        ));
    }
    Ok(mint(state, &sign_in, &scopes, form))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(is_verifier(verifier));
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(!is_verifier("short"));
        assert!(!is_verifier(&"a".repeat(129)));
        assert!(!is_verifier(&format!("{}!", "a".repeat(50))));
    }
}
