//! The `claims` request parameter (OIDC §5.5 as Entra uses it): which extra conditions the
//! client wants the access token to prove. Three members matter here:
//! `access_token.amr.values` containing `mfa`, `access_token.acrs` (`value` or `values`: the
//! authentication contexts) and `access_token.xms_cc.values` (client capabilities, e.g. `cp1`).

use serde_json::Value;

/// What a `claims` parameter (or several, merged) asks of a sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimsRequest {
    /// `amr` must contain `mfa`.
    pub mfa: bool,
    /// Authentication contexts (`acrs`) the token must carry.
    pub acrs: Vec<String>,
    /// Client capabilities the client declared (`xms_cc`).
    pub capabilities: Vec<String>,
}

/// A `claims` value that is not the JSON object Entra expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedClaims;

impl ClaimsRequest {
    /// Parses a `claims` value: JSON, or JSON that is still percent-encoded (as copied from
    /// PIM's `&claims=…` fragment). An empty value asks for nothing.
    pub fn parse(raw: &str) -> Result<Self, MalformedClaims> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self::default());
        }
        let value: Value = serde_json::from_str(raw)
            .or_else(|_| {
                let decoded = percent_encoding::percent_decode_str(raw)
                    .decode_utf8()
                    .map_err(|_| MalformedClaims)?;
                serde_json::from_str(&decoded).map_err(|_| MalformedClaims)
            })
            .map_err(|_| MalformedClaims)?;
        let access = match value.get("access_token") {
            None | Some(Value::Null) if value.is_object() => return Ok(Self::default()),
            Some(access @ Value::Object(_)) => access,
            _ => return Err(MalformedClaims),
        };
        let mut request = Self {
            mfa: strings(access.get("amr"))
                .iter()
                .any(|m| m.eq_ignore_ascii_case("mfa")),
            acrs: strings(access.get("acrs")),
            capabilities: strings(access.get("xms_cc")),
        };
        request.acrs.dedup();
        Ok(request)
    }

    /// The `claims` form field of `form`, parsed; absent means nothing asked.
    pub fn from_field(field: Option<&String>) -> Result<Self, MalformedClaims> {
        field.map_or(Ok(Self::default()), |raw| Self::parse(raw))
    }

    /// Both requests' demands together (a union, as Entra merges capabilities and challenges).
    pub fn merged(mut self, other: &ClaimsRequest) -> Self {
        self.mfa |= other.mfa;
        for (mine, theirs) in [
            (&mut self.acrs, &other.acrs),
            (&mut self.capabilities, &other.capabilities),
        ] {
            for value in theirs {
                if !mine.contains(value) {
                    mine.push(value.clone());
                }
            }
        }
        self
    }

    /// Whether satisfying this request takes a second factor. The sandbox backs every
    /// authentication context with a Conditional Access policy that requires MFA.
    pub fn needs_mfa(&self) -> bool {
        self.mfa || !self.acrs.is_empty()
    }
}

/// The string values of one claim request: `{"value":"x"}`, `{"values":["x","y"]}`, or both.
fn strings(claim: Option<&Value>) -> Vec<String> {
    let Some(claim) = claim else {
        return Vec::new();
    };
    let mut out: Vec<String> = claim
        .get("values")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(value) = claim.get("value").and_then(Value::as_str) {
        out.push(value.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_amr_acrs_and_capabilities_in_every_shape() {
        let c = ClaimsRequest::parse(
            r#"{"access_token":{"xms_cc":{"values":["cp1"]},"amr":{"values":["mfa"]},"acrs":{"essential":true, "value":"c1"}}}"#,
        )
        .unwrap();
        assert_eq!(
            c,
            ClaimsRequest {
                mfa: true,
                acrs: vec!["c1".into()],
                capabilities: vec!["cp1".into()],
            }
        );
        let encoded = "%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22values%22%3A%5B%22c1%22%2C%22c2%22%5D%7D%7D%7D";
        let c = ClaimsRequest::parse(encoded).unwrap();
        assert_eq!(c.acrs, vec!["c1", "c2"]);
        assert!(c.needs_mfa() && !c.mfa);
        assert_eq!(ClaimsRequest::parse("").unwrap(), ClaimsRequest::default());
        assert_eq!(
            ClaimsRequest::parse("{}").unwrap(),
            ClaimsRequest::default()
        );
        assert_eq!(ClaimsRequest::parse("{not json"), Err(MalformedClaims));
        assert_eq!(
            ClaimsRequest::parse(r#"{"access_token":"mfa"}"#),
            Err(MalformedClaims)
        );
        assert_eq!(ClaimsRequest::parse("[]"), Err(MalformedClaims));
    }

    #[test]
    fn merging_is_a_union() {
        let a = ClaimsRequest::parse(r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#).unwrap();
        let b = ClaimsRequest::parse(
            r#"{"access_token":{"xms_cc":{"values":["cp1"]},"acrs":{"value":"c1"}}}"#,
        )
        .unwrap();
        let m = a.merged(&b);
        assert_eq!(m.capabilities, vec!["cp1"]);
        assert_eq!(m.acrs, vec!["c1"]);
        assert!(!m.mfa);
    }
}
