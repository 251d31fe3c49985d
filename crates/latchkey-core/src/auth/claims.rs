//! The `claims` request parameter: client capability `cp1` on every token request, merged with a
//! step-up challenge (MFA or an authentication context) when PIM asked for one (reference §1.7).

use serde_json::{Map, Value};

use crate::error::Error;

/// What a step-up asks the sign-in to prove, as a claims request (`{"access_token":{…}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepUpClaims(Map<String, Value>);

impl StepUpClaims {
    /// Multi-factor authentication: `{"access_token":{"amr":{"values":["mfa"]}}}`.
    pub fn mfa() -> Self {
        Self::from_value(serde_json::json!({"access_token":{"amr":{"values":["mfa"]}}}))
            .unwrap_or_else(|| Self(Map::new()))
    }

    /// An authentication context, e.g. `c1`: `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`.
    pub fn auth_context(id: &str) -> Self {
        Self::from_value(serde_json::json!({"access_token":{"acrs":{"essential":true,"value":id}}}))
            .unwrap_or_else(|| Self(Map::new()))
    }

    /// Parses a claims request: JSON, or JSON still percent-encoded (PIM's `&claims=` value).
    /// `None` unless it is an object with an `access_token` object.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let value = serde_json::from_str::<Value>(text).ok().or_else(|| {
            let decoded = url::form_urlencoded::parse(format!("c={text}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())?;
            serde_json::from_str(&decoded).ok()
        })?;
        Self::from_value(value)
    }

    fn from_value(value: Value) -> Option<Self> {
        match value {
            Value::Object(map) if map.get("access_token").is_some_and(Value::is_object) => {
                Some(Self(map))
            }
            _ => None,
        }
    }

    /// The step-up a PIM refusal asks for: `MfaRule` in `RoleAssignmentRequestPolicyValidationFailed`
    /// gives [`StepUpClaims::mfa`]; `RoleAssignmentRequestAcrsValidationFailed` (plain, or
    /// double-wrapped in an `UnknownError`) gives the claims in its `&claims=` fragment.
    pub fn from_pim_error_body(body: &str) -> Option<Self> {
        // The acrs code may sit inside a JSON string inside the message: search the raw text.
        if body.contains("AcrsValidationFailed") {
            let start = body.find("claims=")? + "claims=".len();
            let encoded: String = body[start..]
                .chars()
                .take_while(|c| !matches!(c, '"' | '&' | '\\') && !c.is_whitespace())
                .collect();
            return Self::parse(&encoded);
        }
        let policy_failed = body.contains("RoleAssignmentRequestPolicyValidationFailed");
        let mfa_rule = body.contains(r#""MfaRule""#) || body.contains(r#"\"MfaRule\""#);
        (policy_failed && mfa_rule).then(Self::mfa)
    }

    /// The claims a `StepUpRequired` error carries (see [`Error::claims_challenge`]).
    pub fn from_error(error: &Error) -> Option<Self> {
        error.claims_challenge.as_deref().and_then(Self::parse)
    }

    /// Both claims requests at once (one sign-in that satisfies MFA and an auth context).
    pub fn merged(&self, other: &StepUpClaims) -> StepUpClaims {
        let mut value = Value::Object(self.0.clone());
        merge(&mut value, &Value::Object(other.0.clone()));
        Self::from_value(value).unwrap_or_else(|| self.clone())
    }

    /// The claims request as compact JSON.
    pub fn to_json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

/// The `claims` value for a token or authorize request: `cp1` always, plus `step_up` if given.
pub fn request_claims(step_up: Option<&StepUpClaims>) -> String {
    let mut merged = serde_json::json!({"access_token":{"xms_cc":{"values":["cp1"]}}});
    if let Some(step_up) = step_up {
        merge(&mut merged, &Value::Object(step_up.0.clone()));
    }
    merged.to_string()
}

/// Deep merge: objects member by member, arrays as a union, anything else replaced.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in b {
                match a.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        a.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for value in b {
                if !a.contains(value) {
                    a.push(value.clone());
                }
            }
        }
        (slot, value) => *slot = value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The reference's payloads (§1.7, §6.2), verbatim.
    const MFA_BODY: &str = r#"{"error":{"code":"RoleAssignmentRequestPolicyValidationFailed","message":"The following policy rules failed: [\"MfaRule\"]","innerError":{"date":"2025-02-13T10:17:06","request-id":"93b6f17e-c05d-4f45-ad2a-6665c708d8a0"}}}"#;
    const ACRS_BODY: &str = r#"{"error":{"code":"RoleAssignmentRequestAcrsValidationFailed","message":"&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D"}}"#;
    const WRAPPED_BODY: &str = r#"{"error":{"code":"UnknownError","message":"{\"errorCode\":\"RoleAssignmentRequestAcrsValidationFailed\",\"message\":\"&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D\"}"}}"#;

    #[test]
    fn pim_refusals_become_step_up_claims() {
        assert_eq!(
            StepUpClaims::from_pim_error_body(MFA_BODY),
            Some(StepUpClaims::mfa())
        );
        for body in [ACRS_BODY, WRAPPED_BODY] {
            assert_eq!(
                StepUpClaims::from_pim_error_body(body),
                Some(StepUpClaims::auth_context("c1")),
                "{body}"
            );
        }
        let other = r#"{"error":{"code":"RoleAssignmentRequestPolicyValidationFailed","message":"The following policy rules failed: [\"JustificationRule\"]"}}"#;
        assert_eq!(StepUpClaims::from_pim_error_body(other), None);
        assert_eq!(StepUpClaims::from_pim_error_body("not json at all"), None);
        let broken = r#"{"error":{"code":"RoleAssignmentRequestAcrsValidationFailed","message":"&claims=%7Bnope"}}"#;
        assert_eq!(StepUpClaims::from_pim_error_body(broken), None);
    }

    #[test]
    fn every_request_declares_cp1_merged_with_the_challenge() {
        assert_eq!(
            request_claims(None),
            r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#
        );
        // Compared as JSON values: member order depends on serde_json's features.
        let merged: Value =
            serde_json::from_str(&request_claims(Some(&StepUpClaims::auth_context("c25"))))
                .unwrap();
        assert_eq!(
            merged,
            serde_json::json!({"access_token":{"xms_cc":{"values":["cp1"]},"acrs":{"essential":true,"value":"c25"}}})
        );
        let both = StepUpClaims::parse(&request_claims(Some(&StepUpClaims::mfa()))).unwrap();
        let json: Value = serde_json::from_str(&both.to_json()).unwrap();
        assert_eq!(
            json["access_token"]["xms_cc"]["values"],
            serde_json::json!(["cp1"])
        );
        assert_eq!(
            json["access_token"]["amr"]["values"],
            serde_json::json!(["mfa"])
        );
        let extra = StepUpClaims::parse(r#"{"access_token":{"xms_cc":{"values":["cp1","cp2"]}}}"#);
        let merged: Value = serde_json::from_str(&request_claims(extra.as_ref())).unwrap();
        assert_eq!(
            merged["access_token"]["xms_cc"]["values"],
            serde_json::json!(["cp1", "cp2"])
        );
        assert_eq!(StepUpClaims::parse("[1]"), None);
        assert_eq!(StepUpClaims::parse(r#"{"id_token":{}}"#), None);
    }
}
