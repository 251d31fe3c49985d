//! Access and id tokens: JWTs signed with HS256 and a key made at start-up. Entra's tokens are
//! RS256 JWTs; clients must treat access tokens as opaque (and do), so only the claims matter.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a bearer token was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("IDX14100: JWT is not well formed.")]
    Malformed,
    #[error("IDX10511: Signature validation failed.")]
    BadSignature,
}

/// Claims of an access token, named as in Entra's tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub oid: String,
    pub tid: String,
    pub sub: String,
    pub name: String,
    pub preferred_username: String,
    pub appid: String,
    /// Space-separated delegated scopes, short names (as in Entra's `scp`).
    pub scp: String,
    pub amr: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acrs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xms_cc: Vec<String>,
    pub ver: String,
    /// Unique token id, so two tokens minted in the same second differ.
    pub uti: String,
}

impl AccessClaims {
    /// The delegated scopes granted to this token.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scp.split_whitespace()
    }

    /// Whether any of `wanted` was granted (case-insensitively, as Graph compares them).
    pub fn has_any_scope(&self, wanted: &[&str]) -> bool {
        self.scopes()
            .any(|s| wanted.iter().any(|w| w.eq_ignore_ascii_case(s)))
    }
}

/// Claims of an id token (what MSAL reads: aud, oid, tid, preferred_username, name, sub).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub sub: String,
    pub oid: String,
    pub tid: String,
    pub name: String,
    pub preferred_username: String,
    pub ver: String,
}

/// Signs and verifies the sandbox's tokens.
pub struct TokenSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(<redacted>)")
    }
}

impl TokenSigner {
    /// A signer with a fresh random key.
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self { key }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        <HmacSha256 as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    /// Makes a signed JWT carrying `claims`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
        let body = serde_json::to_vec(claims).unwrap_or_default();
        let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(body));
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// Checks the signature and returns the claims. Lifetime is the caller's business.
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<T, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(body), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let body = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TokenError::Malformed)?;
        serde_json::from_slice(&body).map_err(|_| TokenError::Malformed)
    }
}

/// A random opaque string for device codes and refresh tokens (URL-safe base64).
pub fn opaque(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> AccessClaims {
        AccessClaims {
            aud: "https://graph.microsoft.com".into(),
            iss: "iss".into(),
            iat: 1,
            nbf: 1,
            exp: 2,
            oid: "o".into(),
            tid: "t".into(),
            sub: "s".into(),
            name: "n".into(),
            preferred_username: "u".into(),
            appid: "a".into(),
            scp: "User.Read PrivilegedEligibilitySchedule.Read.AzureADGroup".into(),
            amr: vec!["pwd".into()],
            acrs: vec![],
            xms_cc: vec!["cp1".into()],
            ver: "1.0".into(),
            uti: "x".into(),
        }
    }

    #[test]
    fn round_trips_and_rejects_tampering() {
        let signer = TokenSigner::random();
        let token = signer.sign(&claims());
        assert_eq!(signer.verify::<AccessClaims>(&token), Ok(claims()));

        let mut tampered = claims();
        tampered.oid = "someone-else".into();
        let forged_body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered).unwrap());
        let parts: Vec<_> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], forged_body, parts[2]);
        assert_eq!(
            signer.verify::<AccessClaims>(&forged),
            Err(TokenError::BadSignature)
        );

        let other = TokenSigner::random();
        assert_eq!(
            other.verify::<AccessClaims>(&token),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            signer.verify::<AccessClaims>("not-a-jwt"),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            signer.verify::<AccessClaims>("a.b.c.d"),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn scope_check_is_case_insensitive() {
        let c = claims();
        assert!(c.has_any_scope(&["privilegedeligibilityschedule.read.azureadgroup"]));
        assert!(!c.has_any_scope(&["Group.Read.All"]));
    }
}
